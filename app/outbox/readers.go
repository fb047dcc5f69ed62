package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/schwarm/schwarm/app/database"
)

// Consumers kept in the database (notifications, webhooks, rollups) have one
// position for the whole cluster, unlike the search index of each node: one node
// at a time reads for each, under a lease that it renews while it runs and that
// another node takes over once it has expired. Their effects are at least once:
// a node that dies between handling records and saving the position leaves them
// to be handled again.

// clock returns the time that leases and heartbeats are measured by: on
// PostgreSQL the server's, so that nodes whose clocks disagree still agree on
// whose lease has run out and which node is alive; on SQLite, one machine's.
func clock(ctx context.Context, db *database.DB) (time.Time, error) {
	if db.Dialect != database.Postgres {
		return time.Now().UTC(), nil
	}
	var now time.Time
	if err := db.Reader(ctx).Raw("SELECT now()").Scan(&now).Error; err != nil {
		return time.Time{}, fmt.Errorf("outbox: the database's clock: %w", err)
	}
	return now.UTC(), nil
}

// Claim takes, or renews, the lease of the consumer name for owner until
// now+lease and returns the consumer's position. A consumer seen for the first
// time starts at the head of the outbox: it hears of what happens from now on,
// not of the forum's past. ok is false while another owner's lease runs.
func Claim(ctx context.Context, db *database.DB, name, owner string, lease time.Duration) (pos Position, ok bool, err error) {
	now, err := clock(ctx, db)
	if err != nil {
		return Position{}, false, err
	}
	var exists int64
	if err := db.Reader(ctx).Raw("SELECT COUNT(*) FROM outbox_readers WHERE name = ?", name).Scan(&exists).Error; err != nil {
		return Position{}, false, fmt.Errorf("outbox: claim %s: %w", name, err)
	}
	if exists == 0 {
		head, err := Head(ctx, db)
		if err != nil {
			return Position{}, false, err
		}
		if err := db.Writer(ctx).Exec(`INSERT INTO outbox_readers (name, txid, last_id, owner, lease_until, updated_at)
			VALUES (?, ?, ?, '', ?, ?) ON CONFLICT (name) DO NOTHING`, name, head.Tx, head.ID, time.Unix(0, 0).UTC(), now).Error; err != nil {
			return Position{}, false, fmt.Errorf("outbox: claim %s: %w", name, err)
		}
	}
	res := db.Writer(ctx).Exec("UPDATE outbox_readers SET owner = ?, lease_until = ? WHERE name = ? AND (owner = ? OR lease_until < ?)",
		owner, now.Add(lease), name, owner, now)
	if res.Error != nil {
		return Position{}, false, fmt.Errorf("outbox: claim %s: %w", name, res.Error)
	}
	if res.RowsAffected == 0 {
		return Position{}, false, nil
	}
	pos, err = ReaderPosition(ctx, db, name)
	return pos, err == nil, err
}

// ReaderPosition returns how far the consumer name has read.
func ReaderPosition(ctx context.Context, db *database.DB, name string) (Position, error) {
	var row struct {
		Txid   uint64
		LastID int64
	}
	if err := db.Reader(ctx).Raw("SELECT txid, last_id FROM outbox_readers WHERE name = ?", name).Scan(&row).Error; err != nil {
		return Position{}, fmt.Errorf("outbox: position of %s: %w", name, err)
	}
	return Position{Tx: row.Txid, ID: row.LastID}, nil
}

// Save moves the consumer name to pos, if owner still holds its lease; ok is
// false when another node has taken it over, which then reads on from the
// position saved last.
func Save(ctx context.Context, db *database.DB, name, owner string, pos Position) (ok bool, err error) {
	res := db.Writer(ctx).Exec("UPDATE outbox_readers SET txid = ?, last_id = ?, updated_at = ? WHERE name = ? AND owner = ?",
		pos.Tx, pos.ID, time.Now().UTC(), name, owner)
	if res.Error != nil {
		return false, fmt.Errorf("outbox: save %s at %+v: %w", name, pos, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// Release gives up owner's lease of the consumer name, so that another node
// need not wait for it to expire.
func Release(ctx context.Context, db *database.DB, name, owner string) error {
	if err := db.Writer(ctx).Exec("UPDATE outbox_readers SET lease_until = ? WHERE name = ? AND owner = ?",
		time.Unix(0, 0).UTC(), name, owner).Error; err != nil {
		return fmt.Errorf("outbox: release %s: %w", name, err)
	}
	return nil
}

// NodeTimeout is how long a node may go unseen before pruning stops waiting for
// its search index. Nodes beat every NodeTimeout/4. One away for longer rebuilds
// its index when it comes back, if records it had not read were pruned (Lost).
const NodeTimeout = 2 * time.Minute

// Node is one serving node and how far its search index has read.
type Node struct {
	ID        string
	Host      string
	StartedAt time.Time
	Index     Position
}

// Heartbeat notes that node is alive, and its index's position.
func Heartbeat(ctx context.Context, db *database.DB, n Node) error {
	now, err := clock(ctx, db)
	if err != nil {
		return err
	}
	if err := db.Writer(ctx).Exec(`INSERT INTO nodes (id, host, started_at, seen_at, txid, last_id) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at, txid = excluded.txid, last_id = excluded.last_id`,
		n.ID, n.Host, n.StartedAt.UTC(), now, n.Index.Tx, n.Index.ID).Error; err != nil {
		return fmt.Errorf("outbox: heartbeat of node %s: %w", n.ID, err)
	}
	// Nodes long gone are forgotten; pruning ignores them already.
	if err := db.Writer(ctx).Exec("DELETE FROM nodes WHERE seen_at < ?", now.Add(-24*time.Hour)).Error; err != nil {
		return fmt.Errorf("outbox: forget old nodes: %w", err)
	}
	return nil
}

// Leave removes the node id at its shutdown.
func Leave(ctx context.Context, db *database.DB, id string) error {
	if err := db.Writer(ctx).Exec("DELETE FROM nodes WHERE id = ?", id).Error; err != nil {
		return fmt.Errorf("outbox: node %s leaves: %w", id, err)
	}
	return nil
}

// LiveNodes returns the nodes seen within NodeTimeout.
func LiveNodes(ctx context.Context, db *database.DB) ([]Node, error) {
	now, err := clock(ctx, db)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID        string
		Host      string
		StartedAt time.Time
		Txid      uint64
		LastID    int64
	}
	if err := db.Reader(ctx).Raw("SELECT id, host, started_at, txid, last_id FROM nodes WHERE seen_at > ? ORDER BY id",
		now.Add(-NodeTimeout)).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("outbox: live nodes: %w", err)
	}
	nodes := make([]Node, len(rows))
	for i, r := range rows {
		nodes[i] = Node{ID: r.ID, Host: r.Host, StartedAt: r.StartedAt, Index: Position{Tx: r.Txid, ID: r.LastID}}
	}
	return nodes, nil
}

// slowest returns the position of the reader furthest behind among the live
// nodes' indexes and the consumers kept in the database that ran since (held a
// lease after) since, or nil when there is none. Every consumer that any node
// runs counts, not only those of the pruning node's own version: in a rolling
// upgrade an older node must not prune what a newer node's new consumer has yet
// to read. A consumer retired for longer than the retention no longer holds
// pruning back.
func slowest(ctx context.Context, db *database.DB, since time.Time) (*Position, error) {
	nodes, err := LiveNodes(ctx, db)
	if err != nil {
		return nil, err
	}
	var keep *Position
	for _, n := range nodes {
		if keep == nil || n.Index.Before(*keep) {
			keep = &n.Index
		}
	}
	var rows []struct {
		Txid   uint64
		LastID int64
	}
	if err := db.Reader(ctx).Raw("SELECT txid, last_id FROM outbox_readers WHERE lease_until > ?", since.UTC()).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("outbox: positions of the consumers: %w", err)
	}
	for _, r := range rows {
		if p := (Position{Tx: r.Txid, ID: r.LastID}); keep == nil || p.Before(*keep) {
			keep = &p
		}
	}
	return keep, nil
}
