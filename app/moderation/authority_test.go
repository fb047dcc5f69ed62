package moderation_test

import (
	"context"
	"errors"
	"testing"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// TestModeratorsDecideOnlyBelowThemselves: a moderator does not approve,
// reject, hide or keep what a moderator or an admin wrote, or their own, nor
// dismiss the reports about them; an admin does.
func TestModeratorsDecideOnlyBelowThemselves(t *testing.T) {
	e, ctx := setup(t), context.Background()
	e.s.SetFlagRules(moderation.FlagRules{ToHide: 5})
	mod2, err := e.userSvc.Register(ctx, user.Registration{Handle: "max_mod", Email: "max@example.com", Password: "longenough1", Role: user.RoleModerator})
	if err != nil {
		t.Fatal(err)
	}
	th := e.ask(t, e.fx.Member, "Router drops the line at night")
	byMod := e.reply(t, mod2, th, "A moderator's own answer.")
	byAdmin := e.reply(t, e.fx.Admin, th, "An admin's answer.")
	for _, p := range []int64{byMod.ID, byAdmin.ID} {
		if _, err := e.s.Flag(ctx, e.fx.Other, p, moderation.FlagInput{Kind: moderation.FlagOffTopic}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.s.Report(ctx, e.fx.Other, mod2.ID, moderation.ReportInput{Kind: moderation.FlagAbusive}); err != nil {
		t.Fatal(err)
	}
	if err := e.s.Report(ctx, e.fx.Other, e.fx.Moderator.ID, moderation.ReportInput{Kind: moderation.FlagAbusive}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []int64{byMod.ID, byAdmin.ID} {
		if _, err := e.s.Approve(ctx, e.fx.Moderator, p); !errors.Is(err, moderation.ErrStaffAuthor) {
			t.Errorf("a moderator keeps post %d of staff: %v, want ErrStaffAuthor", p, err)
		}
		if _, err := e.s.Hide(ctx, e.fx.Moderator, p, ""); !errors.Is(err, moderation.ErrStaffAuthor) {
			t.Errorf("a moderator hides post %d of staff: %v, want ErrStaffAuthor", p, err)
		}
		if _, err := e.s.Reject(ctx, e.fx.Moderator, p, ""); !errors.Is(err, moderation.ErrStaffAuthor) {
			t.Errorf("a moderator rejects post %d of staff: %v, want ErrStaffAuthor", p, err)
		}
	}
	for _, who := range []int64{mod2.ID, e.fx.Moderator.ID} { // another moderator, and themselves
		if err := e.s.DismissReports(ctx, e.fx.Moderator, who); !errors.Is(err, moderation.ErrStaffAuthor) {
			t.Errorf("a moderator dismisses the reports on %d: %v, want ErrStaffAuthor", who, err)
		}
	}
	if _, err := e.s.Approve(ctx, e.fx.Admin, byMod.ID); err != nil {
		t.Errorf("an admin keeps a moderator's post: %v", err)
	}
	if err := e.s.DismissReports(ctx, e.fx.Admin, e.fx.Moderator.ID); err != nil {
		t.Errorf("an admin dismisses the reports on a moderator: %v", err)
	}
}

// TestFlagsDoNotReachHiddenThreads: a member cannot flag, and so hide, a post of
// a thread staff hid from them; a moderator's hide of its question and the
// approval after the restore leave the board's count right.
func TestFlagsDoNotReachHiddenThreads(t *testing.T) {
	e, ctx := setup(t), context.Background()
	e.s.SetFlagRules(moderation.FlagRules{ToHide: 1})
	th := e.ask(t, e.fx.Other, "Router drops the line at night")
	q := e.questionOf(t, th)
	if err := e.s.HideThread(ctx, e.fx.Moderator, th.ID, "off topic"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Flag(ctx, e.fx.Member, q, moderation.FlagInput{Kind: moderation.FlagSpam}); !errors.Is(err, moderation.ErrFlagGone) {
		t.Errorf("flagging in a hidden thread: %v, want ErrFlagGone", err)
	}
	if n := e.boardCount(t, e.board.ID); n != 0 {
		t.Fatalf("board count with the thread hidden: %d, want 0", n)
	}
	if _, err := e.s.Hide(ctx, e.fx.Moderator, q, "checking"); err != nil {
		t.Fatal(err)
	}
	if n := e.boardCount(t, e.board.ID); n != 0 {
		t.Errorf("board count after hiding the question of a hidden thread: %d, want 0", n)
	}
	if _, err := e.s.Approve(ctx, e.fx.Moderator, q); err != nil {
		t.Fatal(err)
	}
	if n := e.boardCount(t, e.board.ID); n != 0 {
		t.Errorf("board count after approving it, the thread still hidden: %d, want 0", n)
	}
	if err := e.s.RestoreThread(ctx, e.fx.Moderator, th.ID, ""); err != nil {
		t.Fatal(err)
	}
	if n := e.boardCount(t, e.board.ID); n != 1 {
		t.Errorf("board count after the restore: %d, want 1", n)
	}
	if got := e.get(t, th.ID); !thread.CanSee(nil, got) {
		t.Error("a guest does not see the restored thread")
	}
}

// TestWhoseFlagHidesAlone: a moderator's flag hides a post at once and is an
// audited hide; an agent's counts like a member's.
func TestWhoseFlagHidesAlone(t *testing.T) {
	e, ctx := setup(t), context.Background()
	e.s.SetFlagRules(moderation.FlagRules{ToHide: 3, TrustReputation: 500})
	th := e.ask(t, e.fx.Member, "Router drops the line at night")
	byAgent := e.reply(t, e.fx.Other, th, "Buy my routers.")
	if _, err := e.s.Flag(ctx, e.fx.Agent, byAgent.ID, moderation.FlagInput{Kind: moderation.FlagSpam}); err != nil {
		t.Fatal(err)
	}
	if p, _ := e.threads.GetPost(ctx, byAgent.ID); p.Pending {
		t.Error("one agent's flag hid the post")
	}
	if _, err := e.s.Flag(ctx, e.fx.Moderator, byAgent.ID, moderation.FlagInput{Kind: moderation.FlagSpam, Text: "shop links"}); err != nil {
		t.Fatal(err)
	}
	if p, _ := e.threads.GetPost(ctx, byAgent.ID); !p.Pending || p.HeldReason != thread.HeldFlagged {
		t.Errorf("after a moderator's flag: pending %v, reason %q; want hidden as flagged", p.Pending, p.HeldReason)
	}
	if r := e.lastAudit(t); r.Action != audit.HidePost || r.ActorID != e.fx.Moderator.ID || r.Reason != "spam: shop links" {
		t.Errorf("the last audit row %+v, want the moderator's hide", r)
	}
}
