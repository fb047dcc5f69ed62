package outbox_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/outbox"
)

func TestAppendCommitsWithTheChange(t *testing.T) {
	db, ctx := apptest.NewDB(t), context.Background()
	boom := errors.New("boom")
	err := db.InTx(ctx, func(ctx context.Context) error {
		if err := outbox.Append(ctx, db, outbox.Thread, 1); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	for _, id := range []int64{2, 3, 4} {
		if err := db.InTx(ctx, func(ctx context.Context) error { return outbox.Append(ctx, db, outbox.Thread, id) }); err != nil {
			t.Fatal(err)
		}
	}
	all := (&reader{db: db}).readAll(t, 3)
	if len(all) != 3 || all[0].EntityID != 2 || all[2].EntityID != 4 {
		t.Fatalf("entries %+v; the rolled-back one must be missing, the rest in order", all)
	}
	rest, _ := outbox.After(ctx, db, all[0].Position(), 1)
	if len(rest) != 1 || rest[0].EntityID != 3 {
		t.Errorf("After(first, 1) = %+v", rest)
	}
}

// reader reads the outbox like an indexer: from where it got to, in small batches.
type reader struct {
	db   *database.DB
	pos  outbox.Position
	read []outbox.Entry // in the order read
}

// catchUp reads what After returns now.
func (r *reader) catchUp(t *testing.T) {
	t.Helper()
	for {
		entries, err := outbox.After(context.Background(), r.db, r.pos, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) == 0 {
			return
		}
		r.read = append(r.read, entries...)
		r.pos = entries[len(entries)-1].Position()
	}
}

// readAll catches up until it has read n records in all. On PostgreSQL a write
// transaction anywhere on the server (another test package's) holds back the
// records of every later transaction until it ends, so one catch-up may stop
// short: the reader tries again, as the indexer does on its next tick.
func (r *reader) readAll(t *testing.T, n int) []outbox.Entry {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		r.catchUp(t)
		if len(r.read) >= n || time.Now().After(deadline) {
			return r.read
		}
	}
}

// entities returns the entity ids of records.
func entities(records []outbox.Entry) []int64 {
	var ids []int64
	for _, e := range records {
		ids = append(ids, e.EntityID)
	}
	return ids
}

// TestAReaderNeverPassesALateCommit: transaction A appends first and so takes the
// lower id, B appends later and commits first, a reader catches up in between,
// then A commits. Over both catch-ups the reader must have read both records.
// Going by id alone, the reader stored B's id as its position and never read A's.
func TestAReaderNeverPassesALateCommit(t *testing.T) {
	db, ctx := apptest.NewDB(t), context.Background()
	r := &reader{db: db}
	appendTo := func(entity int64, appended chan<- struct{}, commit <-chan struct{}) <-chan error {
		done := make(chan error, 1)
		go func() {
			done <- db.InTx(ctx, func(ctx context.Context) error {
				if err := outbox.Append(ctx, db, outbox.Thread, entity); err != nil {
					return err
				}
				close(appended)
				<-commit
				return nil
			})
		}()
		return done
	}
	aAppended, aCommit := make(chan struct{}), make(chan struct{})
	aDone := appendTo(1, aAppended, aCommit)
	apptest.AwaitStep(t, aAppended, aDone)
	bAppended, bCommit := make(chan struct{}), make(chan struct{})
	close(bCommit)
	bDone := appendTo(2, bAppended, bCommit)
	if db.Dialect == database.Postgres {
		apptest.AwaitStep(t, bAppended, bDone)
		if err := <-bDone; err != nil {
			t.Fatal(err)
		}
	}
	// On SQLite, B waits for the one writer connection, which A holds: there ids
	// commit in order, and the reader finds neither record yet.
	r.catchUp(t)
	close(aCommit)
	if err := <-aDone; err != nil {
		t.Fatal(err)
	}
	if db.Dialect != database.Postgres {
		if err := <-bDone; err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]int64{1, 2}, entities(r.readAll(t, 2))); diff != "" {
		t.Errorf("entities read (-want +got):\n%s", diff)
	}
}

// TestHead: a reader that starts at the head taken before a change reads that
// change, even when its transaction began before the head was taken; records
// read again are allowed, records missed are not.
func TestHead(t *testing.T) {
	db, ctx := apptest.NewDB(t), context.Background()
	if err := outbox.Append(ctx, db, outbox.Thread, 1); err != nil {
		t.Fatal(err)
	}
	commit := make(chan struct{})
	done := make(chan error, 1)
	appended := make(chan struct{})
	if db.Dialect == database.Postgres {
		// A transaction that has written its record but not committed when the
		// head is taken: on SQLite it would hold the writer, and the single
		// writer needs no such case.
		go func() {
			done <- db.InTx(ctx, func(ctx context.Context) error {
				if err := outbox.Append(ctx, db, outbox.Thread, 2); err != nil {
					return err
				}
				close(appended)
				<-commit
				return nil
			})
		}()
		apptest.AwaitStep(t, appended, done)
	}
	head, err := outbox.Head(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	close(commit)
	if db.Dialect == database.Postgres {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if err := outbox.Append(ctx, db, outbox.Thread, 3); err != nil {
		t.Fatal(err)
	}
	want := []int64{3}
	if db.Dialect == database.Postgres {
		want = []int64{2, 3}
	}
	// On PostgreSQL a transaction of another test package, running when the
	// head was taken, may put record 1 past it too: records past the head may
	// be read again, never missed. SQLite's head is exact.
	r := &reader{db: db, pos: head}
	var got []int64
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		r.catchUp(t)
		got = entities(r.read)
		if len(got) > 0 && got[len(got)-1] == 3 || time.Now().After(deadline) {
			break
		}
	}
	if db.Dialect == database.Postgres {
		got = slices.DeleteFunc(got, func(id int64) bool { return id == 1 })
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entities read after the head (-want +got):\n%s", diff)
	}
}

// TestPositionOfAnIDAlone: a position with only an id goes on after that id on SQLite, where ids
// commit in order, and reads everything again on PostgreSQL, where the reader may
// have passed a record that committed late.
func TestPositionOfAnIDAlone(t *testing.T) {
	db, ctx := apptest.NewDB(t), context.Background()
	for _, id := range []int64{1, 2, 3} {
		if err := outbox.Append(ctx, db, outbox.Thread, id); err != nil {
			t.Fatal(err)
		}
	}
	all := (&reader{db: db}).readAll(t, 3)
	if len(all) != 3 {
		t.Fatalf("read %+v, want 3 records", all)
	}
	want := []int64{3}
	if db.Dialect == database.Postgres {
		want = []int64{1, 2, 3}
	}
	r := &reader{db: db, pos: outbox.Position{ID: all[1].ID}}
	if diff := cmp.Diff(want, entities(r.readAll(t, len(want)))); diff != "" {
		t.Errorf("entities read (-want +got):\n%s", diff)
	}
}

// TestPrune: records older than the cutoff go, the newer stay, and Lost tells
// which readers may have missed some: those before the last record removed.
func TestPrune(t *testing.T) {
	db, ctx := apptest.NewDB(t), context.Background()
	for _, id := range []int64{1, 2, 3, 4} {
		if err := outbox.Append(ctx, db, outbox.Thread, id); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().UTC()
	if err := db.Writer(ctx).Exec("UPDATE outbox SET created_at = ? WHERE entity_id IN (1, 2)", now.Add(-10*24*time.Hour)).Error; err != nil {
		t.Fatal(err)
	}
	all := (&reader{db: db}).readAll(t, 4)
	// lost checks Lost for a reader at the start and at each record.
	lost := func(want ...bool) {
		t.Helper()
		for i, pos := range append([]outbox.Position{{}}, positions(all)...) {
			if got, err := outbox.Lost(ctx, db, pos); err != nil || got != want[i] {
				t.Errorf("a reader at record %d (%+v): lost %v, %v; want %v", i, pos, got, err, want[i])
			}
		}
	}
	lost(false, false, false, false, false)

	// On PostgreSQL a write transaction of another test package holds back the
	// records of later transactions: pruning tries again, as the hourly
	// housekeeping would.
	prune := func(cutoff time.Time, wantLeft []int64) {
		t.Helper()
		var left []int64
		if !apptest.Eventually(10*time.Second, func() bool {
			if _, err := outbox.Prune(ctx, db, cutoff); err != nil {
				t.Fatal(err)
			}
			left = entities((&reader{db: db}).readAll(t, len(wantLeft)))
			return slices.Equal(left, wantLeft)
		}) {
			t.Fatalf("after pruning before %v the outbox holds %v, want %v", cutoff, left, wantLeft)
		}
	}
	week := now.Add(-7 * 24 * time.Hour)
	prune(week, []int64{3, 4})
	lost(true, true, false, false, false)
	if n, err := outbox.Prune(ctx, db, week); err != nil || n != 0 {
		t.Errorf("pruning again removed %d, %v; want 0", n, err)
	}
	lost(true, true, false, false, false)

	prune(now.Add(time.Hour), nil)
	lost(true, true, true, true, false)
	// An index rebuilt now starts at the head: it must not count as lost.
	head, err := outbox.Head(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := outbox.Lost(ctx, db, head); err != nil || got {
		t.Errorf("a reader at the head %+v: lost %v, %v", head, got, err)
	}
	if err := outbox.Append(ctx, db, outbox.Thread, 5); err != nil {
		t.Fatal(err)
	}
	if got := entities((&reader{db: db, pos: all[3].Position()}).readAll(t, 1)); !slices.Equal(got, []int64{5}) {
		t.Errorf("after the last pruned record a reader reads %v, want [5]", got)
	}
}

func positions(records []outbox.Entry) []outbox.Position {
	var out []outbox.Position
	for _, e := range records {
		out = append(out, e.Position())
	}
	return out
}

// TestLostAfterARestore: a reader that read a newer copy of the database than
// the one now there (restored from a backup) has lost track. On PostgreSQL a
// prune note restored from another cluster's dump, whose transaction ids run
// higher, is ignored: this cluster's readers missed none of it.
func TestLostAfterARestore(t *testing.T) {
	db, ctx := apptest.NewDB(t), context.Background()
	if err := outbox.Append(ctx, db, outbox.Thread, 1); err != nil {
		t.Fatal(err)
	}
	read := (&reader{db: db}).readAll(t, 1)[0].Position()
	ahead := outbox.Position{Tx: read.Tx, ID: read.ID + 1_000_000}
	if db.Dialect == database.Postgres {
		ahead = outbox.Position{Tx: read.Tx + 1_000_000_000, ID: 1}
	}
	if got, err := outbox.Lost(ctx, db, ahead); err != nil || !got {
		t.Errorf("a reader of a newer copy %+v: lost %v, %v; want true", ahead, got, err)
	}
	if got, err := outbox.Lost(ctx, db, read); err != nil || got {
		t.Errorf("a reader of this copy %+v: lost %v, %v; want false", read, got, err)
	}
	if db.Dialect != database.Postgres {
		return
	}
	// A note restored from another cluster's dump, whose transaction ids run
	// higher: this cluster's readers have missed none of it, and the next
	// prune replaces it.
	if err := db.Writer(ctx).Exec("INSERT INTO outbox_pruned (id, txid, last_id) VALUES (1, '5000000000', 7)").Error; err != nil {
		t.Fatal(err)
	}
	if got, err := outbox.Lost(ctx, db, read); err != nil || got {
		t.Errorf("a reader of this cluster under a restored note: lost %v, %v; want false", got, err)
	}
	if !apptest.Eventually(10*time.Second, func() bool {
		if _, err := outbox.Prune(ctx, db, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		lost, err := outbox.Lost(ctx, db, outbox.Position{})
		if err != nil {
			t.Fatal(err)
		}
		return lost
	}) {
		t.Error("after a prune in this cluster a reader at the start is not lost")
	}
}

// TestPruneAManyYearsOutbox: the first prune of a large forum removes all its
// old records, however many (in several transactions).
func TestPruneAManyYearsOutbox(t *testing.T) {
	db, ctx := apptest.NewDB(t), context.Background()
	ids := make([]int64, 12_001)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	if err := outbox.Append(ctx, db, outbox.Thread, ids...); err != nil {
		t.Fatal(err)
	}
	all := (&reader{db: db}).readAll(t, len(ids))
	var n int64
	apptest.Eventually(10*time.Second, func() bool {
		removed, err := outbox.Prune(ctx, db, time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		n += removed
		return n >= int64(len(ids))
	})
	if n != int64(len(ids)) {
		t.Errorf("pruned %d records, want %d", n, len(ids))
	}
	for _, i := range []int{len(ids) - 2, len(ids) - 1} {
		want := i < len(ids)-1
		if got, err := outbox.Lost(ctx, db, all[i].Position()); err != nil || got != want {
			t.Errorf("a reader at record %d: lost %v, %v; want %v", i+1, got, err, want)
		}
	}
}

// Pruning keeps what a consumer that ran within the retention or a live node's
// index has yet to read, and forgets nodes gone for longer than NodeTimeout.
func TestPruneWaitsForConsumersAndLiveNodes(t *testing.T) {
	db, ctx := apptest.NewDB(t), context.Background()
	// The consumer starts at the head, before every record below.
	if _, ok, err := outbox.Claim(ctx, db, "mail", "node-a", time.Minute); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	for _, id := range []int64{1, 2, 3, 4, 5} {
		if err := outbox.Append(ctx, db, outbox.Thread, id); err != nil {
			t.Fatal(err)
		}
	}
	all := (&reader{db: db}).readAll(t, 5)
	if err := db.Writer(ctx).Exec("UPDATE outbox SET created_at = ?", time.Now().UTC().Add(-10*24*time.Hour)).Error; err != nil {
		t.Fatal(err)
	}
	cutoff := time.Now().Add(-24 * time.Hour) // every record is old enough
	prune := func(wantLeft []int64) {
		t.Helper()
		var left []int64
		if !apptest.Eventually(10*time.Second, func() bool {
			if _, err := outbox.Prune(ctx, db, cutoff); err != nil {
				t.Fatal(err)
			}
			left = entities((&reader{db: db}).readAll(t, len(wantLeft)))
			return slices.Equal(left, wantLeft)
		}) {
			t.Fatalf("after pruning the outbox holds %v, want %v", left, wantLeft)
		}
	}
	prune([]int64{1, 2, 3, 4, 5}) // mail has read nothing
	if ok, err := outbox.Save(ctx, db, "mail", "node-a", all[1].Position()); err != nil || !ok {
		t.Fatalf("save: %v %v", ok, err)
	}
	if ok, err := outbox.Save(ctx, db, "mail", "node-b", all[4].Position()); err != nil || ok {
		t.Fatalf("a node without the lease saved a position: %v %v", ok, err)
	}
	// A live node's index has read up to the third record.
	if err := outbox.Heartbeat(ctx, db, outbox.Node{ID: "n1", Host: "h", StartedAt: time.Now(), Index: all[2].Position()}); err != nil {
		t.Fatal(err)
	}
	prune([]int64{3, 4, 5})
	// mail has not run for longer than the retention (it was retired): the
	// node's index counts.
	if err := db.Writer(ctx).Exec("UPDATE outbox_readers SET lease_until = ?", time.Now().UTC().Add(-48*time.Hour)).Error; err != nil {
		t.Fatal(err)
	}
	prune([]int64{4, 5})
	// A node not seen for longer than NodeTimeout is not waited for.
	if err := db.Writer(ctx).Exec("UPDATE nodes SET seen_at = ?", time.Now().UTC().Add(-2*outbox.NodeTimeout)).Error; err != nil {
		t.Fatal(err)
	}
	prune(nil)
	if err := outbox.Leave(ctx, db, "n1"); err != nil {
		t.Fatal(err)
	}
	if nodes, err := outbox.LiveNodes(ctx, db); err != nil || len(nodes) != 0 {
		t.Errorf("live nodes after leaving: %v, %v", nodes, err)
	}
}
