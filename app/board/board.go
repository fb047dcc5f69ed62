package board

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/user"
)

// ErrNotFound means no such board.
var ErrNotFound = errors.New("board: not found")

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

// Service manages boards.
type Service struct {
	db  *database.DB
	now func() time.Time
}

// NewService returns a Service.
func NewService(db *database.DB, now func() time.Time) *Service {
	return &Service{db: db, now: now}
}

// Create stores a new board.
func (s *Service) Create(ctx context.Context, b *Board) error {
	b.CreatedAt = s.now()
	if b.PostRole == "" {
		b.PostRole = user.RoleMember
	}
	if err := s.db.Writer(ctx).Create(b).Error; err != nil {
		return fmt.Errorf("board: create %s: %w", b.Slug, err)
	}
	return nil
}

// List returns every board in display order.
func (s *Service) List(ctx context.Context) ([]Board, error) {
	var boards []Board
	err := s.db.Reader(ctx).Order("position, id").Find(&boards).Error
	return boards, err
}

// GetBySlug loads a board by its slug.
func (s *Service) GetBySlug(ctx context.Context, slug string) (*Board, error) {
	var b Board
	err := s.db.Reader(ctx).Where("slug = ?", slug).Take(&b).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("board: get %s: %w", slug, err)
	}
	return &b, nil
}

// Get loads a board by id.
func (s *Service) Get(ctx context.Context, id int64) (*Board, error) {
	var b Board
	err := s.db.Reader(ctx).Where("id = ?", id).Take(&b).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("board: get %d: %w", id, err)
	}
	return &b, nil
}
