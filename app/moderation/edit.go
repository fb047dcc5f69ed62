package moderation

import (
	"context"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// auditedText bounds what the audit log keeps of a post before and after a staff
// edit: enough to see what changed at a glance; the whole text of every version
// is in the post's history, which the row links to.
const auditedText = 500

// Edit changes a post as thread.Service.Edit does; when staff change someone
// else's post, the edit is also a row of the audit log (before → after, the
// reason), in the edit's transaction. Authors' own edits, and those of trusted
// members, are kept in the post's history only.
func (s *Service) Edit(ctx context.Context, editor *user.User, postID int64, e thread.Edit) (*thread.Post, error) {
	var edited *thread.Post
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		before, err := s.threads.LockPost(ctx, postID)
		if err != nil {
			return err
		}
		title := func() (string, error) {
			if !before.IsQuestion {
				return "", nil
			}
			t, err := s.threads.Get(ctx, before.ThreadID)
			if err != nil {
				return "", err
			}
			return t.Title + "\n\n", nil
		}
		oldTitle, err := title()
		if err != nil {
			return err
		}
		if edited, err = s.threads.Edit(ctx, editor, postID, e); err != nil {
			return err
		}
		if !thread.CanModerate(editor) || editor.ID == before.AuthorID || edited.RevisionCount == before.RevisionCount {
			return nil // not a staff action, or nothing changed
		}
		newTitle, err := title()
		if err != nil {
			return err
		}
		was, is := oldTitle+before.Source, newTitle+edited.Source
		return s.audit.Record(ctx, audit.Entry{ActorID: editor.ID, Action: audit.EditPost, MemberID: audit.Ref(before.AuthorID),
			ThreadID: audit.Ref(before.ThreadID), PostID: audit.Ref(postID), Reason: e.Reason,
			Before: validate.Cut(was, auditedText), After: validate.Cut(is, auditedText)})
	})
	return edited, err
}
