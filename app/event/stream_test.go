package event_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/outbox"
)

// effects is a consumer that writes one row per record it handles, keyed by the
// record, so that handling a record again changes nothing (idempotent), and
// counts every delivery apart.
type effects struct {
	db   *database.DB
	name string
	// fail makes Handle fail while it returns true, before any effect.
	fail func(records []outbox.Entry) bool
	// after runs once the effects are written (the test's kill point).
	after  func()
	active atomic.Int32 // Handle calls running now, on any node of the test
	most   atomic.Int32
}

func (e *effects) Name() string { return e.name }

func (e *effects) Handle(ctx context.Context, records []outbox.Entry) error {
	if n := e.active.Add(1); n > e.most.Load() {
		e.most.Store(n)
	}
	defer e.active.Add(-1)
	if e.fail != nil && e.fail(records) {
		return errors.New("the mail server is down")
	}
	// One transaction: a reader sees a batch's effects and deliveries together.
	err := e.db.InTx(ctx, func(ctx context.Context) error {
		for _, r := range records {
			ev, err := event.Decode[event.KudosGiven](r)
			if err != nil {
				return err
			}
			if err := e.db.Writer(ctx).Exec("INSERT INTO test_effects (record_id, post_id) VALUES (?, ?) ON CONFLICT DO NOTHING", r.ID, ev.PostID).Error; err != nil {
				return err
			}
			if err := e.db.Writer(ctx).Exec("INSERT INTO test_deliveries (record_id) VALUES (?)", r.ID).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if e.after != nil {
		e.after()
	}
	return nil
}

func effectTables(t *testing.T, db *database.DB) {
	t.Helper()
	for _, q := range []string{"CREATE TABLE test_effects (record_id BIGINT PRIMARY KEY, post_id BIGINT NOT NULL)",
		"CREATE TABLE test_deliveries (record_id BIGINT NOT NULL)"} {
		if err := db.Writer(context.Background()).Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
}

// posts returns the post ids of the effects, in record order, and the number of
// deliveries.
func posts(t *testing.T, db *database.DB) ([]int64, int64) {
	t.Helper()
	var ids []int64
	if err := db.Reader(context.Background()).Raw("SELECT post_id FROM test_effects ORDER BY record_id").Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := db.Reader(context.Background()).Raw("SELECT COUNT(*) FROM test_deliveries").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return ids, n
}

func emitKudos(t *testing.T, db *database.DB, postIDs ...int64) {
	t.Helper()
	for _, id := range postIDs {
		err := db.InTx(context.Background(), func(ctx context.Context) error {
			return event.Emit(ctx, db, 7, event.KudosGiven{ThreadID: 1, PostID: id, AuthorID: 2})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// register makes the consumer's position, at the head of the outbox, as its
// first run would.
func register(t *testing.T, db *database.DB, name string) {
	t.Helper()
	ctx := context.Background()
	if _, ok, err := outbox.Claim(ctx, db, name, "setup", time.Minute); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if err := outbox.Release(ctx, db, name, "setup"); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, s *event.Stream) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Run(ctx) }()
	return func() { cancel(); <-done }
}

func TestEmitCommitsWithTheChangeAndDecodes(t *testing.T) {
	db, ctx := apptest.NewDB(t), context.Background()
	boom := errors.New("boom")
	err := db.InTx(ctx, func(ctx context.Context) error {
		if err := event.Emit(ctx, db, 3, event.AnswerPosted{ThreadID: 5, PostID: 9, AuthorID: 3, AskerID: 4}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	want := event.SolutionAccepted{ThreadID: 5, PostID: 9, AuthorID: 3, AskerID: 4}
	if err := db.InTx(ctx, func(ctx context.Context) error { return event.Emit(ctx, db, 4, want) }); err != nil {
		t.Fatal(err)
	}
	var records []outbox.Entry
	if err := db.Reader(ctx).Order("id").Find(&records).Error; err != nil {
		t.Fatal(err)
	}
	if len(records) != 1 {
		t.Fatalf("records %+v, want only the committed one", records)
	}
	r := records[0]
	if r.Topic != event.TopicSolutionAccepted || r.EntityID != 5 || r.ActorID != 4 || r.Version != 1 {
		t.Errorf("record %+v", r)
	}
	got, err := event.Decode[event.SolutionAccepted](r)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("decoded %+v, want %+v", got, want)
	}
	if _, err := event.Decode[event.KudosGiven](r); err == nil {
		t.Error("a record decoded as another topic's event")
	}
	if !event.AboutThread(r.Topic) || event.AboutThread(event.TopicBadgeGranted) {
		t.Error("AboutThread: solution.accepted is about a thread, badge.granted is not")
	}
}

func TestConsumerHearsFromItsFirstRunOnInOrder(t *testing.T) {
	db := apptest.NewDB(t)
	effectTables(t, db)
	emitKudos(t, db, 1, 2) // before the consumer existed: not its business
	c := &effects{db: db, name: "mail"}
	s := event.NewStream(db, apptest.Log(t), "node-a", event.Options{Interval: 5 * time.Millisecond, Batch: 2})
	s.Add(c)
	stop := run(t, s)
	defer stop()
	if !apptest.Eventually(20*time.Second, func() bool {
		pos, err := outbox.ReaderPosition(context.Background(), db, "mail")
		return err == nil && (pos != outbox.Position{})
	}) {
		t.Fatal("the consumer never started")
	}
	emitKudos(t, db, 3, 4, 5, 6, 7)
	want := []int64{3, 4, 5, 6, 7}
	if !apptest.Eventually(20*time.Second, func() bool { got, _ := posts(t, db); return len(got) == len(want) }) {
		got, _ := posts(t, db)
		t.Fatalf("handled %v, want %v", got, want)
	}
	got, n := posts(t, db)
	if diff := cmp.Diff(want, got); diff != "" || n != 5 {
		t.Errorf("handled (-want +got)\n%s, %d deliveries, want 5", diff, n)
	}
}

func TestAFailingConsumerRetriesAndSkipsNothing(t *testing.T) {
	db := apptest.NewDB(t)
	effectTables(t, db)
	register(t, db, "webhooks")
	var failures atomic.Int32
	c := &effects{db: db, name: "webhooks", fail: func(records []outbox.Entry) bool {
		// The batch starting at the second record fails three times.
		p, _ := event.Decode[event.KudosGiven](records[0])
		return p.PostID == 2 && failures.Add(1) <= 3
	}}
	s := event.NewStream(db, apptest.Log(t), "node-a", event.Options{Interval: 5 * time.Millisecond, MaxWait: 40 * time.Millisecond, Batch: 1})
	s.Add(c)
	emitKudos(t, db, 1, 2, 3)
	stop := run(t, s)
	defer stop()
	if !apptest.Eventually(20*time.Second, func() bool { got, _ := posts(t, db); return len(got) == 3 }) {
		got, _ := posts(t, db)
		t.Fatalf("handled %v", got)
	}
	got, n := posts(t, db)
	if diff := cmp.Diff([]int64{1, 2, 3}, got); diff != "" || n != 3 || failures.Load() < 4 {
		t.Errorf("handled (-want +got)\n%s; %d deliveries, %d tries of the failing batch", diff, n, failures.Load())
	}
}

// Two nodes run the same consumer: one at a time handles, and together they
// handle every record.
func TestOneNodeAtATimeReadsForAConsumer(t *testing.T) {
	db := apptest.NewDB(t)
	effectTables(t, db)
	register(t, db, "rollup")
	c := &effects{db: db, name: "rollup"}
	var stops []func()
	for _, node := range []string{"node-a", "node-b"} {
		s := event.NewStream(db, apptest.Log(t), node, event.Options{Interval: time.Millisecond, Lease: time.Second, Batch: 3})
		s.Add(c)
		stops = append(stops, run(t, s))
	}
	var want []int64
	for i := int64(1); i <= 30; i++ {
		emitKudos(t, db, i)
		want = append(want, i)
	}
	if !apptest.Eventually(20*time.Second, func() bool { got, _ := posts(t, db); return len(got) == len(want) }) {
		got, _ := posts(t, db)
		t.Fatalf("handled %v", got)
	}
	for _, stop := range stops {
		stop()
	}
	got, _ := posts(t, db)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("handled (-want +got)\n%s", diff)
	}
	if m := c.most.Load(); m != 1 {
		t.Errorf("%d Handle calls ran at once, want 1", m)
	}
}

// Environment of the child process of TestAKilledConsumerHandlesTheBatchAgain.
const (
	envChild = "SCHWARM_TEST_EVENT_CHILD"
	envURL   = "SCHWARM_TEST_EVENT_URL"
	envFile  = "SCHWARM_TEST_EVENT_FILE"
)

// TestMain lets the test binary be the node that dies: with envChild set it
// runs the consumer until it has handled a batch and exits before the stream
// saves its position, as a node killed at that point would.
func TestMain(m *testing.M) {
	if os.Getenv(envChild) != "" {
		os.Exit(childNode())
	}
	os.Exit(m.Run())
}

func childNode() int {
	ctx := context.Background()
	db, err := database.Open(ctx, database.Options{URL: os.Getenv(envURL), File: os.Getenv(envFile), MaxConns: 2})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	c := &effects{db: db, name: "notify", after: func() { os.Exit(3) }}
	s := event.NewStream(db, slog.New(slog.DiscardHandler), "doomed", event.Options{Interval: 5 * time.Millisecond, Lease: 500 * time.Millisecond})
	s.Add(c)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s.Run(ctx)
	fmt.Fprintln(os.Stderr, "the child handled nothing in 30 s")
	return 1
}

func TestAKilledConsumerHandlesTheBatchAgain(t *testing.T) {
	ctx := context.Background()
	url, file := apptest.DatabaseURL(t), filepath.Join(t.TempDir(), "schwarm.db")
	db, err := database.Open(ctx, database.Options{URL: url, File: file, MaxConns: 4, Log: apptest.Log(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	effectTables(t, db)
	register(t, db, "notify")
	before, err := outbox.ReaderPosition(ctx, db, "notify")
	if err != nil {
		t.Fatal(err)
	}
	emitKudos(t, db, 1, 2, 3)

	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), envChild+"=1", envURL+"="+url, envFile+"="+file)
	out, err := child.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("the child node did not die after handling: %v\n%s", err, out)
	}
	got, n := posts(t, db)
	after, err := outbox.ReaderPosition(ctx, db, "notify")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{1, 2, 3}, got); diff != "" || n != 3 || after != before {
		t.Fatalf("after the kill: effects (-want +got)\n%s, %d deliveries, position %+v (was %+v)", diff, n, after, before)
	}

	// Another node takes over once the dead one's lease has run out, and
	// handles the batch again: at least once, and the same effects.
	s := event.NewStream(db, apptest.Log(t), "survivor", event.Options{Interval: 5 * time.Millisecond, Lease: 200 * time.Millisecond})
	s.Add(&effects{db: db, name: "notify"})
	stop := run(t, s)
	defer stop()
	emitKudos(t, db, 4)
	if !apptest.Eventually(20*time.Second, func() bool { got, _ := posts(t, db); return len(got) == 4 }) {
		got, _ := posts(t, db)
		t.Fatalf("the survivor handled %v", got)
	}
	stop()
	got, n = posts(t, db)
	if diff := cmp.Diff([]int64{1, 2, 3, 4}, got); diff != "" || n != 7 {
		t.Errorf("effects (-want +got)\n%s; %d deliveries, want 7 (the killed batch twice)", diff, n)
	}
}

// slow blocks in its first Handle until its ctx ends, then handles normally.
type slow struct {
	effects
	calls atomic.Int32
}

func (s *slow) Handle(ctx context.Context, records []outbox.Entry) error {
	if s.calls.Add(1) == 1 {
		<-ctx.Done()
		return ctx.Err()
	}
	return s.effects.Handle(ctx, records)
}

// A batch that takes longer than the lease is cut off when the lease runs out
// (another node may have taken it over by then) and handled again.
func TestAHandleLongerThanTheLeaseIsCutOff(t *testing.T) {
	db := apptest.NewDB(t)
	effectTables(t, db)
	register(t, db, "crm")
	c := &slow{effects: effects{db: db, name: "crm"}}
	s := event.NewStream(db, apptest.Log(t), "node-a", event.Options{Interval: 5 * time.Millisecond, Lease: 300 * time.Millisecond})
	s.Add(c)
	emitKudos(t, db, 1, 2)
	start := time.Now()
	stop := run(t, s)
	defer stop()
	if !apptest.Eventually(20*time.Second, func() bool { got, _ := posts(t, db); return len(got) == 2 }) {
		got, _ := posts(t, db)
		t.Fatalf("handled %v after %d calls", got, c.calls.Load())
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the stuck batch was cut off after %v, want about the 300 ms lease", took)
	}
	if got, n := posts(t, db); len(got) != 2 || n != 2 || c.calls.Load() < 2 {
		t.Errorf("effects %v, %d deliveries, %d calls", got, n, c.calls.Load())
	}
}
