package reputation_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/reputation"
	"github.com/schwarm/schwarm/app/thread"
)

// BenchmarkRepair1M replays a ledger of one million events over 20,000 members
// (Zipf: a few very active ones, many occasional) the way `schwarm repair`
// does, with every reputation and badge missing, so that each run recomputes and
// awards everything.
func BenchmarkRepair1M(b *testing.B) {
	const events, members = 1_000_000, 20_000
	db := apptest.NewDB(b)
	ctx := context.Background()
	cfg := apptest.Config(b, nil)
	rep, err := reputation.NewService(db, cfg.Points, cfg.Ranks, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	w := db.Writer(ctx)
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const batch = 500
	for from := 0; from < members; from += batch {
		var sb strings.Builder
		var args []any
		sb.WriteString("INSERT INTO users (handle, display_name, email, created_at, updated_at) VALUES ")
		for i := from; i < from+batch; i++ {
			if i > from {
				sb.WriteString(",")
			}
			sb.WriteString("(?, ?, ?, ?, ?)")
			h := fmt.Sprintf("m%d", i)
			args = append(args, h, h, h+"@example.com", start, start)
		}
		if err := w.Exec(sb.String(), args...).Error; err != nil {
			b.Fatal(err)
		}
	}
	var firstID int64
	if err := w.Raw("SELECT MIN(id) FROM users").Scan(&firstID).Error; err != nil {
		b.Fatal(err)
	}
	kinds := []struct {
		kind   string
		points int
		weight int
	}{
		{thread.FactAnswer, 0, 30}, {thread.FactQuestion, 0, 10}, {thread.FactKudos, 10, 25}, {thread.FactKudosWithdrawn, -10, 2},
		{thread.FactSolution, 15, 8}, {thread.FactSolutionWithdrawn, -15, 1}, {thread.FactAccept, 2, 8},
		{thread.FactUnansweredAnswer, 2, 8}, {thread.FactWelcome, 0, 3}, {thread.FactQuickAnswer, 0, 5},
	}
	var wheel []int
	for i, k := range kinds {
		for range k.weight {
			wheel = append(wheel, i)
		}
	}
	r := rand.New(rand.NewPCG(1, 1))
	zipf := rand.NewZipf(r, 1.2, 1, members-1)
	if err := db.InTx(ctx, func(ctx context.Context) error {
		w := db.Writer(ctx)
		for from := 0; from < events; from += batch {
			var sb strings.Builder
			args := make([]any, 0, batch*5)
			sb.WriteString("INSERT INTO reputation_events (user_id, kind, points, post_id, created_at) VALUES ")
			for i := from; i < from+batch; i++ {
				if i > from {
					sb.WriteString(",")
				}
				sb.WriteString("(?, ?, ?, ?, ?)")
				k := kinds[wheel[r.IntN(len(wheel))]]
				args = append(args, firstID+int64(zipf.Uint64()), k.kind, k.points, int64(r.IntN(events/3)),
					start.Add(time.Duration(i)*30*time.Second))
			}
			if err := w.Exec(sb.String(), args...).Error; err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		if err := w.Exec("DELETE FROM user_badges").Error; err != nil {
			b.Fatal(err)
		}
		if err := w.Exec("UPDATE users SET reputation = 0").Error; err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		report, err := rep.Repair(ctx, true)
		if err != nil {
			b.Fatal(err)
		}
		if report.Events != events || len(report.BadgesAdded) == 0 {
			b.Fatalf("replayed %d events, awarded %d badges", report.Events, len(report.BadgesAdded))
		}
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
