package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pressly/goose/v3/lock"
)

// Two nodes that start at once against one database would otherwise both read the
// same pending versions and both apply them: the second fails half-way on a table
// the first created. Each dialect's lock below is held from before goose reads the
// applied versions until the last migration is committed.

// pgLockClass is the first half of the advisory lock key, naming "schwarm
// migrations" so no other advisory lock in the database collides with it.
const pgLockClass = 0x5C4A_0001

// pgLocker takes a PostgreSQL session advisory lock keyed by the current schema:
// nodes sharing a schema take turns, while schemas of one database (the tests run
// one per test, in parallel) migrate side by side. It waits in pg_advisory_lock
// rather than polling like goose's own locker, whose shortest retry interval is a
// second: the next node goes the moment the lock is free, and ctx still ends the
// wait. A crashed node's lock goes with its session, and a node holds nothing
// else while it waits, so two nodes cannot deadlock over it.
type pgLocker struct {
	key int32 // the key's second half, as SessionLock found it
}

// The key's second half is current_schema(): where the unqualified names of the
// migrations land. It is read once, when the lock is taken, so that a migration
// that changed what current_schema() says could not make the unlock miss the
// lock. NULL when no schema of the search_path exists: a NULL key would make
// pg_advisory_lock return without locking.
func (l *pgLocker) SessionLock(ctx context.Context, conn *sql.Conn) error {
	if err := conn.QueryRowContext(ctx, "SELECT hashtext(coalesce(current_schema(), ''))").Scan(&l.key); err != nil {
		return fmt.Errorf("database: lock migrations: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1, $2)", pgLockClass, l.key); err != nil {
		return fmt.Errorf("database: lock migrations: %w", err)
	}
	return nil
}

func (l *pgLocker) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	var released bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_advisory_unlock($1, $2)", pgLockClass, l.key).Scan(&released); err != nil {
		return fmt.Errorf("database: unlock migrations: %w", err)
	}
	if !released {
		return errors.New("database: unlock migrations: the lock was not held")
	}
	return nil
}

// sqliteLocker holds a write transaction on a small SQLite file beside the
// database. The database file itself cannot be the lock: goose runs each migration
// in its own transaction on the writer, so a transaction held around the run
// would have to be that same one. A separate file keeps SQLite's own locking,
// which works across processes on every platform the driver supports, and the
// operating system drops the lock of a process that dies. The lock file holds
// no data and may be deleted while no node runs.
type sqliteLocker struct {
	file string
	db   *sql.DB
	conn *sql.Conn
}

var _ lock.SessionLocker = (*sqliteLocker)(nil)

func (l *sqliteLocker) SessionLock(ctx context.Context, _ *sql.Conn) error {
	// No busy_timeout: SQLite's own wait cannot be cancelled, so the loop below
	// waits instead, checking ctx.
	db, err := sql.Open("sqlite", "file:"+l.file+"?_pragma=busy_timeout(0)")
	if err != nil {
		return fmt.Errorf("database: lock migrations: %w", err)
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return fmt.Errorf("database: lock migrations: %w", err)
	}
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		_, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE")
		if err == nil {
			l.db, l.conn = db, conn
			return nil
		}
		if busy(err) && ctx.Err() == nil {
			select {
			case <-ctx.Done():
			case <-time.After(wait):
				continue
			}
		}
		conn.Close()
		db.Close()
		return fmt.Errorf("database: lock migrations: %w", errors.Join(ctx.Err(), err))
	}
}

// busy reports whether err is SQLITE_BUSY, plain or extended (the low byte).
func busy(err error) bool {
	var coded interface{ Code() int }
	return errors.As(err, &coded) && coded.Code()&0xff == sqliteBusy
}

const sqliteBusy = 5

func (l *sqliteLocker) SessionUnlock(ctx context.Context, _ *sql.Conn) error {
	if l.conn == nil {
		return errors.New("database: unlock migrations: the lock was not held")
	}
	// Closing alone would release the lock too; the rollback says so on purpose.
	_, err := l.conn.ExecContext(ctx, "ROLLBACK")
	err = errors.Join(err, l.conn.Close(), l.db.Close())
	l.db, l.conn = nil, nil
	if err != nil {
		return fmt.Errorf("database: unlock migrations: %w", err)
	}
	return nil
}
