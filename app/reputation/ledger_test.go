package reputation_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/i18n"
	"github.com/schwarm/schwarm/app/markup"
	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/reputation"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/locales"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type env struct {
	db      *database.DB
	users   *user.Service
	threads *thread.Service
	mod     *moderation.Service
	rep     *reputation.Service
	fx      apptest.Fixtures
	board   *board.Board
	clock   *clock
}

func setup(t *testing.T, priv thread.Privileges) *env {
	t.Helper()
	db := apptest.NewDB(t)
	clk := &clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	users := user.NewService(db, apptest.FastPasswords, []string{"en", "de"}, auth.NewSessions(db, time.Hour, clk.now), clk.now)
	cfg := apptest.Config(t, nil)
	rep, err := reputation.NewService(db, cfg.Points, cfg.Ranks, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, users: users, rep: rep, fx: apptest.Seed(t, users), clock: clk,
		threads: thread.NewService(db, markup.New(), 24*time.Hour, clk.now)}
	e.threads.SetLedger(rep, priv)
	e.mod = moderation.NewService(db, e.threads, nil, audit.New(db, time.Now), time.Now)
	e.board = &board.Board{Slug: "internet", NameEN: "Internet", NameDE: "Internet"}
	if err := board.NewService(db, clk.now).Create(context.Background(), e.board); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) member(t *testing.T, handle string) *user.User {
	t.Helper()
	u, err := e.users.Register(context.Background(), user.Registration{Handle: handle, Email: handle + "@example.com", Password: apptest.Password})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (e *env) ask(t *testing.T, u *user.User) *thread.Thread {
	t.Helper()
	th, err := e.threads.Create(context.Background(), u, thread.Ask{BoardID: e.board.ID, Title: "Router drops the Wi-Fi", Body: "Every evening."})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.add(time.Minute)
	return th
}

func (e *env) answer(t *testing.T, u *user.User, th *thread.Thread) *thread.Post {
	t.Helper()
	p, err := e.threads.Reply(context.Background(), u, th.ID, "Change the channel.")
	if err != nil {
		t.Fatal(err)
	}
	e.clock.add(time.Minute)
	return p
}

// reputation reads u's stored reputation.
func (e *env) reputation(t *testing.T, u *user.User) int64 {
	t.Helper()
	got, err := e.users.Get(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got.Reputation
}

func (e *env) events(t *testing.T) int64 {
	t.Helper()
	var n int64
	if err := e.db.Reader(context.Background()).Table("reputation_events").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// clean fails unless Repair finds nothing to repair.
func (e *env) clean(t *testing.T) {
	t.Helper()
	r, err := e.rep.Repair(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Clean() {
		t.Errorf("repair found differences after normal use:\n%s", r)
	}
}

func TestLedgerFollowsTheForum(t *testing.T) {
	e := setup(t, thread.Privileges{})
	ctx := context.Background()
	asker, helper, second := e.fx.Member, e.fx.Other, e.member(t, "greta")
	th := e.ask(t, asker)
	a1 := e.answer(t, helper, th) // first answer to an unanswered first question, within 30 minutes: +2
	a2 := e.answer(t, second, th) // not the first: +0
	own := e.answer(t, asker, th) // the asker's own reply earns nothing
	want := map[*user.User]int64{asker: 0, helper: 2, second: 0}
	check := func(step string) {
		t.Helper()
		for u, r := range want {
			if got := e.reputation(t, u); got != r {
				t.Errorf("%s: %s has %d reputation, want %d", step, u.Handle, got, r)
			}
		}
		e.clean(t)
	}
	check("answers")

	if _, _, err := e.threads.GiveKudos(ctx, second, a1.ID); err != nil {
		t.Fatal(err)
	}
	want[helper] += 10
	check("kudos")

	before := e.events(t)
	refusals := []struct {
		name string
		do   func() error
		want error
	}{
		{"kudos twice", func() error { _, _, err := e.threads.GiveKudos(ctx, second, a1.ID); return err }, thread.ErrKudosGiven},
		{"kudos on own post", func() error { _, _, err := e.threads.GiveKudos(ctx, helper, a1.ID); return err }, thread.ErrOwnPost},
		{"taking back kudos never given", func() error { _, _, err := e.threads.TakeKudos(ctx, asker, a1.ID); return err }, thread.ErrNoKudos},
		{"accepting in someone else's thread", func() error { _, err := e.threads.Accept(ctx, second, a1.ID); return err }, thread.ErrForbidden},
		{"accepting the question", func() error { q := th.ID; _, err := e.threads.Accept(ctx, asker, firstPost(t, e, q)); return err }, thread.ErrNotAnswer},
		{"withdrawing a solution that isn't there", func() error { _, err := e.threads.Unaccept(ctx, asker, th.ID); return err }, thread.ErrNoSolution},
	}
	for _, r := range refusals {
		if err := r.do(); !errors.Is(err, r.want) {
			t.Errorf("%s: err = %v, want %v", r.name, err, r.want)
		}
	}
	if got := e.events(t); got != before {
		t.Errorf("refused actions wrote %d ledger rows", got-before)
	}
	check("refusals")

	if _, err := e.threads.Accept(ctx, asker, a1.ID); err != nil {
		t.Fatal(err)
	}
	want[helper] += 15
	want[asker] += 2
	check("accept")
	if _, err := e.threads.Accept(ctx, asker, a1.ID); !errors.Is(err, thread.ErrAlreadySolution) {
		t.Errorf("accepting the solution again: %v", err)
	}

	if _, err := e.threads.Accept(ctx, e.fx.Agent, a2.ID); err != nil { // agents may choose too
		t.Fatal(err)
	}
	want[helper] -= 15
	want[second] += 15
	check("change of solution")

	if _, err := e.threads.Accept(ctx, asker, own.ID); err != nil { // the asker's own answer earns nothing
		t.Fatal(err)
	}
	want[second] -= 15
	want[asker] -= 2
	check("own answer as solution")

	if _, err := e.threads.Accept(ctx, asker, a2.ID); err != nil {
		t.Fatal(err)
	}
	want[second] += 15
	want[asker] += 2
	if _, err := e.mod.Delete(ctx, e.fx.Moderator, a2.ID); err != nil { // hiding the solution reopens the thread
		t.Fatal(err)
	}
	want[second] += -15 - 10
	want[asker] -= 2
	check("moderator hides the solution")
	got, err := e.threads.Get(ctx, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != thread.StateOpen || got.SolutionPostID != nil {
		t.Errorf("after the solution was hidden: state %s, solution %v", got.State, got.SolutionPostID)
	}
	if _, err := e.threads.Accept(ctx, asker, a2.ID); !errors.Is(err, thread.ErrNotFound) {
		t.Errorf("accepting a deleted post: %v", err)
	}
	if _, err := e.mod.Restore(ctx, e.fx.Moderator, a2.ID); err != nil {
		t.Fatal(err)
	}
	want[second] += 10
	check("restore")

	if _, _, err := e.threads.TakeKudos(ctx, second, a1.ID); err != nil {
		t.Fatal(err)
	}
	want[helper] -= 10
	check("kudos taken back")

	st, err := e.rep.Standing(ctx, helper)
	if err != nil {
		t.Fatal(err)
	}
	var badges []string
	for _, b := range st.Badges {
		badges = append(badges, b.ID)
	}
	for _, b := range []string{"first_answer", "welcome", "first_solution"} {
		if !slices.Contains(badges, b) {
			t.Errorf("helper's badges %v lack %s", badges, b)
		}
	}
	if st.Answers != 1 || st.Solutions != 0 || st.Kudos != 0 {
		t.Errorf("helper's stats: %+v", st.Stats)
	}
}

func firstPost(t *testing.T, e *env, threadID int64) int64 {
	t.Helper()
	var id int64
	if err := e.db.Reader(context.Background()).Table("posts").Where("thread_id = ? AND is_question", threadID).Select("id").Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

// TestConcurrentKudos has many members give kudos to one post at once, each
// twice: every member counts exactly once.
func TestConcurrentKudos(t *testing.T) {
	e := setup(t, thread.Privileges{})
	th := e.ask(t, e.fx.Member)
	a := e.answer(t, e.fx.Other, th)
	var givers []*user.User
	for i := range 12 {
		givers = append(givers, e.member(t, "giver"+string(rune('a'+i))))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(givers))
	for _, u := range givers {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, err := e.threads.GiveKudos(context.Background(), u, a.ID)
				errs <- err
			}()
		}
	}
	wg.Wait()
	close(errs)
	ok, twice := 0, 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, thread.ErrKudosGiven):
			twice++
		default:
			t.Errorf("kudos: %v", err)
		}
	}
	if ok != len(givers) || twice != len(givers) {
		t.Errorf("%d kudos counted and %d refused, want %d each", ok, twice, len(givers))
	}
	p, err := e.threads.GetPost(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.KudosCount != len(givers) {
		t.Errorf("kudos count %d, want %d", p.KudosCount, len(givers))
	}
	if got, want := e.reputation(t, e.fx.Other), int64(2+10*len(givers)); got != want {
		t.Errorf("reputation %d, want %d", got, want)
	}
	e.clean(t)
}

// TestRacingAccepts has the asker and an agent choose different solutions at the
// same moment: the thread ends with one of them, and the ledger agrees.
func TestRacingAccepts(t *testing.T) {
	e := setup(t, thread.Privileges{})
	for range 5 {
		th := e.ask(t, e.fx.Member)
		a1 := e.answer(t, e.fx.Other, th)
		a2 := e.answer(t, e.fx.Admin, th)
		var wg sync.WaitGroup
		for _, accept := range []struct {
			u *user.User
			p *thread.Post
		}{{e.fx.Member, a1}, {e.fx.Agent, a2}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := e.threads.Accept(context.Background(), accept.u, accept.p.ID); err != nil && !errors.Is(err, thread.ErrConflict) {
					t.Errorf("accept: %v", err)
				}
			}()
		}
		wg.Wait()
		got, err := e.threads.Get(context.Background(), th.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.SolutionPostID == nil || (*got.SolutionPostID != a1.ID && *got.SolutionPostID != a2.ID) || got.State != thread.StateSolved {
			t.Errorf("after racing accepts: state %s, solution %v", got.State, got.SolutionPostID)
		}
	}
	e.clean(t)
}

func TestBadgeTexts(t *testing.T) {
	b, err := i18n.Load(locales.FS, "en")
	if err != nil {
		t.Fatal(err)
	}
	cfg := apptest.Config(t, nil)
	for _, lang := range b.Languages() {
		var keys []string
		for _, badge := range reputation.Badges {
			keys = append(keys, "badge."+badge.ID+".name", "badge."+badge.ID+".desc", "badges.tier."+badge.Tier)
		}
		for _, r := range cfg.Ranks {
			keys = append(keys, "rank.name."+strings.ToLower(r.Name))
		}
		have := map[string]bool{}
		for _, k := range b.Keys(lang) {
			have[k] = true
		}
		for _, k := range keys {
			if !have[k] {
				t.Errorf("%s: no text for %s", lang, k)
			}
		}
	}
}

// TestRepairFindsAndFixes tampers with what the ledger implies and expects repair
// to report each difference, fix it, and find nothing the second time.
func TestRepairFindsAndFixes(t *testing.T) {
	e := setup(t, thread.Privileges{})
	ctx := context.Background()
	th := e.ask(t, e.fx.Member)
	a := e.answer(t, e.fx.Other, th)
	if _, _, err := e.threads.GiveKudos(ctx, e.fx.Agent, a.ID); err != nil {
		t.Fatal(err)
	}
	w := e.db.Writer(ctx)
	for _, q := range []string{
		"UPDATE users SET reputation = 999 WHERE id = " + fmt.Sprint(e.fx.Other.ID),
		"DELETE FROM user_badges WHERE badge = 'curious'",
		"INSERT INTO user_badges (user_id, badge, granted_at) VALUES (" + fmt.Sprint(e.fx.Agent.ID) + ", 'centurion', CURRENT_TIMESTAMP)",
		"UPDATE posts SET kudos_count = 7 WHERE id = " + fmt.Sprint(a.ID),
		"UPDATE threads SET answer_count = 5 WHERE id = " + fmt.Sprint(th.ID),
	} {
		if err := w.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	r, err := e.rep.Repair(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Reputation) != 1 || r.Reputation[0].Stored != 999 || r.Reputation[0].Ledger != 12 ||
		len(r.BadgesAdded) != 1 || r.BadgesAdded[0].Badge != "curious" ||
		len(r.BadgesRemoved) != 1 || r.BadgesRemoved[0].Badge != "centurion" || r.KudosCounts != 1 || r.AnswerCounts != 1 {
		t.Errorf("repair report:\n%s", r)
	}
	e.clean(t)
	if got := e.reputation(t, e.fx.Other); got != 12 {
		t.Errorf("repaired reputation %d, want 12", got)
	}
}

// TestAwardingCatchesUp: badges whose grant went missing (say, a node stopped
// half-way through an import that bypassed the ledger) come back with the
// member's next ledger event, each exactly once, with a badge.granted event each.
func TestAwardingCatchesUp(t *testing.T) {
	e := setup(t, thread.Privileges{})
	ctx := context.Background()
	th := e.ask(t, e.fx.Member)
	a := e.answer(t, e.fx.Other, th)
	if _, err := e.threads.Accept(ctx, e.fx.Member, a.ID); err != nil {
		t.Fatal(err)
	}
	count := func(q string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := e.db.Reader(ctx).Raw(q, args...).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	held := count("SELECT COUNT(*) FROM user_badges WHERE user_id = ?", e.fx.Other.ID)
	notices := count("SELECT COUNT(*) FROM outbox WHERE topic = 'badge.granted'")
	if held < 2 || notices != count("SELECT COUNT(*) FROM user_badges") {
		t.Fatalf("otto holds %d badges; %d badge notices for %d grants", held, notices, count("SELECT COUNT(*) FROM user_badges"))
	}
	if err := e.db.Writer(ctx).Exec("DELETE FROM user_badges WHERE user_id = ?", e.fx.Other.ID).Error; err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.threads.GiveKudos(ctx, e.fx.Agent, a.ID); err != nil {
		t.Fatal(err)
	}
	if got := count("SELECT COUNT(*) FROM user_badges WHERE user_id = ?", e.fx.Other.ID); got != held {
		t.Errorf("after the next event otto holds %d badges, want %d", got, held)
	}
	if got := count("SELECT COUNT(*) FROM outbox WHERE topic = 'badge.granted'"); got != notices+held {
		t.Errorf("%d badge notices, want %d", got, notices+held)
	}
	e.clean(t)
}
