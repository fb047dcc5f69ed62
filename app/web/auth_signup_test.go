package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/config"
)

var startedField = regexp.MustCompile(`name="started" value="([^"]+)"`)

// TestSignupRefusesScripts: the field hidden from people, a form sent back at
// once and a forged time are refused with a message and make no account; a
// person, who takes a moment, signs up.
func TestSignupRefusesScripts(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) { c.SignupMinFill.Duration = 300 * time.Millisecond }})
	c := srv.Client(t)
	fields := func(handle string, extra ...string) []string {
		return append([]string{"handle", handle, "email", handle + "@example.com", "password", "longenough"}, extra...)
	}
	started := func() string {
		m := startedField.FindStringSubmatch(c.Get("/signup").Body)
		if m == nil {
			t.Fatal("the sign-up form has no started field")
		}
		return m[1]
	}
	forged := strconv.FormatInt(time.Now().Add(-time.Hour).UnixMilli(), 10) + ".AAAAAAAAAAAAAAAAAAAAAA"
	for _, tt := range []struct {
		name   string
		fields []string
	}{
		{"the honeypot filled", fields("bot1", "website", "https://spam.example", "started", started())},
		{"sent back at once", fields("bot2", "started", started())},
		{"a forged time", fields("bot3", "started", forged)},
		{"no time at all", fields("bot4")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Post("/signup", form(tt.fields...))
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("status %d, want 422", r.StatusCode)
			}
			mustContain(t, r, "That was very quick.")
			if _, err := srv.App.Users.GetByHandle(context.Background(), tt.fields[1]); err == nil {
				t.Errorf("%s got an account", tt.fields[1])
			}
		})
	}
	s, honey := started(), started()
	time.Sleep(400 * time.Millisecond) // a person reading the form
	if r := c.Post("/signup", form(fields("bot5", "website", "https://spam.example", "started", honey)...)); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("the honeypot filled after a while: %d, want 422", r.StatusCode)
	}
	r := c.Post("/signup", form(fields("person", "started", s)...))
	if r.StatusCode != http.StatusOK || strings.Contains(r.Body, "That was very quick.") {
		t.Fatalf("a person's sign-up: %d", r.StatusCode)
	}
	if _, err := srv.App.Users.GetByHandle(context.Background(), "person"); err != nil {
		t.Errorf("no account for the person: %v", err)
	}
}
