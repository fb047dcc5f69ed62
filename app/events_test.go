package app_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/notice"
	"github.com/schwarm/schwarm/app/outbox"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// TestEveryActionEmitsItsEvent: each action of members, agents, moderators and
// admins writes its domain event, with who did it and what it is about, and a
// payload that decodes to the event; an action that changes nothing writes none.
func TestEveryActionEmitsItsEvent(t *testing.T) {
	a := apptest.NewApp(t, apptest.Config(t, func(c *config.Config) { c.TrustReputation, c.ReviewFirstPosts = 20, 1 }))
	ctx := context.Background()
	fx := apptest.Seed(t, a.Users)
	b := &board.Board{Slug: "internet", NameEN: "Internet", NameDE: "Internet"}
	if err := a.Boards.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	type rec struct {
		Topic         string
		Actor, Entity int64
	}
	var want []rec
	for _, u := range []*user.User{fx.Admin, fx.Moderator, fx.Agent, fx.Member, fx.Other} {
		want = append(want, rec{event.TopicMemberJoined, u.ID, u.ID})
	}

	q1, err := a.Threads.Create(ctx, fx.Member, thread.Ask{BoardID: b.ID, Title: "Router drops Wi-Fi at night", Body: "Every night."})
	must(err)
	want = append(want, rec{event.TopicPostHeld, fx.Member.ID, q1.ID}) // a newcomer's first post
	page, err := a.Threads.Posts(ctx, fx.Moderator, q1, 1)
	must(err)
	_, err = a.Moderation.Approve(ctx, fx.Moderator, page.Question.ID)
	must(err)
	_, err = a.Moderation.Approve(ctx, fx.Moderator, page.Question.ID) // approved already: nothing
	must(err)
	want = append(want, rec{event.TopicQuestionAsked, fx.Member.ID, q1.ID}, rec{event.TopicPostApproved, fx.Moderator.ID, q1.ID})

	answer, err := a.Threads.Reply(ctx, fx.Agent, q1.ID, "Update the firmware.")
	must(err)
	_, _, err = a.Threads.GiveKudos(ctx, fx.Member, answer.ID)
	must(err)
	_, err = a.Threads.Accept(ctx, fx.Member, answer.ID)
	must(err)
	_, err = a.Threads.Edit(ctx, fx.Agent, answer.ID, thread.Edit{Body: "Update the firmware to 7.2."})
	must(err)
	_, err = a.Threads.Edit(ctx, fx.Agent, answer.ID, thread.Edit{Body: "Update the firmware to 7.2."}) // unchanged: nothing
	must(err)
	want = append(want, rec{event.TopicAnswerPosted, fx.Agent.ID, q1.ID}, rec{event.TopicKudosGiven, fx.Member.ID, q1.ID},
		rec{event.TopicSolutionAccepted, fx.Member.ID, q1.ID}, rec{event.TopicPostEdited, fx.Agent.ID, q1.ID})

	q2, err := a.Threads.Create(ctx, fx.Admin, thread.Ask{BoardID: b.ID, Title: "Wi-Fi gone every night", Body: "Since Monday."})
	must(err)
	_, err = a.Moderation.CloseAsDuplicate(ctx, fx.Moderator, q2.ID, q1.ID)
	must(err)
	_, err = a.Moderation.CloseAsDuplicate(ctx, fx.Moderator, q2.ID, q1.ID) // closed so already: nothing
	must(err)
	must(a.Moderation.Reopen(ctx, fx.Moderator, q2.ID))
	want = append(want, rec{event.TopicQuestionAsked, fx.Admin.ID, q2.ID},
		rec{event.TopicDuplicateClosed, fx.Moderator.ID, q2.ID}, rec{event.TopicAliasesChanged, fx.Moderator.ID, q1.ID},
		rec{event.TopicReopened, fx.Moderator.ID, q2.ID}, rec{event.TopicAliasesChanged, fx.Moderator.ID, q1.ID})

	_, err = a.Moderation.Delete(ctx, fx.Moderator, answer.ID) // the solution: the thread is open again
	must(err)
	_, _, err = a.Threads.TakeKudos(ctx, fx.Member, answer.ID)
	if err == nil {
		t.Error("kudos taken back from a deleted answer")
	}
	_, err = a.Moderation.Restore(ctx, fx.Moderator, answer.ID)
	must(err)
	want = append(want, rec{event.TopicPostDeleted, fx.Moderator.ID, q1.ID}, rec{event.TopicSolutionWithdrawn, fx.Moderator.ID, q1.ID},
		rec{event.TopicPostRestored, fx.Moderator.ID, q1.ID})
	_, err = a.Moderation.Edit(ctx, fx.Moderator, answer.ID, thread.Edit{Body: "Update the firmware to 7.3.", Reason: "version"})
	must(err)
	_, err = a.Moderation.Edit(ctx, fx.Agent, answer.ID, thread.Edit{Body: "Update the firmware to 7.4."}) // the author's own: history only
	must(err)
	want = append(want, rec{event.TopicPostEdited, fx.Moderator.ID, q1.ID}, rec{event.TopicPostEdited, fx.Agent.ID, q1.ID})

	_, err = a.Moderation.Flag(ctx, fx.Other, page.Question.ID, moderation.FlagInput{Kind: moderation.FlagOffTopic})
	must(err)
	_, err = a.Moderation.Hide(ctx, fx.Moderator, answer.ID, "Checking the firmware link.")
	must(err)
	_, err = a.Moderation.Approve(ctx, fx.Moderator, answer.ID) // back, as it was
	must(err)
	_, err = a.Moderation.Approve(ctx, fx.Moderator, page.Question.ID) // kept: its flag dismissed, no event
	must(err)
	must(a.Moderation.Report(ctx, fx.Other, fx.Member.ID, moderation.ReportInput{Kind: moderation.FlagSpam}))
	must(a.Moderation.DismissReports(ctx, fx.Moderator, fx.Member.ID))
	want = append(want, rec{event.TopicPostFlagged, fx.Other.ID, q1.ID}, rec{event.TopicPostHidden, fx.Moderator.ID, q1.ID},
		rec{event.TopicPostApproved, fx.Moderator.ID, q1.ID}, rec{event.TopicMemberReported, fx.Other.ID, fx.Member.ID})
	// The moderators' actions on threads; doing one twice changes nothing the
	// second time.
	billing := &board.Board{Slug: "billing", NameEN: "Billing", NameDE: "Rechnung"}
	must(a.Boards.Create(ctx, billing))
	_, err = a.Moderation.Move(ctx, fx.Moderator, q2.ID, billing.ID, "money")
	must(err)
	must(a.Moderation.Lock(ctx, fx.Moderator, q2.ID, ""))
	must(a.Moderation.Lock(ctx, fx.Moderator, q2.ID, ""))
	must(a.Moderation.Unlock(ctx, fx.Moderator, q2.ID, ""))
	must(a.Moderation.Pin(ctx, fx.Moderator, q2.ID, ""))
	must(a.Moderation.Unpin(ctx, fx.Moderator, q2.ID, ""))
	must(a.Moderation.HideThread(ctx, fx.Moderator, q2.ID, "spam"))
	must(a.Moderation.RestoreThread(ctx, fx.Moderator, q2.ID, ""))
	must(a.Moderation.RestoreThread(ctx, fx.Moderator, q2.ID, ""))
	agentRep := func() int64 {
		u, err := a.Users.Get(ctx, fx.Agent.ID)
		must(err)
		return u.Reputation
	}
	repBefore := agentRep()
	_, err = a.Moderation.Merge(ctx, fx.Moderator, q1.ID, q2.ID, "same")
	must(err)
	if got := agentRep(); got != repBefore {
		t.Errorf("the answer's author's reputation %d after the merge, %d before", got, repBefore)
	}
	extra, err := a.Threads.Reply(ctx, fx.Agent, q2.ID, "One more thing on the invoice.")
	must(err)
	split, err := a.Moderation.Split(ctx, fx.Moderator, q2.ID, []int64{extra.ID}, "Invoice question on its own", billing.ID, "")
	must(err)
	want = append(want, rec{event.TopicThreadMoved, fx.Moderator.ID, q2.ID},
		rec{event.TopicThreadLocked, fx.Moderator.ID, q2.ID}, rec{event.TopicThreadUnlocked, fx.Moderator.ID, q2.ID},
		rec{event.TopicThreadPinned, fx.Moderator.ID, q2.ID}, rec{event.TopicThreadUnpinned, fx.Moderator.ID, q2.ID},
		rec{event.TopicThreadHidden, fx.Moderator.ID, q2.ID}, rec{event.TopicThreadRestored, fx.Moderator.ID, q2.ID},
		rec{event.TopicThreadMerged, fx.Moderator.ID, q1.ID},
		rec{event.TopicAnswerPosted, fx.Agent.ID, q2.ID}, rec{event.TopicThreadSplit, fx.Moderator.ID, q2.ID})

	must(a.Users.SetRole(ctx, fx.Admin.ID, fx.Other.ID, user.RoleModerator))
	must(a.Users.SetRole(ctx, fx.Admin.ID, fx.Other.ID, user.RoleModerator)) // the same role: nothing
	want = append(want, rec{event.TopicRoleChanged, fx.Admin.ID, fx.Other.ID})

	settings, err := a.Settings.Load(ctx)
	must(err)
	settings.Spam.MaxLinks = 5
	_, err = a.Settings.Save(ctx, fx.Admin, settings)
	must(err)
	_, err = a.Settings.Save(ctx, fx.Admin, settings) // from an old version: refused, nothing
	if err == nil {
		t.Error("settings saved over a newer version")
	}
	_, err = a.Settings.Reset(ctx, fx.Admin)
	must(err)
	want = append(want, rec{event.TopicSettingsChanged, fx.Admin.ID, 0}, rec{event.TopicSettingsChanged, fx.Admin.ID, 0})

	n, err := a.Notices.Publish(ctx, fx.Agent, notice.Draft{Level: notice.LevelOutage, TextEN: "Outage in Hamburg."})
	must(err)
	must(a.Notices.End(ctx, fx.Agent, n.ID))
	must(a.Notices.End(ctx, fx.Agent, n.ID)) // ended already: nothing
	want = append(want, rec{event.TopicNoticePublished, fx.Agent.ID, n.ID}, rec{event.TopicNoticeEnded, fx.Agent.ID, n.ID})

	var records []outbox.Entry
	// Badges come as the ledger grants them; TestAwardingCatchesUp counts them.
	must(a.DB.Reader(ctx).Where("topic <> ?", event.TopicBadgeGranted).Order("id").Find(&records).Error)
	got := make([]rec, len(records))
	for i, r := range records {
		got[i] = rec{r.Topic, r.ActorID, r.EntityID}
		if r.Version != 1 || r.Payload == "" || r.Payload == "{}" {
			t.Errorf("record %d (%s): version %d, payload %q", r.ID, r.Topic, r.Version, r.Payload)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got)\n%s", diff)
	}

	// Each staff action, and only what changed something, is one row of the
	// audit log, in the transaction of the action.
	log, err := a.Audit.List(ctx, audit.Filter{}, 100)
	must(err)
	type row struct {
		Action        string
		Actor, Member int64
		Before, After string
	}
	var rows []row
	for i := len(log.Entries) - 1; i >= 0; i-- {
		e := log.Entries[i]
		var member int64
		if e.MemberID != nil {
			member = *e.MemberID
		}
		rows = append(rows, row{e.Action, e.ActorID, member, e.Before, e.After})
	}
	q1ref := fmt.Sprintf("#%d", q1.ID)
	wantRows := []row{
		{audit.ApprovePost, fx.Moderator.ID, fx.Member.ID, "", ""},
		{audit.CloseAsDuplicate, fx.Moderator.ID, fx.Admin.ID, "", q1ref},
		{audit.Reopen, fx.Moderator.ID, fx.Admin.ID, q1ref, ""},
		{audit.DeletePost, fx.Moderator.ID, fx.Agent.ID, "", ""},
		{audit.RestorePost, fx.Moderator.ID, fx.Agent.ID, "", ""},
		{audit.EditPost, fx.Moderator.ID, fx.Agent.ID, "Update the firmware to 7.2.", "Update the firmware to 7.3."},
		{audit.HidePost, fx.Moderator.ID, fx.Agent.ID, "", ""},
		{audit.ApprovePost, fx.Moderator.ID, fx.Agent.ID, "", ""},
		{audit.DismissFlags, fx.Moderator.ID, fx.Member.ID, "", "1"},
		{audit.DismissReports, fx.Moderator.ID, fx.Member.ID, "", "1"},
		{audit.MoveThread, fx.Moderator.ID, fx.Admin.ID, fmt.Sprintf("board %d", b.ID), fmt.Sprintf("board %d", billing.ID)},
		{audit.LockThread, fx.Moderator.ID, fx.Admin.ID, "", ""},
		{audit.UnlockThread, fx.Moderator.ID, fx.Admin.ID, "", ""},
		{audit.PinThread, fx.Moderator.ID, fx.Admin.ID, "", ""},
		{audit.UnpinThread, fx.Moderator.ID, fx.Admin.ID, "", ""},
		{audit.HideThread, fx.Moderator.ID, fx.Admin.ID, "", ""},
		{audit.RestoreThread, fx.Moderator.ID, fx.Admin.ID, "", ""},
		{audit.MergeThread, fx.Moderator.ID, fx.Member.ID, q1ref, fmt.Sprintf("#%d", q2.ID)},
		{audit.SplitThread, fx.Moderator.ID, fx.Agent.ID, fmt.Sprintf("posts %d", extra.ID), fmt.Sprintf("#%d", split.ID)},
		{audit.ChangeRole, fx.Admin.ID, fx.Other.ID, "member", "moderator"},
		{audit.ChangeSettings, fx.Admin.ID, 0, "max_links=3", "max_links=5"},
		{audit.ChangeSettings, fx.Admin.ID, 0, "max_links=5", "max_links=3"},
		{audit.PublishNotice, fx.Agent.ID, 0, "", "outage: Outage in Hamburg."},
		{audit.EndNotice, fx.Agent.ID, 0, "outage: Outage in Hamburg.", ""},
	}
	if diff := cmp.Diff(wantRows, rows); diff != "" {
		t.Errorf("audit log (-want +got)\n%s", diff)
	}

	// The payloads name the people concerned.
	for _, r := range records {
		switch r.Topic {
		case event.TopicAnswerPosted:
			if r.EntityID != q1.ID {
				continue // the answer split off below
			}
			e, err := event.Decode[event.AnswerPosted](r)
			must(err)
			if want := (event.AnswerPosted{ThreadID: q1.ID, PostID: answer.ID, AuthorID: fx.Agent.ID, AskerID: fx.Member.ID,
				BoardID: b.ID, Official: true, First: true}); e != want {
				t.Errorf("answer.posted %+v, want %+v", e, want)
			}
		case event.TopicSolutionWithdrawn:
			e, err := event.Decode[event.SolutionWithdrawn](r)
			must(err)
			if want := (event.SolutionWithdrawn{ThreadID: q1.ID, PostID: answer.ID, AuthorID: fx.Agent.ID, AskerID: fx.Member.ID}); e != want {
				t.Errorf("solution.withdrawn %+v, want %+v", e, want)
			}
		case event.TopicPostHidden:
			e, err := event.Decode[event.PostHidden](r)
			must(err)
			if want := (event.PostHidden{ThreadID: q1.ID, PostID: answer.ID, AuthorID: fx.Agent.ID, Reason: thread.HeldByStaff,
				Note: "Checking the firmware link."}); e != want {
				t.Errorf("post.hidden %+v, want %+v", e, want)
			}
		case event.TopicPostFlagged:
			e, err := event.Decode[event.PostFlagged](r)
			must(err)
			if want := (event.PostFlagged{ThreadID: q1.ID, PostID: page.Question.ID, AuthorID: fx.Member.ID, Kind: moderation.FlagOffTopic}); e != want {
				t.Errorf("post.flagged %+v, want %+v", e, want)
			}
		case event.TopicMemberReported:
			e, err := event.Decode[event.MemberReported](r)
			must(err)
			if want := (event.MemberReported{UserID: fx.Member.ID, Kind: moderation.FlagSpam}); e != want {
				t.Errorf("member.reported %+v, want %+v", e, want)
			}
		case event.TopicThreadMerged:
			e, err := event.Decode[event.ThreadMerged](r)
			must(err)
			if want := (event.ThreadMerged{ThreadID: q1.ID, TargetID: q2.ID, AskerID: fx.Member.ID, TargetAskerID: fx.Admin.ID, Reason: "same"}); e != want {
				t.Errorf("thread.merged %+v, want %+v", e, want)
			}
			if ids, err := event.Threads(r); err != nil || !slices.Equal(ids, []int64{q1.ID, q2.ID}) {
				t.Errorf("thread.merged is about threads %v (%v), want both", ids, err)
			}
		case event.TopicThreadSplit:
			if ids, err := event.Threads(r); err != nil || !slices.Equal(ids, []int64{q2.ID, split.ID}) {
				t.Errorf("thread.split is about threads %v (%v), want both", ids, err)
			}
		case event.TopicSettingsChanged:
			e, err := event.Decode[event.SettingsChanged](r)
			must(err)
			if e.Key != "moderation" || e.Revision < 1 || e.Revision > 2 || e.Reset != (e.Revision == 2) {
				t.Errorf("settings.changed %+v, want moderation at revision 1, then reset at 2", e)
			}
		case event.TopicNoticePublished:
			e, err := event.Decode[event.NoticePublished](r)
			must(err)
			if e.Level != notice.LevelOutage || e.ThreadID != 0 || e.StartsAt.IsZero() || !e.EndsAt.IsZero() {
				t.Errorf("notice.published %+v", e)
			}
		case event.TopicRoleChanged:
			e, err := event.Decode[event.RoleChanged](r)
			must(err)
			if want := (event.RoleChanged{UserID: fx.Other.ID, From: "member", To: "moderator"}); e != want {
				t.Errorf("member.role_changed %+v, want %+v", e, want)
			}
		}
	}
}
