package apptest

import (
	"context"
	"database/sql"
	"fmt"
	"html"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/markup"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// BigDB describes a large synthetic forum for benchmarks.
type BigDB struct {
	Threads     int // questions
	Answers     int // answers per thread on average
	LongThreads int // every LongThreads-th thread has LongAnswers answers
	LongAnswers int
	Queued      int // answers from newcomers waiting for review, on top of Answers
	AuditRows   int // staff actions in the audit log
	// Realistic writes every post anew from ZipfWords, a third of the threads in
	// German, with real lengths, instead of from the 57 words of Sentence: a
	// forum whose queries touch few threads, as real ones do. Without it the
	// forum is the worst case, where every word is in most threads.
	Realistic bool
}

// RealisticMillion is Million written like real text.
var RealisticMillion = BigDB{Threads: 100_000, Answers: 9, LongThreads: 100, LongAnswers: 40, Queued: 1000, AuditRows: 10_000, Realistic: true}

// Million is the size the benchmarks and load runs are measured on: 100k threads,
// about 1M posts.
var Million = BigDB{Threads: 100_000, Answers: 9, LongThreads: 100, LongAnswers: 40, Queued: 1000, AuditRows: 10_000}

// Moderator is the handle of the big forum's moderator, who took every action in
// its audit log.
const Moderator = "moderator"

// DataDir returns a data directory holding a migrated SQLite forum of size d, built
// once and kept under the user's cache directory (SCHWARM_BENCH_CACHE overrides),
// because building it takes a while. Benchmarks share it; they only read.
func (d BigDB) DataDir(tb testing.TB) string {
	tb.Helper()
	root := os.Getenv("SCHWARM_BENCH_CACHE")
	if root == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			tb.Fatal(err)
		}
		root = filepath.Join(cache, "schwarm-bench")
	}
	dir := filepath.Join(root, fmt.Sprintf("t%d-a%d-l%d-%d-q%d-m%d-v2", d.Threads, d.Answers, d.LongThreads, d.LongAnswers, d.Queued, d.AuditRows))
	if d.Realistic {
		dir += "-zipf"
	}
	if _, err := os.Stat(filepath.Join(dir, "complete")); err == nil {
		return dir
	}
	tb.Logf("building benchmark forum in %s (once)", dir)
	start := time.Now()
	if err := os.RemoveAll(dir); err != nil {
		tb.Fatal(err)
	}
	if err := d.Build(dir, ""); err != nil {
		tb.Fatalf("apptest: build big database: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "complete"), nil, 0o644); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("built in %s", time.Since(start).Round(time.Second))
	return dir
}

var words = strings.Fields(`router wifi internet connection slow drops evening password reset
	login account invoice billing charge refund roaming abroad sim esim phone contract cancel
	upgrade tariff data volume speed fibre dsl cable modem firmware update error message
	signal coverage mobile network outage hotline callback appointment technician bill
	payment direct debit address change move home landline number porting voicemail`)

// Sentence is n words of the benchmark forum's vocabulary, capitalised: what its
// titles, posts and the load runs' queries are made of.
func Sentence(r *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = words[r.IntN(len(words))]
	}
	return capitalise(strings.Join(w, " "))
}

func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// Build writes a forum of size d into a database that has none yet: the SQLite
// file under dir when dbURL is empty, else the PostgreSQL database at dbURL. It
// migrates first, then bulk-loads in one transaction over one plain connection
// with prepared statements, which is minutes faster than the services' write path.
func (d BigDB) Build(dir, dbURL string) error {
	ctx := context.Background()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	file := filepath.Join(dir, "schwarm.db")
	db, err := database.Open(ctx, database.Options{URL: dbURL, File: file, MaxConns: 2, Log: discardLog()})
	if err != nil {
		return err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return err
	}
	db.Close()

	dialector := sqlite.Open("file:" + file + "?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)&_pragma=foreign_keys(0)")
	if dbURL != "" {
		dialector = postgres.Open(dbURL)
	}
	g, err := gorm.Open(dialector, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return err
	}
	sqlDB, _ := g.DB()
	defer sqlDB.Close()
	bulk := &bulkTx{postgres: dbURL != ""}
	if bulk.Tx, err = sqlDB.Begin(); err != nil {
		return err
	}
	defer bulk.Rollback()
	if err := d.load(bulk); err != nil {
		return err
	}
	if bulk.postgres { // the threads came with their ids: move the sequence past them
		if _, err := bulk.Exec("SELECT setval(pg_get_serial_sequence('threads', 'id'), (SELECT max(id) FROM threads))"); err != nil {
			return err
		}
	}
	if err := bulk.Commit(); err != nil {
		return err
	}
	_, err = sqlDB.Exec("ANALYZE")
	return err
}

// bulkTx writes the statements of load with "?" placeholders on either database.
type bulkTx struct {
	*sql.Tx
	postgres bool
}

func (b *bulkTx) Prepare(query string) (*sql.Stmt, error) { return b.Tx.Prepare(b.rebind(query)) }

func (b *bulkTx) Exec(query string, args ...any) (sql.Result, error) {
	return b.Tx.Exec(b.rebind(query), args...)
}

// rebind numbers the placeholders for PostgreSQL ($1, $2, …); no statement of
// load has a "?" inside a string.
func (b *bulkTx) rebind(query string) string {
	if !b.postgres {
		return query
	}
	var out strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&out, "$%d", n)
			continue
		}
		out.WriteRune(r)
	}
	return out.String()
}

func (d BigDB) load(tx *bulkTx) error {
	r := rand.New(rand.NewPCG(1, 2))
	md := markup.New()
	bodies := make([][2]string, 64)
	for i := range bodies {
		src := Sentence(r, 20) + ".\n\n" + Sentence(r, 25) + " **" + Sentence(r, 3) + "**.\n\n- " + Sentence(r, 6) + "\n- " + Sentence(r, 7)
		html, err := md.Render(src)
		if err != nil {
			return err
		}
		bodies[i] = [2]string{src, html}
	}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	hash, _ := user.HashPassword(Password, FastPasswords)
	const users, boards = 2000, 12
	if err := execMany(tx, "INSERT INTO users (handle, display_name, email, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, 'member', ?, ?)", users, func(i int) []any {
		return []any{fmt.Sprintf("user%d", i), fmt.Sprintf("User %d", i), fmt.Sprintf("user%d@example.com", i), hash, now, now}
	}); err != nil {
		return err
	}
	if err := execMany(tx, "INSERT INTO boards (slug, name_en, name_de, description_en, description_de, position, post_role, thread_count, created_at) VALUES (?, ?, ?, '', '', ?, 'member', ?, ?)", boards, func(i int) []any {
		return []any{fmt.Sprintf("board-%d", i+1), fmt.Sprintf("Board %d", i+1), fmt.Sprintf("Bereich %d", i+1), i, d.Threads / boards, now}
	}); err != nil {
		return err
	}
	threadStmt, err := tx.Prepare("INSERT INTO threads (id, board_id, author_id, title, slug, language, state, answer_count, view_count, created_at, last_activity_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
	if err != nil {
		return err
	}
	postStmt, err := tx.Prepare("INSERT INTO posts (thread_id, author_id, is_question, official, source, html, created_at, updated_at) VALUES (?, ?, ?, FALSE, ?, ?, ?, ?)")
	if err != nil {
		return err
	}
	for t := 1; t <= d.Threads; t++ {
		answers := r.IntN(2*d.Answers + 1)
		if t%d.LongThreads == 0 {
			answers = d.LongAnswers
		}
		created := now.Add(-time.Duration(d.Threads-t) * 10 * time.Minute)
		last := created.Add(time.Duration(answers) * time.Hour)
		title, lang := Sentence(r, 4+r.IntN(6))+"?", "en"
		if d.Realistic {
			if r.IntN(3) == 0 {
				lang = "de"
			}
			title = capitalise(ZipfWords(r, lang, 5+r.IntN(8))) + "?"
		}
		state := thread.StateOpen
		if answers > 0 && r.IntN(3) == 0 {
			state = thread.StateSolved
		}
		if _, err := threadStmt.Exec(t, t%boards+1, r.IntN(users)+1, title, thread.Slugify(title), lang, state, answers, r.IntN(500), created, last); err != nil {
			return err
		}
		for p := 0; p <= answers; p++ {
			b := bodies[r.IntN(len(bodies))]
			if d.Realistic { // a question of 20–80 words, answers of 10–60
				n := 10 + r.IntN(51)
				if p == 0 {
					n = 20 + r.IntN(61)
				}
				src := capitalise(ZipfWords(r, lang, n)) + "."
				b = [2]string{src, "<p>" + html.EscapeString(src) + "</p>"}
			}
			at := created.Add(time.Duration(p) * time.Hour)
			if _, err := postStmt.Exec(t, r.IntN(users)+1, p == 0, b[0], b[1], at, at); err != nil {
				return err
			}
		}
	}
	return d.buildModeration(tx, r, now, users, bodies, hash)
}

// buildModeration adds what the moderators' pages read: a moderator (user
// members+1), answers of the newest members held for review, and the moderator's
// past actions in the audit log.
func (d BigDB) buildModeration(tx *bulkTx, r *rand.Rand, now time.Time, members int, bodies [][2]string, hash string) error {
	if _, err := tx.Exec("INSERT INTO users (handle, display_name, email, password_hash, role, created_at, updated_at) VALUES (?, 'Moderator', 'moderator@example.com', ?, 'moderator', ?, ?)",
		Moderator, hash, now, now); err != nil {
		return err
	}
	mod := members + 1
	err := execMany(tx, "INSERT INTO posts (thread_id, author_id, is_question, official, source, html, created_at, updated_at, pending, held_reason) VALUES (?, ?, FALSE, FALSE, ?, ?, ?, ?, TRUE, ?)", d.Queued, func(i int) []any {
		b := bodies[r.IntN(len(bodies))]
		at := now.Add(-time.Duration(d.Queued-i) * time.Minute)
		reason := []string{thread.HeldNewcomer, thread.HeldLink, thread.HeldRepeat}[i%3]
		return []any{d.Threads - r.IntN(d.Threads/10), members - r.IntN(200), b[0], b[1], at, at, reason}
	})
	if err != nil {
		return err
	}
	actions := []string{"post.approve", "post.reject", "post.delete", "post.restore", "member.restrict"}
	return execMany(tx, "INSERT INTO audit_log (actor_id, action, member_id, thread_id, post_id, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", d.AuditRows, func(i int) []any {
		at := now.Add(-time.Duration(d.AuditRows-i) * 7 * time.Minute)
		return []any{mod, actions[i%len(actions)], r.IntN(members) + 1, r.IntN(d.Threads) + 1, r.IntN(d.Threads*d.Answers) + 1, Sentence(r, 5), at}
	})
}

func execMany(tx *bulkTx, query string, n int, args func(int) []any) error {
	stmt, err := tx.Prepare(query)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i := range n {
		if _, err := stmt.Exec(args(i)...); err != nil {
			return err
		}
	}
	return nil
}
