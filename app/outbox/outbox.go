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
	ID        int64
	Topic     string
	EntityID  int64
	CreatedAt time.Time
}

// TableName keeps GORM off the pluralised default.
func (Entry) TableName() string { return "outbox" }

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

// After returns up to limit records with an id above after, in id order.
func After(ctx context.Context, db *database.DB, after int64, limit int) ([]Entry, error) {
	var entries []Entry
	err := db.Reader(ctx).Where("id > ?", after).Order("id").Limit(limit).Find(&entries).Error
	if err != nil {
		return nil, fmt.Errorf("outbox: read after %d: %w", after, err)
	}
	return entries, nil
}
