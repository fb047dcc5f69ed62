package thread

import (
	"context"
	"fmt"
)

// Placed is a post with the page of answers it is on.
type Placed struct {
	ShownPost
	Page int
}

// Public is a thread as anyone may read it, a guest as much as its author or a
// moderator: the question, the number of visible answers, the accepted
// solution and the best other answers by kudos. Search engines get it as
// structured data, which must never carry a post waiting for review or
// deleted, whoever's request renders the page.
type Public struct {
	Question ShownPost
	Answers  int
	Solution *Placed // nil when there is none, or it is hidden
	Best     []Placed
}

// Public returns t as a guest reads it, with up to best other answers by
// kudos; ErrNotFound when a guest may not read t at all.
func (s *Service) Public(ctx context.Context, t *Thread, best int) (*Public, error) {
	if !CanSee(nil, t) {
		return nil, ErrNotFound
	}
	const guestSees = "posts.thread_id = ? AND posts.deleted_at IS NULL AND NOT posts.pending"
	rows, err := s.db.Reader(ctx).Raw("SELECT "+shownPostColumns+" FROM posts JOIN users ON users.id = posts.author_id WHERE "+
		guestSees+" AND posts.is_question ORDER BY posts.id LIMIT 1", t.ID).Rows()
	if err != nil {
		return nil, fmt.Errorf("thread %d: public: %w", t.ID, err)
	}
	out := &Public{}
	found := rows.Next()
	if found {
		err = scanShownPost(rows, &out.Question)
	}
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("thread %d: public: %w", t.ID, err)
	}
	if !found {
		return nil, ErrNotFound
	}
	solution := int64(0)
	if t.SolutionPostID != nil {
		solution = *t.SolutionPostID
	}
	// The place of an answer is counted among the answers a guest sees, as
	// Posts pages them; the window runs over one thread's answers, which the
	// page reads anyway.
	rows, err = s.db.Reader(ctx).Raw("SELECT * FROM (SELECT "+shownPostColumns+
		", ROW_NUMBER() OVER (ORDER BY posts.id) AS place, COUNT(*) OVER () AS visible"+
		" FROM posts JOIN users ON users.id = posts.author_id WHERE "+guestSees+" AND NOT posts.is_question) a"+
		" ORDER BY CASE WHEN id = ? THEN 0 ELSE 1 END, kudos_count DESC, id LIMIT ?", t.ID, solution, best+1).Rows()
	if err != nil {
		return nil, fmt.Errorf("thread %d: public: %w", t.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var p Placed
		var place int
		err := rows.Scan(&p.ID, &p.ThreadID, &p.AuthorID, &p.IsQuestion, &p.Official, &p.HTML, &p.CreatedAt, &p.EditedAt,
			&p.RevisionCount, &p.DeletedAt, &p.DeletedBy, &p.KudosCount, &p.Pending, &p.HeldReason, &p.AuthorHandle, &p.AuthorName,
			&p.AuthorRole, &p.AuthorRep, &place, &out.Answers)
		if err != nil {
			return nil, fmt.Errorf("thread %d: public: %w", t.ID, err)
		}
		p.Page = (place-1)/AnswersPerPage + 1
		switch {
		case p.ID == solution:
			out.Solution = &p
		case len(out.Best) < best:
			out.Best = append(out.Best, p)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("thread %d: public: %w", t.ID, err)
	}
	return out, nil
}
