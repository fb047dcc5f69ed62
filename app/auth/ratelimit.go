package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/schwarm/schwarm/app/database"
)

// Limiter counts events per key in the database, so that every node sees the
// same counts. It keeps a count per fixed window but judges by a sliding one: the
// previous window's count, weighted by how much of it the sliding window still
// covers, plus the current one's. Fixed windows alone let twice the budget
// through around a window's end.
type Limiter struct {
	db  *database.DB
	now func() time.Time
}

// NewLimiter returns a Limiter.
func NewLimiter(db *database.DB, now func() time.Time) *Limiter {
	return &Limiter{db: db, now: now}
}

// Allow records one event for key and reports whether it is within max events per
// window; when it is not, retryAfter says when the window ends.
func (l *Limiter) Allow(ctx context.Context, key string, max int, window time.Duration) (ok bool, retryAfter time.Duration, err error) {
	now := l.now()
	start := now.Truncate(window)
	var counts struct{ Count, Previous int }
	err = l.db.Writer(ctx).Raw(`INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)
		ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
		RETURNING count, COALESCE((SELECT p.count FROM rate_limits p WHERE p.key = ? AND p.window_start = ?), 0) AS previous`,
		key, start.Unix(), key, start.Add(-window).Unix()).Scan(&counts).Error
	if err != nil {
		return false, 0, fmt.Errorf("auth: rate limit %s: %w", key, err)
	}
	covered := float64(window-now.Sub(start)) / float64(window) // of the previous window
	if float64(counts.Previous)*covered+float64(counts.Count) > float64(max) {
		return false, start.Add(window).Sub(now), nil
	}
	return true, 0, nil
}

// Purge removes windows that ended before the longest window ago.
func (l *Limiter) Purge(ctx context.Context, longest time.Duration) error {
	return l.db.Writer(ctx).Exec("DELETE FROM rate_limits WHERE window_start < ?", l.now().Add(-2*longest).Unix()).Error
}
