package moderation_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/thread"
)

// TestStaffEditsAreAudited: a moderator's edit of a member's question is a row
// of the audit log with the title and text before and after, cut to a glance;
// the author's own edit, an edit that changes nothing and a refused edit are not.
func TestStaffEditsAreAudited(t *testing.T) {
	e, ctx := setup(t), context.Background()
	th := e.ask(t, e.fx.Member, "Router drops the line at night")
	q := e.questionOf(t, th)
	log := audit.New(e.db, e.clock.Now)
	edits := func() []audit.Entry {
		t.Helper()
		page, err := log.List(ctx, audit.Filter{Action: audit.EditPost}, 10)
		if err != nil {
			t.Fatal(err)
		}
		return page.Entries
	}

	long := strings.Repeat("Firmware 7.2 fixes it. ", 60)
	if _, err := e.s.Edit(ctx, e.fx.Moderator, q, thread.Edit{Title: "Router drops the line every night", Body: long, Reason: "clearer title"}); err != nil {
		t.Fatal(err)
	}
	rows := edits()
	if len(rows) != 1 {
		t.Fatalf("%d audit rows after a moderator's edit, want 1", len(rows))
	}
	r := rows[0]
	if r.ActorID != e.fx.Moderator.ID || r.MemberID == nil || *r.MemberID != e.fx.Member.ID || r.PostID == nil || *r.PostID != q || r.Reason != "clearer title" {
		t.Errorf("audit row %+v", r)
	}
	if r.Before != "Router drops the line at night\n\nBody of Router drops the line at night" {
		t.Errorf("before = %q", r.Before)
	}
	if !strings.HasPrefix(r.After, "Router drops the line every night\n\nFirmware 7.2") || len(r.After) > 500 {
		t.Errorf("after = %q (%d bytes), want the new title and text, at most 500 bytes", r.After, len(r.After))
	}

	// The same text again, the author's own edit, and an edit by someone who may not: no rows.
	if _, err := e.s.Edit(ctx, e.fx.Moderator, q, thread.Edit{Title: "Router drops the line every night", Body: long}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Edit(ctx, e.fx.Member, q, thread.Edit{Title: "Router drops the line every night", Body: "Solved by the update."}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Edit(ctx, e.fx.Other, q, thread.Edit{Title: "Spam spam spam spam", Body: "Buy now"}); !errors.Is(err, thread.ErrForbidden) {
		t.Errorf("a member editing another's question: %v, want forbidden", err)
	}
	if n := len(edits()); n != 1 {
		t.Errorf("%d audit rows in the end, want the moderator's one", n)
	}
}
