// Package outbox stores the stream of domain events: records written inside the
// transaction of each change, read in order by each consumer (the search indexer
// of every node, and the consumers kept in the database, see Claim), and pruned
// once every consumer has read them. It knows no domain: a record is a topic, an
// entity id, an actor and a JSON payload; app/event gives them their meaning.
package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/schwarm/schwarm/app/database"
)

// Thread is the topic of the records written before the domain events (migration
// 12): a thread or one of its posts changed, and its search document is due.
const Thread = "thread"

// Append writes a record of topic without actor or payload for each of ids: the
// shape of the records before the domain events, which tests and tools still
// write. Services write events with app/event's Emit.
func Append(ctx context.Context, db *database.DB, topic string, ids ...int64) error {
	entries := make([]Entry, len(ids))
	for i, id := range ids {
		entries[i] = Entry{Topic: topic, EntityID: id}
	}
	return Write(ctx, db, entries...)
}

// Entry is one record.
type Entry struct {
	ID int64
	// Tx is the PostgreSQL transaction that wrote the record (0 on SQLite). The
	// column's default fills it, so GORM must never write it: an explicit 0 would
	// put the record before every position.
	Tx        uint64 `gorm:"column:txid;->"`
	Topic     string
	EntityID  int64 // what the record is about; app/event says what per topic
	ActorID   int64 // who caused it; 0 = the system
	Version   int   // of the payload's shape for the topic
	Payload   string
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

// Write appends entries. Called with the ctx of the change's transaction, it
// commits or rolls back with the change. CreatedAt is set here when empty.
func Write(ctx context.Context, db *database.DB, entries ...Entry) error {
	if len(entries) == 0 {
		return nil
	}
	now := time.Now().UTC()
	for i := range entries {
		if entries[i].CreatedAt.IsZero() {
			entries[i].CreatedAt = now
		}
		if entries[i].Payload == "" {
			entries[i].Payload = "{}"
		}
		if entries[i].Version == 0 {
			entries[i].Version = 1
		}
	}
	if err := db.Writer(ctx).CreateInBatches(entries, 500).Error; err != nil {
		return fmt.Errorf("outbox: write %s %d: %w", entries[0].Topic, entries[0].EntityID, err)
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

// pruneBatch is how many records Prune removes in one transaction: a big first
// prune neither holds SQLite's single writer nor, on PostgreSQL, holds back
// every reader (see Position) for long.
const pruneBatch = 5000

// Prune removes the records written before cutoff that every reader may have
// read, and notes the position of the last one removed, and returns how many it
// removed. It keeps every record that a consumer kept in the database and run
// since cutoff (see Claim) or the search index of a live node (see Heartbeat)
// has yet to read. A reader whose position lies before the note has lost records
// for good (see Lost) and starts again from the database: the outbox holds the
// recent changes, the database all the rest.
func Prune(ctx context.Context, db *database.DB, cutoff time.Time) (int64, error) {
	keep, err := slowest(ctx, db, cutoff)
	if err != nil {
		return 0, fmt.Errorf("outbox: prune: %w", err)
	}
	var n int64
	for {
		batch, err := pruneBatchBefore(ctx, db, cutoff.UTC(), keep)
		n += batch
		if err != nil {
			return n, fmt.Errorf("outbox: prune before %v: %w", cutoff, err)
		}
		if batch < pruneBatch {
			return n, nil
		}
	}
}

// pruneBatchBefore prunes one batch of records before cutoff and, when keep is
// not nil, at or before *keep.
func pruneBatchBefore(ctx context.Context, db *database.DB, cutoff time.Time, keep *Position) (int64, error) {
	var n int64
	if db.Dialect == database.Postgres {
		bound, args := "", []any{cutoff}
		if keep != nil {
			bound, args = " AND (txid, id) <= (?, ?)", append(args, keep.Tx, keep.ID)
		}
		// One statement, so the records and the note change together. Only
		// records of transactions older than every running one go: no reader
		// can have read the others yet (see After). A note that is not from
		// this cluster (see Lost) is replaced.
		err := db.Writer(ctx).Raw(`WITH gone AS (
				DELETE FROM outbox WHERE id IN (
					SELECT id FROM outbox WHERE created_at < ? AND txid < pg_snapshot_xmin(pg_current_snapshot())`+bound+` LIMIT ?)
				RETURNING txid, id
			), mark AS (
				INSERT INTO outbox_pruned (id, txid, last_id)
				SELECT 1, txid, id FROM gone ORDER BY txid DESC, id DESC LIMIT 1
				ON CONFLICT (id) DO UPDATE SET txid = EXCLUDED.txid, last_id = EXCLUDED.last_id
				WHERE (outbox_pruned.txid, outbox_pruned.last_id) < (EXCLUDED.txid, EXCLUDED.last_id)
					OR outbox_pruned.txid >= pg_snapshot_xmin(pg_current_snapshot())
			)
			SELECT count(*) FROM gone`, append(args, pruneBatch)...).Scan(&n).Error
		return n, err
	}
	// Ids commit in order here, so the old records are a prefix of the outbox,
	// and the first records by id are all a batch needs to look at.
	var last int64
	bound, args := "", []any{pruneBatch, cutoff}
	if keep != nil {
		bound, args = " AND id <= ?", append(args, keep.ID)
	}
	if err := db.Reader(ctx).Raw("SELECT COALESCE(MAX(id), 0) FROM (SELECT id, created_at FROM outbox ORDER BY id LIMIT ?) WHERE created_at < ?"+bound,
		args...).Scan(&last).Error; err != nil || last == 0 {
		return 0, err
	}
	err := db.InTx(ctx, func(ctx context.Context) error {
		res := db.Writer(ctx).Exec("DELETE FROM outbox WHERE id <= ?", last)
		if res.Error != nil {
			return res.Error
		}
		n = res.RowsAffected
		return db.Writer(ctx).Exec(`INSERT INTO outbox_pruned (id, txid, last_id) VALUES (1, 0, ?)
			ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id WHERE excluded.last_id > outbox_pruned.last_id`, last).Error
	})
	return n, err
}

// Lost reports whether a reader at pos may have lost records for good, and
// must start again from the state of the database (see Head): because Prune
// removed records past it, or because pos is not from this database at all
// (the database was restored from a backup after the reader read it).
func Lost(ctx context.Context, db *database.DB, pos Position) (bool, error) {
	var row struct {
		Xmin   uint64 // PostgreSQL: every transaction below it has ended
		Seq    int64  // SQLite: the highest id the outbox ever handed out
		MarkTx uint64
		MarkID int64
	}
	q := `SELECT 0 AS xmin, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0) AS seq,
		0 AS mark_tx, COALESCE((SELECT last_id FROM outbox_pruned WHERE id = 1), 0) AS mark_id`
	if db.Dialect == database.Postgres {
		q = `SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin, 0 AS seq,
			COALESCE((SELECT txid FROM outbox_pruned WHERE id = 1), '0'::xid8) AS mark_tx,
			COALESCE((SELECT last_id FROM outbox_pruned WHERE id = 1), 0) AS mark_id`
	}
	if err := db.Reader(ctx).Raw(q).Scan(&row).Error; err != nil {
		return false, fmt.Errorf("outbox: lost at %+v: %w", pos, err)
	}
	mark := Position{Tx: row.MarkTx, ID: row.MarkID}
	if db.Dialect == database.Postgres {
		// In one cluster xmin never goes down, a reader's transactions lie at
		// or below the xmin it read (Head) and the note's below the xmin the
		// prune saw. Higher ones are another cluster's, restored from a dump.
		if pos.Tx > row.Xmin {
			return true, nil
		}
		if mark.Tx >= row.Xmin {
			mark = Position{} // a fresh cluster's readers missed none of it
		}
	} else if pos.ID > row.Seq {
		return true, nil // read from a newer copy of the database than this one
	}
	return pos.Before(mark), nil
}
