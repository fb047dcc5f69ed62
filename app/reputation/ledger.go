package reputation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
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
	folds  folds
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
		kinds := map[int64][]string{}
		var users []int64
		for _, f := range facts {
			if _, ok := kinds[f.UserID]; !ok {
				users = append(users, f.UserID)
			}
			kinds[f.UserID] = append(kinds[f.UserID], f.Kind)
		}
		slices.Sort(users) // one lock order for every transaction: no deadlocks between them
		if s.db.Dialect == database.Postgres {
			// The members' rows are locked before their events are written, so
			// that one member's events commit in the order of their ids: award
			// folds a ledger on from the last id it saw and must not find an
			// older id committing after a newer one.
			if err := w.Exec("SELECT id FROM users WHERE id IN ? ORDER BY id FOR UPDATE", users).Error; err != nil {
				return fmt.Errorf("reputation: lock members: %w", err)
			}
		}
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
			sums[f.UserID] += int64(e.Points)
		}
		for _, id := range users {
			if sums[id] != 0 {
				if err := w.Exec("UPDATE users SET reputation = reputation + ? WHERE id = ?", sums[id], id).Error; err != nil {
					return fmt.Errorf("reputation: update user %d: %w", id, err)
				}
			}
			if err := s.award(ctx, id, kinds[id]); err != nil {
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

// award grants userID the badges their ledger has earned and they lack, after
// facts of kinds were recorded. It judges by the whole ledger, folded exactly as
// Repair folds it, so that the two can never disagree; a grant is a row with a
// unique (user, badge), so awarding twice, or again after a crash, changes
// nothing. Only when a badge the member lacks could be earned by one of kinds is
// the ledger read at all, and then only the events since the fold this process
// keeps of it: folding a power user's whole ledger after every answer held the
// database's one writer for milliseconds.
func (s *Service) award(ctx context.Context, userID int64, kinds []string) error {
	have, err := s.badgesOf(ctx, userID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(Badges, func(b Badge) bool {
		return !have[b.ID] && slices.ContainsFunc(b.Kinds, func(k string) bool { return slices.Contains(kinds, k) })
	}) {
		return nil
	}
	h, last := s.folds.get(userID)
	last, err = s.foldSince(ctx, userID, h, last)
	if err != nil {
		return err
	}
	database.AfterCommit(ctx, func() { s.folds.put(userID, h, last) })
	var grants []granted
	for _, b := range Badges {
		if at, ok := h.Earned[b.ID]; ok && !have[b.ID] {
			grants = append(grants, granted{Grant{userID, b.ID}, at})
		}
	}
	return s.grant(ctx, grants...)
}

// folds keeps members' folded ledgers with the id of the last event in each,
// for award. A bounded number: past it, all are forgotten and folded anew.
type folds struct {
	mu sync.Mutex
	m  map[int64]foldedLedger
}

type foldedLedger struct {
	h    *History
	last int64
}

const maxFolds = 20000

// get returns a copy of userID's fold to fold on from, or an empty one.
func (f *folds) get(userID int64) (*History, int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if l, ok := f.m[userID]; ok {
		return l.h.clone(), l.last
	}
	return &History{}, 0
}

func (f *folds) put(userID int64, h *History, last int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil || len(f.m) >= maxFolds {
		f.m = map[int64]foldedLedger{}
	}
	if l, ok := f.m[userID]; !ok || l.last < last {
		f.m[userID] = foldedLedger{h, last}
	}
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
	h := &History{}
	_, err := s.foldSince(ctx, userID, h, 0)
	return h, err
}

// foldSince folds userID's events after id into h and returns the last id.
func (s *Service) foldSince(ctx context.Context, userID int64, h *History, id int64) (int64, error) {
	rows, err := s.db.Reader(ctx).Raw("SELECT id, kind, points, post_id, created_at FROM reputation_events WHERE user_id = ? AND id > ? ORDER BY id", userID, id).Rows()
	if err != nil {
		return id, fmt.Errorf("reputation: history of %d: %w", userID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Event
		if err := rows.Scan(&id, &e.Kind, &e.Points, &e.PostID, &e.CreatedAt); err != nil {
			return id, fmt.Errorf("reputation: history of %d: %w", userID, err)
		}
		h.Add(e)
	}
	return id, rows.Err()
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
