package thread_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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
	locked := &thread.Thread{Locked: true}
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
		name string
		a, b string
		want []string // each line as its op (" ", "+", "-") and text
	}{
		{"identical", "a\nb\nc", "a\nb\nc", []string{" a", " b", " c"}},
		{"edit in the middle", "a\nb\nc", "a\nx\nc", []string{" a", "-b", "+x", " c"}},
		{"line inserted in the middle", "one\ntwo\nfour\nfive", "one\ntwo\nthree\nfour\nfive",
			[]string{" one", " two", "+three", " four", " five"}},
		{"line removed in the middle", "one\ntwo\nthree\nfour", "one\nthree\nfour",
			[]string{" one", "-two", " three", " four"}},
		{"lines moved apart", "x\na\ny\nb", "a\nb", []string{"-x", " a", "-y", " b"}},
		{"appended", "a\nb", "a\nb\nc", []string{" a", " b", "+c"}},
		{"all but the last removed", "a\nb\nc", "c", []string{"-a", "-b", " c"}},
		{"from nothing", "", "new", []string{"+new"}},
		{"to nothing", "old", "", []string{"-old"}},
		{"blank lines stay context", "a\n\nb\n\nc", "a\n\nB\n\nc", []string{" a", " ", "-b", "+B", " ", " c"}},
		// A browser sends a textarea's lines with CRLF; the stored version may have LF.
		{"LF then CRLF", "a\nb\nc", "a\r\nb\r\nc", []string{" a", " b", " c"}},
		{"CRLF then LF", "a\r\nb\r\nc\r\n", "a\nb\nc", []string{" a", " b", " c"}},
		{"CRLF with an edit", "a\nb\nc", "a\r\nB\r\nc", []string{" a", "-b", "+B", " c"}},
		{"lone CR", "a\rb", "a\nb", []string{" a", " b"}},
		{"trailing newline added", "a\nb", "a\nb\n", []string{" a", " b"}},
		{"trailing newline removed", "a\nb\n", "a\nb", []string{" a", " b"}},
		{"trailing newline and an edit", "a\nb\n", "a\nc", []string{" a", "-b", "+c"}},
		{"blank line added at the end", "a\n", "a\n\n", []string{" a", "+"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, l := range thread.Diff(tt.a, tt.b) {
				got = append(got, string(" +-"[l.Op])+l.Text)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Diff(%q, %q) (-want +got):\n%s", tt.a, tt.b, diff)
			}
		})
	}
}

// TestDiffLarge: past the work limit the changed middle is shown removed, then
// added, but the unchanged lines around it stay context.
func TestDiffLarge(t *testing.T) {
	var a, b strings.Builder
	a.WriteString("head\n")
	b.WriteString("head\r\n")
	for i := range 600 {
		fmt.Fprintf(&a, "old %d\n", i)
		fmt.Fprintf(&b, "new %d\r\n", i)
	}
	a.WriteString("tail\n")
	b.WriteString("tail\r\n")
	d := thread.Diff(a.String(), b.String())
	if len(d) != 1202 || d[0] != (thread.DiffLine{Op: thread.Same, Text: "head"}) || d[1201] != (thread.DiffLine{Op: thread.Same, Text: "tail"}) {
		t.Fatalf("%d lines, first %+v, last %+v", len(d), d[0], d[len(d)-1])
	}
	if d[1].Op != thread.Removed || d[600].Op != thread.Removed || d[601].Op != thread.Added || d[1200].Op != thread.Added {
		t.Errorf("middle: %+v %+v %+v %+v", d[1], d[600], d[601], d[1200])
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
	locked := &thread.Thread{AuthorID: 1, Locked: true}
	post := &thread.Post{AuthorID: 1}
	pending := &thread.Post{AuthorID: 1, Pending: true}

	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	rules := thread.SpamRules{MaxLinks: 3, NewAccount: 24 * time.Hour, BlockWords: []string{"casino", "cheap pills"}}
	old := &user.User{ID: 6, Role: user.RoleMember, Reputation: 100, CreatedAt: now.AddDate(0, -1, 0)}
	young := &user.User{ID: 7, Role: user.RoleMember, Reputation: 100, CreatedAt: now.Add(-time.Hour)}
	silenced := &user.User{ID: 8, Role: user.RoleMember, Reputation: 100, CreatedAt: now.AddDate(-1, 0, 0), SilencedUntil: &user.NoEnd}
	review := []struct {
		name string
		u    *user.User
		d    thread.Draft
		want string
	}{
		{"newcomer's first post", newcomer, thread.Draft{}, thread.HeldNewcomer},
		{"newcomer's second post", newcomer, thread.Draft{Published: 1}, thread.HeldNewcomer},
		{"newcomer's third post", newcomer, thread.Draft{Published: 2}, ""},
		{"newcomer's post with a link", newcomer, thread.Draft{Published: 9, Links: 1}, thread.HeldLink},
		{"member's first post", member, thread.Draft{}, ""},
		{"member's post with a link", old, thread.Draft{Published: 9, Links: 1}, ""},
		{"member's post with 3 links", old, thread.Draft{Links: 3}, ""},
		{"member's post with 4 links", old, thread.Draft{Links: 4}, thread.HeldLinks},
		{"a day-old account's link", young, thread.Draft{Links: 1}, thread.HeldNewAccount},
		{"a day-old account without links", young, thread.Draft{}, ""},
		{"the same text again", old, thread.Draft{Repeated: true}, thread.HeldRepeat},
		{"a blocked word", old, thread.Draft{Source: "Best CASINO in town"}, thread.HeldBlocked},
		{"a blocked phrase", old, thread.Draft{Source: "buy cheap pills here"}, thread.HeldBlocked},
		{"silenced", silenced, thread.Draft{}, thread.HeldSilenced},
		{"a silenced moderator", &user.User{ID: 9, Role: user.RoleModerator, SilencedUntil: &user.NoEnd}, thread.Draft{}, thread.HeldSilenced},
		{"agent with no reputation", agent, thread.Draft{Links: 9, Repeated: true, Source: "casino"}, ""},
		{"guest", nil, thread.Draft{}, ""},
	}
	for _, tt := range review {
		if got := thread.HoldReason(tt.u, priv, rules, now, tt.d); got != tt.want {
			t.Errorf("HoldReason(%s) = %q, want %q", tt.name, got, tt.want)
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

// TestSeeingAndLockRules: who sees a deleted, waiting or hidden thread, and who
// still writes in a locked one.
func TestSeeingAndLockRules(t *testing.T) {
	asker := &user.User{ID: 1, Role: user.RoleMember}
	member := &user.User{ID: 2, Role: user.RoleMember}
	agent := &user.User{ID: 3, Role: user.RoleAgent}
	mod := &user.User{ID: 4, Role: user.RoleModerator}
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	threads := map[string]*thread.Thread{
		"open":    {AuthorID: 1},
		"deleted": {AuthorID: 1, DeletedAt: &at},
		"pending": {AuthorID: 1, Pending: true},
		"hidden":  {AuthorID: 1, HiddenAt: &at},
	}
	see := []struct {
		thread                           string
		guest, asker, member, agent, mod bool
	}{
		{"open", true, true, true, true, true},
		{"deleted", false, false, false, false, true},
		{"pending", false, true, false, false, true},
		{"hidden", false, true, false, false, true},
	}
	for _, tt := range see {
		th := threads[tt.thread]
		for _, v := range []struct {
			name string
			u    *user.User
			want bool
		}{{"guest", nil, tt.guest}, {"asker", asker, tt.asker}, {"member", member, tt.member}, {"agent", agent, tt.agent}, {"moderator", mod, tt.mod}} {
			if got := thread.CanSee(v.u, th); got != v.want {
				t.Errorf("CanSee(%s, %s thread) = %v, want %v", v.name, tt.thread, got, v.want)
			}
		}
	}
	locked := &thread.Thread{AuthorID: 1, Locked: true}
	for _, v := range []struct {
		name string
		u    *user.User
		want error
	}{{"guest", nil, thread.ErrLocked}, {"asker", asker, thread.ErrLocked}, {"member", member, thread.ErrLocked}, {"agent", agent, nil}, {"moderator", mod, nil}} {
		if got := thread.LockError(v.u, locked); !errors.Is(got, v.want) || (got == nil) != (v.want == nil) {
			t.Errorf("LockError(%s) = %v, want %v", v.name, got, v.want)
		}
		if got := thread.LockError(v.u, threads["open"]); got != nil {
			t.Errorf("LockError(%s) on an open thread = %v", v.name, got)
		}
	}
}
