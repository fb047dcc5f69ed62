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

// TestPrune: records older than the cutoff go, the newer stay, and Pruned tells
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
	if mark, err := outbox.Pruned(ctx, db); err != nil || mark != (outbox.Position{}) {
		t.Fatalf("Pruned before any pruning = %+v, %v; want the zero position", mark, err)
	}

	// On PostgreSQL a write transaction of another test package holds back the
	// records of later transactions: pruning tries again, as the hourly
	// housekeeping would.
	prune := func(cutoff time.Time, wantLeft []int64) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			if _, err := outbox.Prune(ctx, db, cutoff); err != nil {
				t.Fatal(err)
			}
			left := entities((&reader{db: db}).readAll(t, len(wantLeft)))
			if slices.Equal(left, wantLeft) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("after pruning before %v the outbox holds %v, want %v", cutoff, left, wantLeft)
			}
		}
	}
	week := now.Add(-7 * 24 * time.Hour)
	prune(week, []int64{3, 4})
	mark, err := outbox.Pruned(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if mark != all[1].Position() {
		t.Errorf("Pruned = %+v, want the position of the second record %+v", mark, all[1].Position())
	}
	for i, want := range []bool{true, false, false, false} {
		if got := all[i].Position().Before(mark); got != want {
			t.Errorf("a reader at record %d is before the mark: %v, want %v", i+1, got, want)
		}
	}
	if n, err := outbox.Prune(ctx, db, week); err != nil || n != 0 {
		t.Errorf("pruning again removed %d, %v; want 0", n, err)
	}
	if again, _ := outbox.Pruned(ctx, db); again != mark {
		t.Errorf("pruning nothing moved the mark from %+v to %+v", mark, again)
	}

	prune(now.Add(time.Hour), nil)
	mark, _ = outbox.Pruned(ctx, db)
	if mark != all[3].Position() {
		t.Errorf("Pruned = %+v, want the position of the last record %+v", mark, all[3].Position())
	}
	// An index rebuilt now starts at the head: it must not count as behind.
	if head, err := outbox.Head(ctx, db); err != nil || head.Before(mark) {
		t.Errorf("Head = %+v, %v: before the pruned mark %+v", head, err, mark)
	}
	if err := outbox.Append(ctx, db, outbox.Thread, 5); err != nil {
		t.Fatal(err)
	}
	if got := entities((&reader{db: db, pos: all[3].Position()}).readAll(t, 1)); !slices.Equal(got, []int64{5}) {
		t.Errorf("after the last pruned record a reader reads %v, want [5]", got)
	}
}

// TestPruneAManyYearsOutbox: the first prune of a large forum removes all its
// old records, however many (on SQLite in several transactions).
func TestPruneAManyYearsOutbox(t *testing.T) {
	db, ctx := apptest.NewDB(t), context.Background()
	ids := make([]int64, 12_001)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	if err := outbox.Append(ctx, db, outbox.Thread, ids...); err != nil {
		t.Fatal(err)
	}
	last := (&reader{db: db}).readAll(t, len(ids))[len(ids)-1].Position()
	var n int64
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		removed, err := outbox.Prune(ctx, db, time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if n += removed; n >= int64(len(ids)) || time.Now().After(deadline) {
			break
		}
	}
	if n != int64(len(ids)) {
		t.Errorf("pruned %d records, want %d", n, len(ids))
	}
	if mark, err := outbox.Pruned(ctx, db); err != nil || mark != last {
		t.Errorf("Pruned = %+v, %v; want the last record's position %+v", mark, err, last)
	}
}
