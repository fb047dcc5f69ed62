package database_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/database"
)

func TestMigrateTwiceIsNoOp(t *testing.T) {
	db := apptest.NewDB(t) // migrated once
	applied, err := db.Migrate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Errorf("second run applied %v", applied)
	}
	if err := db.CheckSchema(context.Background()); err != nil {
		t.Errorf("CheckSchema after migrate: %v", err)
	}
}

func TestCheckSchemaOnEmptyDatabase(t *testing.T) {
	db, err := database.Open(context.Background(), database.Options{
		URL: apptest.DatabaseURL(t), File: filepath.Join(t.TempDir(), "x.db"), MaxConns: 2, Log: apptest.Log(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CheckSchema(context.Background()); !errors.Is(err, database.ErrSchemaBehind) {
		t.Errorf("CheckSchema on an empty database = %v, want ErrSchemaBehind", err)
	}
}

func TestInTx(t *testing.T) {
	db, ctx := apptest.NewDB(t), context.Background()
	insert := func(ctx context.Context, name string) error {
		return db.Writer(ctx).Exec("INSERT INTO secrets (name, value, created_at) VALUES (?, 'v', CURRENT_TIMESTAMP)", name).Error
	}
	count := func(ctx context.Context, name string) int64 {
		var n int64
		db.Reader(ctx).Table("secrets").Where("name = ?", name).Count(&n)
		return n
	}
	boom := errors.New("boom")
	err := db.InTx(ctx, func(ctx context.Context) error {
		if err := insert(ctx, "rolled-back"); err != nil {
			return err
		}
		if count(ctx, "rolled-back") != 1 {
			t.Error("a transaction does not see its own write through Reader")
		}
		return db.InTx(ctx, func(ctx context.Context) error { return boom }) // nested joins
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v", err)
	}
	if n := count(ctx, "rolled-back"); n != 0 {
		t.Errorf("rolled-back row visible: %d", n)
	}
	if err := db.InTx(ctx, func(ctx context.Context) error { return insert(ctx, "kept") }); err != nil {
		t.Fatal(err)
	}
	if n := count(ctx, "kept"); n != 1 {
		t.Errorf("committed row count %d", n)
	}
}

func TestSQLiteSettings(t *testing.T) {
	db := apptest.NewDB(t)
	if db.Dialect != database.SQLite {
		t.Skip("SQLite only")
	}
	ctx := context.Background()
	var mode string
	db.Reader(ctx).Raw("PRAGMA journal_mode").Scan(&mode)
	var fk, timeout int
	db.Reader(ctx).Raw("PRAGMA foreign_keys").Scan(&fk)
	db.Reader(ctx).Raw("PRAGMA busy_timeout").Scan(&timeout)
	if mode != "wal" || fk != 1 || timeout < 1000 {
		t.Errorf("journal_mode=%s foreign_keys=%d busy_timeout=%d", mode, fk, timeout)
	}
	if err := db.Reader(ctx).Exec("DELETE FROM users").Error; err == nil {
		t.Error("reader connections accept writes")
	}
	err := db.Writer(ctx).Exec("INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at) VALUES ('x', 424242, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)").Error
	if err == nil {
		t.Error("foreign keys are not enforced")
	}
}

// TestInTxRunsADeadlockedTransactionAgain: two transactions locking two rows in
// opposite orders deadlock on PostgreSQL; the one the server aborts runs again,
// and both commit.
func TestInTxRunsADeadlockedTransactionAgain(t *testing.T) {
	db, ctx := apptest.NewDB(t), context.Background()
	if db.Dialect != database.Postgres {
		t.Skip("SQLite has one writer: its transactions cannot deadlock")
	}
	for _, name := range []string{"a", "b"} {
		if err := db.Writer(ctx).Exec("INSERT INTO secrets (name, value, created_at) VALUES (?, '0', CURRENT_TIMESTAMP)", name).Error; err != nil {
			t.Fatal(err)
		}
	}
	var attempts atomic.Int32
	firstLocks := make(chan struct{}, 2)
	both := make(chan struct{})
	go func() { <-firstLocks; <-firstLocks; close(both) }()
	run := func(first, second string) error {
		var tries int
		return db.InTx(ctx, func(ctx context.Context) error {
			attempts.Add(1)
			tries++
			w := db.Writer(ctx)
			if err := w.Exec("UPDATE secrets SET value = value || ? WHERE name = ?", "+", first).Error; err != nil {
				return err
			}
			if tries == 1 { // the first time round, each waits until both hold their first row
				firstLocks <- struct{}{}
				<-both
			}
			return w.Exec("UPDATE secrets SET value = value || ? WHERE name = ?", "+", second).Error
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- run("a", "b") }()
	go func() { errs <- run("b", "a") }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("a transaction failed: %v", err)
		}
	}
	// At least one side ran again; on a busy machine a retry may meet the other
	// side once more before it commits.
	if n := attempts.Load(); n < 3 {
		t.Errorf("%d attempts, want a side of the deadlock run again", n)
	}
	var values []string
	if err := db.Reader(ctx).Table("secrets").Where("name IN ?", []string{"a", "b"}).Order("name").Pluck("value", &values).Error; err != nil {
		t.Fatal(err)
	}
	if len(values) != 2 || values[0] != "0++" || values[1] != "0++" {
		t.Errorf("values %v, want each row changed once by each transaction", values)
	}
}

func TestAfterCommitRunsOnlyOnCommit(t *testing.T) {
	db := apptest.NewDB(t)
	ctx := context.Background()
	var ran []string
	database.AfterCommit(ctx, func() { ran = append(ran, "outside") })
	err := db.InTx(ctx, func(ctx context.Context) error {
		database.AfterCommit(ctx, func() { ran = append(ran, "committed") })
		return db.InTx(ctx, func(ctx context.Context) error { // nested: runs with the outer commit
			database.AfterCommit(ctx, func() { ran = append(ran, "nested") })
			if len(ran) != 1 {
				t.Errorf("ran before the commit: %v", ran)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	failed := errors.New("refused")
	if err := db.InTx(ctx, func(ctx context.Context) error {
		database.AfterCommit(ctx, func() { ran = append(ran, "rolled back") })
		return failed
	}); !errors.Is(err, failed) {
		t.Fatalf("InTx = %v", err)
	}
	if want := []string{"outside", "committed", "nested"}; !slices.Equal(ran, want) {
		t.Errorf("ran %v, want %v", ran, want)
	}
}
