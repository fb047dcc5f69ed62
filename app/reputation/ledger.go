package reputation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/thread"
)

// Service keeps the ledger and answers questions about standing.
type Service struct {
	db     *database.DB
	points Points
	ranks  config.Ranks
	now    func() time.Time
}

// NewService returns a Service with the points and rank tables; it refuses
// points for kinds it does not know.
func NewService(db *database.DB, points map[string]int, ranks config.Ranks, now func() time.Time) (*Service, error) {
	if err := checkPoints(points); err != nil {
		return nil, err
	}
	if len(ranks) == 0 {
		return nil, fmt.Errorf("SCHWARM_RANKS: at least one rank is needed")
	}
	return &Service{db: db, points: points, ranks: ranks, now: now}, nil
}

// Rank returns the rank for a reputation.
func (s *Service) Rank(reputation int64) Rank { return RankOf(s.ranks, reputation) }

// Record writes facts to the ledger, adds their points to each member's
// reputation and grants the badges they earn, all in the caller's transaction
// (thread.Ledger): an action and its reputation commit together or not at all.
func (s *Service) Record(ctx context.Context, facts ...thread.Fact) error {
	if len(facts) == 0 {
		return nil
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		now := s.now()
		sums := map[int64]int64{}
		var users []int64
		for _, f := range facts {
			e := Event{UserID: f.UserID, Kind: f.Kind, Points: s.points.value(f.Kind), ActorID: ref(f.ActorID),
				ThreadID: ref(f.ThreadID), PostID: ref(f.PostID), BoardID: ref(f.BoardID), CreatedAt: now}
			if base, ok := withdraws[f.Kind]; ok {
				// Take back exactly what was given, even if the table changed since.
				q := w.Model(&Event{}).Where("user_id = ? AND kind = ? AND post_id = ?", f.UserID, base, f.PostID)
				if f.Kind == thread.FactKudosWithdrawn {
					q = q.Where("actor_id = ?", f.ActorID)
				}
				var given []int
				if err := q.Order("id DESC").Limit(1).Pluck("points", &given).Error; err != nil {
					return err
				}
				if len(given) == 1 {
					e.Points = -given[0]
				}
			}
			if err := w.Create(&e).Error; err != nil {
				return fmt.Errorf("reputation: record %s: %w", f.Kind, err)
			}
			if _, ok := sums[f.UserID]; !ok {
				users = append(users, f.UserID)
			}
			sums[f.UserID] += int64(e.Points)
		}
		slices.Sort(users) // one lock order for every transaction: no deadlocks between them
		for _, id := range users {
			if sums[id] != 0 {
				if err := w.Exec("UPDATE users SET reputation = reputation + ? WHERE id = ?", sums[id], id).Error; err != nil {
					return fmt.Errorf("reputation: update user %d: %w", id, err)
				}
			}
			if err := s.award(ctx, id); err != nil {
				return err
			}
		}
		return nil
	})
}

func ref(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// award grants userID the badges their ledger has earned and they lack. It reads
// the whole ledger of the user, exactly as Repair does, so that the two can never
// disagree; a grant is a row with a unique (user, badge), so awarding twice, or
// again after a crash, changes nothing.
func (s *Service) award(ctx context.Context, userID int64) error {
	h, err := s.history(ctx, userID)
	if err != nil {
		return err
	}
	have, err := s.badgesOf(ctx, userID)
	if err != nil {
		return err
	}
	var grants []granted
	for _, b := range Badges {
		if at, ok := h.Earned[b.ID]; ok && !have[b.ID] {
			grants = append(grants, granted{Grant{userID, b.ID}, at})
		}
	}
	return s.grant(ctx, grants...)
}

// granted is a badge to grant, with when it was earned.
type granted struct {
	Grant
	At time.Time
}

// grant records badges, and for each one not held yet a badge.granted event,
// from which notifications are sent. Rows go in batches: a
// repair may grant tens of thousands at once.
func (s *Service) grant(ctx context.Context, grants ...granted) error {
	const batch = 300
	w := s.db.Writer(ctx)
	for len(grants) > 0 {
		n := min(batch, len(grants))
		var sb strings.Builder
		args := make([]any, 0, 3*n)
		sb.WriteString("INSERT INTO user_badges (user_id, badge, granted_at) VALUES ")
		for i, g := range grants[:n] {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?)")
			args = append(args, g.UserID, g.Badge, g.At)
		}
		sb.WriteString(" ON CONFLICT DO NOTHING RETURNING user_id, badge")
		var rows []Grant
		if err := w.Raw(sb.String(), args...).Scan(&rows).Error; err != nil {
			return fmt.Errorf("reputation: grant badges: %w", err)
		}
		events := make([]event.Event, len(rows))
		for i, g := range rows {
			events[i] = event.BadgeGranted{UserID: g.UserID, Badge: g.Badge}
		}
		if err := event.Emit(ctx, s.db, 0, events...); err != nil {
			return err
		}
		grants = grants[n:]
	}
	return nil
}

// history folds userID's whole ledger.
func (s *Service) history(ctx context.Context, userID int64) (*History, error) {
	rows, err := s.db.Reader(ctx).Raw("SELECT kind, points, post_id, created_at FROM reputation_events WHERE user_id = ? ORDER BY id", userID).Rows()
	if err != nil {
		return nil, fmt.Errorf("reputation: history of %d: %w", userID, err)
	}
	defer rows.Close()
	h := &History{}
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.Kind, &e.Points, &e.PostID, &e.CreatedAt); err != nil {
			return nil, fmt.Errorf("reputation: history of %d: %w", userID, err)
		}
		h.Add(e)
	}
	return h, rows.Err()
}

func (s *Service) badgesOf(ctx context.Context, userID int64) (map[string]bool, error) {
	var have []string
	if err := s.db.Reader(ctx).Table("user_badges").Where("user_id = ?", userID).Pluck("badge", &have).Error; err != nil {
		return nil, fmt.Errorf("reputation: badges of %d: %w", userID, err)
	}
	out := make(map[string]bool, len(have))
	for _, b := range have {
		out[b] = true
	}
	return out, nil
}
