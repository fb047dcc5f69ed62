package thread

import (
	"context"
	"sync"
	"time"
)

// Views counts thread views in memory and writes them in one transaction per
// flush, so that reading a page never waits for a write. A crash loses at most one
// flush interval of views, which is acceptable for a counter shown to people.
type Views struct {
	svc     *Service
	mu      sync.Mutex
	pending map[int64]int
}

// NewViews returns a view counter for svc's database.
func NewViews(svc *Service) *Views { return &Views{svc: svc, pending: map[int64]int{}} }

// Add counts one view of a thread.
func (v *Views) Add(threadID int64) {
	v.mu.Lock()
	v.pending[threadID]++
	v.mu.Unlock()
}

// Flush writes the counted views.
func (v *Views) Flush(ctx context.Context) error {
	v.mu.Lock()
	batch := v.pending
	v.pending = map[int64]int{}
	v.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	err := v.svc.db.InTx(ctx, func(ctx context.Context) error {
		w := v.svc.db.Writer(ctx)
		for id, n := range batch {
			if err := w.Exec("UPDATE threads SET view_count = view_count + ? WHERE id = ?", n, id).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil { // keep the views for the next try
		v.mu.Lock()
		for id, n := range batch {
			v.pending[id] += n
		}
		v.mu.Unlock()
	}
	return err
}

// Run flushes every interval until ctx ends, then once more; failed flushes are
// reported to logErr and retried with the next one.
func (v *Views) Run(ctx context.Context, interval time.Duration, logErr func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := v.Flush(context.WithoutCancel(ctx)); err != nil {
				logErr(err)
			}
			return
		case <-t.C:
			if err := v.Flush(ctx); err != nil && ctx.Err() == nil {
				logErr(err)
			}
		}
	}
}
