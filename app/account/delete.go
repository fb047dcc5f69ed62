package account

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/user"
)

// ErrForbidden refuses a deletion by anyone but the member or an admin.
var ErrForbidden = problem.New(http.StatusForbidden, "error.forbidden", "account: only the member or an admin deletes an account")

// DeletedName is what a deleted member is called wherever their posts stay.
const DeletedName = "Deleted member"

// Delete erases the member memberID, as GDPR Art. 17 asks, in one transaction:
// the account keeps its id (posts, kudos and the audit log point to it) and
// nothing else of the person: name, e-mail address, password, language,
// sessions, accounts at sign-on providers, the texts of their flags and of
// the searches they typed while asking. With removePosts their questions and answers go too, deleted as a
// moderator's delete (counts, solutions and search follow) and their texts and
// every earlier version blanked; without it they stay, signed "Deleted
// member". Only the member or an admin may; deleting twice changes nothing.
// The search index holds no author names, so kept posts need no reindexing;
// the next backup no longer holds the person.
func (d *Service) Delete(ctx context.Context, actor *user.User, memberID int64, removePosts bool) error {
	if actor == nil || (actor.ID != memberID && actor.Role != user.RoleAdmin) {
		return ErrForbidden
	}
	db := d.db
	err := db.InTx(ctx, func(ctx context.Context) error {
		w := db.Writer(ctx)
		var gone struct {
			ID        int64
			DeletedAt *string
		}
		if err := w.Raw("SELECT id, deleted_at FROM users WHERE id = ?", memberID).Scan(&gone).Error; err != nil {
			return err
		}
		if gone.ID == 0 {
			return ErrNoMember
		}
		if gone.DeletedAt != nil {
			return nil // deleted already
		}
		if removePosts {
			if err := d.removePosts(ctx, actor, memberID); err != nil {
				return err
			}
		}
		id := strconv.FormatInt(memberID, 10)
		steps := []struct {
			sql  string
			args []any
		}{
			// Mail to the member, sent or not, goes with the address it holds.
			{"DELETE FROM mail_queue WHERE recipient = (SELECT email FROM users WHERE id = ?)", []any{memberID}},
			{"DELETE FROM account_tokens WHERE user_id = ?", []any{memberID}},
			{`UPDATE users SET handle = ?, display_name = ?, email = ?, email_verified_at = NULL, password_hash = '', locale = '',
				suspend_reason = '', avatar = '', deleted_at = ?, updated_at = ? WHERE id = ?`,
				[]any{user.DeletedHandlePrefix + id, DeletedName, user.DeletedHandlePrefix + id + "@deleted.invalid", d.now(), d.now(), memberID}},
			{"DELETE FROM sessions WHERE user_id = ?", []any{memberID}},
			{"DELETE FROM identities WHERE user_id = ?", []any{memberID}}, // else a provider would sign the erased account in
			{"UPDATE flags SET text = '' WHERE flagger_id = ?", []any{memberID}},
			{"UPDATE deflection_events SET query = '' WHERE session_id IN (SELECT id FROM ask_sessions WHERE user_id = ?)", []any{memberID}},
			{"UPDATE ask_sessions SET user_id = NULL WHERE user_id = ?", []any{memberID}},
			{"DELETE FROM notifications WHERE user_id = ?", []any{memberID}},
			{"DELETE FROM watches WHERE user_id = ?", []any{memberID}},
			{"DELETE FROM notification_prefs WHERE user_id = ?", []any{memberID}},
			{"DELETE FROM notify_digests WHERE user_id = ?", []any{memberID}},
		}
		for _, st := range steps {
			if err := w.Exec(st.sql, st.args...).Error; err != nil {
				return err
			}
		}
		after := "posts kept"
		if removePosts {
			after = "posts removed"
		}
		if err := d.audit.Record(ctx, audit.Entry{ActorID: actor.ID, Action: audit.DeleteMember, MemberID: audit.Ref(memberID), After: after}); err != nil {
			return err
		}
		return event.Emit(ctx, db, actor.ID, event.MemberDeleted{UserID: memberID, PostsRemoved: removePosts})
	})
	if err != nil {
		return fmt.Errorf("account %d: delete: %w", memberID, err)
	}
	return nil
}

// removePosts deletes every post of the member that is not deleted yet (a
// question takes its thread), then blanks the texts of all of them, and the
// titles of their threads.
func (d *Service) removePosts(ctx context.Context, actor *user.User, memberID int64) error {
	w := d.db.Writer(ctx)
	var ids []int64
	if err := w.Table("posts").Where("author_id = ? AND deleted_at IS NULL", memberID).Order("is_question DESC, id").Pluck("id", &ids).Error; err != nil {
		return err
	}
	for _, id := range ids {
		p, t, err := d.threads.LockPostInThread(ctx, actor, id)
		if err != nil {
			return err
		}
		if p.DeletedAt != nil || t.DeletedAt != nil {
			continue // went with its thread
		}
		if err := d.threads.SetDeleted(ctx, actor, t, p, true, nil); err != nil {
			return err
		}
	}
	for _, st := range []string{
		"DELETE FROM post_revisions WHERE post_id IN (SELECT id FROM posts WHERE author_id = ?)",
		"UPDATE posts SET source = '', html = '' WHERE author_id = ?",
		"UPDATE threads SET title = '(removed)', slug = 'removed' WHERE author_id = ?",
	} {
		if err := w.Exec(st, memberID).Error; err != nil {
			return err
		}
	}
	return nil
}
