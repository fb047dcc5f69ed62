package notify_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/notify"
	"github.com/schwarm/schwarm/app/outbox"
)

// BenchmarkAnswerTo10000Watchers: one answer in a thread 10,000 members watch,
// each told in the forum and 1,000 of them by mail, delivered as the stream
// would. Meanwhile another writer updates a row again and again; its longest
// wait (max-write-wait-ms) shows that the fan-out leaves the database's writer
// free between its batches.
func BenchmarkAnswerTo10000Watchers(b *testing.B) {
	const watchers, mailed = 10000, 1000
	f := newForum(b, notify.Options{})
	th := f.ask(f.fx.Member, "Router drops Wi-Fi at night", "Every night at 2 the Wi-Fi goes.")
	now := time.Now().UTC()
	for start := 0; start < watchers; start += 500 {
		var vals []string
		var args []any
		for i := start; i < start+500; i++ {
			vals = append(vals, "(?, ?, ?, ?, ?, ?)")
			args = append(args, fmt.Sprintf("w%05d", i), fmt.Sprintf("W %d", i), fmt.Sprintf("w%05d@example.com", i), now, now, now)
		}
		f.must(f.a.DB.Writer(f.ctx).Exec("INSERT INTO users (handle, display_name, email, email_verified_at, created_at, updated_at) VALUES "+strings.Join(vals, ", "), args...).Error)
	}
	f.must(f.a.DB.Writer(f.ctx).Exec("INSERT INTO watches (user_id, target, target_id, level, created_at) SELECT id, 'thread', ?, 'watching', ? FROM users WHERE handle LIKE 'w%'", th.ID, now).Error)
	f.must(f.a.DB.Writer(f.ctx).Exec("INSERT INTO notification_prefs (user_id, kind, delivery) SELECT id, 'reply', 'email' FROM users WHERE handle LIKE 'w%' ORDER BY id LIMIT ?", mailed).Error)
	f.must(f.deliver())
	var worst time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		f.answer(f.fx.Other, th, fmt.Sprintf("Answer number %d: switch off the night mode.", i))
		var records []outbox.Entry
		f.must(f.a.DB.Reader(f.ctx).Order("id DESC").Limit(5).Find(&records).Error)
		slices.Reverse(records)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var waits []time.Duration
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				if err := f.a.DB.Writer(context.Background()).Exec("UPDATE users SET updated_at = ? WHERE id = ?", time.Now().UTC(), f.fx.Admin.ID).Error; err != nil {
					b.Error(err)
					return
				}
				waits = append(waits, time.Since(start))
				time.Sleep(time.Millisecond)
			}
		})
		b.StartTimer()
		f.must(f.svc.Handle(f.ctx, records))
		b.StopTimer()
		close(stop)
		wg.Wait()
		for _, w := range waits {
			worst = max(worst, w)
		}
	}
	var n int64
	f.must(f.a.DB.Reader(f.ctx).Raw("SELECT COUNT(*) FROM notifications WHERE kind = 'reply'").Scan(&n).Error)
	if n != int64(watchers*b.N) {
		b.Fatalf("%d watcher notifications, want %d", n, watchers*b.N)
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "max-write-wait-ms")
	b.ReportMetric(float64(watchers), "notifications/op")
}
