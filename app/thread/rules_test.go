package thread_test

import (
	"errors"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

func TestRules(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	author := &user.User{ID: 1, Role: user.RoleMember}
	other := &user.User{ID: 2, Role: user.RoleMember}
	agent := &user.User{ID: 3, Role: user.RoleAgent}
	mod := &user.User{ID: 4, Role: user.RoleModerator}
	open := &thread.Thread{State: thread.StateOpen}
	locked := &thread.Thread{State: thread.StateLocked}
	fresh := &thread.Post{AuthorID: 1, CreatedAt: now.Add(-time.Hour)}
	old := &thread.Post{AuthorID: 1, CreatedAt: now.Add(-48 * time.Hour)}
	tests := []struct {
		name      string
		u         *user.User
		t         *thread.Thread
		p         *thread.Post
		edit      bool
		deleteErr error
	}{
		{"author, fresh", author, open, fresh, true, nil},
		{"author, old", author, open, old, true, thread.ErrTooLate},
		{"author, locked", author, locked, fresh, false, thread.ErrForbidden},
		{"other member", other, open, fresh, false, thread.ErrForbidden},
		{"agent", agent, open, fresh, false, thread.ErrForbidden},
		{"moderator, old, locked", mod, locked, old, true, nil},
		{"guest", nil, open, fresh, false, thread.ErrForbidden},
	}
	for _, tt := range tests {
		if got := thread.CanEdit(tt.u, tt.t, tt.p); got != tt.edit {
			t.Errorf("%s: CanEdit = %v", tt.name, got)
		}
		if got := thread.CanDelete(tt.u, tt.t, tt.p, now, 24*time.Hour); !errors.Is(got, tt.deleteErr) {
			t.Errorf("%s: CanDelete = %v, want %v", tt.name, got, tt.deleteErr)
		}
	}
	if thread.CanPost(author, user.RoleAgent) || !thread.CanPost(agent, user.RoleAgent) || thread.CanPost(nil, user.RoleMember) {
		t.Error("CanPost")
	}
}

func TestDiff(t *testing.T) {
	tests := []struct {
		a, b string
		want string // ops as " ", "+", "-" per line
	}{
		{"a\nb\nc", "a\nb\nc", "   "},
		{"a\nb\nc", "a\nx\nc", " -+ "},
		{"", "new", "-+"},
		{"a\nb", "a\nb\nc", "  +"},
		{"a\nb\nc", "c", "-- "},
		{"x\na\ny\nb", "a\nb", "- - "},
	}
	for _, tt := range tests {
		var got []byte
		for _, l := range thread.Diff(tt.a, tt.b) {
			got = append(got, " +-"[l.Op])
		}
		if string(got) != tt.want {
			t.Errorf("Diff(%q, %q) = %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSlugify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Router keeps dropping Wi-Fi", "router-keeps-dropping-wi-fi"},
		{"Routerpasswort vergessen – wie zurücksetzen?", "routerpasswort-vergessen-wie-zuruecksetzen"},
		{"Straße & Größe", "strasse-groesse"},
		{"¿¡!!", "thread"},
		{"日本語のタイトル", "thread"},
		{"abc " + "abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc abc", "abc-abc-abc-abc-abc-abc-abc-abc-abc-abc-abc-abc-abc-abc-abc"},
	}
	for _, tt := range tests {
		if got := thread.Slugify(tt.in); got != tt.want {
			t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
