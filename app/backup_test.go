package app_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app"
	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/search"
	"github.com/schwarm/schwarm/app/thread"
)

// TestBackupUnderWritesAndRestore backs a forum up while members keep
// answering, restores it into a fresh data directory, and checks that the
// restored forum serves a consistent moment of the original: every post it has
// is the original's, word for word, none written before the backup began is
// missing, the uploaded image is there, and search finds the threads.
func TestBackupUnderWritesAndRestore(t *testing.T) {
	cfg := apptest.Config(t, nil)
	if cfg.DatabaseURL != "" {
		t.Skip("PostgreSQL is backed up with pg_dump: TestPgDumpRestore")
	}
	a := apptest.NewApp(t, cfg)
	ctx := context.Background()
	fx := apptest.Seed(t, a.Users)
	b := &board.Board{Slug: "internet", NameEN: "Internet", NameDE: "Internet"}
	if err := a.Boards.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	var threads []*thread.Thread
	for i := range 5 {
		th, err := a.Threads.Create(ctx, fx.Member, thread.Ask{BoardID: b.ID, Title: fmt.Sprintf("Router number %d drops the line", i), Body: "Every night."})
		if err != nil {
			t.Fatal(err)
		}
		threads = append(threads, th)
	}
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	var pngBytes bytes.Buffer
	if err := png.Encode(&pngBytes, img); err != nil {
		t.Fatal(err)
	}
	up, err := a.Uploads.Save(ctx, fx.Member.ID, &pngBytes)
	if err != nil {
		t.Fatal(err)
	}

	// Members answer throughout the backup.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var written atomic.Int64
	for w := range 2 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := a.Threads.Reply(ctx, fx.Agent, threads[(w+i)%len(threads)].ID, fmt.Sprintf("Answer %d of writer %d.", i, w)); err != nil {
					t.Error(err)
					return
				}
				written.Add(1)
			}
		})
	}
	if !apptest.Eventually(20*time.Second, func() bool { return written.Load() >= 20 }) {
		t.Fatal("the writers did not get going")
	}
	before := countPosts(t, a.DB)
	var backup bytes.Buffer
	stats, err := a.Backup(ctx, &backup)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if stats.Uploads != 1 || stats.Database == 0 {
		t.Errorf("backup stats %+v, want the database and one image", stats)
	}

	dir := filepath.Join(t.TempDir(), "restored")
	if _, err := app.Restore(bytes.NewReader(backup.Bytes()), dir); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Restore(bytes.NewReader(backup.Bytes()), dir); !errors.Is(err, app.ErrRestoreNotEmpty) {
		t.Errorf("a second restore over the first: %v, want ErrRestoreNotEmpty", err)
	}
	r := apptest.NewApp(t, apptest.Config(t, func(c *config.Config) { c.DataDir, c.DatabaseURL = dir, "" }))
	if err := r.OpenSearch(ctx); err != nil {
		t.Fatal(err)
	}

	restored := postsByID(t, r.DB)
	original := postsByID(t, a.DB)
	if len(restored) < before {
		t.Errorf("the restored forum has %d posts, %d were written before the backup began", len(restored), before)
	}
	for id, src := range restored {
		if original[id] != src {
			t.Errorf("restored post %d = %q, the original %q", id, src, original[id])
		}
	}
	for _, th := range threads {
		got, err := r.Threads.Get(ctx, th.ID)
		if err != nil {
			t.Fatal(err)
		}
		var answers int64
		if err := r.DB.Reader(ctx).Table("posts").Where("thread_id = ? AND NOT is_question", th.ID).Count(&answers).Error; err != nil {
			t.Fatal(err)
		}
		if int64(got.AnswerCount) != answers {
			t.Errorf("restored thread %d counts %d answers and has %d: not one moment", th.ID, got.AnswerCount, answers)
		}
	}
	if f, err := r.Uploads.Open(ctx, up.Name()); err != nil {
		t.Errorf("the uploaded image after the restore: %v", err)
	} else {
		f.Close()
	}
	res, err := r.Searcher.Find(ctx, nil, search.Query{Text: "router drops line", Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Found) != len(threads) {
		t.Errorf("search in the restored forum found %d threads, want the %d", len(res.Found), len(threads))
	}
}

// TestRestoreRefusesWhatIsNoBackup: a file that is no backup, or holds a path
// outside the data directory, restores nothing.
func TestRestoreRefusesWhatIsNoBackup(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string][]byte{
		"not gzip":        []byte("hello"),
		"empty":           gzipTar(t, nil),
		"escaping":        gzipTar(t, map[string]string{"schwarm-backup.json": `{"format":1}`, "schwarm.db": "x", "../evil": "x"}),
		"no db":           gzipTar(t, map[string]string{"schwarm-backup.json": `{"format":1}`}),
		"a future format": gzipTar(t, map[string]string{"schwarm-backup.json": `{"format":9}`, "schwarm.db": "x"}),
	} {
		if _, err := app.Restore(bytes.NewReader(body), dir); err == nil {
			t.Errorf("%s: restored", name)
		}
		if _, err := os.Stat(filepath.Join(dir, "schwarm.db")); err == nil {
			t.Fatalf("%s: left a database behind", name)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "evil")); err == nil {
		t.Error("a path outside the data directory was written")
	}
}

func countPosts(t *testing.T, db *database.DB) int {
	t.Helper()
	var n int64
	if err := db.Reader(context.Background()).Table("posts").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func postsByID(t *testing.T, db *database.DB) map[int64]string {
	t.Helper()
	var rows []struct {
		ID     int64
		Source string
	}
	if err := db.Reader(context.Background()).Table("posts").Select("id, source").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	m := make(map[int64]string, len(rows))
	for _, r := range rows {
		m[r.ID] = r.Source
	}
	return m
}

// gzipTar packs files (name → content) as a backup would be packed.
func gzipTar(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPgDumpRestore checks what the README says of PostgreSQL: pg_dump of the
// forum's schema, restored with pg_restore into an empty database, serves the
// same threads, and schwarm backup names pg_dump instead of writing anything.
func TestPgDumpRestore(t *testing.T) {
	cfg := apptest.Config(t, nil)
	if cfg.DatabaseURL == "" {
		t.Skip("SQLite is backed up by schwarm backup: TestBackupUnderWritesAndRestore")
	}
	pgDump, err := exec.LookPath("pg_dump")
	if err != nil {
		t.Skip("no pg_dump on PATH")
	}
	pgRestore, err := exec.LookPath("pg_restore")
	if err != nil {
		t.Skip("no pg_restore on PATH")
	}
	a := apptest.NewApp(t, cfg)
	ctx := context.Background()
	if _, err := a.Backup(ctx, io.Discard); !errors.Is(err, app.ErrBackupPostgres) {
		t.Errorf("schwarm backup on PostgreSQL: %v, want ErrBackupPostgres", err)
	}
	fx := apptest.Seed(t, a.Users)
	b := &board.Board{Slug: "internet", NameEN: "Internet", NameDE: "Internet"}
	if err := a.Boards.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	th, err := a.Threads.Create(ctx, fx.Member, thread.Ask{BoardID: b.ID, Title: "Router drops the line at night", Body: "Every night."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Threads.Reply(ctx, fx.Agent, th.ID, "Update the firmware to 7.2."); err != nil {
		t.Fatal(err)
	}

	u, err := url.Parse(cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("search_path")
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	base := u.String()
	dump := filepath.Join(t.TempDir(), "forum.dump")
	if out, err := exec.Command(pgDump, "--format=custom", "--no-owner", "--schema="+schema, "--file="+dump, base).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	restoredDB := "restored_" + schema
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + restoredDB); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { // after the restored forum's own cleanup closed it
		if _, err := admin.Exec("DROP DATABASE " + restoredDB + " WITH (FORCE)"); err != nil {
			t.Errorf("drop the restored database: %v", err)
		}
		admin.Close()
	})
	u.Path = "/" + restoredDB
	if out, err := exec.Command(pgRestore, "--no-owner", "--dbname="+u.String(), dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	r := apptest.NewApp(t, apptest.Config(t, func(c *config.Config) { c.DatabaseURL = u.String() }))
	if got, want := postsByID(t, r.DB), postsByID(t, a.DB); len(got) != len(want) || len(got) != 2 {
		t.Errorf("restored %d posts, the original has %d", len(got), len(want))
	} else {
		for id, src := range want {
			if got[id] != src {
				t.Errorf("restored post %d = %q, want %q", id, got[id], src)
			}
		}
	}
	if got, err := r.Threads.Get(ctx, th.ID); err != nil || got.Title != th.Title || got.AnswerCount != 1 {
		t.Errorf("the restored thread: %+v, %v", got, err)
	}
}
