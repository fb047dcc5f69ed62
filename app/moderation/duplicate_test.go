package moderation_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/thread"
)

// TestCloseAsDuplicate: a moderator closes a question as another's duplicate; its
// title becomes the canonical thread's alias, it takes no answers, duplicates
// never point to duplicates, refusals change nothing, and reopening undoes it.
func TestCloseAsDuplicate(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	canonical := e.ask(t, e.fx.Member, "Router keeps dropping the connection")
	dup := e.ask(t, e.fx.Other, "Internet gone every evening")
	third := e.ask(t, e.fx.Other, "WLAN weg jeden Abend")
	gone := e.ask(t, e.fx.Other, "A question deleted by a moderator")
	page, _ := e.threads.Posts(ctx, e.fx.Moderator, gone, 1)
	if _, err := e.s.Delete(ctx, e.fx.Moderator, page.Question.ID); err != nil {
		t.Fatal(err)
	}
	aliases := func(id int64) []string {
		t.Helper()
		data, err := e.threads.IndexData(ctx, []int64{id})
		if err != nil || len(data) != 1 {
			t.Fatalf("IndexData(%d): %v", id, err)
		}
		return data[0].Aliases
	}

	refusals := []struct {
		name          string
		who           int // 0 member, 1 moderator
		id, canonical int64
		want          error
	}{
		{"a member", 0, dup.ID, canonical.ID, thread.ErrForbidden},
		{"itself", 1, dup.ID, dup.ID, moderation.ErrDuplicateSelf},
		{"a missing thread", 1, dup.ID, 999_999, moderation.ErrDuplicateTarget},
		{"a deleted thread", 1, dup.ID, gone.ID, moderation.ErrDuplicateTarget},
		{"of a missing thread", 1, 999_999, canonical.ID, thread.ErrNotFound},
	}
	for _, r := range refusals {
		who := e.fx.Member
		if r.who == 1 {
			who = e.fx.Moderator
		}
		if _, err := e.s.CloseAsDuplicate(ctx, who, r.id, r.canonical); !errors.Is(err, r.want) {
			t.Errorf("%s: %v, want %v", r.name, err, r.want)
		}
	}
	if got := aliases(canonical.ID); len(got) != 0 {
		t.Fatalf("refusals left aliases: %v", got)
	}

	closed, err := e.s.CloseAsDuplicate(ctx, e.fx.Moderator, dup.ID, canonical.ID)
	if err != nil {
		t.Fatal(err)
	}
	if closed.DuplicateOf == nil || *closed.DuplicateOf != canonical.ID {
		t.Fatalf("DuplicateOf = %v", closed.DuplicateOf)
	}
	if got := aliases(canonical.ID); !slices.Equal(got, []string{dup.Title}) {
		t.Errorf("aliases after closing: %v", got)
	}
	if _, err := e.threads.Reply(ctx, e.fx.Member, dup.ID, "One more answer"); !errors.Is(err, thread.ErrDuplicate) {
		t.Errorf("answer to a duplicate: %v, want ErrDuplicate", err)
	}
	// A duplicate of the duplicate points to the canonical thread; so does the
	// duplicate when the canonical thread is itself closed as a duplicate.
	if c, err := e.s.CloseAsDuplicate(ctx, e.fx.Moderator, third.ID, dup.ID); err != nil || *c.DuplicateOf != canonical.ID {
		t.Fatalf("duplicate of a duplicate: %v, %v", c, err)
	}
	if _, err := e.s.CloseAsDuplicate(ctx, e.fx.Moderator, canonical.ID, dup.ID); !errors.Is(err, moderation.ErrDuplicateSelf) {
		t.Errorf("closing the canonical thread as its own duplicate's duplicate: %v", err)
	}

	if err := e.s.Reopen(ctx, e.fx.Member, dup.ID); !errors.Is(err, thread.ErrForbidden) {
		t.Errorf("a member reopens: %v", err)
	}
	if err := e.s.Reopen(ctx, e.fx.Moderator, dup.ID); err != nil {
		t.Fatal(err)
	}
	if got := aliases(canonical.ID); !slices.Equal(got, []string{third.Title}) {
		t.Errorf("aliases after reopening: %v, want only the other duplicate's", got)
	}
	if _, err := e.threads.Reply(ctx, e.fx.Member, dup.ID, "Now it takes answers"); err != nil {
		t.Errorf("answer after reopening: %v", err)
	}

	// Closed again, to another thread: the first canonical thread forgets it.
	other := e.ask(t, e.fx.Member, "Evening outages in the whole street")
	if _, err := e.s.CloseAsDuplicate(ctx, e.fx.Moderator, dup.ID, canonical.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.CloseAsDuplicate(ctx, e.fx.Moderator, dup.ID, other.ID); err != nil {
		t.Fatal(err)
	}
	if got := aliases(canonical.ID); !slices.Equal(got, []string{third.Title}) {
		t.Errorf("the old canonical thread's aliases: %v", got)
	}
	if got := aliases(other.ID); !slices.Equal(got, []string{dup.Title}) {
		t.Errorf("the new canonical thread's aliases: %v", got)
	}
	// A deleted question closed as a duplicate lends no words to the public.
	if _, err := e.s.CloseAsDuplicate(ctx, e.fx.Moderator, gone.ID, other.ID); err != nil {
		t.Fatal(err)
	}
	if got := aliases(other.ID); !slices.Equal(got, []string{dup.Title}) {
		t.Errorf("a deleted duplicate's title became an alias: %v", got)
	}

	// The duplicate's title edited, the question deleted and restored: the
	// canonical thread's alias follows.
	page, err = e.threads.Posts(ctx, e.fx.Moderator, dup, 1)
	if err != nil {
		t.Fatal(err)
	}
	q := page.Question
	if _, err := e.threads.Edit(ctx, e.fx.Moderator, q.ID, thread.Edit{Title: "Internet gone every night", Body: "Body of " + dup.Title, Reason: "typo"}); err != nil {
		t.Fatal(err)
	}
	if got := aliases(other.ID); !slices.Equal(got, []string{"Internet gone every night"}) {
		t.Errorf("aliases after the duplicate's title was edited: %v", got)
	}
	if _, err := e.s.Delete(ctx, e.fx.Moderator, q.ID); err != nil {
		t.Fatal(err)
	}
	if got := aliases(other.ID); len(got) != 0 {
		t.Errorf("aliases after the duplicate was deleted: %v", got)
	}
	if _, err := e.s.Restore(ctx, e.fx.Moderator, q.ID); err != nil {
		t.Fatal(err)
	}
	if got := aliases(other.ID); !slices.Equal(got, []string{"Internet gone every night"}) {
		t.Errorf("aliases after the duplicate was restored: %v", got)
	}
}

// TestDuplicateAliasesUnderRacingChanges: two duplicates of one thread change
// at once, one retitled in a transaction still open while the other is
// deleted. The canonical thread ends with the title of the one still there,
// never the deleted one's (on PostgreSQL the second transaction would
// otherwise miss the aliases the first had not committed yet).
func TestDuplicateAliasesUnderRacingChanges(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	canonical := e.ask(t, e.fx.Member, "Router keeps dropping the connection")
	a := e.ask(t, e.fx.Other, "Internet gone every evening")
	b := e.ask(t, e.fx.Other, "WLAN weg jeden Abend")
	for _, d := range []*thread.Thread{a, b} {
		if _, err := e.s.CloseAsDuplicate(ctx, e.fx.Moderator, d.ID, canonical.ID); err != nil {
			t.Fatal(err)
		}
	}
	question := func(th *thread.Thread) *thread.ShownPost {
		page, err := e.threads.Posts(ctx, e.fx.Moderator, th, 1)
		if err != nil {
			t.Fatal(err)
		}
		return page.Question
	}
	qa, qb := question(a), question(b)

	edited, proceed, done := make(chan struct{}), make(chan struct{}), make(chan error, 2)
	go func() {
		done <- e.db.InTx(ctx, func(ctx context.Context) error {
			_, err := e.threads.Edit(ctx, e.fx.Moderator, qb.ID, thread.Edit{Title: "WLAN weg jeden Morgen", Body: "Body of " + b.Title, Reason: "morning"})
			close(edited)
			if err != nil {
				return err
			}
			<-proceed
			return nil
		})
	}()
	<-edited
	go func() {
		_, err := e.s.Delete(ctx, e.fx.Moderator, qa.ID)
		done <- err
	}()
	time.Sleep(200 * time.Millisecond) // the delete runs into the open edit
	close(proceed)
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	data, err := e.threads.IndexData(ctx, []int64{canonical.ID})
	if err != nil || len(data) != 1 {
		t.Fatalf("IndexData: %v", err)
	}
	if got := data[0].Aliases; !slices.Equal(got, []string{"WLAN weg jeden Morgen"}) {
		t.Errorf("aliases %q, want only the retitled duplicate's", got)
	}
}
