package auth

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/schwarm/schwarm/app/database"
)

// Limiter counts events per key, for every node together: the counts live in
// the database. It keeps a count per fixed window but judges by a sliding one:
// the previous window's count, weighted by how much of it the sliding window
// still covers, plus the current one's. Fixed windows alone let twice the budget
// through around a window's end.
//
// A node counts its own events in memory and adds them to the database's counts
// about once a second (Run, Flush), in one transaction for all keys; it reads
// the other nodes' counts from the readers at most once a second per key.
// Writing every event through SQLite's one writer made each post wait for two
// more writes. What it gives up: a node that dies loses its last second of
// counts, and the nodes see each other's events up to a second late, so a burst
// spread over several nodes can get that much more through.
type Limiter struct {
	db  *database.DB
	now func() time.Time

	mu   sync.Mutex
	keys map[limitWindow]*limitCount
}

type limitWindow struct {
	key   string
	start int64 // unix seconds
}

type limitCount struct {
	window   time.Duration
	shared   int // in the database when last read or flushed: every node's flushed events
	previous int // the previous window's count in the database
	local    int // this node's events not flushed yet
	readAt   time.Time
}

// limitRefresh is how often a key's counts are read again from the database.
const limitRefresh = time.Second

// NewLimiter returns a Limiter.
func NewLimiter(db *database.DB, now func() time.Time) *Limiter {
	return &Limiter{db: db, now: now, keys: map[limitWindow]*limitCount{}}
}

// Allow records one event for key and reports whether it is within max events per
// window; when it is not, retryAfter says when the window ends. Refused events
// count too: someone guessing passwords keeps their window full.
func (l *Limiter) Allow(ctx context.Context, key string, max int, window time.Duration) (ok bool, retryAfter time.Duration, err error) {
	ok, retryAfter, _, err = l.Try(ctx, key, max, window)
	return ok, retryAfter, err
}

// Try is Allow for a limit on events that only count when they fail, such as
// wrong passwords: it counts the event at once, so that a burst of parallel
// attempts cannot all pass one look at the count, and refund takes it back
// when the attempt turns out to count for nothing. refund is never nil; calling
// it twice or after an error does nothing more.
func (l *Limiter) Try(ctx context.Context, key string, max int, window time.Duration) (ok bool, retryAfter time.Duration, refund func(), err error) {
	ok, retryAfter, w, err := l.count(ctx, key, max, window)
	if err != nil {
		return false, 0, func() {}, err
	}
	var once sync.Once
	return ok, retryAfter, func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			// The window, not the one of the moment of refunding: the event was counted
			// there. Flush forgets no window with events not yet flushed.
			if c := l.keys[w]; c != nil {
				c.local--
			}
		})
	}, nil
}

func (l *Limiter) count(ctx context.Context, key string, max int, window time.Duration) (bool, time.Duration, limitWindow, error) {
	now := l.now()
	start := now.Truncate(window)
	w := limitWindow{key, start.Unix()}
	l.mu.Lock()
	c := l.keys[w]
	stale := c == nil || now.Sub(c.readAt) >= limitRefresh
	l.mu.Unlock()
	if stale {
		if err := l.read(ctx, w, window, now); err != nil {
			return false, 0, w, err
		}
	}
	l.mu.Lock()
	c = l.keys[w]
	c.local++
	count := c.shared + c.local
	previous := c.previous
	if p := l.keys[limitWindow{key, w.start - int64(window/time.Second)}]; p != nil {
		previous += p.local // this node's part of it not in the database yet
	}
	l.mu.Unlock()
	covered := float64(window-now.Sub(start)) / float64(window) // of the previous window
	if float64(previous)*covered+float64(count) > float64(max) {
		return false, start.Add(window).Sub(now), w, nil
	}
	return true, 0, w, nil
}

// read takes the window's and the previous window's counts from the database.
func (l *Limiter) read(ctx context.Context, w limitWindow, window time.Duration, now time.Time) error {
	var rows []struct {
		WindowStart int64
		Count       int
	}
	prev := w.start - int64(window/time.Second)
	if err := l.db.Reader(ctx).Raw("SELECT window_start, count FROM rate_limits WHERE key = ? AND window_start IN (?, ?)",
		w.key, w.start, prev).Scan(&rows).Error; err != nil {
		return fmt.Errorf("auth: rate limit %s: %w", w.key, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.keys[w]
	if c == nil {
		c = &limitCount{window: window}
		l.keys[w] = c
	}
	c.shared, c.previous, c.readAt = 0, 0, now
	for _, r := range rows {
		if r.WindowStart == w.start {
			c.shared = r.Count
		} else {
			c.previous = r.Count
		}
	}
	return nil
}

// Run flushes the counts every interval until ctx ends, and once more then.
// A flush that fails keeps its counts for the next one.
func (l *Limiter) Run(ctx context.Context, every time.Duration, onErr func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := l.Flush(context.WithoutCancel(ctx)); err != nil {
				onErr(err)
			}
			return
		case <-t.C:
			if err := l.Flush(ctx); err != nil && ctx.Err() == nil {
				onErr(err)
			}
		}
	}
}

// Flush adds this node's events counted since the last flush to the database,
// and forgets windows that can no longer matter.
func (l *Limiter) Flush(ctx context.Context) error {
	type delta struct {
		w limitWindow
		n int
	}
	now := l.now()
	var deltas []delta
	l.mu.Lock()
	for w, c := range l.keys {
		if c.local != 0 { // below zero after refunds of events already flushed
			deltas = append(deltas, delta{w, c.local})
			c.shared += c.local
			c.local = 0
		} else if time.Unix(w.start, 0).Add(2 * c.window).Before(now) {
			delete(l.keys, w) // neither this window nor the next one's sliding part
		}
	}
	l.mu.Unlock()
	if len(deltas) == 0 {
		return nil
	}
	err := l.db.InTx(ctx, func(ctx context.Context) error {
		tx := l.db.Writer(ctx)
		for rest := deltas; len(rest) > 0; {
			batch := rest[:min(len(rest), 200)]
			rest = rest[len(batch):]
			var sb strings.Builder
			args := make([]any, 0, 3*len(batch))
			sb.WriteString("INSERT INTO rate_limits (key, window_start, count) VALUES ")
			for i, d := range batch {
				if i > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString("(?, ?, ?)")
				args = append(args, d.w.key, d.w.start, d.n)
			}
			sb.WriteString(" ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + excluded.count")
			if err := tx.Exec(sb.String(), args...).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		// Counted again next time: the events stay this node's own.
		l.mu.Lock()
		for _, d := range deltas {
			if c := l.keys[d.w]; c != nil {
				c.shared -= d.n
				c.local += d.n
			}
		}
		l.mu.Unlock()
		return fmt.Errorf("auth: flush rate limits: %w", err)
	}
	return nil
}

// Purge removes windows that ended before the longest window ago.
func (l *Limiter) Purge(ctx context.Context, longest time.Duration) error {
	return l.db.Writer(ctx).Exec("DELETE FROM rate_limits WHERE window_start < ?", l.now().Add(-2*longest).Unix()).Error
}
