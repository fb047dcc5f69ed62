package thread

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// leadAnswers is how many answers of a thread, and how many of its hidden
// posts, a result's excerpt or snippet is taken from: more than the few
// hundred characters shown ever need, and a thread with thousands of
// answers costs a suggestion no more than one with three.
const leadAnswers = 10

// leads loads, per thread, the question, the accepted solution, and the first
// leadAnswers other visible answers and (withHidden) hidden posts: the start
// of the thread, as IndexData would load it all.
func (s *Service) leads(ctx context.Context, ids []int64, withHidden bool) (map[int64]*Indexed, error) {
	out := make(map[int64]*Indexed, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var threads []struct {
		ID             int64
		SolutionPostID *int64
	}
	if err := s.db.Reader(ctx).Table("threads").Select("id, solution_post_id").Where("id IN ?", ids).Scan(&threads).Error; err != nil {
		return nil, fmt.Errorf("thread: leads: %w", err)
	}
	if len(threads) == 0 {
		return out, nil
	}
	var sql []string
	var args []any
	for _, t := range threads {
		out[t.ID] = &Indexed{Thread: Thread{ID: t.ID, SolutionPostID: t.SolutionPostID}}
		// One statement, one short indexed range per part: (thread_id, id)
		// finds the question first, and stops each part after its first rows;
		// the solution is a primary-key lookup.
		sql = append(sql, "SELECT * FROM (SELECT id, thread_id, is_question, source, deleted_at, pending FROM posts "+
			"WHERE thread_id = ? AND is_question ORDER BY id LIMIT 1) q")
		args = append(args, t.ID)
		if t.SolutionPostID != nil {
			sql = append(sql, "SELECT id, thread_id, is_question, source, deleted_at, pending FROM posts WHERE id = ?")
			args = append(args, *t.SolutionPostID)
		}
		sql = append(sql, "SELECT * FROM (SELECT id, thread_id, is_question, source, deleted_at, pending FROM posts "+
			"WHERE thread_id = ? AND NOT is_question AND deleted_at IS NULL AND NOT pending ORDER BY id LIMIT ?) a")
		args = append(args, t.ID, leadAnswers+1) // one more: the solution may be among them
		if withHidden {
			sql = append(sql, "SELECT * FROM (SELECT id, thread_id, is_question, source, deleted_at, pending FROM posts "+
				"WHERE thread_id = ? AND NOT is_question AND (deleted_at IS NOT NULL OR pending) ORDER BY id LIMIT ?) h")
			args = append(args, t.ID, leadAnswers)
		}
	}
	var posts []struct {
		ID         int64
		ThreadID   int64
		IsQuestion bool
		Source     string
		DeletedAt  *time.Time
		Pending    bool
	}
	if err := s.db.Reader(ctx).Raw(strings.Join(sql, " UNION ALL ")+" ORDER BY id", args...).Scan(&posts).Error; err != nil {
		return nil, fmt.Errorf("thread: leads: %w", err)
	}
	seen := map[int64]bool{} // the solution comes in two parts
	for _, p := range posts {
		t := out[p.ThreadID]
		if t == nil || seen[p.ID] {
			continue
		}
		seen[p.ID] = true
		switch {
		case p.DeletedAt != nil || p.Pending:
			if withHidden {
				t.Hidden = append(t.Hidden, p.Source)
			}
		case p.IsQuestion:
			t.Question = p.Source
		case t.SolutionPostID != nil && *t.SolutionPostID == p.ID:
			t.Solution = p.Source
		case len(t.Answers) < leadAnswers:
			t.Answers = append(t.Answers, p.Source)
		}
	}
	return out, nil
}
