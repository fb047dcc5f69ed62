package account_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/account"
	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/notify"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// TestDeleteKeepingPosts: the account keeps its id and nothing of the person;
// its posts stay, signed "Deleted member"; it can no longer sign in; only the
// member or an admin may; a second deletion changes nothing.
func TestDeleteKeepingPosts(t *testing.T) {
	a := apptest.NewApp(t, apptest.Config(t, nil))
	ctx := context.Background()
	fx := apptest.Seed(t, a.Users)
	b := &board.Board{Slug: "internet", NameEN: "Internet", NameDE: "Internet"}
	if err := a.Boards.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	q, err := a.Threads.Create(ctx, fx.Member, thread.Ask{BoardID: b.ID, Title: "Router drops the line at night", Body: "Every night at three."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Sessions.Create(ctx, fx.Member.ID, "192.0.2.1", "test"); err != nil {
		t.Fatal(err)
	}
	if err := a.Notify.Watch(ctx, fx.Member.ID, notify.TargetThread, q.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.Notify.SetPreferences(ctx, fx.Member.ID, map[string]string{notify.KindKudos: notify.DeliverOff}); err != nil {
		t.Fatal(err)
	}
	if err := a.DB.Writer(ctx).Exec("INSERT INTO notifications (user_id, kind, thread_id, created_at, updated_at) VALUES (?, 'answer', ?, ?, ?)",
		fx.Member.ID, q.ID, a.Now(), a.Now()).Error; err != nil {
		t.Fatal(err)
	}
	if err := a.Users.SetAvatar(ctx, fx.Member.ID, strings.Repeat("ab", 32)+".png"); err != nil {
		t.Fatal(err)
	}
	if e, err := a.Accounts.Export(ctx, fx.Member.ID); err != nil || len(e.Notifications) != 1 || len(e.Watches) != 1 || len(e.Preferences) != 1 {
		t.Fatalf("the export's notifications, watches and preferences: %+v, %v", e, err)
	}
	if err := a.Accounts.Delete(ctx, fx.Other, fx.Member.ID, false); !errors.Is(err, account.ErrForbidden) {
		t.Errorf("another member deletes mara: %v, want ErrForbidden", err)
	}
	if err := a.Accounts.Delete(ctx, fx.Moderator, fx.Member.ID, false); !errors.Is(err, account.ErrForbidden) {
		t.Errorf("a moderator deletes mara: %v, want ErrForbidden", err)
	}
	for range 2 {
		if err := a.Accounts.Delete(ctx, fx.Member, fx.Member.ID, false); err != nil {
			t.Fatal(err)
		}
	}
	u, err := a.Users.Get(ctx, fx.Member.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The picture goes too: the kept posts would show the person's face.
	if u.DisplayName != account.DeletedName || u.Email == "mara@example.com" || u.Handle == "mara" || u.PasswordHash != "" || u.Avatar != "" {
		t.Errorf("the deleted account %+v still holds the person", u)
	}
	if _, err := a.Users.Authenticate(ctx, "mara", apptest.Password); !errors.Is(err, user.ErrInvalidCredentials) {
		t.Errorf("signing in as mara after deletion: %v", err)
	}
	var sessions int64
	a.DB.Reader(ctx).Table("sessions").Where("user_id = ?", fx.Member.ID).Count(&sessions)
	if sessions != 0 {
		t.Errorf("%d sessions left", sessions)
	}
	for _, table := range []string{"notifications", "watches", "notification_prefs"} {
		var n int64
		a.DB.Reader(ctx).Table(table).Where("user_id = ?", fx.Member.ID).Count(&n)
		if n != 0 {
			t.Errorf("%d rows of %s left", n, table)
		}
	}
	got, err := a.Threads.Get(ctx, q.ID)
	if err != nil || got.DeletedAt != nil || got.Title != q.Title || got.AuthorID != fx.Member.ID {
		t.Errorf("the kept question: %+v, %v", got, err)
	}
	page, err := a.Audit.List(ctx, audit.Filter{Action: audit.DeleteMember}, 10)
	if err != nil || len(page.Entries) != 1 || page.Entries[0].After != "posts kept" {
		t.Errorf("audit rows %+v, %v; want one", page, err)
	}
	var events int64
	a.DB.Reader(ctx).Table("outbox").Where("topic = ?", event.TopicMemberDeleted).Count(&events)
	if events != 1 {
		t.Errorf("%d member.deleted events, want 1", events)
	}
	// The handle and the address are free again; the deleted account's name is not.
	if _, err := a.Users.Register(ctx, user.Registration{Handle: "mara", Email: "mara@example.com", Password: "longenough1"}); err != nil {
		t.Errorf("a new mara after the deletion: %v", err)
	}
	if _, err := a.Users.Register(ctx, user.Registration{Handle: "Deleted-99", Email: "squat@example.com", Password: "longenough1"}); err == nil {
		t.Error("a member registered a deleted account's kind of handle")
	}
}

// TestDeleteRemovingPosts: with its posts, a member's questions (with their
// threads) and answers are deleted with the counts right and their texts and
// earlier versions gone; others' answers in their threads go with the thread,
// their answers in others' threads leave those threads standing.
func TestDeleteRemovingPosts(t *testing.T) {
	a := apptest.NewApp(t, apptest.Config(t, nil))
	ctx := context.Background()
	fx := apptest.Seed(t, a.Users)
	b := &board.Board{Slug: "internet", NameEN: "Internet", NameDE: "Internet"}
	if err := a.Boards.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	mine, err := a.Threads.Create(ctx, fx.Member, thread.Ask{BoardID: b.ID, Title: "My router drops the line", Body: "Every night."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Threads.Reply(ctx, fx.Other, mine.ID, "Restart it."); err != nil {
		t.Fatal(err)
	}
	theirs, err := a.Threads.Create(ctx, fx.Other, thread.Ask{BoardID: b.ID, Title: "Roaming in Switzerland costs", Body: "Is it included?"})
	if err != nil {
		t.Fatal(err)
	}
	answer, err := a.Threads.Reply(ctx, fx.Member, theirs.ID, "Yes, since 2024 at 030 555 1234.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Threads.Edit(ctx, fx.Member, answer.ID, thread.Edit{Body: "Yes, since 2024."}); err != nil {
		t.Fatal(err)
	}
	if err := a.Accounts.Delete(ctx, fx.Admin, fx.Member.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.Threads.Get(ctx, mine.ID); got.DeletedAt == nil || got.Title == mine.Title {
		t.Errorf("their thread after the deletion: %+v", got)
	}
	if got, _ := a.Threads.Get(ctx, theirs.ID); got.DeletedAt != nil || got.AnswerCount != 0 {
		t.Errorf("the other thread: deleted %v, %d answers; want it standing with none", got.DeletedAt, got.AnswerCount)
	}
	var left struct{ Posts, Texts, Revisions, Boards int64 }
	r := a.DB.Reader(ctx)
	// A question is deleted with its thread.
	r.Raw(`SELECT COUNT(*) FROM posts p JOIN threads t ON t.id = p.thread_id
		WHERE p.author_id = ? AND p.deleted_at IS NULL AND t.deleted_at IS NULL`, fx.Member.ID).Scan(&left.Posts)
	r.Table("posts").Where("author_id = ? AND (source <> '' OR html <> '')", fx.Member.ID).Count(&left.Texts)
	r.Table("post_revisions").Where("post_id = ?", answer.ID).Count(&left.Revisions)
	r.Raw("SELECT thread_count FROM boards WHERE id = ?", b.ID).Scan(&left.Boards)
	if left.Posts != 0 || left.Texts != 0 || left.Revisions != 0 || left.Boards != 1 {
		t.Errorf("after removing the posts: %+v; want no posts, texts or versions, and one thread in the board", left)
	}
}
