package audit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/user"
)

func TestRecordCommitsWithTheAction(t *testing.T) {
	db, ctx := apptest.NewDB(t), context.Background()
	clk := apptest.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	fx := apptest.Seed(t, user.NewService(db, apptest.FastPasswords, []string{"en"}, auth.NewSessions(db, time.Hour, clk.Now), clk.Now))
	log := audit.New(db, clk.Now)
	boom := errors.New("boom")
	err := db.InTx(ctx, func(ctx context.Context) error {
		if err := log.Record(ctx, audit.Entry{ActorID: fx.Moderator.ID, Action: audit.DeletePost, MemberID: audit.Ref(fx.Member.ID)}); err != nil {
			return err
		}
		return boom // the action failed after its row was written
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if p, err := log.List(ctx, audit.Filter{}, 10); err != nil || len(p.Entries) != 0 {
		t.Fatalf("after a rolled-back action the log holds %+v, %v", p, err)
	}
}

func TestListFiltersAndPages(t *testing.T) {
	db, ctx := apptest.NewDB(t), context.Background()
	clk := apptest.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	fx := apptest.Seed(t, user.NewService(db, apptest.FastPasswords, []string{"en"}, auth.NewSessions(db, time.Hour, clk.Now), clk.Now))
	log := audit.New(db, clk.Now)
	mod, admin, mara, otto := fx.Moderator.ID, fx.Admin.ID, fx.Member.ID, fx.Other.ID
	rows := []audit.Entry{
		{ActorID: mod, Action: audit.DeletePost, MemberID: audit.Ref(mara), ThreadID: audit.Ref(1), PostID: audit.Ref(2)},
		{ActorID: mod, Action: audit.RestorePost, MemberID: audit.Ref(mara), ThreadID: audit.Ref(1), PostID: audit.Ref(2)},
		{ActorID: admin, Action: audit.ChangeRole, MemberID: audit.Ref(otto), Before: "member", After: "moderator"},
		{ActorID: mod, Action: audit.CloseAsDuplicate, MemberID: audit.Ref(otto), ThreadID: audit.Ref(3), After: "#1", Reason: "asked before"},
		{ActorID: otto, Action: audit.DeletePost, MemberID: audit.Ref(mara), ThreadID: audit.Ref(1), PostID: audit.Ref(4)},
	}
	for _, r := range rows {
		if err := log.Record(ctx, r); err != nil {
			t.Fatal(err)
		}
		clk.Add(24 * time.Hour) // one a day, from 1 December on
	}
	ids := func(f audit.Filter, limit int) ([]int64, int64) {
		t.Helper()
		p, err := log.List(ctx, f, limit)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, e := range p.Entries {
			got = append(got, e.ID)
		}
		return got, p.Next
	}
	day := func(d int) time.Time { return time.Date(2026, 12, d, 0, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		name string
		f    audit.Filter
		want []int64
	}{
		{"all, newest first", audit.Filter{}, []int64{5, 4, 3, 2, 1}},
		{"by actor", audit.Filter{ActorID: mod}, []int64{4, 2, 1}},
		{"by member", audit.Filter{MemberID: mara}, []int64{5, 2, 1}},
		{"by action", audit.Filter{Action: audit.DeletePost}, []int64{5, 1}},
		{"by dates", audit.Filter{From: day(2), To: day(4)}, []int64{3, 2}},
		{"all of them", audit.Filter{ActorID: mod, MemberID: otto, Action: audit.CloseAsDuplicate, From: day(4)}, []int64{4}},
		{"none", audit.Filter{ActorID: mara}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got, _ := ids(c.f, 10); !cmp.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
	// Keyset pages of two: each starts where the last one ended.
	var all []int64
	for f := (audit.Filter{}); ; {
		page, next := ids(f, 2)
		all = append(all, page...)
		if next == 0 {
			break
		}
		f.Before = next
	}
	if !cmp.Equal(all, []int64{5, 4, 3, 2, 1}) {
		t.Errorf("paged through %v", all)
	}
	p, _ := log.List(ctx, audit.Filter{Action: audit.CloseAsDuplicate}, 1)
	want := audit.Entry{ID: 4, ActorID: mod, Action: audit.CloseAsDuplicate, MemberID: audit.Ref(otto), ThreadID: audit.Ref(3), After: "#1",
		Reason: "asked before", CreatedAt: day(4).Add(9 * time.Hour)}
	if diff := cmp.Diff([]audit.Entry{want}, p.Entries, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("entry (-want +got)\n%s", diff)
	}
}

// The log is never changed or emptied, whatever asks: the database refuses it.
func TestRowsAreNeverChangedOrRemoved(t *testing.T) {
	db, ctx := apptest.NewDB(t), context.Background()
	fx := apptest.Seed(t, user.NewService(db, apptest.FastPasswords, []string{"en"}, auth.NewSessions(db, time.Hour, time.Now), time.Now))
	if err := audit.New(db, time.Now).Record(ctx, audit.Entry{ActorID: fx.Admin.ID, Action: audit.ChangeRole, MemberID: audit.Ref(fx.Other.ID)}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"UPDATE audit_log SET reason = 'nothing happened'", "DELETE FROM audit_log"} {
		if err := db.Writer(ctx).Exec(q).Error; err == nil {
			t.Errorf("%s: no error", q)
		}
	}
	if p, err := audit.New(db, time.Now).List(ctx, audit.Filter{}, 10); err != nil || len(p.Entries) != 1 || p.Entries[0].Reason != "" {
		t.Errorf("the log after: %+v, %v", p, err)
	}
}
