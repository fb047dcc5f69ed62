package moderation_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app"
	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// flagEnv is the whole application, with its reputation ledger, a board, a
// question by mara and an answer to it by otto, and three more members.
type flagEnv struct {
	a        *app.App
	fx       apptest.Fixtures
	board    *board.Board
	question *thread.Thread
	qPost    int64 // the question's post
	answer   *thread.Post
	members  []*user.User // ann, ben, cem: plain members
}

func newFlagEnv(t *testing.T) *flagEnv {
	t.Helper()
	a := apptest.NewApp(t, apptest.Config(t, nil))
	ctx := context.Background()
	e := &flagEnv{a: a, fx: apptest.Seed(t, a.Users)}
	e.board = &board.Board{Slug: "internet", NameEN: "Internet", NameDE: "Internet"}
	if err := a.Boards.Create(ctx, e.board); err != nil {
		t.Fatal(err)
	}
	var err error
	if e.question, err = a.Threads.Create(ctx, e.fx.Member, thread.Ask{BoardID: e.board.ID, Title: "Router drops Wi-Fi at night", Body: "Every night at 8."}); err != nil {
		t.Fatal(err)
	}
	page, err := a.Threads.Posts(ctx, e.fx.Moderator, e.question, 1)
	if err != nil {
		t.Fatal(err)
	}
	e.qPost = page.Question.ID
	if e.answer, err = a.Threads.Reply(ctx, e.fx.Other, e.question.ID, "Buy cheap routers at spam.example!"); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"ann", "ben", "cem"} {
		u, err := a.Users.Register(ctx, user.Registration{Handle: h, Email: h + "@example.com", Password: apptest.Password, Locale: "en"})
		if err != nil {
			t.Fatal(err)
		}
		e.members = append(e.members, u)
	}
	return e
}

func (e *flagEnv) user(t *testing.T, u *user.User) *user.User {
	t.Helper()
	fresh, err := e.a.Users.Get(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return fresh
}

func (e *flagEnv) post(t *testing.T, id int64) *thread.Post {
	t.Helper()
	p, err := e.a.Threads.GetPost(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *flagEnv) count(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := e.a.DB.Reader(context.Background()).Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// shownTo reports whether viewer finds the answer on the thread page.
func (e *flagEnv) shownTo(t *testing.T, viewer *user.User) bool {
	t.Helper()
	th, err := e.a.Threads.Get(context.Background(), e.question.ID)
	if err != nil {
		t.Fatal(err)
	}
	page, err := e.a.Threads.Posts(context.Background(), viewer, th, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range page.Answers {
		if p.ID == e.answer.ID {
			return true
		}
	}
	return false
}

// TestFlagsHideAPost: three members' flags hide an answer at once, counted out
// of the thread; its author still sees it and why; the queue shows it with the
// flags; approving brings it back without paying its author again.
func TestFlagsHideAPost(t *testing.T) {
	e := newFlagEnv(t)
	ctx := context.Background()
	otto := e.fx.Other
	repBefore := e.user(t, otto).Reputation
	factsBefore := e.count(t, "SELECT COUNT(*) FROM reputation_events WHERE user_id = ?", otto.ID)
	if repBefore == 0 {
		t.Fatal("the first answer earned nothing: the test would not see it paid twice")
	}

	if _, err := e.a.Moderation.Flag(ctx, otto, e.answer.ID, moderation.FlagInput{Kind: moderation.FlagSpam}); !errors.Is(err, moderation.ErrFlagOwn) {
		t.Errorf("flagging one's own post: %v, want ErrFlagOwn", err)
	}
	flaggers := []*user.User{e.fx.Member, e.members[0], e.members[1]}
	for i, u := range flaggers {
		if _, err := e.a.Moderation.Flag(ctx, u, e.answer.ID, moderation.FlagInput{Kind: moderation.FlagSpam, Text: fmt.Sprintf("advert %d", i)}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, err := e.a.Moderation.Flag(ctx, u, e.answer.ID, moderation.FlagInput{Kind: moderation.FlagAbusive}); !errors.Is(err, moderation.ErrFlagTwice) {
				t.Errorf("flagging twice: %v, want ErrFlagTwice", err)
			}
		}
		if hidden := e.post(t, e.answer.ID).Pending; hidden != (i == 2) {
			t.Fatalf("after %d flags: hidden %v", i+1, hidden)
		}
	}
	p := e.post(t, e.answer.ID)
	if p.HeldReason != thread.HeldFlagged {
		t.Errorf("held reason %q, want %q", p.HeldReason, thread.HeldFlagged)
	}
	if th, _ := e.a.Threads.Get(ctx, e.question.ID); th.AnswerCount != 0 {
		t.Errorf("answer count %d with the only answer hidden", th.AnswerCount)
	}
	if e.shownTo(t, nil) || e.shownTo(t, e.members[2]) {
		t.Error("a guest or another member still sees the hidden answer")
	}
	if !e.shownTo(t, otto) {
		t.Error("the author no longer sees the hidden answer")
	}
	if _, err := e.a.Moderation.Flag(ctx, e.members[2], e.answer.ID, moderation.FlagInput{Kind: moderation.FlagSpam}); !errors.Is(err, moderation.ErrFlagGone) {
		t.Errorf("flagging a hidden post: %v, want ErrFlagGone", err)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM outbox WHERE topic = ?", event.TopicPostFlagged); n != 3 {
		t.Errorf("%d post.flagged, want 3", n)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM outbox WHERE topic = ? AND actor_id = 0", event.TopicPostHidden); n != 1 {
		t.Errorf("%d post.hidden by the system, want 1", n)
	}

	q, err := e.a.Moderation.Queue(ctx, e.fx.Moderator, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Items) != 1 || q.Items[0].PostID != e.answer.ID || !q.Items[0].Pending || len(q.Items[0].Flags) != 3 ||
		q.Items[0].Flags[2].Text != "advert 2" || q.Items[0].Flags[0].Flagger != "mara" || q.Items[0].Received != 3 {
		t.Fatalf("queue %+v", q.Items)
	}
	if n, _ := e.a.Moderation.Waiting(ctx); n != 1 {
		t.Errorf("waiting %d, want 1", n)
	}

	answersBefore := e.count(t, "SELECT COUNT(*) FROM outbox WHERE topic = ?", event.TopicAnswerPosted)
	if _, err := e.a.Moderation.Approve(ctx, e.fx.Moderator, e.answer.ID); err != nil {
		t.Fatal(err)
	}
	if !e.shownTo(t, nil) {
		t.Error("a guest does not see the approved answer")
	}
	if th, _ := e.a.Threads.Get(ctx, e.question.ID); th.AnswerCount != 1 {
		t.Errorf("answer count %d after approval, want 1", th.AnswerCount)
	}
	if rep := e.user(t, otto).Reputation; rep != repBefore {
		t.Errorf("reputation %d after approval, want %d as before", rep, repBefore)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM reputation_events WHERE user_id = ?", otto.ID); n != factsBefore {
		t.Errorf("%d ledger facts after approval, want %d", n, factsBefore)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM outbox WHERE topic = ?", event.TopicAnswerPosted); n != answersBefore {
		t.Error("approving a hidden answer announced it again")
	}
	if n := e.count(t, "SELECT COUNT(*) FROM flags WHERE post_id = ? AND outcome = ?", e.answer.ID, moderation.OutcomeDismissed); n != 3 {
		t.Errorf("%d flags dismissed, want 3", n)
	}
	if n, _ := e.a.Moderation.Waiting(ctx); n != 0 {
		t.Errorf("waiting %d after approval, want 0", n)
	}
}

// TestTrustedFlagHidesAQuestion: one flag from a member with the reputation
// hides a question, and so its thread, at once; rejecting upholds the flag,
// and the author's history says so.
func TestTrustedFlagHidesAQuestion(t *testing.T) {
	e := newFlagEnv(t)
	ctx := context.Background()
	trusted := e.members[0]
	if err := e.a.DB.Writer(ctx).Exec("UPDATE users SET reputation = 500 WHERE id = ?", trusted.ID).Error; err != nil {
		t.Fatal(err)
	}
	trusted = e.user(t, trusted)
	if _, err := e.a.Moderation.Flag(ctx, trusted, e.qPost, moderation.FlagInput{Kind: moderation.FlagOffTopic, Text: "not about routers"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Threads.View(ctx, nil, e.question.ID); !errors.Is(err, thread.ErrNotFound) {
		t.Errorf("a guest sees a thread whose question is hidden: %v", err)
	}
	if _, err := e.a.Threads.View(ctx, e.fx.Member, e.question.ID); err != nil {
		t.Errorf("the asker cannot see their hidden question: %v", err)
	}
	if b, _ := e.a.Boards.Get(ctx, e.board.ID); b.ThreadCount != 0 {
		t.Errorf("board thread count %d with its only thread hidden", b.ThreadCount)
	}
	if list, _ := e.a.Threads.List(ctx, thread.Query{}); len(list.Threads) != 0 {
		t.Error("the hidden thread is listed")
	}
	if _, err := e.a.Moderation.Reject(ctx, e.fx.Moderator, e.qPost, "Off topic here."); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM flags WHERE post_id = ? AND outcome = ?", e.qPost, moderation.OutcomeUpheld); n != 1 {
		t.Errorf("%d flags upheld, want 1", n)
	}
	if b, _ := e.a.Boards.Get(ctx, e.board.ID); b.ThreadCount != 0 {
		t.Errorf("board thread count %d after rejecting a hidden question, want 0", b.ThreadCount)
	}

	// The asker's next post, flagged once, shows the history.
	th, err := e.a.Threads.Create(ctx, e.fx.Member, thread.Ask{BoardID: e.board.ID, Title: "Another off-topic question", Body: "Football?"})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := e.a.Threads.Posts(ctx, e.fx.Moderator, th, 1)
	if _, err := e.a.Moderation.Flag(ctx, e.members[1], page.Question.ID, moderation.FlagInput{Kind: moderation.FlagOffTopic}); err != nil {
		t.Fatal(err)
	}
	q, err := e.a.Moderation.Queue(ctx, e.fx.Moderator, "", 10)
	if err != nil || len(q.Items) != 1 || q.Items[0].Pending || q.Items[0].Received != 2 || q.Items[0].Upheld != 1 {
		t.Fatalf("queue %+v, %v; want the shown question with 2 flags received, 1 upheld", q, err)
	}
}

// TestFlagInput: what a flag must say, and who may not flag what.
func TestFlagInput(t *testing.T) {
	e := newFlagEnv(t)
	ctx := context.Background()
	other, err := e.a.Threads.Create(ctx, e.fx.Agent, thread.Ask{BoardID: e.board.ID, Title: "Wi-Fi drops every night", Body: "Known issue."})
	if err != nil {
		t.Fatal(err)
	}
	ann := e.members[0]
	for _, tc := range []struct {
		name  string
		in    moderation.FlagInput
		field string
	}{
		{"no kind", moderation.FlagInput{}, "kind"},
		{"unknown kind", moderation.FlagInput{Kind: "boring"}, "kind"},
		{"moderator without text", moderation.FlagInput{Kind: moderation.FlagModerator, Text: "  "}, "text"},
		{"text too long", moderation.FlagInput{Kind: moderation.FlagSpam, Text: strings.Repeat("x", moderation.MaxFlagText+1)}, "text"},
		{"duplicate without a thread", moderation.FlagInput{Kind: moderation.FlagDuplicate, Duplicate: "the other one"}, "duplicate"},
		{"duplicate of its own thread", moderation.FlagInput{Kind: moderation.FlagDuplicate, Duplicate: fmt.Sprint(e.question.ID)}, "duplicate"},
		{"duplicate of no thread", moderation.FlagInput{Kind: moderation.FlagDuplicate, Duplicate: "#99999"}, "duplicate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.a.Moderation.Flag(ctx, ann, e.answer.ID, tc.in)
			if fields, ok := validate.From(err); !ok || fields[tc.field] == "" {
				t.Errorf("got %v, want a problem with %s", err, tc.field)
			}
		})
	}
	if _, err := e.a.Moderation.Flag(ctx, nil, e.answer.ID, moderation.FlagInput{Kind: moderation.FlagSpam}); !errors.Is(err, moderation.ErrFlagGuest) {
		t.Errorf("a guest flags: %v", err)
	}
	if _, err := e.a.Moderation.Flag(ctx, ann, e.answer.ID, moderation.FlagInput{Kind: moderation.FlagDuplicate,
		Duplicate: fmt.Sprintf("https://forum.example/t/%d/wi-fi-drops", other.ID)}); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM flags WHERE duplicate_of = ?", other.ID); n != 1 {
		t.Errorf("%d flags point at the duplicate's thread, want 1", n)
	}
	if _, err := e.a.Moderation.Delete(ctx, e.fx.Moderator, e.answer.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Moderation.Flag(ctx, e.members[1], e.answer.ID, moderation.FlagInput{Kind: moderation.FlagSpam}); !errors.Is(err, moderation.ErrFlagGone) {
		t.Errorf("flagging a deleted post: %v, want ErrFlagGone", err)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM flags WHERE post_id = ? AND outcome = ?", e.answer.ID, moderation.OutcomeUpheld); n != 1 {
		t.Errorf("a moderator's delete upheld %d flags, want 1", n)
	}
	for ref, want := range map[string]int64{"123": 123, "#123": 123, " /t/123/slug ": 123, "http://x.example/t/123?page=2": 123, "/t/": 0, "abc": 0} {
		if got, ok := moderation.ParseThreadRef(ref); got != want || ok != (want != 0) {
			t.Errorf("ParseThreadRef(%q) = %d, %v; want %d", ref, got, ok, want)
		}
	}
}

// TestKeepOrRejectAFlaggedPost: a post flagged too few times to be hidden waits
// in the queue while shown; keeping it dismisses its flags, rejecting removes
// it and upholds them.
func TestKeepOrRejectAFlaggedPost(t *testing.T) {
	e := newFlagEnv(t)
	ctx := context.Background()
	mod := e.fx.Moderator
	if _, err := e.a.Moderation.Flag(ctx, e.members[0], e.answer.ID, moderation.FlagInput{Kind: moderation.FlagModerator, Text: "Is this allowed?"}); err != nil {
		t.Fatal(err)
	}
	q, err := e.a.Moderation.Queue(ctx, mod, "", 10)
	if err != nil || len(q.Items) != 1 || q.Items[0].Pending || q.Items[0].Flags[0].Text != "Is this allowed?" {
		t.Fatalf("queue %+v, %v", q, err)
	}
	if _, err := e.a.Moderation.Approve(ctx, mod, e.answer.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.a.Moderation.Waiting(ctx); n != 0 {
		t.Errorf("waiting %d after keeping the post", n)
	}
	if _, err := e.a.Moderation.Reject(ctx, mod, e.answer.ID, "late"); !errors.Is(err, moderation.ErrNotWaiting) {
		t.Errorf("rejecting a kept post: %v, want ErrNotWaiting", err)
	}
	if _, err := e.a.Moderation.Flag(ctx, e.members[1], e.answer.ID, moderation.FlagInput{Kind: moderation.FlagSpam}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Moderation.Reject(ctx, mod, e.answer.ID, "Advertising."); err != nil {
		t.Fatal(err)
	}
	if p := e.post(t, e.answer.ID); p.DeletedAt == nil {
		t.Error("the rejected post is not deleted")
	}
	if th, _ := e.a.Threads.Get(ctx, e.question.ID); th.AnswerCount != 0 {
		t.Errorf("answer count %d after rejecting the shown answer", th.AnswerCount)
	}
	log, err := e.a.Audit.List(ctx, audit.Filter{}, 10)
	if err != nil || len(log.Entries) != 2 || log.Entries[1].Action != audit.DismissFlags || log.Entries[0].Action != audit.RejectPost {
		t.Errorf("audit log %+v, %v; want a dismissal, then a rejection", log, err)
	}
}

// TestTwoModeratorsDecideAHiddenPost: one decision wins, the other moderator
// is told the post no longer waits, and the audit log has one row.
func TestTwoModeratorsDecideAHiddenPost(t *testing.T) {
	e := newFlagEnv(t)
	ctx := context.Background()
	if _, err := e.a.Moderation.Hide(ctx, e.fx.Agent, e.answer.ID, ""); !errors.Is(err, thread.ErrForbidden) {
		t.Errorf("an agent hides: %v", err)
	}
	if _, err := e.a.Moderation.Hide(ctx, e.fx.Moderator, e.answer.ID, "Checking the link."); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Moderation.Hide(ctx, e.fx.Moderator, e.answer.ID, ""); !errors.Is(err, moderation.ErrNotShownPost) {
		t.Errorf("hiding twice: %v", err)
	}
	if p := e.post(t, e.answer.ID); !p.Pending || p.HeldReason != thread.HeldByStaff {
		t.Errorf("hidden by staff: %+v", p)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Go(func() { _, errs[0] = e.a.Moderation.Approve(ctx, e.fx.Moderator, e.answer.ID) })
	wg.Go(func() { _, errs[1] = e.a.Moderation.Reject(ctx, e.fx.Admin, e.answer.ID, "spam") })
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, moderation.ErrNotWaiting):
			t.Errorf("the losing moderator got %v, want ErrNotWaiting", err)
		}
	}
	log, err := e.a.Audit.List(ctx, audit.Filter{}, 10)
	if err != nil || won != 1 || len(log.Entries) != 2 || log.Entries[1].Action != audit.HidePost || log.Entries[1].Reason != "Checking the link." {
		t.Errorf("%d decisions won, audit log %+v (%v); want the hide and one decision", won, log, err)
	}
}

// TestReports: a member reports another once while it is open; the queue shows
// the reported member with the reports; a moderator dismisses them, or upholds
// them by restricting the member.
func TestReports(t *testing.T) {
	e := newFlagEnv(t)
	ctx := context.Background()
	ann, ben, otto, mod := e.members[0], e.members[1], e.fx.Other, e.fx.Moderator
	if err := e.a.Moderation.Report(ctx, ann, otto.ID, moderation.ReportInput{Kind: moderation.FlagSpam, Text: "Posts adverts everywhere."}); err != nil {
		t.Fatal(err)
	}
	if err := e.a.Moderation.Report(ctx, ann, otto.ID, moderation.ReportInput{Kind: moderation.FlagAbusive}); !errors.Is(err, moderation.ErrReportTwice) {
		t.Errorf("reporting twice: %v", err)
	}
	if err := e.a.Moderation.Report(ctx, ann, ann.ID, moderation.ReportInput{Kind: moderation.FlagSpam}); !errors.Is(err, moderation.ErrReportSelf) {
		t.Errorf("reporting oneself: %v", err)
	}
	if err := e.a.Moderation.Report(ctx, ann, otto.ID, moderation.ReportInput{Kind: moderation.FlagOffTopic}); err == nil {
		t.Error("a member reported as off topic")
	}
	if err := e.a.Moderation.Report(ctx, ben, otto.ID, moderation.ReportInput{Kind: moderation.FlagModerator, Text: "Rude in DMs."}); err != nil {
		t.Fatal(err)
	}
	q, err := e.a.Moderation.Queue(ctx, mod, "", 10)
	if err != nil || len(q.Items) != 1 || q.Items[0].Kind != moderation.ItemMember || q.Items[0].Handle != "otto" || len(q.Items[0].Flags) != 2 {
		t.Fatalf("queue %+v, %v; want otto with 2 reports", q, err)
	}
	if err := e.a.Moderation.DismissReports(ctx, e.fx.Agent, otto.ID); !errors.Is(err, thread.ErrForbidden) {
		t.Errorf("an agent dismisses reports: %v", err)
	}
	if err := e.a.Moderation.DismissReports(ctx, mod, otto.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.a.Moderation.DismissReports(ctx, mod, otto.ID); !errors.Is(err, moderation.ErrReportsGone) {
		t.Errorf("dismissing twice: %v", err)
	}
	if n, _ := e.a.Moderation.Waiting(ctx); n != 0 {
		t.Errorf("waiting %d after the dismissal", n)
	}
	// Once decided, a member may report again; a restriction upholds it.
	if err := e.a.Moderation.Report(ctx, ann, otto.ID, moderation.ReportInput{Kind: moderation.FlagSpam}); err != nil {
		t.Fatal(err)
	}
	if err := e.a.Moderation.Restrict(ctx, mod, otto.ID, moderation.Restriction{Silence: true, Reason: "Adverts."}, e.a.Now()); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM flags WHERE member_id = ? AND post_id IS NULL AND outcome = ?", otto.ID, moderation.OutcomeUpheld); n != 1 {
		t.Errorf("%d reports upheld by the restriction, want 1", n)
	}
	if n := e.count(t, "SELECT COUNT(*) FROM outbox WHERE topic = ?", event.TopicMemberReported); n != 3 {
		t.Errorf("%d member.reported, want 3", n)
	}
}

// TestQueuePages: held posts, flagged posts and reported members make one
// list, oldest first, whose pages neither skip nor repeat, and whose length is
// the header's count.
func TestQueuePages(t *testing.T) {
	e := newFlagEnv(t)
	ctx := context.Background()
	if _, err := e.a.Moderation.Flag(ctx, e.members[0], e.answer.ID, moderation.FlagInput{Kind: moderation.FlagSpam}); err != nil {
		t.Fatal(err)
	}
	if err := e.a.Moderation.Report(ctx, e.members[0], e.fx.Other.ID, moderation.ReportInput{Kind: moderation.FlagSpam}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Moderation.Hide(ctx, e.fx.Moderator, e.qPost, ""); err != nil {
		t.Fatal(err)
	}
	// A second report adds to its item, not to the count.
	if err := e.a.Moderation.Report(ctx, e.members[1], e.fx.Other.ID, moderation.ReportInput{Kind: moderation.FlagAbusive}); err != nil {
		t.Fatal(err)
	}
	var got []string
	after := ""
	for range 5 {
		q, err := e.a.Moderation.Queue(ctx, e.fx.Moderator, after, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range q.Items {
			got = append(got, fmt.Sprintf("%s %d %d", it.Kind, it.PostID, it.AuthorID))
		}
		if after = q.Next; after == "" {
			break
		}
	}
	want := []string{
		fmt.Sprintf("post %d %d", e.answer.ID, e.fx.Other.ID),
		fmt.Sprintf("member 0 %d", e.fx.Other.ID),
		fmt.Sprintf("post %d %d", e.qPost, e.fx.Member.ID),
	}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("pages\n%v\nwant\n%v", got, want)
	}
	if n, _ := e.a.Moderation.Waiting(ctx); n != 3 {
		t.Errorf("waiting %d, want 3", n)
	}
	if _, err := e.a.Moderation.Queue(ctx, e.fx.Moderator, "bogus!", 1); !errors.Is(err, moderation.ErrBadQueueCursor) {
		t.Errorf("a bad cursor: %v", err)
	}
}

// TestFlagsAtOnce: members flagging one post at the same time hide it once.
func TestFlagsAtOnce(t *testing.T) {
	e := newFlagEnv(t)
	ctx := context.Background()
	flaggers := append([]*user.User{e.fx.Member}, e.members...)
	var wg sync.WaitGroup
	for _, u := range flaggers {
		wg.Go(func() {
			if _, err := e.a.Moderation.Flag(ctx, u, e.answer.ID, moderation.FlagInput{Kind: moderation.FlagSpam}); err != nil && !errors.Is(err, moderation.ErrFlagGone) {
				t.Errorf("%s flags: %v", u.Handle, err)
			}
		})
	}
	wg.Wait()
	if n := e.count(t, "SELECT COUNT(*) FROM outbox WHERE topic = ?", event.TopicPostHidden); n != 1 {
		t.Errorf("%d post.hidden, want 1", n)
	}
	if th, _ := e.a.Threads.Get(ctx, e.question.ID); th.AnswerCount != 0 {
		t.Errorf("answer count %d, want 0", th.AnswerCount)
	}
}

// TestQueuePagesAcrossTies: items that began to wait at the same instant (here
// made so by hand) are paged by kind and id, each exactly once, on SQLite's
// text times as on PostgreSQL's timestamps.
func TestQueuePagesAcrossTies(t *testing.T) {
	e := newFlagEnv(t)
	ctx := context.Background()
	var hidden []int64
	for i := range 5 {
		p, err := e.a.Threads.Reply(ctx, e.fx.Agent, e.question.ID, fmt.Sprintf("Official answer number %d.", i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.a.Moderation.Hide(ctx, e.fx.Moderator, p.ID, ""); err != nil {
			t.Fatal(err)
		}
		hidden = append(hidden, p.ID)
	}
	if _, err := e.a.Moderation.Flag(ctx, e.members[0], e.answer.ID, moderation.FlagInput{Kind: moderation.FlagSpam}); err != nil {
		t.Fatal(err)
	}
	if err := e.a.Moderation.Report(ctx, e.members[0], e.fx.Other.ID, moderation.ReportInput{Kind: moderation.FlagSpam}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	w := e.a.DB.Writer(ctx)
	if err := w.Exec("UPDATE posts SET held_at = ? WHERE id IN ?", at, hidden).Error; err != nil {
		t.Fatal(err)
	}
	if err := w.Exec("UPDATE flags SET created_at = ?", at).Error; err != nil {
		t.Fatal(err)
	}
	list := func(limit int) []string {
		var got []string
		after := ""
		for range 20 {
			q, err := e.a.Moderation.Queue(ctx, e.fx.Moderator, after, limit)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range q.Items {
				got = append(got, fmt.Sprintf("%s %d %d", it.Kind, it.PostID, it.AuthorID))
			}
			if after = q.Next; after == "" {
				break
			}
		}
		return got
	}
	all := list(100)
	var want []string
	for _, id := range append(slices.Sorted(slices.Values(append(hidden, e.answer.ID))), 0) {
		if id == 0 {
			want = append(want, fmt.Sprintf("member 0 %d", e.fx.Other.ID))
			continue
		}
		author := e.fx.Agent.ID
		if id == e.answer.ID {
			author = e.fx.Other.ID
		}
		want = append(want, fmt.Sprintf("post %d %d", id, author))
	}
	if strings.Join(all, "; ") != strings.Join(want, "; ") {
		t.Errorf("one page\n%v\nwant posts by id, then the member\n%v", all, want)
	}
	for _, limit := range []int{1, 2, 3} {
		if got := list(limit); strings.Join(got, "; ") != strings.Join(all, "; ") {
			t.Errorf("pages of %d\n%v\nwant\n%v", limit, got, all)
		}
	}
	if n, _ := e.a.Moderation.Waiting(ctx); n != int64(len(all)) {
		t.Errorf("waiting %d, the queue lists %d", n, len(all))
	}
}
