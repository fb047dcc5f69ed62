package user_test

import (
	"context"
	"errors"
	"testing"

	"github.com/schwarm/schwarm/app/user"
)

func TestProposeHandle(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	if _, err := s.Register(ctx, user.Registration{Handle: "jurgen.m", Email: "j@example.com", Password: "longenough"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		hints []string
		want  string
	}{
		{[]string{"Jürgen.M"}, "Jurgen.M2"}, // handles are unique whatever their case
		{[]string{"", "nora@example.com"}, "nora"},
		{[]string{"Anna Lena Maier"}, "Anna_Lena_Maier"},
		{[]string{"__x", "admin", "ab@example.com"}, "member"}, // too short, reserved, too short
		{[]string{"a-very-long-name-from-the-directory-server"}, "a-very-long-name-from-the-dire"},
		{[]string{"deleted-7"}, "member"},
	}
	for _, tt := range tests {
		if got := s.ProposeHandle(ctx, tt.hints...); got != tt.want {
			t.Errorf("ProposeHandle(%q) = %q, want %q", tt.hints, got, tt.want)
		}
	}
}

func TestRegisterExternalAndUnlink(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	u, err := s.RegisterExternal(ctx, user.ExternalRegistration{Handle: "nora", Email: "Nora@Example.com", EmailVerified: true,
		Provider: "oidc", Subject: "s-1", Role: user.RoleAgent})
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != user.RoleAgent || u.PasswordHash != "" || u.EmailVerifiedAt == nil || u.Email != "nora@example.com" {
		t.Errorf("registered %+v", u)
	}
	if got, err := s.IdentityOwner(ctx, "oidc", "s-1"); err != nil || got.ID != u.ID {
		t.Errorf("IdentityOwner = %v, %v", got, err)
	}
	if _, err := s.RegisterExternal(ctx, user.ExternalRegistration{Handle: "nora2", Email: "other@example.com", Provider: "oidc", Subject: "s-1"}); !errors.Is(err, user.ErrIdentityTaken) {
		t.Errorf("the same identity again: %v", err)
	}
	if err := s.Unlink(ctx, u.ID, "oidc", true); !errors.Is(err, user.ErrOnlySignIn) {
		t.Errorf("unlinking the only way in: %v", err)
	}
	if err := s.Link(ctx, u.ID, "github", "42", "nora@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := s.Unlink(ctx, u.ID, "oidc", true); err != nil {
		t.Errorf("unlinking one of two: %v", err)
	}
	if err := s.Unlink(ctx, u.ID, "oidc", true); !errors.Is(err, user.ErrNoIdentity) {
		t.Errorf("unlinking twice: %v", err)
	}
}
