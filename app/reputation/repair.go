package reputation

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Report is what Repair found; after normal use every list is empty and every
// count zero.
type Report struct {
	Users         int
	Events        int64
	Reputation    []Difference // users whose stored reputation was not their ledger's sum
	BadgesAdded   []Grant      // earned by the ledger, missing
	BadgesRemoved []Grant      // held, not earned by the ledger
	KudosCounts   int64        // posts whose kudos count was wrong
	AnswerCounts  int64        // threads whose answer count was wrong
	Duration      time.Duration
}

// Clean reports whether nothing had to be repaired.
func (r *Report) Clean() bool {
	return len(r.Reputation) == 0 && len(r.BadgesAdded) == 0 && len(r.BadgesRemoved) == 0 && r.KudosCounts == 0 && r.AnswerCounts == 0
}

// Difference is a user whose stored reputation differs from the ledger.
type Difference struct {
	UserID         int64
	Stored, Ledger int64
}

// Grant is a badge of a user.
type Grant struct {
	UserID int64
	Badge  string
}

// Repair recomputes every member's reputation and badges from the ledger, and the
// kudos and answer counts from the posts, in one pass over the ledger; with fix it
// writes the corrections (in one transaction), else it only reports them.
func (s *Service) Repair(ctx context.Context, fix bool) (*Report, error) {
	start := time.Now()
	rep := &Report{}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		stored := map[int64]int64{}
		rows, err := w.Raw("SELECT id, reputation FROM users").Rows()
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, r int64
			if err := rows.Scan(&id, &r); err != nil {
				rows.Close()
				return err
			}
			stored[id] = r
		}
		rows.Close()
		held := map[Grant]bool{}
		rows, err = w.Raw("SELECT user_id, badge FROM user_badges").Rows()
		if err != nil {
			return err
		}
		for rows.Next() {
			var g Grant
			if err := rows.Scan(&g.UserID, &g.Badge); err != nil {
				rows.Close()
				return err
			}
			held[g] = true
		}
		rows.Close()

		// In id order the table is read front to back; per user the order is the
		// same as in the ledger, which is all a history needs.
		histories := map[int64]*History{}
		rows, err = w.Raw("SELECT user_id, kind, points, post_id, created_at FROM reputation_events ORDER BY id").Rows()
		if err != nil {
			return err
		}
		for rows.Next() {
			var uid int64
			var e Event
			if err := rows.Scan(&uid, &e.Kind, &e.Points, &e.PostID, &e.CreatedAt); err != nil {
				rows.Close()
				return err
			}
			h := histories[uid]
			if h == nil {
				h = &History{}
				histories[uid] = h
			}
			h.Add(e)
			rep.Events++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}

		rep.Users = len(stored)
		earnedAt := map[Grant]time.Time{}
		for id, r := range stored {
			h := histories[id]
			if h == nil {
				h = &History{}
			}
			if h.Reputation != r {
				rep.Reputation = append(rep.Reputation, Difference{UserID: id, Stored: r, Ledger: h.Reputation})
			}
			for b, at := range h.Earned {
				g := Grant{id, b}
				earnedAt[g] = at
				if !held[g] {
					rep.BadgesAdded = append(rep.BadgesAdded, g)
				}
			}
		}
		for g := range held {
			if _, ok := earnedAt[g]; !ok {
				rep.BadgesRemoved = append(rep.BadgesRemoved, g)
			}
		}
		byUser := func(a, b Grant) int {
			if a.UserID != b.UserID {
				return cmp.Compare(a.UserID, b.UserID)
			}
			return strings.Compare(a.Badge, b.Badge)
		}
		slices.SortFunc(rep.Reputation, func(a, b Difference) int { return cmp.Compare(a.UserID, b.UserID) })
		slices.SortFunc(rep.BadgesAdded, byUser)
		slices.SortFunc(rep.BadgesRemoved, byUser)

		kudos := "(SELECT COUNT(*) FROM kudos WHERE kudos.post_id = posts.id)"
		answers := "(SELECT COUNT(*) FROM posts p WHERE p.thread_id = threads.id AND NOT p.is_question AND p.deleted_at IS NULL AND NOT p.pending)"
		if !fix {
			if err := w.Raw("SELECT COUNT(*) FROM posts WHERE kudos_count <> " + kudos).Scan(&rep.KudosCounts).Error; err != nil {
				return err
			}
			return w.Raw("SELECT COUNT(*) FROM threads WHERE answer_count <> " + answers).Scan(&rep.AnswerCounts).Error
		}
		res := w.Exec("UPDATE posts SET kudos_count = " + kudos + " WHERE kudos_count <> " + kudos)
		if res.Error != nil {
			return res.Error
		}
		rep.KudosCounts = res.RowsAffected
		res = w.Exec("UPDATE threads SET answer_count = " + answers + " WHERE answer_count <> " + answers)
		if res.Error != nil {
			return res.Error
		}
		rep.AnswerCounts = res.RowsAffected
		for _, d := range rep.Reputation {
			if err := w.Exec("UPDATE users SET reputation = ? WHERE id = ?", d.Ledger, d.UserID).Error; err != nil {
				return err
			}
		}
		grants := make([]granted, len(rep.BadgesAdded))
		for i, g := range rep.BadgesAdded {
			grants[i] = granted{Grant: g, At: earnedAt[g]}
		}
		if err := s.grant(ctx, grants...); err != nil {
			return err
		}
		for _, g := range rep.BadgesRemoved {
			if err := w.Exec("DELETE FROM user_badges WHERE user_id = ? AND badge = ?", g.UserID, g.Badge).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reputation: repair: %w", err)
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

// String prints the report for the command line.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "checked %d users and %d ledger events in %s (%.0f events/s)\n", r.Users, r.Events,
		r.Duration.Round(time.Millisecond), float64(r.Events)/max(r.Duration.Seconds(), 1e-9))
	for _, d := range r.Reputation {
		fmt.Fprintf(&b, "user %d: reputation %d, ledger says %d\n", d.UserID, d.Stored, d.Ledger)
	}
	for _, g := range r.BadgesAdded {
		fmt.Fprintf(&b, "user %d: badge %s earned but missing\n", g.UserID, g.Badge)
	}
	for _, g := range r.BadgesRemoved {
		fmt.Fprintf(&b, "user %d: badge %s held but not earned\n", g.UserID, g.Badge)
	}
	if r.KudosCounts > 0 {
		fmt.Fprintf(&b, "%d posts had a wrong kudos count\n", r.KudosCounts)
	}
	if r.AnswerCounts > 0 {
		fmt.Fprintf(&b, "%d threads had a wrong answer count\n", r.AnswerCounts)
	}
	if r.Clean() {
		b.WriteString("no differences\n")
	}
	return b.String()
}
