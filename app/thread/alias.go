package thread

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/schwarm/schwarm/app/event"
)

// Sources of aliases.
const (
	AliasSolved    = "solved"    // a customer said the thread solved what they were asking
	AliasDuplicate = "duplicate" // a moderator closed a question as the thread's duplicate
)

// maxAliases bounds what one thread learns: enough for the ways people ask, not a
// place to pile up words.
const maxAliases = 50

// AddAlias teaches search another way people ask for threadID: text (cut to a
// title's length) becomes part of what its title is matched against.
func (s *Service) AddAlias(ctx context.Context, threadID int64, text, source string) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		added, err := s.addAlias(ctx, threadID, text, source)
		if err != nil || !added {
			return err
		}
		return event.Emit(ctx, s.db, 0, event.AliasesChanged{ThreadID: threadID})
	})
}

// addAlias stores text as an alias of threadID, unless it is too short, the
// thread has it already or has maxAliases, and says whether it did. The caller
// emits the event.
func (s *Service) addAlias(ctx context.Context, threadID int64, text, source string) (bool, error) {
	text = aliasText(text)
	if utf8.RuneCountInString(text) < 3 {
		return false, nil
	}
	w := s.db.Writer(ctx)
	var n int64
	if err := w.Table("thread_aliases").Where("thread_id = ?", threadID).Count(&n).Error; err != nil {
		return false, fmt.Errorf("thread %d: add alias: %w", threadID, err)
	}
	if n >= maxAliases {
		return false, nil
	}
	res := w.Exec("INSERT INTO thread_aliases (thread_id, text, source, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
		threadID, text, source, s.now())
	if res.Error != nil {
		return false, fmt.Errorf("thread %d: add alias: %w", threadID, res.Error)
	}
	return res.RowsAffected > 0, nil
}

// aliasText is text as an alias keeps it: single spaces, a title's length.
func aliasText(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) > MaxTitle {
		text = string([]rune(text)[:MaxTitle])
	}
	return text
}
