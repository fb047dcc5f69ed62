package database_test

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/migrations"
)

// TestConcurrentMigrate starts two nodes at once on one database: both must
// succeed, every pending migration applied exactly once between them. On a fresh
// database goose itself copes with the race to create its version table (after a
// second's retry); an upgrade is where only the lock keeps both nodes from
// applying the same versions.
func TestConcurrentMigrate(t *testing.T) {
	for _, from := range []int64{0, 1} {
		t.Run(fmt.Sprintf("from version %d", from), func(t *testing.T) {
			ctx := context.Background()
			o := database.Options{
				URL: apptest.DatabaseURL(t), File: filepath.Join(t.TempDir(), "schwarm.db"), MaxConns: 2, Log: apptest.Log(t),
			}
			var nodes [2]*database.DB
			for i := range nodes {
				db, err := database.Open(ctx, o)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				nodes[i] = db
			}
			want := migrationFiles(t, string(nodes[0].Dialect))
			if from > 0 {
				if err := nodes[0].MigrateTo(ctx, from); err != nil {
					t.Fatal(err)
				}
				want = want[from:]
			}
			var wg sync.WaitGroup
			var applied [2][]string
			var errs [2]error
			for i, db := range nodes {
				wg.Go(func() { applied[i], errs[i] = db.Migrate(ctx) })
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("node %d: Migrate: %v", i, err)
				}
			}
			got := slices.Sorted(slices.Values(append(applied[0], applied[1]...)))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("migrations applied by both nodes (-want +got):\n%s", diff)
			}
			for i, db := range nodes {
				if err := db.CheckSchema(ctx); err != nil {
					t.Errorf("node %d: CheckSchema: %v", i, err)
				}
			}
		})
	}
}

// TestDialectsHaveSameVersions: a version missing in one dialect would leave its
// databases a schema behind the other's without any error.
func TestDialectsHaveSameVersions(t *testing.T) {
	sqlite := migrationFiles(t, string(database.SQLite))
	postgres := migrationFiles(t, string(database.Postgres))
	if len(sqlite) == 0 {
		t.Fatal("no migrations found")
	}
	if diff := cmp.Diff(sqlite, postgres); diff != "" {
		t.Errorf("migrations/sqlite and migrations/postgres differ (-sqlite +postgres):\n%s", diff)
	}
}

// migrationFiles lists the migration file names of a dialect, sorted.
func migrationFiles(t *testing.T, dialect string) []string {
	t.Helper()
	names, err := fs.Glob(migrations.FS, dialect+"/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	slices.Sort(names)
	return names
}
