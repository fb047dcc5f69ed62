package user_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

func newService(t *testing.T) (*user.Service, *auth.Sessions) {
	t.Helper()
	db := apptest.NewDB(t)
	now := func() time.Time { return time.Now().UTC() }
	sessions := auth.NewSessions(db, time.Hour, now)
	return user.NewService(db, apptest.FastPasswords, []string{"en", "de"}, sessions, now), sessions
}

func valid() user.Registration {
	return user.Registration{Handle: "Kim_89", Email: "Kim@Example.com", Password: "longenough"}
}

func TestRegisterValidation(t *testing.T) {
	tests := []struct {
		name string
		edit func(*user.Registration)
		want validate.Errors
	}{
		{"empty", func(r *user.Registration) { *r = user.Registration{} },
			validate.Errors{"handle": "form.required", "email": "form.required", "password": "form.required"}},
		{"short handle", func(r *user.Registration) { r.Handle = "ab" }, validate.Errors{"handle": "user.handle.invalid"}},
		{"handle with space", func(r *user.Registration) { r.Handle = "kim m" }, validate.Errors{"handle": "user.handle.invalid"}},
		{"handle with markup", func(r *user.Registration) { r.Handle = "<script>" }, validate.Errors{"handle": "user.handle.invalid"}},
		{"reserved handle", func(r *user.Registration) { r.Handle = "Admin" }, validate.Errors{"handle": "user.handle.taken"}},
		{"bad email", func(r *user.Registration) { r.Email = "kim@" }, validate.Errors{"email": "user.email.invalid"}},
		{"email with name", func(r *user.Registration) { r.Email = "Kim <kim@example.com>" }, validate.Errors{"email": "user.email.invalid"}},
		{"email without dot", func(r *user.Registration) { r.Email = "kim@localhost" }, validate.Errors{"email": "user.email.invalid"}},
		{"short password", func(r *user.Registration) { r.Password = "1234567" }, validate.Errors{"password": "user.password.short"}},
		{"long password", func(r *user.Registration) { r.Password = strings.Repeat("x", 257) }, validate.Errors{"password": "user.password.long"}},
		{"long display name", func(r *user.Registration) { r.DisplayName = strings.Repeat("ü", 61) }, validate.Errors{"display_name": "user.display_name.long"}},
		{"control characters", func(r *user.Registration) { r.DisplayName = "a\x00b" }, validate.Errors{"display_name": "user.display_name.invalid"}},
		{"unknown locale", func(r *user.Registration) { r.Locale = "fr" }, validate.Errors{"locale": "user.locale.invalid"}},
		{"unknown role", func(r *user.Registration) { r.Role = "owner" }, validate.Errors{"role": "user.role.invalid"}},
	}
	s, _ := newService(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := valid()
			tt.edit(&r)
			_, err := s.Register(context.Background(), r)
			got, ok := validate.From(err)
			if !ok {
				t.Fatalf("want field errors, got %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if n, _ := s.Count(context.Background()); n != 0 {
		t.Errorf("%d users written by refused registrations", n)
	}
}

func TestRegisterNormalisesAndRefusesDuplicates(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	u, err := s.Register(ctx, valid())
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "kim@example.com" || u.DisplayName != "Kim_89" || u.Role != user.RoleMember {
		t.Errorf("got %+v", u)
	}
	if strings.Contains(u.PasswordHash, "longenough") || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
		t.Errorf("password stored as %q", u.PasswordHash)
	}
	dup := valid()
	dup.Handle, dup.Email = "KIM_89", " KIM@example.COM "
	_, err = s.Register(ctx, dup)
	got, _ := validate.From(err)
	if diff := cmp.Diff(validate.Errors{"handle": "user.handle.taken", "email": "user.email.taken"}, got); diff != "" {
		t.Errorf("duplicates (-want +got):\n%s", diff)
	}
}

// TestConcurrentSignupsWithSameHandle: the unique index decides a race, and the
// loser gets the same clear message as a sequential duplicate.
func TestConcurrentSignupsWithSameHandle(t *testing.T) {
	s, _ := newService(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := valid()
			r.Email = strings.Replace(r.Email, "@", string(rune('a'+i))+"@", 1)
			_, errs[i] = s.Register(context.Background(), r)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		if f, _ := validate.From(err); f["handle"] != "user.handle.taken" {
			t.Errorf("loser got %v, want handle taken", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d registrations succeeded, want 1", ok)
	}
}

func TestAuthenticate(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	if _, err := s.Register(ctx, valid()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		login, password string
		want            error
	}{
		{"Kim_89", "longenough", nil},
		{"kim_89", "longenough", nil},
		{" KIM@example.com ", "longenough", nil},
		{"Kim_89", "LONGENOUGH", user.ErrInvalidCredentials},
		{"nobody", "longenough", user.ErrInvalidCredentials},
		{"", "", user.ErrInvalidCredentials},
	}
	for _, tt := range tests {
		u, err := s.Authenticate(ctx, tt.login, tt.password)
		if !errors.Is(err, tt.want) {
			t.Errorf("Authenticate(%q, %q) = %v, want %v", tt.login, tt.password, err, tt.want)
		}
		if err == nil && u.Handle != "Kim_89" {
			t.Errorf("Authenticate(%q) returned %q", tt.login, u.Handle)
		}
	}
}

func TestProfileAndRole(t *testing.T) {
	s, sessions := newService(t)
	ctx := context.Background()
	admin, err := s.Register(ctx, user.Registration{Handle: "boss", Email: "boss@example.com", Password: "longenough", Role: user.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.Register(ctx, valid())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateProfile(ctx, u.ID, user.Profile{DisplayName: "  Kim M.  ", Locale: "de"}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get(ctx, u.ID)
	if got.DisplayName != "Kim M." || got.Locale != "de" {
		t.Errorf("after update: %q %q", got.DisplayName, got.Locale)
	}
	if err := s.UpdateProfile(ctx, u.ID, user.Profile{DisplayName: " ", Locale: "xx"}); err == nil {
		t.Error("empty name and unknown locale accepted")
	}
	if err := s.UpdateProfile(ctx, 9999, user.Profile{DisplayName: "x"}); !errors.Is(err, user.ErrNotFound) {
		t.Errorf("unknown user: %v", err)
	}

	token, err := sessions.Create(ctx, u.ID, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetRole(ctx, admin.ID, u.ID, user.RoleModerator); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, u.ID); got.Role != user.RoleModerator {
		t.Errorf("role = %s", got.Role)
	}
	if _, err := sessions.Lookup(ctx, token); !errors.Is(err, auth.ErrNoSession) {
		t.Errorf("session survived a role change: %v", err)
	}
	if err := s.SetRole(ctx, admin.ID, admin.ID, user.RoleMember); !errors.Is(err, user.ErrOwnRole) {
		t.Errorf("own role change: %v", err)
	}
	if err := s.SetRole(ctx, admin.ID, u.ID, "owner"); err == nil {
		t.Error("unknown role accepted")
	}
}

func TestRoles(t *testing.T) {
	tests := []struct {
		r, min user.Role
		want   bool
	}{
		{user.RoleAdmin, user.RoleModerator, true},
		{user.RoleModerator, user.RoleAdmin, false},
		{user.RoleAgent, user.RoleAgent, true},
		{user.RoleMember, user.RoleAgent, false},
		{"", user.RoleMember, false},
		{"root", user.RoleMember, false},
	}
	for _, tt := range tests {
		if got := tt.r.AtLeast(tt.min); got != tt.want {
			t.Errorf("%q.AtLeast(%q) = %v", tt.r, tt.min, got)
		}
	}
}
