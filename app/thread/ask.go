package thread

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm/clause"

	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/markup"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// Ask is a new question.
type Ask struct {
	BoardID  int64
	Title    string
	Body     string
	Tags     string // comma- or space-separated
	Language string
}

// MaxTags is how many tags a question may carry.
const MaxTags = 5

var tagPattern = regexp.MustCompile(`^[\p{Ll}\p{Nd}][\p{Ll}\p{Nd}+#.-]{1,29}$`)

// ParseTags normalises user input into at most MaxTags distinct lower-case tags.
func ParseTags(in string) ([]string, string) {
	var tags []string
	for _, f := range strings.FieldsFunc(strings.ToLower(in), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		f = strings.Trim(f, "#")
		if f == "" || slices.Contains(tags, f) {
			continue
		}
		if !tagPattern.MatchString(f) {
			return nil, "thread.tags.invalid"
		}
		tags = append(tags, f)
	}
	if len(tags) > MaxTags {
		return nil, "thread.tags.too_many"
	}
	return tags, ""
}

func normaliseTitle(title string) string { return strings.Join(strings.Fields(title), " ") }

func checkTitle(errs validate.Errors, title string) {
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		errs.Add("title", "form.required")
	case n < MinTitle:
		errs.Add("title", "thread.title.short")
	case n > MaxTitle:
		errs.Add("title", "thread.title.long")
	}
}

func checkBody(errs validate.Errors, body string) {
	switch {
	case strings.TrimSpace(body) == "":
		errs.Add("body", "form.required")
	case len(body) > markup.MaxSource:
		errs.Add("body", "thread.body.long")
	}
}

// CheckAsk validates a question as Create would, without storing anything, so
// that the ask page can show what is wrong before it shows existing threads
// (the step is for a question that could be posted as it is).
func (s *Service) CheckAsk(ctx context.Context, author *user.User, a Ask) error {
	a.Title = normaliseTitle(a.Title)
	_, err := s.checkAsk(ctx, author, a)
	return err
}

// checkAsk returns the question's tags, or its field problems.
func (s *Service) checkAsk(ctx context.Context, author *user.User, a Ask) ([]string, error) {
	errs := validate.Errors{}
	checkTitle(errs, a.Title)
	checkBody(errs, a.Body)
	tags, key := ParseTags(a.Tags)
	if key != "" {
		errs.Add("tags", key)
	}
	var b board.Board
	if a.BoardID == 0 {
		errs.Add("board", "form.required")
	} else if err := s.db.Reader(ctx).Where("id = ?", a.BoardID).Take(&b).Error; err != nil {
		errs.Add("board", "thread.board.unknown")
	} else if !CanPost(author, b.PostRole) {
		errs.Add("board", "thread.board.closed")
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return tags, nil
}

// Create validates a question and stores the thread, its first post and its tags in
// one transaction.
func (s *Service) Create(ctx context.Context, author *user.User, a Ask) (*Thread, error) {
	a.Title = normaliseTitle(a.Title)
	tags, err := s.checkAsk(ctx, author, a)
	if err != nil {
		return nil, err
	}
	html, err := s.render(a.Body)
	if err != nil {
		return nil, err
	}
	switch a.Language {
	case "en", "de":
	case "":
		a.Language = DetectLanguage(a.Title + " " + a.Body)
	default:
		a.Language = "en"
	}
	repeated, err := s.repeats(ctx, author, a.Body)
	if err != nil {
		return nil, err
	}
	now := s.now()
	t := &Thread{BoardID: a.BoardID, AuthorID: author.ID, Title: a.Title, Slug: Slugify(a.Title),
		Language: a.Language, State: StateOpen, CreatedAt: now, LastActivityAt: now}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		held, err := s.admit(ctx, author, a.Body, html, repeated)
		if err != nil {
			return err
		}
		pending := held != ""
		t.Pending = pending
		w := s.db.Writer(ctx)
		if err := w.Create(t).Error; err != nil {
			return err
		}
		p := &Post{ThreadID: t.ID, AuthorID: author.ID, IsQuestion: true, Source: a.Body, SourceSum: SourceSum(a.Body), HTML: html, CreatedAt: now, UpdatedAt: now, Pending: pending, HeldReason: held}
		if err := w.Create(p).Error; err != nil {
			return err
		}
		if err := s.attachTags(ctx, t.ID, tags); err != nil {
			return err
		}
		if pending {
			return s.hold(ctx, t, p)
		}
		return s.publishQuestion(ctx, t)
	})
	if err != nil {
		return nil, fmt.Errorf("thread: create: %w", err)
	}
	return t, nil
}

// Tag is a topic label with the number of threads that carry it.
type Tag struct {
	ID          int64
	Name        string
	ThreadCount int
}

func (s *Service) attachTags(ctx context.Context, threadID int64, names []string) error {
	w := s.db.Writer(ctx)
	for _, name := range names {
		if err := w.Clauses(clause.OnConflict{DoNothing: true}).Create(&Tag{Name: name}).Error; err != nil {
			return err
		}
		var tag Tag
		if err := w.Where("name = ?", name).Take(&tag).Error; err != nil {
			return err
		}
		if err := w.Exec("INSERT INTO thread_tags (thread_id, tag_id) VALUES (?, ?)", threadID, tag.ID).Error; err != nil {
			return err
		}
		if err := w.Exec("UPDATE tags SET thread_count = thread_count + 1 WHERE id = ?", tag.ID).Error; err != nil {
			return err
		}
	}
	return nil
}

// SuggestTags returns up to limit tags starting with prefix, most used first.
func (s *Service) SuggestTags(ctx context.Context, prefix string, limit int) ([]Tag, error) {
	prefix = strings.ToLower(strings.TrimSpace(prefix))
	if prefix == "" || len(prefix) > 30 {
		return nil, nil
	}
	escaped := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix)
	var tags []Tag
	err := s.db.Reader(ctx).Where(`name LIKE ? ESCAPE '\' AND thread_count > 0`, escaped+"%").
		Order("thread_count DESC, name").Limit(limit).Find(&tags).Error
	return tags, err
}
