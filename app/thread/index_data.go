package thread

import (
	"context"
	"fmt"
	"time"
)

// Indexed is what search needs of a thread: its text and state, read from the
// database, the source of truth.
type Indexed struct {
	Thread
	Question string   // the question's markdown source
	Solution string   // the accepted answer's source
	Answers  []string // other visible answers' sources, in order
	Kudos    int      // kudos on the question and its answers
	Aliases  []string // other ways people asked for it
	Hidden   []string // sources of deleted posts and posts waiting for review: for staff only
	Tags     []string
}

// IndexData loads the threads with the given ids for indexing; ids that no longer
// exist are missing from the result.
func (s *Service) IndexData(ctx context.Context, ids []int64) ([]Indexed, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var threads []Thread
	if err := s.db.Reader(ctx).Where("id IN ?", ids).Find(&threads).Error; err != nil {
		return nil, fmt.Errorf("thread: index data: %w", err)
	}
	out := make([]Indexed, len(threads))
	byID := make(map[int64]*Indexed, len(threads))
	for i, t := range threads {
		out[i].Thread = t
		byID[t.ID] = &out[i]
	}
	var posts []struct {
		ID         int64
		ThreadID   int64
		IsQuestion bool
		Source     string
		KudosCount int
		DeletedAt  *time.Time
		Pending    bool
	}
	err := s.db.Reader(ctx).Table("posts").Select("id, thread_id, is_question, source, kudos_count, deleted_at, pending").
		Where("thread_id IN ?", ids).Order("id").Scan(&posts).Error
	if err != nil {
		return nil, fmt.Errorf("thread: index data: %w", err)
	}
	for _, p := range posts {
		t := byID[p.ThreadID]
		if t == nil {
			continue
		}
		if p.DeletedAt != nil || p.Pending {
			t.Hidden = append(t.Hidden, p.Source)
			continue
		}
		t.Kudos += p.KudosCount
		switch {
		case p.IsQuestion:
			t.Question = p.Source
		case t.SolutionPostID != nil && *t.SolutionPostID == p.ID:
			t.Solution = p.Source
		default:
			t.Answers = append(t.Answers, p.Source)
		}
	}
	var tags []struct {
		ThreadID int64
		Name     string
	}
	err = s.db.Reader(ctx).Table("thread_tags").Select("thread_tags.thread_id, tags.name").
		Joins("JOIN tags ON tags.id = thread_tags.tag_id").Where("thread_tags.thread_id IN ?", ids).Scan(&tags).Error
	if err != nil {
		return nil, fmt.Errorf("thread: index data: %w", err)
	}
	for _, tg := range tags {
		if t := byID[tg.ThreadID]; t != nil {
			t.Tags = append(t.Tags, tg.Name)
		}
	}
	var aliases []struct {
		ThreadID int64
		Text     string
	}
	err = s.db.Reader(ctx).Table("thread_aliases").Select("thread_id, text").Where("thread_id IN ?", ids).Order("id").Scan(&aliases).Error
	if err != nil {
		return nil, fmt.Errorf("thread: index data: %w", err)
	}
	for _, a := range aliases {
		if t := byID[a.ThreadID]; t != nil {
			t.Aliases = append(t.Aliases, a.Text)
		}
	}
	return out, nil
}

// IDsAfter returns up to limit thread ids above after, in order, for rebuilding
// the search index.
func (s *Service) IDsAfter(ctx context.Context, after int64, limit int) ([]int64, error) {
	var ids []int64
	err := s.db.Reader(ctx).Table("threads").Where("id > ?", after).Order("id").Limit(limit).Pluck("id", &ids).Error
	return ids, err
}
