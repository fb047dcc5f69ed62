package notify

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Targets a member can watch.
const (
	TargetThread = "thread"
	TargetBoard  = "board"
	TargetTag    = "tag"
)

// Levels of a watch.
const (
	Watching = "watching"
	Muted    = "muted"
)

// Watch has the member watch target id (a thread's answers; a board's or
// tag's new questions).
func (s *Service) Watch(ctx context.Context, userID int64, target string, id int64) error {
	return s.setWatch(ctx, userID, target, id, Watching)
}

// Unwatch stops it. A thread stays muted: the member is no longer told of
// its answers, nor watches it again when they answer.
func (s *Service) Unwatch(ctx context.Context, userID int64, target string, id int64) error {
	if target == TargetThread {
		return s.setWatch(ctx, userID, target, id, Muted)
	}
	if err := s.db.Writer(ctx).Exec("DELETE FROM watches WHERE user_id = ? AND target = ? AND target_id = ?", userID, target, id).Error; err != nil {
		return fmt.Errorf("notify: unwatch %s %d for %d: %w", target, id, userID, err)
	}
	return nil
}

func (s *Service) setWatch(ctx context.Context, userID int64, target string, id int64, level string) error {
	switch target {
	case TargetThread, TargetBoard, TargetTag:
	default:
		return ErrInvalid
	}
	err := s.db.Writer(ctx).Exec("INSERT INTO watches (user_id, target, target_id, level, created_at) VALUES (?, ?, ?, ?, ?) "+
		"ON CONFLICT (user_id, target, target_id) DO UPDATE SET level = excluded.level", userID, target, id, level, s.now()).Error
	if err != nil {
		return fmt.Errorf("notify: watch %s %d for %d: %w", target, id, userID, err)
	}
	return nil
}

// Watching reports whether the member watches target id.
func (s *Service) Watching(ctx context.Context, userID int64, target string, id int64) (bool, error) {
	var n int64
	if err := s.watching.QueryRow(ctx, userID, target, id).Scan(&n); err != nil {
		return false, fmt.Errorf("notify: is %d watching %s %d: %w", userID, target, id, err)
	}
	return n > 0, nil
}

// Watched is one thing a member watches, for their settings page.
type Watched struct {
	Target string
	ID     int64
	Key    string // what the watch form names it by: a thread's id, a board's slug, a tag's name
	Name   string
	Link   string
	Since  time.Time
}

// maxListedWatches bounds the settings page: a member who answered thousands
// of threads watches each.
const maxListedWatches = 200

// Watches lists what the member watches (board names in lang), boards and tags first, then the
// threads they watch most recently.
func (s *Service) Watches(ctx context.Context, userID int64, lang string) ([]Watched, error) {
	var rows []struct {
		Target   string
		TargetID int64
		Name     string
		Slug     string
		Created  time.Time
	}
	err := s.db.Reader(ctx).Raw(`SELECT w.target, w.target_id, w.created_at AS created,
		COALESCE(CASE WHEN ? = 'de' THEN b.name_de ELSE b.name_en END, g.name, t.title, '') AS name, COALESCE(b.slug, t.slug, '') AS slug
		FROM watches w
		LEFT JOIN boards b ON w.target = 'board' AND b.id = w.target_id
		LEFT JOIN tags g ON w.target = 'tag' AND g.id = w.target_id
		LEFT JOIN threads t ON w.target = 'thread' AND t.id = w.target_id AND t.deleted_at IS NULL AND t.hidden_at IS NULL
		WHERE w.user_id = ? AND w.level = 'watching'
		ORDER BY CASE w.target WHEN 'board' THEN 0 WHEN 'tag' THEN 1 ELSE 2 END, w.created_at DESC LIMIT ?`,
		lang, userID, maxListedWatches).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("notify: watches of %d: %w", userID, err)
	}
	out := make([]Watched, 0, len(rows))
	for _, r := range rows {
		if r.Name == "" {
			continue // gone, or hidden from everyone but staff
		}
		w := Watched{Target: r.Target, ID: r.TargetID, Name: r.Name, Since: r.Created}
		switch r.Target {
		case TargetBoard:
			w.Key, w.Link = r.Slug, "/b/"+r.Slug
		case TargetTag:
			w.Key, w.Link = r.Name, "/?tag="+url.QueryEscape(r.Name)
		default:
			w.Key, w.Link = strconv.FormatInt(r.TargetID, 10), "/t/"+strconv.FormatInt(r.TargetID, 10)+"/"+r.Slug
		}
		out = append(out, w)
	}
	return out, nil
}

// TagID returns the id of the tag called name, 0 if there is none.
func (s *Service) TagID(ctx context.Context, name string) (int64, error) {
	var id int64
	if err := s.db.Reader(ctx).Raw("SELECT id FROM tags WHERE name = ?", name).Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("notify: tag %q: %w", name, err)
	}
	return id, nil
}
