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
	text = aliasText(text)
	if utf8.RuneCountInString(text) < 3 {
		return nil
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		var n int64
		if err := w.Table("thread_aliases").Where("thread_id = ?", threadID).Count(&n).Error; err != nil {
			return err
		}
		if n >= maxAliases {
			return nil
		}
		res := w.Exec("INSERT INTO thread_aliases (thread_id, text, source, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
			threadID, text, source, s.now())
		if res.Error != nil {
			return fmt.Errorf("thread %d: add alias: %w", threadID, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		return event.Emit(ctx, s.db, 0, event.AliasesChanged{ThreadID: threadID})
	})
}

// aliasText is text as an alias keeps it: single spaces, a title's length.
func aliasText(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) > MaxTitle {
		text = string([]rune(text)[:MaxTitle])
	}
	return text
}
