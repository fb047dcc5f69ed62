package thread_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/markup"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

func setup(t *testing.T) (*thread.Service, *board.Board, apptest.Fixtures) {
	t.Helper()
	db := apptest.NewDB(t)
	now := func() time.Time { return time.Now().UTC() }
	users := user.NewService(db, apptest.FastPasswords, []string{"en", "de"}, auth.NewSessions(db, time.Hour, now), now)
	fx := apptest.Seed(t, users)
	boards := board.NewService(db, now)
	b := &board.Board{Slug: "internet", NameEN: "Internet", NameDE: "Internet"}
	if err := boards.Create(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	return thread.NewService(db, markup.New(), now), b, fx
}

func TestCreateAndReply(t *testing.T) {
	s, b, fx := setup(t)
	ctx := context.Background()
	th, err := s.Create(ctx, thread.Ask{BoardID: b.ID, AuthorID: fx.Member.ID, Title: "  Router   drops Wi-Fi  ", Body: "It **drops**.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if th.Title != "Router drops Wi-Fi" || th.Slug != "router-drops-wi-fi" || th.State != thread.StateOpen {
		t.Errorf("got %+v", th)
	}
	if _, err := s.Reply(ctx, th.ID, fx.Agent.ID, "Update the firmware.", true); err != nil {
		t.Fatal(err)
	}
	posts, err := s.Posts(ctx, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(posts) != 2 || !posts[0].IsQuestion || posts[1].AuthorHandle != "sam_agent" || !posts[1].Official {
		t.Fatalf("posts: %+v", posts)
	}
	if posts[0].HTML != "<p>It <strong>drops</strong>.</p>\n" {
		t.Errorf("stored HTML %q", posts[0].HTML)
	}
	got, _ := s.Get(ctx, th.ID)
	if got.AnswerCount != 1 {
		t.Errorf("answer count %d", got.AnswerCount)
	}
	list, _ := s.Latest(ctx, b.ID, 10)
	if len(list) != 1 || list[0].AuthorHandle != "mara" {
		t.Errorf("latest: %+v", list)
	}
	if _, err := s.Reply(ctx, 424242, fx.Agent.ID, "x", false); !errors.Is(err, thread.ErrNotFound) {
		t.Errorf("reply to a missing thread: %v", err)
	}
}

func TestCreateValidation(t *testing.T) {
	s, b, fx := setup(t)
	tests := []struct {
		title, body string
		want        validate.Errors
	}{
		{"", "", validate.Errors{"title": "form.required", "body": "form.required"}},
		{"too short", "body", validate.Errors{"title": "thread.title.short"}},
		{strings.Repeat("ä", 151), "body", validate.Errors{"title": "thread.title.long"}},
		{"A long enough title", "   \n ", validate.Errors{"body": "form.required"}},
		{"A long enough title", strings.Repeat("x", markup.MaxSource+1), validate.Errors{"body": "thread.body.long"}},
	}
	for _, tt := range tests {
		_, err := s.Create(context.Background(), thread.Ask{BoardID: b.ID, AuthorID: fx.Member.ID, Title: tt.title, Body: tt.body})
		got, _ := validate.From(err)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("title %.20q: (-want +got):\n%s", tt.title, diff)
		}
	}
	if list, _ := s.Latest(context.Background(), 0, 10); len(list) != 0 {
		t.Errorf("refused questions were stored: %d", len(list))
	}
}

func TestSlugify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Router keeps dropping Wi-Fi", "router-keeps-dropping-wi-fi"},
		{"Routerpasswort vergessen – wie zurücksetzen?", "routerpasswort-vergessen-wie-zuruecksetzen"},
		{"Straße & Größe", "strasse-groesse"},
		{"¿¡!!", "thread"},
		{"日本語のタイトル", "thread"},
		{strings.Repeat("abc ", 40), strings.TrimRight(strings.Repeat("abc-", 15), "-")},
	}
	for _, tt := range tests {
		if got := thread.Slugify(tt.in); got != tt.want {
			t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
