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
		if got := thread.CanEdit(tt.u, tt.t, tt.p, thread.Privileges{}); got != tt.edit {
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

func TestPrivilegeRules(t *testing.T) {
	priv := thread.Privileges{TrustReputation: 20, ReviewFirstPosts: 2, NewcomerPostsPerDay: 5, EditOthersReputation: 1000}
	newcomer := &user.User{ID: 1, Role: user.RoleMember, Reputation: 5}
	member := &user.User{ID: 2, Role: user.RoleMember, Reputation: 20}
	trusted := &user.User{ID: 3, Role: user.RoleMember, Reputation: 1000}
	agent := &user.User{ID: 4, Role: user.RoleAgent}
	mod := &user.User{ID: 5, Role: user.RoleModerator}
	open := &thread.Thread{AuthorID: 1, State: thread.StateOpen}
	locked := &thread.Thread{AuthorID: 1, State: thread.StateLocked}
	post := &thread.Post{AuthorID: 1}
	pending := &thread.Post{AuthorID: 1, Pending: true}

	review := []struct {
		name      string
		u         *user.User
		published int64
		link      bool
		want      bool
	}{
		{"newcomer's first post", newcomer, 0, false, true},
		{"newcomer's second post", newcomer, 1, false, true},
		{"newcomer's third post", newcomer, 2, false, false},
		{"newcomer's post with a link", newcomer, 9, true, true},
		{"member's first post", member, 0, false, false},
		{"member's post with a link", member, 9, true, false},
		{"agent with no reputation", agent, 0, true, false},
		{"guest", nil, 0, false, false},
	}
	for _, tt := range review {
		if got := thread.NeedsReview(tt.u, priv, tt.published, tt.link); got != tt.want {
			t.Errorf("NeedsReview(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
	if thread.IsNewcomer(newcomer, thread.Privileges{}) {
		t.Error("with trust at 0 nobody should be a newcomer")
	}

	edit := []struct {
		name string
		u    *user.User
		t    *thread.Thread
		p    *thread.Post
		priv thread.Privileges
		want bool
	}{
		{"member below the threshold", member, open, post, priv, false},
		{"trusted member", trusted, open, post, priv, true},
		{"trusted member, locked thread", trusted, locked, post, priv, false},
		{"trusted member, post waiting for review", trusted, open, pending, priv, false},
		{"trusted member, editing by reputation off", trusted, open, post, thread.Privileges{}, false},
		{"moderator", mod, locked, pending, priv, true},
	}
	for _, tt := range edit {
		if got := thread.CanEdit(tt.u, tt.t, tt.p, tt.priv); got != tt.want {
			t.Errorf("CanEdit(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}

	accept := []struct {
		name string
		u    *user.User
		want bool
	}{
		{"asker", newcomer, true}, {"other member", member, false}, {"trusted member", trusted, false},
		{"agent", agent, true}, {"moderator", mod, true}, {"guest", nil, false},
	}
	for _, tt := range accept {
		if got := thread.CanAccept(tt.u, open); got != tt.want {
			t.Errorf("CanAccept(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}

	kudos := []struct {
		name string
		u    *user.User
		p    *thread.Post
		want error
	}{
		{"own post", newcomer, post, thread.ErrOwnPost},
		{"someone else's post", member, post, nil},
		{"post waiting for review", member, pending, thread.ErrNotFound},
		{"guest", nil, post, thread.ErrForbidden},
	}
	for _, tt := range kudos {
		if got := thread.KudosError(tt.u, tt.p); !errors.Is(got, tt.want) {
			t.Errorf("KudosError(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
