package moderation_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/outbox"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/validate"
)

// envDefaults are the environment's settings of the tests below.
func envDefaults() moderation.Settings {
	return moderation.Settings{
		Privileges: thread.Privileges{TrustReputation: 20, ReviewFirstPosts: 1, NewcomerPostsPerDay: 10, EditOthersReputation: 1000},
		Spam:       thread.SpamRules{MaxLinks: 3, NewAccount: 24 * time.Hour, Repeat: 24 * time.Hour, BlockWords: []string{"casino"}},
		Flags:      moderation.FlagRules{ToHide: 3, TrustReputation: 500},
	}
}

// settingsStore returns a store with envDefaults that applies what it reads to
// e.threads, as app.New wires it, and the settings it applied last.
func (e *env) settingsStore(t *testing.T) (*moderation.SettingsStore, func() moderation.Settings) {
	t.Helper()
	var mu sync.Mutex
	var applied moderation.Settings
	st := moderation.NewSettingsStore(e.db, audit.New(e.db, e.clock.Now), envDefaults(), e.clock.Now, func(s moderation.Settings) {
		e.threads.SetPrivileges(s.Privileges)
		e.threads.SetSpamRules(s.Spam)
		mu.Lock()
		applied = s
		mu.Unlock()
	})
	if err := st.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st, func() moderation.Settings { mu.Lock(); defer mu.Unlock(); return applied }
}

func TestSettingsAreTheDefaultsUntilSaved(t *testing.T) {
	e := setup(t)
	st, applied := e.settingsStore(t)
	got, err := st.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(envDefaults(), got); diff != "" {
		t.Errorf("settings without a row (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff(envDefaults(), applied()); diff != "" {
		t.Errorf("applied at start (-want +got)\n%s", diff)
	}
	if got := e.threads.SpamRules(); got.MaxLinks != 3 || len(got.BlockWords) != 1 {
		t.Errorf("spam rules in force %+v, want the defaults", got)
	}
}

func TestSettingsSaveAndLoad(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	st, applied := e.settingsStore(t)
	s := envDefaults()
	s.Privileges.TrustReputation, s.Spam.MaxLinks, s.Spam.Repeat = 50, 0, 30*time.Minute
	s.Spam.BlockWords = []string{"  Viagra ", "casino", "VIAGRA", "", "cheap pills"}
	s.Flags = moderation.FlagRules{ToHide: 5, TrustReputation: 2000}
	saved, err := st.Save(ctx, e.fx.Admin, s)
	if err != nil {
		t.Fatal(err)
	}
	want := s
	want.Spam.BlockWords = []string{"viagra", "casino", "cheap pills"}
	want.Version = 1
	if diff := cmp.Diff(want, saved); diff != "" {
		t.Errorf("saved (-want +got)\n%s", diff)
	}
	loaded, err := st.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, loaded); diff != "" {
		t.Errorf("loaded (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff(want, applied()); diff != "" {
		t.Errorf("applied on this node at once (-want +got)\n%s", diff)
	}
	if got := e.threads.Privileges().TrustReputation; got != 50 {
		t.Errorf("trust reputation in force %d, want 50", got)
	}

	// One audit row, with what changed, and one event, in the save's transaction.
	log, err := audit.New(e.db, e.clock.Now).List(ctx, audit.Filter{Action: audit.ChangeSettings}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Entries) != 1 {
		t.Fatalf("audit rows %+v, want 1", log.Entries)
	}
	r := log.Entries[0]
	wantBefore := "trust_reputation=20, max_links=3, repeat=24h, block_words=casino, flags_to_hide=3, flag_trust_reputation=500"
	wantAfter := "trust_reputation=50, max_links=0, repeat=30m, block_words=viagra | casino | cheap pills, flags_to_hide=5, flag_trust_reputation=2000"
	if r.ActorID != e.fx.Admin.ID || r.Before != wantBefore || r.After != wantAfter {
		t.Errorf("audit row by %d\n before %q\n after  %q\nwant by %d\n before %q\n after  %q", r.ActorID, r.Before, r.After, e.fx.Admin.ID, wantBefore, wantAfter)
	}
	var records []outbox.Entry
	if err := e.db.Reader(ctx).Where("topic = ?", event.TopicSettingsChanged).Find(&records).Error; err != nil {
		t.Fatal(err)
	}
	if len(records) != 1 || records[0].ActorID != e.fx.Admin.ID {
		t.Fatalf("settings.changed records %+v, want one by the admin", records)
	}
	ev, err := event.Decode[event.SettingsChanged](records[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := (event.SettingsChanged{Key: "moderation", Revision: 1}); ev != want {
		t.Errorf("event %+v, want %+v", ev, want)
	}

	// A second save from the version just read moves it on.
	saved.Spam.MaxLinks = 7
	if saved, err = st.Save(ctx, e.fx.Admin, saved); err != nil || saved.Version != 2 {
		t.Fatalf("second save: version %d, %v", saved.Version, err)
	}
}

func TestSettingsOnlyAdminsSave(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	st, _ := e.settingsStore(t)
	for _, u := range []*struct {
		name string
		err  func() error
	}{
		{"moderator saves", func() error { _, err := st.Save(ctx, e.fx.Moderator, envDefaults()); return err }},
		{"member saves", func() error { _, err := st.Save(ctx, e.fx.Member, envDefaults()); return err }},
		{"guest saves", func() error { _, err := st.Save(ctx, nil, envDefaults()); return err }},
		{"moderator resets", func() error { _, err := st.Reset(ctx, e.fx.Moderator); return err }},
	} {
		if err := u.err(); !errors.Is(err, thread.ErrForbidden) {
			t.Errorf("%s: %v, want ErrForbidden", u.name, err)
		}
	}
	if s, err := st.Load(ctx); err != nil || s.Version != 0 {
		t.Errorf("after refused saves: version %d, %v; want nothing stored", s.Version, err)
	}
}

func TestSettingsValidation(t *testing.T) {
	valid := envDefaults().Form()
	for _, c := range []struct {
		name string
		edit func(*moderation.SettingsForm)
		want validate.Errors
	}{
		{"the defaults", func(*moderation.SettingsForm) {}, nil},
		{"zeros turn checks off", func(f *moderation.SettingsForm) {
			f.TrustReputation, f.ReviewFirstPosts, f.NewcomerPostsPerDay, f.EditOthersReputation = "0", "0", "0", "0"
			f.MaxLinks, f.NewAccount, f.Repeat, f.BlockWords, f.FlagsToHide, f.FlagTrustReputation = "0", "0", "0s", "", "0", "0"
		}, nil},
		{"durations as typed", func(f *moderation.SettingsForm) { f.NewAccount, f.Repeat = "30m", "1h30m" }, nil},
		{"negative numbers", func(f *moderation.SettingsForm) {
			f.TrustReputation, f.ReviewFirstPosts, f.MaxLinks, f.FlagsToHide, f.NewAccount = "-1", "-1", "-5", "-1", "-1h"
		}, validate.Errors{"trust_reputation": "settings.error.reputation", "review_first_posts": "settings.error.small_count",
			"max_links": "settings.error.small_count", "flags_to_hide": "settings.error.small_count", "new_account": "settings.error.duration"}},
		{"too big", func(f *moderation.SettingsForm) {
			f.EditOthersReputation, f.NewcomerPostsPerDay, f.Repeat, f.FlagTrustReputation = "1000001", "1001", "8761h", "99999999999999999999"
		}, validate.Errors{"edit_others_reputation": "settings.error.reputation", "newcomer_posts_per_day": "settings.error.posts_per_day",
			"repeat": "settings.error.duration", "flag_trust_reputation": "settings.error.reputation"}},
		{"not numbers", func(f *moderation.SettingsForm) {
			f.TrustReputation, f.NewAccount, f.ReviewFirstPosts = "twenty", "one day", ""
		},
			validate.Errors{"trust_reputation": "settings.error.reputation", "new_account": "settings.error.duration", "review_first_posts": "form.required"}},
		{"too many block words", func(f *moderation.SettingsForm) {
			f.BlockWords = ""
			for i := range moderation.MaxBlockWords + 1 {
				f.BlockWords += "word" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "\n"
			}
		}, validate.Errors{"block_words": "settings.error.block_words_many"}},
		{"a long block word", func(f *moderation.SettingsForm) { f.BlockWords = "ok\n" + string(make([]byte, 101)) + "x" },
			validate.Errors{"block_words": "settings.error.block_word_long"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := valid
			c.edit(&f)
			_, err := f.Settings()
			got, _ := validate.From(err)
			if err != nil && got == nil {
				t.Fatalf("error %v carries no field problems", err)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("problems (-want +got)\n%s", diff)
			}
		})
	}
	s, err := moderation.SettingsForm{TrustReputation: " 5 ", ReviewFirstPosts: "2", NewcomerPostsPerDay: "3", EditOthersReputation: "4",
		MaxLinks: "1", NewAccount: "30m", Repeat: "0", BlockWords: "Casino\r\n\r\n cheap Pills \r\ncasino\r\n", FlagsToHide: "2",
		FlagTrustReputation: "100", Version: "7"}.Settings()
	if err != nil {
		t.Fatal(err)
	}
	want := moderation.Settings{Privileges: thread.Privileges{TrustReputation: 5, ReviewFirstPosts: 2, NewcomerPostsPerDay: 3, EditOthersReputation: 4},
		Spam:  thread.SpamRules{MaxLinks: 1, NewAccount: 30 * time.Minute, BlockWords: []string{"casino", "cheap pills"}},
		Flags: moderation.FlagRules{ToHide: 2, TrustReputation: 100}, Version: 7}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("parsed (-want +got)\n%s", diff)
	}
	if got := want.Form(); got.NewAccount != "30m" || got.Repeat != "0" || got.BlockWords != "casino\ncheap pills" {
		t.Errorf("form of parsed settings %+v", got)
	}

	// Save validates too, for callers that build Settings themselves.
	e := setup(t)
	st, _ := e.settingsStore(t)
	bad := envDefaults()
	bad.Spam.MaxLinks = -1
	if _, err := st.Save(context.Background(), e.fx.Admin, bad); err == nil {
		t.Error("saved a negative link limit")
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0", 24 * time.Hour: "24h", 30 * time.Minute: "30m",
		90 * time.Minute: "1h30m", 90 * time.Second: "1m30s", 36*time.Hour + time.Second: "36h0m1s"} {
		if got := moderation.FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
		if parsed, err := time.ParseDuration(want); err != nil && want != "0" || parsed != d {
			t.Errorf("%q parses to %v, %v", want, parsed, err)
		}
	}
}

// TestSettingsSavedMeanwhile: of two admins who loaded the form at the same
// version, the second to save is told and nothing of the first's is lost.
func TestSettingsSavedMeanwhile(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	st, _ := e.settingsStore(t)
	for i, round := range []string{"first save", "later save"} {
		loaded, err := st.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		first, second := loaded, loaded
		first.Spam.MaxLinks, second.Spam.MaxLinks = 5+i, 9
		if _, err := st.Save(ctx, e.fx.Admin, first); err != nil {
			t.Fatalf("%s: %v", round, err)
		}
		if _, err := st.Save(ctx, e.fx.Admin, second); !errors.Is(err, moderation.ErrSettingsChanged) {
			t.Errorf("%s, the second: %v, want ErrSettingsChanged", round, err)
		}
		if s, _ := st.Load(ctx); s.Spam.MaxLinks != 5+i || s.Version != loaded.Version+1 {
			t.Errorf("%s: stored %d links at version %d, want the first's %d at %d", round, s.Spam.MaxLinks, s.Version, 5+i, loaded.Version+1)
		}
	}

	// At the same moment: exactly one of them wins.
	loaded, err := st.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	for _, links := range []int{11, 12} {
		go func() {
			s := loaded
			s.Spam.MaxLinks = links
			_, err := st.Save(ctx, e.fx.Admin, s)
			errs <- err
		}()
	}
	var won, refused int
	for range 2 {
		switch err := <-errs; {
		case err == nil:
			won++
		case errors.Is(err, moderation.ErrSettingsChanged):
			refused++
		default:
			t.Errorf("concurrent save: %v", err)
		}
	}
	if won != 1 || refused != 1 {
		t.Errorf("concurrent saves: %d won, %d refused; want one each", won, refused)
	}
	var n int64
	if err := e.db.Reader(ctx).Raw("SELECT COUNT(*) FROM audit_log WHERE action = ?", audit.ChangeSettings).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("audit rows %d, want 3 (one per save that won)", n)
	}
}

func TestSettingsReset(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	st, applied := e.settingsStore(t)
	// What changes nothing writes nothing: a reset with nothing saved, a
	// save of the values in force.
	if got, err := st.Reset(ctx, e.fx.Admin); err != nil || got.Version != 0 {
		t.Fatalf("reset with nothing saved: version %d, %v; want 0", got.Version, err)
	}
	if got, err := st.Save(ctx, e.fx.Admin, envDefaults()); err != nil || got.Version != 0 {
		t.Fatalf("save of the defaults in force: version %d, %v; want 0", got.Version, err)
	}
	s := envDefaults()
	s.Spam.BlockWords = []string{"lottery"}
	saved, err := st.Save(ctx, e.fx.Admin, s)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := st.Save(ctx, e.fx.Admin, saved); err != nil || again.Version != 1 {
		t.Fatalf("the same save again: version %d, %v; want 1", again.Version, err)
	}
	reset, err := st.Reset(ctx, e.fx.Admin)
	if err != nil {
		t.Fatal(err)
	}
	want := envDefaults()
	want.Version = 2 // the version goes on, so that other nodes notice
	if diff := cmp.Diff(want, reset); diff != "" {
		t.Errorf("reset (-want +got)\n%s", diff)
	}
	if loaded, err := st.Load(ctx); err != nil || !cmp.Equal(want, loaded) {
		t.Errorf("loaded after reset %+v, %v; want %+v", loaded, err, want)
	}
	if diff := cmp.Diff(want, applied()); diff != "" {
		t.Errorf("applied after reset (-want +got)\n%s", diff)
	}
	var n int64
	if err := e.db.Reader(ctx).Raw("SELECT COUNT(*) FROM audit_log WHERE action = ?", audit.ChangeSettings).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("audit rows %d, want 2: the save and the reset", n)
	}
	// A form loaded before the reset is refused; one loaded after saves.
	if _, err := st.Save(ctx, e.fx.Admin, s); !errors.Is(err, moderation.ErrSettingsChanged) {
		t.Errorf("save of a form from before the reset: %v, want ErrSettingsChanged", err)
	}
	s.Version = reset.Version
	if saved, err := st.Save(ctx, e.fx.Admin, s); err != nil || saved.Version != 3 {
		t.Errorf("save after reset: version %d, %v", saved.Version, err)
	}
}

// TestSavedBlockWordHoldsTheNextPost: a word an admin adds to the block list
// holds the next answer with it at once, on this node.
func TestSavedBlockWordHoldsTheNextPost(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	st, _ := e.settingsStore(t)
	s := envDefaults()
	s.Privileges.TrustReputation = 0        // nobody is a newcomer
	s.Spam.NewAccount, s.Spam.Repeat = 0, 0 // the fixtures are minutes old
	s, err := st.Save(ctx, e.fx.Admin, s)
	if err != nil {
		t.Fatal(err)
	}
	th := e.ask(t, e.fx.Member, "Router keeps rebooting")
	before, err := e.threads.Reply(ctx, e.fx.Other, th.ID, "Try the lottery of firmware versions.")
	if err != nil {
		t.Fatal(err)
	}
	if before.Pending {
		t.Fatalf("held before the word was blocked: %q", before.HeldReason)
	}
	s.Spam.BlockWords = append(s.Spam.BlockWords, "Lottery")
	if _, err := st.Save(ctx, e.fx.Admin, s); err != nil {
		t.Fatal(err)
	}
	p, err := e.threads.Reply(ctx, e.fx.Other, th.ID, "Win the LOTTERY with a new router!")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Pending || p.HeldReason != thread.HeldBlocked {
		t.Errorf("answer with the blocked word: pending %v, reason %q; want held as %q", p.Pending, p.HeldReason, thread.HeldBlocked)
	}
	queue, err := e.s.Queue(ctx, e.fx.Moderator, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(queue.Items) != 1 || queue.Items[0].PostID != p.ID {
		t.Errorf("review queue %+v, want the answer %d", queue.Items, p.ID)
	}
}
