package thread_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/markup"
	"github.com/schwarm/schwarm/app/outbox"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

type env struct {
	db     *database.DB
	s      *thread.Service
	boards *board.Service
	board  *board.Board
	fx     apptest.Fixtures
	clock  *apptest.Clock
}

func setup(t testing.TB) *env {
	t.Helper()
	db := apptest.NewDB(t)
	clk := apptest.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	users := user.NewService(db, apptest.FastPasswords, []string{"en", "de"}, auth.NewSessions(db, time.Hour, clk.Now), clk.Now)
	e := &env{db: db, fx: apptest.Seed(t, users), boards: board.NewService(db, clk.Now), clock: clk}
	e.board = &board.Board{Slug: "internet", NameEN: "Internet", NameDE: "Internet"}
	if err := e.boards.Create(context.Background(), e.board); err != nil {
		t.Fatal(err)
	}
	e.s = thread.NewService(db, markup.New(), 24*time.Hour, clk.Now)
	return e
}

func (e *env) ask(t testing.TB, author *user.User, title string) *thread.Thread {
	t.Helper()
	th, err := e.s.Create(context.Background(), author, thread.Ask{BoardID: e.board.ID, Title: title, Body: "Body of " + title})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Second)
	return th
}

func TestCreateAndReply(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	th, err := e.s.Create(ctx, e.fx.Member, thread.Ask{BoardID: e.board.ID, Title: "  Router   drops Wi-Fi  ",
		Body: "It **drops**.", Tags: "Router, #wifi router", Language: "de"})
	if err != nil {
		t.Fatal(err)
	}
	if th.Title != "Router drops Wi-Fi" || th.Slug != "router-drops-wi-fi" || th.State != thread.StateOpen || th.Language != "de" {
		t.Errorf("got %+v", th)
	}
	if tags, _ := e.s.Tags(ctx, th.ID); !cmp.Equal(tags, []string{"router", "wifi"}) {
		t.Errorf("tags %v", tags)
	}
	if _, err := e.s.Reply(ctx, e.fx.Agent, th.ID, "Update the firmware."); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Reply(ctx, e.fx.Other, th.ID, "Same here."); err != nil {
		t.Fatal(err)
	}
	got, _ := e.s.Get(ctx, th.ID)
	page, err := e.s.Posts(ctx, e.fx.Other, got, 1)
	if err != nil {
		t.Fatal(err)
	}
	if page.Question.HTML != "<p>It <strong>drops</strong>.</p>\n" || !page.Question.IsQuestion {
		t.Errorf("question %+v", page.Question)
	}
	if len(page.Answers) != 2 || !page.Answers[0].Official || page.Answers[1].Official || page.Answers[0].AuthorHandle != "sam_agent" {
		t.Errorf("answers %+v", page.Answers)
	}
	if got.AnswerCount != 2 {
		t.Errorf("answer count %d", got.AnswerCount)
	}
	if _, err := e.s.Reply(ctx, e.fx.Agent, 424242, "x"); !errors.Is(err, thread.ErrNotFound) {
		t.Errorf("reply to a missing thread: %v", err)
	}
	if suggestions, _ := e.s.SuggestTags(ctx, "ro", 5); len(suggestions) != 1 || suggestions[0].Name != "router" || suggestions[0].ThreadCount != 1 {
		t.Errorf("tag suggestions %+v", suggestions)
	}
	if s, _ := e.s.SuggestTags(ctx, "%", 5); len(s) != 0 {
		t.Errorf("LIKE wildcard not escaped: %+v", s)
	}
}

func TestCreateValidation(t *testing.T) {
	e := setup(t)
	announcements := &board.Board{Slug: "news", NameEN: "News", NameDE: "News", PostRole: user.RoleAgent}
	if err := e.boards.Create(context.Background(), announcements); err != nil {
		t.Fatal(err)
	}
	ok := thread.Ask{BoardID: e.board.ID, Title: "A long enough title", Body: "body"}
	tests := []struct {
		name string
		edit func(*thread.Ask)
		want validate.Errors
	}{
		{"empty", func(a *thread.Ask) { *a = thread.Ask{} }, validate.Errors{"title": "form.required", "body": "form.required", "board": "form.required"}},
		{"short title", func(a *thread.Ask) { a.Title = "too short" }, validate.Errors{"title": "thread.title.short"}},
		{"long title", func(a *thread.Ask) { a.Title = strings.Repeat("ä", 151) }, validate.Errors{"title": "thread.title.long"}},
		{"blank body", func(a *thread.Ask) { a.Body = "   \n " }, validate.Errors{"body": "form.required"}},
		{"huge body", func(a *thread.Ask) { a.Body = strings.Repeat("x", markup.MaxSource+1) }, validate.Errors{"body": "thread.body.long"}},
		{"unknown board", func(a *thread.Ask) { a.BoardID = 424242 }, validate.Errors{"board": "thread.board.unknown"}},
		{"staff-only board", func(a *thread.Ask) { a.BoardID = announcements.ID }, validate.Errors{"board": "thread.board.closed"}},
		{"six tags", func(a *thread.Ask) { a.Tags = "a1 b2 c3 d4 e5 f6" }, validate.Errors{"tags": "thread.tags.too_many"}},
		{"bad tag", func(a *thread.Ask) { a.Tags = "ok, <script>" }, validate.Errors{"tags": "thread.tags.invalid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ok
			tt.edit(&a)
			_, err := e.s.Create(context.Background(), e.fx.Member, a)
			got, _ := validate.From(err)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Create (-want +got):\n%s", diff)
			}
			// The ask page's check before "Before you post" must refuse what Create refuses.
			got, _ = validate.From(e.s.CheckAsk(context.Background(), e.fx.Member, a))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("CheckAsk (-want +got):\n%s", diff)
			}
		})
	}
	if err := e.s.CheckAsk(context.Background(), e.fx.Member, ok); err != nil {
		t.Errorf("CheckAsk of a good question: %v", err)
	}
	if list, _ := e.s.List(context.Background(), thread.Query{}); len(list.Threads) != 0 {
		t.Errorf("refused questions were stored: %d", len(list.Threads))
	}
	if _, err := e.s.Create(context.Background(), e.fx.Agent, thread.Ask{BoardID: announcements.ID, Title: "Maintenance on Sunday", Body: "x"}); err != nil {
		t.Errorf("agent in staff board: %v", err)
	}
}

func TestListTabsTagsAndKeysetPages(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	var ids []int64
	for i := range 7 {
		th, err := e.s.Create(ctx, e.fx.Member, thread.Ask{BoardID: e.board.ID, Title: "Question number " + string(rune('A'+i)), Body: "b", Tags: map[bool]string{true: "even"}[i%2 == 0]})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, th.ID)
		e.clock.Add(time.Minute)
	}
	// An answer moves thread B to the top of "latest" and out of "unanswered".
	if _, err := e.s.Reply(ctx, e.fx.Other, ids[1], "answer"); err != nil {
		t.Fatal(err)
	}
	collect := func(q thread.Query) []int64 {
		var got []int64
		for pages := 0; ; pages++ {
			page, err := e.s.List(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, th := range page.Threads {
				got = append(got, th.ID)
			}
			if page.Next == "" || pages > 10 {
				return got
			}
			q.Cursor = page.Next
		}
	}
	tests := []struct {
		name string
		q    thread.Query
		want []int64
	}{
		{"latest", thread.Query{Limit: 3}, []int64{ids[1], ids[6], ids[5], ids[4], ids[3], ids[2], ids[0]}},
		{"unanswered", thread.Query{Tab: thread.TabUnanswered, Limit: 2}, []int64{ids[6], ids[5], ids[4], ids[3], ids[2], ids[0]}},
		{"solved", thread.Query{Tab: thread.TabSolved}, nil},
		{"tag", thread.Query{Tag: "even", Limit: 3}, []int64{ids[6], ids[4], ids[2], ids[0]}},
		{"other board", thread.Query{BoardID: 424242}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, collect(tt.q)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, err := e.s.List(ctx, thread.Query{Cursor: "garbage!"}); !errors.Is(err, thread.ErrBadCursor) {
		t.Errorf("bad cursor: %v", err)
	}
}

func TestEditKeepsRevisions(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	th := e.ask(t, e.fx.Member, "Router drops Wi-Fi")
	page, _ := e.s.Posts(ctx, e.fx.Member, th, 1)
	q, _ := e.s.GetPost(ctx, page.Question.ID)

	if _, err := e.s.Edit(ctx, e.fx.Member, q.ID, thread.Edit{Title: "Router drops Wi-Fi", Body: q.Source}); err != nil {
		t.Fatal(err)
	}
	if p, _ := e.s.GetPost(ctx, q.ID); p.RevisionCount != 0 {
		t.Error("an edit without changes stored a revision")
	}
	e.clock.Add(time.Hour)
	p, err := e.s.Edit(ctx, e.fx.Member, q.ID, thread.Edit{Title: "Router drops Wi-Fi every evening", Body: "line one\nline two", Reason: "more detail"})
	if err != nil {
		t.Fatal(err)
	}
	if p.RevisionCount != 1 || p.EditedAt == nil || !strings.Contains(p.HTML, "line two") {
		t.Errorf("after edit: %+v", p)
	}
	if got, _ := e.s.Get(ctx, th.ID); got.Title != "Router drops Wi-Fi every evening" || got.Slug != "router-drops-wi-fi-every-evening" {
		t.Errorf("title/slug not changed: %q %q", got.Title, got.Slug)
	}
	e.clock.Add(time.Hour)
	if _, err := e.s.Edit(ctx, e.fx.Moderator, q.ID, thread.Edit{Title: "Router drops Wi-Fi every evening", Body: "line one\nline 2", Reason: "typo"}); err != nil {
		t.Fatalf("moderator edit: %v", err)
	}
	if _, _, err := e.s.History(ctx, e.fx.Other, q.ID); !errors.Is(err, thread.ErrNotFound) {
		t.Errorf("another member reads the history: %v", err)
	}
	_, versions, err := e.s.History(ctx, e.fx.Member, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != 3 {
		t.Fatalf("%d versions", len(versions))
	}
	if versions[0].Source != "Body of Router drops Wi-Fi" || versions[0].Editor != "mara" || versions[0].Diff != nil {
		t.Errorf("first version %+v", versions[0])
	}
	if versions[1].Reason != "more detail" || versions[2].Reason != "typo" || versions[2].Editor != "mia_mod" {
		t.Errorf("reasons/editors: %+v / %+v", versions[1], versions[2])
	}
	wantDiff := []thread.DiffLine{
		{Op: thread.Same, Text: "# Router drops Wi-Fi every evening"}, {Op: thread.Same, Text: ""},
		{Op: thread.Same, Text: "line one"}, {Op: thread.Removed, Text: "line two"}, {Op: thread.Added, Text: "line 2"},
	}
	if diff := cmp.Diff(wantDiff, versions[2].Diff); diff != "" {
		t.Errorf("diff (-want +got):\n%s", diff)
	}

	tests := []struct {
		name   string
		editor *user.User
		edit   thread.Edit
		want   error
	}{
		{"someone else", e.fx.Other, thread.Edit{Title: "Router drops Wi-Fi", Body: "mine now"}, thread.ErrForbidden},
		{"agent on a member's post", e.fx.Agent, thread.Edit{Title: "Router drops Wi-Fi", Body: "x"}, thread.ErrForbidden},
		{"guest", nil, thread.Edit{Title: "Router drops Wi-Fi", Body: "x"}, thread.ErrForbidden},
	}
	for _, tt := range tests {
		if _, err := e.s.Edit(ctx, tt.editor, q.ID, tt.edit); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	_, err = e.s.Edit(ctx, e.fx.Member, q.ID, thread.Edit{Title: "short", Body: ""})
	if f, _ := validate.From(err); f["title"] != "thread.title.short" || f["body"] != "form.required" {
		t.Errorf("invalid edit: %v", err)
	}
	if p, _ := e.s.GetPost(ctx, q.ID); p.Source != "line one\nline 2" || p.RevisionCount != 2 {
		t.Errorf("refused edits changed the post: %+v", p)
	}
}

func TestDeleteAndRestore(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	th := e.ask(t, e.fx.Member, "Router drops Wi-Fi")
	answer, err := e.s.Reply(ctx, e.fx.Other, th.ID, "try this")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Delete(ctx, e.fx.Member, answer.ID); !errors.Is(err, thread.ErrForbidden) {
		t.Errorf("asker deleting another's answer: %v", err)
	}
	if _, err := e.s.Delete(ctx, e.fx.Other, answer.ID); err != nil {
		t.Fatalf("author within window: %v", err)
	}
	got, _ := e.s.Get(ctx, th.ID)
	if got.AnswerCount != 0 {
		t.Errorf("answer count after delete %d", got.AnswerCount)
	}
	if page, _ := e.s.Posts(ctx, e.fx.Member, got, 1); len(page.Answers) != 0 {
		t.Error("members still see the deleted answer")
	}
	if page, _ := e.s.Posts(ctx, e.fx.Moderator, got, 1); len(page.Answers) != 1 || page.Answers[0].DeletedAt == nil {
		t.Error("moderators do not see the deleted answer")
	}
	if _, err := e.s.Restore(ctx, e.fx.Other, answer.ID); err != nil {
		t.Fatalf("author undoing own delete: %v", err)
	}
	if got, _ := e.s.Get(ctx, th.ID); got.AnswerCount != 1 {
		t.Errorf("answer count after restore %d", got.AnswerCount)
	}

	e.clock.Add(25 * time.Hour)
	if _, err := e.s.Delete(ctx, e.fx.Other, answer.ID); !errors.Is(err, thread.ErrTooLate) {
		t.Errorf("author after the window: %v", err)
	}
	// What moderators delete and restore: app/moderation's tests.
}

func TestViewsAreBatched(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	th := e.ask(t, e.fx.Member, "Router drops Wi-Fi")
	v := thread.NewViews(e.s)
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() { defer wg.Done(); v.Add(th.ID) }()
	}
	wg.Wait()
	if got, _ := e.s.Get(ctx, th.ID); got.ViewCount != 0 {
		t.Errorf("views written before a flush: %d", got.ViewCount)
	}
	if err := v.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.s.Get(ctx, th.ID); got.ViewCount != 50 {
		t.Errorf("views %d, want 50", got.ViewCount)
	}
}

func TestThreadPagination(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	th := e.ask(t, e.fx.Member, "Router drops Wi-Fi")
	for i := range thread.AnswersPerPage + 5 {
		if _, err := e.s.Reply(ctx, e.fx.Other, th.ID, strings.Repeat("x", i+1)); err != nil {
			t.Fatal(err)
		}
	}
	th, _ = e.s.Get(ctx, th.ID)
	p1, _ := e.s.Posts(ctx, nil, th, 1)
	p2, _ := e.s.Posts(ctx, nil, th, 2)
	p9, _ := e.s.Posts(ctx, nil, th, 9)
	if p1.Pages != 2 || len(p1.Answers) != thread.AnswersPerPage || len(p2.Answers) != 5 || p9.Page != 2 {
		t.Errorf("pages %d, sizes %d/%d, past-the-end page %d", p1.Pages, len(p1.Answers), len(p2.Answers), p9.Page)
	}
	if p2.Answers[0].ID <= p1.Answers[len(p1.Answers)-1].ID {
		t.Error("pages overlap or are out of order")
	}
}

// TestLockedThread: nobody answers a locked thread, and only moderators edit in it.
// (Locking itself is a moderation action; here the state is set directly.)
func TestLockedThread(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	th := e.ask(t, e.fx.Member, "Router drops Wi-Fi")
	page, _ := e.s.Posts(ctx, e.fx.Member, th, 1)
	if err := e.db.Writer(ctx).Exec("UPDATE threads SET locked = TRUE WHERE id = ?", th.ID).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Reply(ctx, e.fx.Other, th.ID, "late answer"); !errors.Is(err, thread.ErrLocked) {
		t.Errorf("reply to a locked thread: %v", err)
	}
	if _, err := e.s.Edit(ctx, e.fx.Member, page.Question.ID, thread.Edit{Title: "Router drops Wi-Fi", Body: "changed"}); !errors.Is(err, thread.ErrLocked) {
		t.Errorf("author edit in a locked thread: %v", err)
	}
	if _, err := e.s.Edit(ctx, e.fx.Moderator, page.Question.ID, thread.Edit{Title: "Router drops Wi-Fi", Body: "changed"}); err != nil {
		t.Errorf("moderator edit in a locked thread: %v", err)
	}
	if got, _ := e.s.Get(ctx, th.ID); got.AnswerCount != 0 {
		t.Errorf("answer count %d", got.AnswerCount)
	}
}

// TestConcurrentDeletesAndEdits: racing requests on one post count once and lose
// no edit, on both databases.
func TestConcurrentDeletesAndEdits(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	th := e.ask(t, e.fx.Member, "Router drops Wi-Fi")
	var answers []*thread.Post
	for i := range 3 {
		a, err := e.s.Reply(ctx, e.fx.Other, th.ID, fmt.Sprintf("answer %d", i))
		if err != nil {
			t.Fatal(err)
		}
		answers = append(answers, a)
	}
	var wg sync.WaitGroup
	for _, a := range answers[:2] {
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := e.s.Delete(ctx, e.fx.Other, a.ID); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	const edits = 6
	for i := range edits {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.s.Edit(ctx, e.fx.Other, answers[2].ID, thread.Edit{Body: fmt.Sprintf("edit %d", i)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got, _ := e.s.Get(ctx, th.ID); got.AnswerCount != 1 {
		t.Errorf("answer count %d after deleting 2 of 3 answers 4 times each, want 1", got.AnswerCount)
	}
	p, _ := e.s.GetPost(ctx, answers[2].ID)
	_, versions, err := e.s.History(ctx, e.fx.Other, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.RevisionCount != edits || len(versions) != edits+1 {
		t.Fatalf("revision count %d, %d versions; want %d and %d", p.RevisionCount, len(versions), edits, edits+1)
	}
	seen := map[string]bool{}
	for _, v := range versions {
		seen[v.Source] = true
	}
	for i := range edits {
		if !seen[fmt.Sprintf("edit %d", i)] {
			t.Errorf("edit %d is lost from the history", i)
		}
	}
}

// TestWritesReachTheOutbox: every change search must see leaves one outbox record
// in its own transaction; refused changes leave none.
func TestWritesReachTheOutbox(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	// Every record written, read directly: outbox.After may hold back committed
	// records for a moment on PostgreSQL (see outbox.Position).
	// The fixtures' sign-ups are events too, of members.
	written := func() []outbox.Entry {
		var entries []outbox.Entry
		if err := e.db.Reader(ctx).Where("topic <> ?", event.TopicMemberJoined).Order("id").Find(&entries).Error; err != nil {
			t.Fatal(err)
		}
		return entries
	}
	count := func() int { return len(written()) }
	th := e.ask(t, e.fx.Member, "Router drops Wi-Fi")
	a, err := e.s.Reply(ctx, e.fx.Other, th.ID, "answer")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Edit(ctx, e.fx.Other, a.ID, thread.Edit{Body: "better answer"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Delete(ctx, e.fx.Other, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Restore(ctx, e.fx.Other, a.ID); err != nil {
		t.Fatal(err)
	}
	if got := count(); got != 5 {
		t.Errorf("%d outbox records after ask, reply, edit, delete, restore; want 5", got)
	}
	// Refused or empty changes: nothing to index.
	e.s.Reply(ctx, e.fx.Other, th.ID, " ")
	e.s.Edit(ctx, e.fx.Member, a.ID, thread.Edit{Body: "not mine"})
	e.s.Edit(ctx, e.fx.Other, a.ID, thread.Edit{Body: "better answer"}) // unchanged
	e.s.Restore(ctx, e.fx.Other, a.ID)                                  // not deleted
	if got := count(); got != 5 {
		t.Errorf("%d outbox records after refused changes; want still 5", got)
	}
	var topics []string
	for _, en := range written() {
		topics = append(topics, en.Topic)
		if !event.AboutThread(en.Topic) || en.EntityID != th.ID {
			t.Errorf("entry %+v is not about thread %d", en, th.ID)
		}
	}
	want := []string{event.TopicQuestionAsked, event.TopicAnswerPosted, event.TopicPostEdited, event.TopicPostDeleted, event.TopicPostRestored}
	if diff := cmp.Diff(want, topics); diff != "" {
		t.Errorf("topics (-want +got)\n%s", diff)
	}
}

// TestDeleteIsTheAuthorsOwn: thread deletes only the author's own posts, staff
// included; staff delete others' posts through app/moderation.
func TestDeleteIsTheAuthorsOwn(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	th := e.ask(t, e.fx.Member, "Router drops Wi-Fi")
	a, err := e.s.Reply(ctx, e.fx.Other, th.ID, "answer")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []*user.User{e.fx.Moderator, e.fx.Admin, e.fx.Member} {
		if _, err := e.s.Delete(ctx, u, a.ID); !errors.Is(err, thread.ErrForbidden) {
			t.Errorf("%s deleting another's answer through thread: %v, want ErrForbidden", u.Handle, err)
		}
	}
	if _, err := e.s.Delete(ctx, e.fx.Other, a.ID); err != nil {
		t.Errorf("the author deleting their answer: %v", err)
	}
}
