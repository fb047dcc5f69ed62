package notify

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/schwarm/schwarm/app/thread"
)

// mentionPattern finds @handle where a handle may begin (not in an e-mail
// address or a path); handles are those app/user accepts.
var mentionPattern = regexp.MustCompile(`(?:^|[^\w@/.-])@([A-Za-z0-9][A-Za-z0-9_.-]{2,29})`)

// codePattern is code in markdown, fenced or inline: a handle there is an
// example, not a call.
var codePattern = regexp.MustCompile("(?s)```.*?(```|$)|~~~.*?(~~~|$)|`[^`\n]*`")

// Mentions returns the handles src names with @, each once, in order, at most
// limit.
func Mentions(src string, limit int) []string {
	src = codePattern.ReplaceAllString(src, " ")
	var out []string
	seen := map[string]bool{}
	for _, m := range mentionPattern.FindAllStringSubmatch(src, -1) {
		h := strings.ToLower(strings.TrimRight(m[1], ".-"))
		if len(h) < 3 || seen[h] {
			continue
		}
		seen[h] = true
		out = append(out, h)
		if len(out) == limit {
			break
		}
	}
	return out
}

// mentioned returns the members the post names with @, but its author and no
// more than the author's mentions may still tell today.
func (s *Service) mentioned(ctx context.Context, postID, authorID int64) ([]int64, error) {
	post, err := s.threads.GetPost(ctx, postID)
	if errors.Is(err, thread.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	handles := Mentions(post.Source, s.opts.MentionsPerPost)
	if len(handles) == 0 {
		return nil, nil
	}
	var told int64
	if err := s.db.Reader(ctx).Raw("SELECT COUNT(*) FROM notifications WHERE actor_id = ? AND kind = ? AND created_at > ?",
		authorID, KindMention, s.now().Add(-dayLength)).Scan(&told).Error; err != nil {
		return nil, fmt.Errorf("notify: count mentions of %d: %w", authorID, err)
	}
	left := int64(s.opts.MentionsPerDay) - told
	if left <= 0 {
		return nil, nil
	}
	var ids []int64
	if err := s.db.Reader(ctx).Raw("SELECT id FROM users WHERE lower(handle) IN ? AND id <> ? AND deleted_at IS NULL ORDER BY id LIMIT ?",
		handles, authorID, left).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("notify: find mentioned members: %w", err)
	}
	return ids, nil
}
