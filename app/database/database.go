package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"github.com/schwarm/schwarm/migrations"
)

// Dialect names the database engine behind a DB.
type Dialect string

// The supported dialects; each has its own directory under migrations/.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Options say which database to open.
type Options struct {
	URL      string // postgres://…; empty means SQLite at File
	File     string // SQLite database file
	MaxConns int    // reader pool (SQLite) or connection pool (PostgreSQL)
	Log      *slog.Logger
}

// DB is the store. SQLite allows one writer at a time, so it gets a single writer
// connection (transactions start IMMEDIATE, so they never fail half-way on a lock
// upgrade) and a separate pool of read-only connections; on PostgreSQL both are
// the same pool.
type DB struct {
	Dialect Dialect
	write   *gorm.DB
	read    *gorm.DB
	file    string // SQLite only: the migration lock lives beside it
}

// Open connects to the database described by o. It does not migrate.
func Open(ctx context.Context, o Options) (*DB, error) {
	cfg := &gorm.Config{
		Logger:         slowLog{log: o.Log, threshold: 500 * time.Millisecond},
		TranslateError: true,
		NowFunc:        func() time.Time { return time.Now().UTC() },
	}
	if o.URL != "" {
		g, err := gorm.Open(postgres.Open(o.URL), cfg)
		if err != nil {
			return nil, fmt.Errorf("database: open postgres: %w", err)
		}
		sqlDB, err := g.DB()
		if err != nil {
			return nil, err
		}
		sqlDB.SetMaxOpenConns(o.MaxConns)
		sqlDB.SetMaxIdleConns(o.MaxConns)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		db := &DB{Dialect: Postgres, write: g, read: g}
		return db, db.Ping(ctx)
	}

	if err := os.MkdirAll(filepath.Dir(o.File), 0o750); err != nil {
		return nil, fmt.Errorf("database: create data directory: %w", err)
	}
	const pragmas = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	w, err := gorm.Open(sqlite.Open("file:"+o.File+"?"+pragmas+"&_pragma=journal_mode(WAL)&_txlock=immediate"), cfg)
	if err != nil {
		return nil, fmt.Errorf("database: open sqlite: %w", err)
	}
	wdb, _ := w.DB()
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	// The writer must exist first: it turns WAL on, which read-only connections cannot.
	if err := wdb.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("database: open sqlite %s: %w", o.File, err)
	}
	r, err := gorm.Open(sqlite.Open("file:"+o.File+"?"+pragmas+"&_pragma=query_only(1)"), cfg)
	if err != nil {
		return nil, fmt.Errorf("database: open sqlite readers: %w", err)
	}
	rdb, _ := r.DB()
	rdb.SetMaxOpenConns(o.MaxConns)
	rdb.SetMaxIdleConns(o.MaxConns)
	db := &DB{Dialect: SQLite, write: w, read: r, file: o.File}
	return db, db.Ping(ctx)
}

// Close closes every connection.
func (db *DB) Close() error {
	var errs []error
	for _, g := range []*gorm.DB{db.write, db.read} {
		if s, err := g.DB(); err == nil {
			errs = append(errs, s.Close())
		}
		if db.read == db.write {
			break
		}
	}
	return errors.Join(errs...)
}

// Ping checks that the writer and the readers answer.
func (db *DB) Ping(ctx context.Context) error {
	for _, g := range []*gorm.DB{db.write, db.read} {
		s, err := g.DB()
		if err != nil {
			return err
		}
		if err := s.PingContext(ctx); err != nil {
			return fmt.Errorf("database: ping: %w", err)
		}
	}
	return nil
}

type txKey struct{}

// txState is a running transaction and what is to happen once it commits.
type txState struct {
	tx    *gorm.DB
	after []func()
}

// InTx runs fn in one transaction. Writer and Reader called with the ctx that fn
// receives join that transaction, so store functions compose without passing a tx.
// A nested InTx joins the outer transaction.
//
// On PostgreSQL a transaction that the server aborted as one side of a deadlock
// or a serialization failure is run again, up to txAttempts times in all: the
// two sides of a deadlock are two moderators' actions locking a thread and a
// post in opposite orders, and the one aborted would otherwise answer 500. fn
// must therefore keep its effects inside the transaction (as every store
// function does); what it assigns outside is simply assigned again.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*txState); ok {
		return fn(ctx)
	}
	var err error
	for range txAttempts {
		st := &txState{}
		err = db.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			st.tx = tx
			return fn(context.WithValue(ctx, txKey{}, st))
		})
		if err == nil {
			for _, f := range st.after {
				f()
			}
		}
		if !retryable(err) {
			return err
		}
	}
	return err
}

// AfterCommit runs f once the transaction of ctx has committed, and never if it
// rolls back; outside a transaction, at once. It is for what a process keeps in
// memory about rows a transaction writes: kept before the commit, it could
// describe rows that never were.
func AfterCommit(ctx context.Context, f func()) {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		st.after = append(st.after, f)
		return
	}
	f()
}

// txAttempts bounds how often InTx runs a transaction the server aborted.
const txAttempts = 3

// retryable reports whether err is PostgreSQL's deadlock_detected (40P01) or
// serialization_failure (40001): the transaction was rolled back whole and may
// simply run again.
func retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40P01" || pg.Code == "40001")
}

// Writer returns the handle for writes: the caller's transaction, or the writer.
func (db *DB) Writer(ctx context.Context) *gorm.DB {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		return st.tx
	}
	return db.write.WithContext(ctx)
}

// Reader returns the handle for reads: the caller's transaction (so a transaction
// sees its own writes), or the reader pool.
func (db *DB) Reader(ctx context.Context) *gorm.DB {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		return st.tx
	}
	return db.read.WithContext(ctx)
}

// migrator returns a goose Provider whose Up holds the dialect's migration lock
// (see migrate_lock.go). Each call makes a new Provider and so a new lock state.
func (db *DB) migrator() (*goose.Provider, error) {
	dialect, locker := goose.DialectSQLite3, lock.SessionLocker(&sqliteLocker{file: db.file + ".migrate-lock"})
	if db.Dialect == Postgres {
		dialect, locker = goose.DialectPostgres, &pgLocker{}
	}
	sub, err := fs.Sub(migrations.FS, string(db.Dialect))
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.write.DB()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, sqlDB, sub, goose.WithSessionLocker(locker))
}

// Migrate applies every pending migration; with none pending it changes nothing.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	p, err := db.migrator()
	if err != nil {
		return nil, fmt.Errorf("database: migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("database: migrate: %w", err)
	}
	applied := make([]string, 0, len(results))
	for _, r := range results {
		applied = append(applied, r.Source.Path)
	}
	return applied, nil
}

// ErrSchemaBehind means the database lacks migrations this binary needs.
var ErrSchemaBehind = errors.New("database: schema is older than this binary; run `schwarm migrate`")

// CheckSchema returns ErrSchemaBehind when migrations are pending.
func (db *DB) CheckSchema(ctx context.Context) error {
	p, err := db.migrator()
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("database: check schema: %w", err)
	}
	if pending {
		return ErrSchemaBehind
	}
	return nil
}

// ErrNotSQLite refuses what only the embedded database does.
var ErrNotSQLite = errors.New("database: not SQLite")

// SnapshotTo writes a consistent copy of the SQLite database to path (which must
// not exist), as of one moment, while writers go on: VACUUM INTO reads one
// snapshot of the WAL database on a connection of its own, so neither the
// writer nor the readers wait for it. The readers cannot run it: they are
// query-only, and VACUUM INTO counts as a write.
func (db *DB) SnapshotTo(ctx context.Context, path string) error {
	if db.Dialect != SQLite {
		return ErrNotSQLite
	}
	g, err := gorm.Open(sqlite.Open("file:"+db.file+"?_pragma=busy_timeout(10000)"), &gorm.Config{Logger: db.write.Logger})
	if err != nil {
		return fmt.Errorf("database: snapshot: %w", err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return err
	}
	defer sqlDB.Close()
	if err := g.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		return fmt.Errorf("database: snapshot: %w", err)
	}
	return nil
}

// Stmt is a read that signed-in pages run on every request, run through
// database/sql without GORM's statement building and callbacks, prepared once
// on each connection of the pool. On PostgreSQL that spares the parse as well;
// the SQLite driver (glebarez/go-sqlite) still parses the statement on every
// run, which is most of what such a read costs there (README, "Measured").
type Stmt struct {
	db    *DB
	query string // with ? placeholders, as GORM's Raw takes them
	once  sync.Once
	stmt  *sql.Stmt
}

// Prepare makes a Stmt of query, prepared on first use.
func (db *DB) Prepare(query string) *Stmt { return &Stmt{db: db, query: query} }

// QueryRow runs the statement: in the caller's transaction through GORM, or
// prepared on the reader pool.
func (s *Stmt) QueryRow(ctx context.Context, args ...any) *sql.Row {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		return st.tx.Raw(s.query, args...).Row()
	}
	s.once.Do(func() {
		pool, err := s.db.read.DB()
		if err != nil {
			return
		}
		q := s.query
		if s.db.Dialect == Postgres {
			q = numberPlaceholders(q)
		}
		s.stmt, _ = pool.PrepareContext(context.Background(), q) // a failure falls back to GORM below
	})
	if s.stmt == nil {
		return s.db.read.WithContext(ctx).Raw(s.query, args...).Row()
	}
	return s.stmt.QueryRowContext(ctx, args...)
}

// numberPlaceholders turns ? into PostgreSQL's $1, $2, …; the statements given
// to Prepare have no ? inside string literals.
func numberPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
