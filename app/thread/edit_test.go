package thread_test

import (
	"context"
	"errors"
	"testing"

	"github.com/schwarm/schwarm/app/thread"
)

// TestEditOthersByReputation lets members with enough reputation edit others'
// posts, keeping a revision, and nobody below it.
func TestEditOthersByReputation(t *testing.T) {
	e := setup(t)
	e.s.SetLedger(nil, thread.Privileges{EditOthersReputation: 500})
	ctx := context.Background()
	th := e.ask(t, e.fx.Member, "Router firmware update fails")
	page, err := e.s.Posts(ctx, nil, th, 1)
	if err != nil {
		t.Fatal(err)
	}
	editor := *e.fx.Other
	editor.Reputation = 499
	if _, err := e.s.Edit(ctx, &editor, page.Question.ID, thread.Edit{Title: th.Title, Body: "Fixed typo"}); !errors.Is(err, thread.ErrForbidden) {
		t.Errorf("editing with 499 reputation: %v", err)
	}
	editor.Reputation = 500
	if _, err := e.s.Edit(ctx, &editor, page.Question.ID, thread.Edit{Title: th.Title, Body: "Fixed typo", Reason: "typo"}); err != nil {
		t.Fatalf("editing with 500 reputation: %v", err)
	}
	_, versions, err := e.s.History(ctx, e.fx.Moderator, page.Question.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) < 2 {
		t.Errorf("the edit kept no revision: %d versions", len(versions))
	}
}
