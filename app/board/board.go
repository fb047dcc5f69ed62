package board

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// ErrNotFound means no such board.
var ErrNotFound = problem.New(http.StatusNotFound, "error.not_found", "board: not found")

// Board is a category of threads.
type Board struct {
	ID            int64
	ParentID      *int64
	Slug          string
	NameEN        string `gorm:"column:name_en"`
	NameDE        string `gorm:"column:name_de"`
	DescriptionEN string `gorm:"column:description_en"`
	DescriptionDE string `gorm:"column:description_de"`
	Position      int
	PostRole      user.Role
	ThreadCount   int
	CreatedAt     time.Time
}

// Name returns the board's name in lang.
func (b *Board) Name(lang string) string {
	if lang == "de" && b.NameDE != "" {
		return b.NameDE
	}
	return b.NameEN
}

// Description returns the board's description in lang.
func (b *Board) Description(lang string) string {
	if lang == "de" && b.DescriptionDE != "" {
		return b.DescriptionDE
	}
	return b.DescriptionEN
}

// Service manages boards. Boards are read on every page and change rarely, so the
// list is kept in memory for cacheTTL; a change made through this node drops it at
// once, a change made through another node shows within cacheTTL.
type Service struct {
	db  *database.DB
	now func() time.Time

	mu       sync.Mutex
	cached   []Board
	cachedAt time.Time
}

const cacheTTL = 15 * time.Second

// NewService returns a Service.
func NewService(db *database.DB, now func() time.Time) *Service {
	return &Service{db: db, now: now}
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// validate checks b; boards nest one level, so a parent must itself be top-level.
func (s *Service) validate(ctx context.Context, b *Board) error {
	b.Slug = strings.ToLower(strings.TrimSpace(b.Slug))
	b.NameEN, b.NameDE = strings.TrimSpace(b.NameEN), strings.TrimSpace(b.NameDE)
	b.DescriptionEN, b.DescriptionDE = strings.TrimSpace(b.DescriptionEN), strings.TrimSpace(b.DescriptionDE)
	if b.PostRole == "" {
		b.PostRole = user.RoleMember
	}
	errs := validate.Errors{}
	if !slugPattern.MatchString(b.Slug) {
		errs.Add("slug", "board.slug.invalid")
	}
	for field, name := range map[string]string{"name_en": b.NameEN, "name_de": b.NameDE} {
		switch n := utf8.RuneCountInString(name); {
		case n == 0:
			errs.Add(field, "form.required")
		case n > 60:
			errs.Add(field, "board.name.long")
		}
	}
	if utf8.RuneCountInString(b.DescriptionEN) > 300 || utf8.RuneCountInString(b.DescriptionDE) > 300 {
		errs.Add("description", "board.description.long")
	}
	if !b.PostRole.Valid() {
		errs.Add("post_role", "user.role.invalid")
	}
	if b.ParentID != nil {
		var parent Board
		err := s.db.Reader(ctx).Where("id = ?", *b.ParentID).Take(&parent).Error
		switch {
		case err != nil, parent.ID == b.ID:
			errs.Add("parent", "board.parent.invalid")
		case parent.ParentID != nil:
			errs.Add("parent", "board.parent.nested")
		}
		var children int64
		if b.ID != 0 {
			s.db.Reader(ctx).Model(&Board{}).Where("parent_id = ?", b.ID).Count(&children)
		}
		if children > 0 {
			errs.Add("parent", "board.parent.nested")
		}
	}
	var taken int64
	s.db.Reader(ctx).Model(&Board{}).Where("slug = ? AND id <> ?", b.Slug, b.ID).Count(&taken)
	if taken > 0 {
		errs.Add("slug", "board.slug.taken")
	}
	return errs.Err()
}

// Create validates and stores a new board.
func (s *Service) Create(ctx context.Context, b *Board) error {
	if err := s.validate(ctx, b); err != nil {
		return err
	}
	b.CreatedAt = s.now()
	if err := s.db.Writer(ctx).Create(b).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) { // lost a race for the slug
			return validate.Errors{"slug": "board.slug.taken"}
		}
		return fmt.Errorf("board: create %s: %w", b.Slug, err)
	}
	s.forget()
	return nil
}

// Update validates and saves a board's settings.
func (s *Service) Update(ctx context.Context, b *Board) error {
	if _, err := s.Get(ctx, b.ID); err != nil {
		return err
	}
	if err := s.validate(ctx, b); err != nil {
		return err
	}
	err := s.db.Writer(ctx).Model(&Board{}).Where("id = ?", b.ID).Updates(map[string]any{
		"slug": b.Slug, "name_en": b.NameEN, "name_de": b.NameDE, "description_en": b.DescriptionEN,
		"description_de": b.DescriptionDE, "position": b.Position, "post_role": b.PostRole, "parent_id": b.ParentID,
	}).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return validate.Errors{"slug": "board.slug.taken"}
	}
	if err != nil {
		return fmt.Errorf("board: update %d: %w", b.ID, err)
	}
	s.forget()
	return nil
}

// List returns every board in display order: top-level boards by position, each
// followed by its sub-boards.
func (s *Service) List(ctx context.Context) ([]Board, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cached != nil && s.now().Sub(s.cachedAt) < cacheTTL {
		return slices.Clone(s.cached), nil // callers may change their copy
	}
	var boards []Board
	if err := s.db.Reader(ctx).Order("position, id").Find(&boards).Error; err != nil {
		return nil, err
	}
	ordered := make([]Board, 0, len(boards))
	for _, top := range boards {
		if top.ParentID != nil {
			continue
		}
		ordered = append(ordered, top)
		for _, sub := range boards {
			if sub.ParentID != nil && *sub.ParentID == top.ID {
				ordered = append(ordered, sub)
			}
		}
	}
	s.cached, s.cachedAt = ordered, s.now()
	return slices.Clone(ordered), nil
}

func (s *Service) forget() {
	s.mu.Lock()
	s.cached = nil
	s.mu.Unlock()
}

// GetBySlug returns the board with slug.
func (s *Service) GetBySlug(ctx context.Context, slug string) (*Board, error) {
	return s.find(ctx, func(b *Board) bool { return b.Slug == slug })
}

// Get returns the board with id.
func (s *Service) Get(ctx context.Context, id int64) (*Board, error) {
	return s.find(ctx, func(b *Board) bool { return b.ID == id })
}

func (s *Service) find(ctx context.Context, match func(*Board) bool) (*Board, error) {
	boards, err := s.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("board: %w", err)
	}
	for i := range boards {
		if match(&boards[i]) {
			b := boards[i]
			return &b, nil
		}
	}
	return nil, ErrNotFound
}
