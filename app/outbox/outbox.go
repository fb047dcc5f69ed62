// Package outbox records, inside the transaction of each change, which entities
// search has to look at again, and lets each node's indexer read those records in
// order. It knows no domain: a record is a topic and an id.
package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/schwarm/schwarm/app/database"
)

// Topics of records.
const (
	// Thread says a thread or one of its posts changed: its search document is due.
	Thread = "thread"
	// Badge says a member was granted a badge (entity: the user_badges row), for
	// notifications.
	Badge = "badge"
)

// Entry is one record.
type Entry struct {
	ID int64
	// Tx is the PostgreSQL transaction that wrote the record (0 on SQLite). The
	// column's default fills it, so GORM must never write it: an explicit 0 would
	// put the record before every position.
	Tx        uint64 `gorm:"column:txid;->"`
	Topic     string
	EntityID  int64
	CreatedAt time.Time
}

// TableName keeps GORM off the pluralised default.
func (Entry) TableName() string { return "outbox" }

// Position is how far a reader has read: After returns the records past it.
//
// Ids alone cannot say that. On PostgreSQL an id is taken at insert time but
// transactions commit in any order: a reader that saw id 11 may find id 10
// committed after it, and would pass it for ever. So there records are read in
// (transaction, id) order, and only those of transactions older than every
// transaction still running (the snapshot's xmin): that part of the outbox is
// final, and every record that commits later sorts after it. SQLite runs one
// write transaction at a time, across processes too, so its ids commit in order:
// there Tx stays 0 and records are read by id.
//
// The cost: a write transaction anywhere on the PostgreSQL server holds back the
// records of every transaction that started after it until it ends, so a long one
// delays search; it never loses a record. The alternative, an advisory lock taken
// in Append so that commits follow ids, would be held from the outbox row to the
// commit while the same transaction goes on to lock rows (the reputation ledger
// updates users after its outbox row): two changes could deadlock.
// The position keeps the last record's (transaction, id) rather than the
// watermark alone, which resumes exactly after it: nothing is applied twice and
// nothing but the index has to remember it.
//
// A zero Tx sorts before every PostgreSQL transaction, so a Position with only an
// ID reads the whole outbox again there, never fewer records than asked for,
// and exactly the records after ID on SQLite.
type Position struct {
	Tx uint64
	ID int64
}

// Position is the position just past e.
func (e Entry) Position() Position { return Position{Tx: e.Tx, ID: e.ID} }

// Append records that the entities ids of topic changed. Called with the ctx of
// the change's transaction, it commits or rolls back with the change.
func Append(ctx context.Context, db *database.DB, topic string, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	now := time.Now().UTC()
	entries := make([]Entry, len(ids))
	for i, id := range ids {
		entries[i] = Entry{Topic: topic, EntityID: id, CreatedAt: now}
	}
	if err := db.Writer(ctx).CreateInBatches(entries, 500).Error; err != nil {
		return fmt.Errorf("outbox: append %s %d: %w", topic, ids[0], err)
	}
	return nil
}

// After returns up to limit records past pos, in position order. A record whose
// transaction may still be running is not returned yet, nor any after it: a later
// call returns it once that transaction has ended.
func After(ctx context.Context, db *database.DB, pos Position, limit int) ([]Entry, error) {
	q := db.Reader(ctx)
	if db.Dialect == database.Postgres {
		// One statement: pg_current_snapshot() is its own snapshot, so every
		// record of a transaction below its xmin is visible to it.
		q = q.Where("(txid, id) > (?, ?) AND txid < pg_snapshot_xmin(pg_current_snapshot())", pos.Tx, pos.ID).Order("txid, id")
	} else {
		q = q.Where("id > ?", pos.ID).Order("id")
	}
	var entries []Entry
	if err := q.Limit(limit).Find(&entries).Error; err != nil {
		return nil, fmt.Errorf("outbox: read after %+v: %w", pos, err)
	}
	return entries, nil
}

// Head returns a position that every record not yet committed now will lie past:
// a reader that starts there after reading the state of the database misses no
// change made while it read. Records already committed may lie past it too and
// are read again, which costs time but is never wrong.
func Head(ctx context.Context, db *database.DB) (Position, error) {
	var pos Position
	var err error
	if db.Dialect == database.Postgres {
		// Transactions from xmin on may still commit; ID 0 puts every record of
		// the transaction xmin itself past the position.
		err = db.Reader(ctx).Raw("SELECT pg_snapshot_xmin(pg_current_snapshot())").Scan(&pos.Tx).Error
	} else {
		// The pruned mark counts too: after a prune that took every record, the
		// head must not lie before it (see Pruned).
		err = db.Reader(ctx).Raw(`SELECT MAX(COALESCE((SELECT MAX(id) FROM outbox), 0),
			COALESCE((SELECT last_id FROM outbox_pruned WHERE id = 1), 0))`).Scan(&pos.ID).Error
	}
	if err != nil {
		return Position{}, fmt.Errorf("outbox: head: %w", err)
	}
	return pos, nil
}

// Before reports whether p lies before q: a reader at p has yet to read a record
// at q.
func (p Position) Before(q Position) bool {
	return p.Tx < q.Tx || p.Tx == q.Tx && p.ID < q.ID
}

// pruneBatch is how many records Prune removes in one SQLite transaction.
const pruneBatch = 5000

// Prune removes the records written before cutoff that every reader may have
// read, and notes the position of the last one removed (see Pruned). It returns
// how many it removed. A node whose index is further behind than that rebuilds
// it: the outbox holds the recent changes, and the database all the rest.
func Prune(ctx context.Context, db *database.DB, cutoff time.Time) (int64, error) {
	var n int64
	var err error
	if db.Dialect == database.Postgres {
		// One statement, so the records and the mark change together. Only
		// records of transactions older than every running one go: the others
		// no reader can have read yet (see After).
		err = db.Writer(ctx).Raw(`WITH gone AS (
				DELETE FROM outbox WHERE created_at < ? AND txid < pg_snapshot_xmin(pg_current_snapshot()) RETURNING txid, id
			), mark AS (
				INSERT INTO outbox_pruned (id, txid, last_id)
				SELECT 1, txid, id FROM gone ORDER BY txid DESC, id DESC LIMIT 1
				ON CONFLICT (id) DO UPDATE SET txid = EXCLUDED.txid, last_id = EXCLUDED.last_id
				WHERE (outbox_pruned.txid, outbox_pruned.last_id) < (EXCLUDED.txid, EXCLUDED.last_id)
			)
			SELECT count(*) FROM gone`, cutoff.UTC()).Scan(&n).Error
	} else {
		// Ids commit in order here, so the old records are a prefix of the
		// outbox. It goes in batches, each a transaction of its own: SQLite has
		// one writer, and the first prune of a large forum has years to remove.
		for {
			var batch int64
			err = db.InTx(ctx, func(ctx context.Context) error {
				var last int64
				if err := db.Writer(ctx).Raw("SELECT COALESCE(MAX(id), 0) FROM (SELECT id FROM outbox WHERE created_at < ? ORDER BY id LIMIT ?)",
					cutoff.UTC(), pruneBatch).Scan(&last).Error; err != nil || last == 0 {
					return err
				}
				res := db.Writer(ctx).Exec("DELETE FROM outbox WHERE id <= ?", last)
				if res.Error != nil {
					return res.Error
				}
				batch = res.RowsAffected
				return db.Writer(ctx).Exec(`INSERT INTO outbox_pruned (id, txid, last_id) VALUES (1, 0, ?)
					ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id WHERE excluded.last_id > outbox_pruned.last_id`, last).Error
			})
			n += batch
			if err != nil || batch < pruneBatch {
				break
			}
		}
	}
	if err != nil {
		return 0, fmt.Errorf("outbox: prune before %v: %w", cutoff, err)
	}
	return n, nil
}

// Pruned returns the position of the last record Prune removed, the zero
// Position if none was. A reader at a position before it may have missed
// records for good.
func Pruned(ctx context.Context, db *database.DB) (Position, error) {
	var rows []struct {
		Tx     uint64 `gorm:"column:txid"`
		LastID int64
	}
	if err := db.Reader(ctx).Raw("SELECT txid, last_id FROM outbox_pruned WHERE id = 1").Scan(&rows).Error; err != nil {
		return Position{}, fmt.Errorf("outbox: pruned: %w", err)
	}
	if len(rows) == 0 {
		return Position{}, nil
	}
	return Position{Tx: rows[0].Tx, ID: rows[0].LastID}, nil
}
