package thread

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// publicWhere selects the threads a guest may read (CanSee for nobody): a
// merged thread is also deleted, and is named so that no query has to know it.
const publicWhere = "deleted_at IS NULL AND hidden_at IS NULL AND NOT pending AND merged_into IS NULL"

// PublicThread is a thread a guest may read, as a sitemap lists it.
type PublicThread struct {
	ID             int64
	Slug           string
	LastActivityAt time.Time
}

// IDRange is a run of thread ids, (After, Through], with the latest activity
// of the public threads in it.
type IDRange struct {
	After, Through int64
	LastActivityAt time.Time
}

// PublicRanges cuts the thread ids 1..MAX(id) into runs of size ids and returns
// those holding a thread a guest may read. Fixed runs of ids keep a sitemap's
// files the same from one fetch to the next without counting rows to cut
// them: MAX(id) is one step down the primary key, and each run is one range
// scan of it. A run whose threads are all gone is left out, as a sitemap file
// may not be empty.
func (s *Service) PublicRanges(ctx context.Context, size int64) ([]IDRange, error) {
	var maxID int64
	if err := s.db.Reader(ctx).Raw("SELECT COALESCE(MAX(id), 0) FROM threads").Scan(&maxID).Error; err != nil {
		return nil, fmt.Errorf("thread: public ranges: %w", err)
	}
	var out []IDRange
	for after := int64(0); after < maxID; after += size {
		// ORDER BY … LIMIT 1 rather than MAX: SQLite returns an aggregate of a
		// DATETIME column as text, the column itself as a time.
		var last time.Time
		err := s.db.Reader(ctx).Raw("SELECT last_activity_at FROM threads WHERE id > ? AND id <= ? AND "+publicWhere+
			" ORDER BY last_activity_at DESC LIMIT 1", after, after+size).Row().Scan(&last)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, fmt.Errorf("thread: public ranges: %w", err)
		default:
			out = append(out, IDRange{After: after, Through: after + size, LastActivityAt: last})
		}
	}
	return out, nil
}

// PublicThreads returns up to limit threads a guest may read whose ids are in
// (after, through], in id order: a keyset page, so that a sitemap file is read
// a page at a time and no read stays open while a slow client is written to.
func (s *Service) PublicThreads(ctx context.Context, after, through int64, limit int) ([]PublicThread, error) {
	sqlRows, err := s.db.Reader(ctx).Raw("SELECT id, slug, last_activity_at FROM threads WHERE id > ? AND id <= ? AND "+publicWhere+
		" ORDER BY id LIMIT ?", after, through, limit).Rows()
	if err != nil {
		return nil, fmt.Errorf("thread: public threads: %w", err)
	}
	defer sqlRows.Close()
	rows := make([]PublicThread, 0, limit)
	for sqlRows.Next() {
		var t PublicThread
		if err := sqlRows.Scan(&t.ID, &t.Slug, &t.LastActivityAt); err != nil {
			return nil, fmt.Errorf("thread: public threads: %w", err)
		}
		rows = append(rows, t)
	}
	if err := sqlRows.Err(); err != nil {
		return nil, fmt.Errorf("thread: public threads: %w", err)
	}
	return rows, nil
}

// LatestPublicActivity returns the last activity among the threads a guest may
// read in board, and false if there are none: one step down the board's
// activity index, past the few threads guests may not see.
func (s *Service) LatestPublicActivity(ctx context.Context, boardID int64) (time.Time, bool, error) {
	var last time.Time
	err := s.db.Reader(ctx).Raw("SELECT last_activity_at FROM threads WHERE board_id = ? AND "+publicWhere+
		" ORDER BY last_activity_at DESC, id DESC LIMIT 1", boardID).Row().Scan(&last)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return time.Time{}, false, nil
	case err != nil:
		return time.Time{}, false, fmt.Errorf("thread: latest activity in board %d: %w", boardID, err)
	}
	return last, true, nil
}
