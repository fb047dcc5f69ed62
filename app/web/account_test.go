package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/user"
)

func TestRoleChecksOnTheServer(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	fx := srv.Fixtures
	rolePath := fmt.Sprintf("/admin/users/%d/role", fx.Member.ID)

	guest := srv.Client(t).NoRedirects()
	if r := guest.Get("/admin/users"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login?next=%2Fadmin%2Fusers" {
		t.Errorf("guest: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	guest.Get("/login")
	if r := guest.Post(rolePath, form("role", "admin")); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "Please sign in first") {
		t.Errorf("guest role change: %d", r.StatusCode)
	}
	for _, handle := range []string{"otto", "sam_agent", "mia_mod"} { // below admin
		c := srv.Client(t)
		c.Login(handle, apptest.Password)
		if r := c.Get("/admin/users"); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s sees the admin page: %d", handle, r.StatusCode)
		}
		r := c.Post(rolePath, form("role", "admin")) // a forged form, no button needed
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("%s changed a role: %d", handle, r.StatusCode)
		}
		mustContain(t, r, "You do not have permission")
		mustNotContain(t, r, `href="/admin/users"`)
	}
	if u, _ := srv.App.Users.Get(context.Background(), fx.Member.ID); u.Role != user.RoleMember {
		t.Fatalf("role changed to %s by a non-admin", u.Role)
	}

	member := srv.Client(t)
	member.Login("mara", apptest.Password)
	admin := srv.Client(t)
	admin.Login("root_admin", apptest.Password)
	r := admin.Get("/admin/users")
	mustContain(t, r, "@mara", "@otto", `href="/admin/users"`)
	r = admin.Post(rolePath, form("role", "moderator"))
	mustContain(t, r, "The role has been changed")
	if u, _ := srv.App.Users.Get(context.Background(), fx.Member.ID); u.Role != user.RoleModerator {
		t.Errorf("role = %s, want moderator", u.Role)
	}
	// The promoted member's old session ended with the change.
	if r := member.Get("/"); strings.Contains(r.Body, `action="/logout"`) {
		t.Error("session survived the role change")
	}
	for _, tt := range []struct {
		path, role string
		status     int
	}{
		{rolePath, "owner", http.StatusUnprocessableEntity},
		{fmt.Sprintf("/admin/users/%d/role", fx.Admin.ID), "member", http.StatusConflict},
		{"/admin/users/424242/role", "member", http.StatusNotFound},
	} {
		if r := admin.Post(tt.path, form("role", tt.role)); r.StatusCode != tt.status {
			t.Errorf("%s role=%s: %d, want %d", tt.path, tt.role, r.StatusCode, tt.status)
		}
	}
}

func TestLanguageSwitch(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	guest := srv.Client(t)
	guest.Language = "en-US"
	r := guest.Get("/")
	mustContain(t, r, `href="/language?lang=de&amp;next=%2f"`)
	mustNotContain(t, r, `action="/language"`, `name="_csrf"`) // guests' pages carry no token
	r = guest.Get("/language?lang=de&next=/login")
	if r.Request.URL.Path != "/login" {
		t.Errorf("switch returned to %s", r.Request.URL.Path)
	}
	mustContain(t, r, `<html lang="de">`, "Anmelden")
	if r := guest.Get("/"); !strings.Contains(r.Body, `<html lang="de">`) {
		t.Error("the choice was not remembered")
	}
	if r := guest.Get("/language?lang=xx"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown language: %d", r.StatusCode)
	}
	for _, next := range []string{"//evil.example", "/%09/evil.example", "/%5Cevil.example", "https://evil.example/", "/%0d%0aSet-Cookie:x=1"} {
		if r := srv.Client(t).NoRedirects().Get("/language?lang=de&next=" + next); r.Header.Get("Location") != "/" {
			t.Errorf("next=%s redirected to %q", next, r.Header.Get("Location"))
		}
	}
	if r := srv.Client(t).NoRedirects().Get("/language?lang=de&next=/b/x%3Ftab%3Dsolved"); r.Header.Get("Location") != "/b/x?tab=solved" {
		t.Errorf("a local next was not kept: %q", r.Header.Get("Location"))
	}

	// A signed-in member's choice is saved in the profile and follows them.
	c := srv.Client(t)
	c.Login("mara", apptest.Password)
	c.Get("/language?lang=de") // a link does not change the profile
	if u, _ := srv.App.Users.Get(context.Background(), srv.Fixtures.Member.ID); u.Locale != "en" {
		t.Errorf("GET changed the profile locale to %q", u.Locale)
	}
	c.Get("/")
	c.Post("/language", form("lang", "de", "next", "/"))
	if u, _ := srv.App.Users.Get(context.Background(), srv.Fixtures.Member.ID); u.Locale != "de" {
		t.Errorf("profile locale %q", u.Locale)
	}
	fresh := srv.Client(t)
	fresh.Language = "en"
	fresh.Login("mara", apptest.Password)
	if r := fresh.Get("/"); !strings.Contains(r.Body, `<html lang="de">`) {
		t.Error("the profile language does not win over the browser's")
	}
}

func TestProfileEdit(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	c := srv.Client(t)
	c.Login("mara", apptest.Password)
	c.Get("/settings/profile")
	r := c.Post("/settings/profile", form("display_name", "  ", "locale", "de"))
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("empty name: %d", r.StatusCode)
	}
	mustContain(t, r, "Please fill in this field.")
	r = c.Post("/settings/profile", form("display_name", "Mara M.", "locale", ""))
	mustContain(t, r, "Your profile has been saved.", `value="Mara M."`)
	r = c.Post("/settings/profile", form("display_name", strings.Repeat("x", 61), "locale", "de"))
	mustContain(t, r, "at most 60 characters", `value="`+strings.Repeat("x", 61)+`"`)
	if u, _ := srv.App.Users.Get(context.Background(), srv.Fixtures.Member.ID); u.DisplayName != "Mara M." || u.Locale != "" {
		t.Errorf("stored %q %q", u.DisplayName, u.Locale)
	}
}
