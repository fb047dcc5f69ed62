package thread

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// Revision is the state of a post before one edit: its full source (and title, for
// a question), who made the edit that replaced it, when and why.
type Revision struct {
	ID        int64
	PostID    int64
	EditorID  int64
	Reason    string
	Title     string
	Source    string
	CreatedAt time.Time
}

// TableName keeps GORM off the pluralised default.
func (Revision) TableName() string { return "post_revisions" }

// Edit is a change to a post.
type Edit struct {
	Title  string // questions only; ignored for answers
	Body   string
	Reason string
}

// MaxReason caps an edit reason.
const MaxReason = 200

// maxVersions bounds the history page: its newest versions, each diffed once.
const maxVersions = 50

// Edit changes a post and keeps what it replaced as a revision, in one transaction.
// An edit that changes nothing stores nothing.
func (s *Service) Edit(ctx context.Context, editor *user.User, postID int64, e Edit) (*Post, error) {
	e.Title, e.Reason = normaliseTitle(e.Title), strings.TrimSpace(e.Reason)
	var post *Post
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		p, err := s.getPost(ctx, postID, true)
		if err != nil {
			return err
		}
		t, err := s.View(ctx, editor, p.ThreadID)
		if err != nil {
			return err
		}
		if err := EditError(editor, t, p, s.Privileges()); err != nil {
			return err
		}
		if err := s.mayWrite(editor); err != nil {
			return err
		}
		errs := validate.Errors{}
		if p.IsQuestion {
			checkTitle(errs, e.Title)
		}
		checkBody(errs, e.Body)
		if utf8.RuneCountInString(e.Reason) > MaxReason {
			errs.Add("reason", "thread.reason.long")
		}
		if err := errs.Err(); err != nil {
			return err
		}
		titleChanged := p.IsQuestion && e.Title != t.Title
		if e.Body == p.Source && !titleChanged {
			post = p
			return nil
		}
		html, err := s.render(e.Body)
		if err != nil {
			return err
		}
		now := s.now()
		w := s.db.Writer(ctx)
		rev := &Revision{PostID: p.ID, EditorID: editor.ID, Reason: e.Reason, Source: p.Source, CreatedAt: now}
		if p.IsQuestion {
			rev.Title = t.Title
		}
		if err := w.Create(rev).Error; err != nil {
			return err
		}
		err = w.Model(&Post{}).Where("id = ?", p.ID).Updates(map[string]any{
			"source": e.Body, "source_sum": SourceSum(e.Body), "html": html, "edited_at": now, "updated_at": now, "revision_count": gorm.Expr("revision_count + 1"),
		}).Error
		if err != nil {
			return err
		}
		if titleChanged {
			err := w.Model(&Thread{}).Where("id = ?", t.ID).Updates(map[string]any{"title": e.Title, "slug": Slugify(e.Title)}).Error
			if err != nil {
				return err
			}
			if err := s.duplicateChanged(ctx, t); err != nil {
				return err
			}
		}
		post, err = s.GetPost(ctx, p.ID)
		if err != nil {
			return err
		}
		return event.Emit(ctx, s.db, editor.ID, event.PostEdited{ThreadID: t.ID, PostID: p.ID, AuthorID: p.AuthorID,
			Revision: post.RevisionCount, Reason: e.Reason})
	})
	if err != nil {
		return nil, fmt.Errorf("post %d: edit: %w", postID, err)
	}
	return post, nil
}

// Version is one state of a post in its history, with the edit that produced it.
type Version struct {
	Number    int
	Title     string
	Source    string
	EditorID  int64 // who produced this version (the author for the first)
	Editor    string
	Reason    string
	CreatedAt time.Time
	Diff      []DiffLine // against the previous version; nil for the first
}

// History returns every version of a post, oldest first, each with its diff to the
// one before; the page shows the newest maxVersions. Only the author and moderators
// see it: an edit that removed a phone number must not leave it readable.
func (s *Service) History(ctx context.Context, viewer *user.User, postID int64) (*Post, []Version, error) {
	p, err := s.GetPost(ctx, postID)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.View(ctx, viewer, p.ThreadID)
	if err != nil {
		return nil, nil, err
	}
	if !CanSeeHistory(viewer, p) {
		return nil, nil, ErrNotFound
	}
	var revs []struct {
		Revision
		EditorName string
	}
	err = s.db.Reader(ctx).Table("post_revisions").
		Select("post_revisions.*, users.display_name AS editor_name").
		Joins("JOIN users ON users.id = post_revisions.editor_id").
		Where("post_id = ?", postID).Order("post_revisions.id DESC").Limit(maxVersions).Scan(&revs).Error
	if err != nil {
		return nil, nil, fmt.Errorf("post %d: history: %w", postID, err)
	}
	var author string
	if err := s.db.Reader(ctx).Table("users").Select("display_name").Where("id = ?", p.AuthorID).Scan(&author).Error; err != nil {
		return nil, nil, err
	}
	slices.Reverse(revs)
	older := p.RevisionCount - len(revs) // versions not shown
	// Revision i holds the state before edit i; the post holds the state after the last.
	versions := make([]Version, 0, len(revs)+1)
	for i, r := range revs {
		v := Version{Number: older + i + 1, Title: r.Title, Source: r.Source}
		if i == 0 && older == 0 {
			v.EditorID, v.Editor, v.CreatedAt = p.AuthorID, author, p.CreatedAt
		}
		versions = append(versions, v)
	}
	current := Version{Number: older + len(revs) + 1, Source: p.Source}
	if p.IsQuestion {
		current.Title = t.Title
	}
	if p.RevisionCount == 0 {
		current.EditorID, current.Editor, current.CreatedAt = p.AuthorID, author, p.CreatedAt
	}
	versions = append(versions, current)
	for i, r := range revs { // edit i turned version i into version i+1
		next := &versions[i+1]
		next.EditorID, next.Editor, next.Reason, next.CreatedAt = r.EditorID, r.EditorName, r.Reason, r.CreatedAt
	}
	for i := 1; i < len(versions); i++ {
		prev, cur := versions[i-1], &versions[i]
		cur.Diff = Diff(titled(prev), titled(*cur))
	}
	return p, versions, nil
}

func titled(v Version) string {
	if v.Title == "" {
		return v.Source
	}
	return "# " + v.Title + "\n\n" + v.Source
}
