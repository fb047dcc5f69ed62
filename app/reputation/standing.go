package reputation

import (
	"context"
	"fmt"
	"time"

	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// Standing is a member's reputation as a profile shows it.
type Standing struct {
	Stats
	Rank   Rank
	Badges []Held
}

// Held is a badge a member holds.
type Held struct {
	Badge
	GrantedAt time.Time
}

// Standing returns u's stats from the ledger, rank and badges.
func (s *Service) Standing(ctx context.Context, u *user.User) (*Standing, error) {
	h, err := s.history(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Badge     string
		GrantedAt time.Time
	}
	if err := s.db.Reader(ctx).Table("user_badges").Where("user_id = ?", u.ID).Order("granted_at, id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("reputation: badges of %d: %w", u.ID, err)
	}
	st := &Standing{Stats: h.Stats, Rank: s.Rank(u.Reputation)}
	for _, r := range rows {
		if b, ok := BadgeByID(r.Badge); ok {
			st.Badges = append(st.Badges, Held{Badge: b, GrantedAt: r.GrantedAt})
		}
	}
	return st, nil
}

// Periods of a leaderboard.
const (
	PeriodWeek  = "week"
	PeriodMonth = "month"
	PeriodAll   = "all"
)

// Periods lists the leaderboard periods in display order.
var Periods = []string{PeriodWeek, PeriodMonth, PeriodAll}

// Leader is one row of a leaderboard.
type Leader struct {
	UserID      int64
	Handle      string
	DisplayName string
	Role        user.Role
	Avatar      string
	Reputation  int64 // all time
	Points      int64 // in the period and board
	Solutions   int   // accepted in the period and board, less withdrawn ones
}

// Leaderboard returns the members who earned most reputation in period (one of
// Periods), in boardID (0 = all boards), best first.
func (s *Service) Leaderboard(ctx context.Context, boardID int64, period string, limit int) ([]Leader, error) {
	q := s.db.Reader(ctx).Table("reputation_events e").
		Select("u.id AS user_id, u.handle, u.display_name, u.avatar, u.role, u.reputation, SUM(e.points) AS points, "+
			"SUM(CASE e.kind WHEN ? THEN 1 WHEN ? THEN -1 ELSE 0 END) AS solutions", thread.FactSolution, thread.FactSolutionWithdrawn).
		Joins("JOIN users u ON u.id = e.user_id").
		Group("u.id, u.handle, u.display_name, u.avatar, u.role, u.reputation").
		Having("SUM(e.points) > 0").Order("points DESC, u.id").Limit(limit)
	switch period {
	case PeriodWeek:
		q = q.Where("e.created_at >= ?", s.now().AddDate(0, 0, -7))
	case PeriodMonth:
		q = q.Where("e.created_at >= ?", s.now().AddDate(0, -1, 0))
	}
	if boardID != 0 {
		q = q.Where("e.board_id = ?", boardID)
	}
	var out []Leader
	if err := q.Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("reputation: leaderboard: %w", err)
	}
	return out, nil
}

// Holder is a member who holds a badge.
type Holder struct {
	Handle      string
	DisplayName string
	Avatar      string
	GrantedAt   time.Time
}

// Holders returns the members who hold badge, most recent first, and how many hold it.
func (s *Service) Holders(ctx context.Context, badge string, limit int) ([]Holder, int, error) {
	var total int64
	r := s.db.Reader(ctx)
	if err := r.Table("user_badges").Where("badge = ?", badge).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("reputation: holders of %s: %w", badge, err)
	}
	var out []Holder
	err := r.Table("user_badges b").Select("u.handle, u.display_name, u.avatar, b.granted_at").Joins("JOIN users u ON u.id = b.user_id").
		Where("b.badge = ?", badge).Order("b.granted_at DESC, b.id DESC").Limit(limit).Scan(&out).Error
	if err != nil {
		return nil, 0, fmt.Errorf("reputation: holders of %s: %w", badge, err)
	}
	return out, int(total), nil
}

// HolderCounts returns how many members hold each badge.
func (s *Service) HolderCounts(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Badge string
		N     int
	}
	if err := s.db.Reader(ctx).Table("user_badges").Select("badge, COUNT(*) AS n").Group("badge").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("reputation: badge counts: %w", err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Badge] = r.N
	}
	return out, nil
}
