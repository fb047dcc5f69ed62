// Package deflection records what happens while a customer writes a question:
// which existing threads were suggested, which one they opened, whether it solved
// their problem, and whether they posted anyway or left. The deflection rate —
// asks abandoned after opening a suggestion, divided by asks started — comes from
// here. It stores no personal data beyond the member's id.
package deflection

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/thread"
)

// Kinds of events.
const (
	Shown     = "shown"     // a thread was suggested
	Clicked   = "clicked"   // the customer opened a suggested thread
	Solved    = "solved"    // … and said it solved their problem
	Posted    = "posted"    // the question was posted anyway
	Abandoned = "abandoned" // the ask ended after a click, without a question
)

// ErrUnknownSession means the ask session does not exist or is someone else's.
var ErrUnknownSession = problem.New(http.StatusNotFound, "error.not_found", "deflection: unknown ask session")

// AbandonAfter is how long after the last click an ask without a question counts
// as abandoned.
const AbandonAfter = 30 * time.Minute

// Aliases learns how people ask for a thread; app/thread provides it.
type Aliases interface {
	AddAlias(ctx context.Context, threadID int64, text, source string) error
}

// Service records ask sessions and their events.
type Service struct {
	db      *database.DB
	aliases Aliases
	now     func() time.Time
}

// NewService returns a Service; a thread that solved an ask learns its question
// as an alias through aliases.
func NewService(db *database.DB, aliases Aliases, now func() time.Time) *Service {
	return &Service{db: db, aliases: aliases, now: now}
}

// Start opens an ask session for userID and returns its id.
func (s *Service) Start(ctx context.Context, userID int64) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	id := hex.EncodeToString(b[:])
	err := s.db.Writer(ctx).Exec("INSERT INTO ask_sessions (id, user_id, started_at) VALUES (?, ?, ?)", id, userID, s.now()).Error
	if err != nil {
		return "", fmt.Errorf("deflection: start: %w", err)
	}
	return id, nil
}

// Record notes events of kind in userID's session, once per thread; query is what
// had been typed, from which aliases are to be learned.
// Solved and Posted end the session with that outcome; a question posted after a
// "solved" still counts as posted.
func (s *Service) Record(ctx context.Context, userID int64, session, kind, query string, threadIDs ...int64) error {
	if len(query) > 500 {
		query = strings.ToValidUTF8(query[:500], "")
	}
	if len(threadIDs) == 0 {
		threadIDs = []int64{0}
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		var owner []int64
		if err := w.Table("ask_sessions").Where("id = ?", session).Pluck("user_id", &owner).Error; err != nil {
			return err
		}
		if len(owner) != 1 || owner[0] != userID {
			return ErrUnknownSession
		}
		now := s.now()
		for _, id := range threadIDs {
			err := w.Exec("INSERT INTO deflection_events (session_id, kind, thread_id, query, created_at) VALUES (?, ?, ?, ?, ?) "+
				"ON CONFLICT DO NOTHING", session, kind, id, query, now).Error
			if err != nil {
				return fmt.Errorf("deflection: record %s: %w", kind, err)
			}
		}
		switch kind {
		case Solved:
			// What the customer typed found this thread and it solved their
			// problem: the next one who asks that way should find it too.
			var typed []string
			if err := w.Table("deflection_events").Where("session_id = ? AND query <> ''", session).Order("id DESC").Limit(1).
				Pluck("query", &typed).Error; err != nil {
				return err
			}
			if len(typed) == 1 {
				for _, id := range threadIDs {
					if err := s.aliases.AddAlias(ctx, id, typed[0], thread.AliasSolved); err != nil {
						return err
					}
				}
			}
			return w.Exec("UPDATE ask_sessions SET outcome = ?, ended_at = ? WHERE id = ? AND outcome = ''", Abandoned, now, session).Error
		case Posted:
			return w.Exec("UPDATE ask_sessions SET outcome = ?, ended_at = ? WHERE id = ?", Posted, now, session).Error
		}
		return nil
	})
}

// AbandonStale ends, as abandoned, the sessions with a click and no question for
// AbandonAfter since the last event; it returns how many.
func (s *Service) AbandonStale(ctx context.Context) (int64, error) {
	cutoff := s.now().Add(-AbandonAfter)
	var n int64
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		res := s.db.Writer(ctx).Exec("UPDATE ask_sessions SET outcome = ?, ended_at = ? WHERE outcome = '' "+
			"AND EXISTS (SELECT 1 FROM deflection_events e WHERE e.session_id = ask_sessions.id AND e.kind = ?) "+
			"AND NOT EXISTS (SELECT 1 FROM deflection_events e WHERE e.session_id = ask_sessions.id AND e.created_at > ?)",
			Abandoned, s.now(), Clicked, cutoff)
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return 0, fmt.Errorf("deflection: abandon stale: %w", err)
	}
	return n, nil
}

// Rate is the deflection rate of a period.
type Rate struct {
	Started   int64   // asks started
	Deflected int64   // asks abandoned after opening a suggestion
	Posted    int64   // asks that ended in a question
	Rate      float64 // Deflected / Started; 0 without asks
}

// DeflectionRate returns the deflection rate of the asks started in [from, to),
// for the KPI dashboard.
func (s *Service) DeflectionRate(ctx context.Context, from, to time.Time) (Rate, error) {
	var r Rate
	err := s.db.Reader(ctx).Table("ask_sessions").Where("started_at >= ? AND started_at < ?", from, to).
		Select("COUNT(*) AS started, " +
			"COALESCE(SUM(CASE WHEN outcome = 'abandoned' THEN 1 ELSE 0 END), 0) AS deflected, " +
			"COALESCE(SUM(CASE WHEN outcome = 'posted' THEN 1 ELSE 0 END), 0) AS posted").Scan(&r).Error
	if err != nil {
		return r, fmt.Errorf("deflection: rate: %w", err)
	}
	if r.Started > 0 {
		r.Rate = float64(r.Deflected) / float64(r.Started)
	}
	return r, nil
}
