package thread

import (
	"time"

	"github.com/schwarm/schwarm/app/user"
)

// The rules of who may do what to posts, as pure functions of the actor and the
// post. Handlers only hide buttons; the service checks these on every action.

// CanModerate reports whether u may act on anyone's posts: edit, delete, restore,
// see deleted ones.
func CanModerate(u *user.User) bool { return u != nil && u.Role.AtLeast(user.RoleModerator) }

// CanSee reports whether viewer may see t at all: a deleted thread only
// moderators, one waiting for review or hidden by staff its author too.
func CanSee(viewer *user.User, t *Thread) bool {
	switch {
	case CanModerate(viewer):
		return true
	case t.DeletedAt != nil:
		return false
	case t.Pending || t.HiddenAt != nil:
		return viewer != nil && viewer.ID == t.AuthorID
	}
	return true
}

// PassesLock reports whether u may still write in a locked thread: staff.
func PassesLock(u *user.User) bool { return u != nil && u.Role.IsStaff() }

// LockError says why u may not write in t because it is locked, or nil.
func LockError(u *user.User, t *Thread) error {
	if t.Locked && !PassesLock(u) {
		return ErrLocked
	}
	return nil
}

// CanEdit reports whether u may edit p in t: moderators always; authors, and
// members with the reputation to edit others' posts, unless the thread is locked
// or the post deleted.
func CanEdit(u *user.User, t *Thread, p *Post, priv Privileges) bool {
	if u == nil {
		return false
	}
	if CanModerate(u) {
		return true
	}
	trusted := priv.EditOthersReputation > 0 && u.Reputation >= priv.EditOthersReputation && !p.Pending
	return (u.ID == p.AuthorID || trusted) && (!t.Locked || PassesLock(u)) && p.DeletedAt == nil && t.DeletedAt == nil
}

// CanDelete reports whether u may delete p at now: moderators always, authors
// within window of writing it, unless the thread is locked.
func CanDelete(u *user.User, t *Thread, p *Post, now time.Time, window time.Duration) error {
	switch {
	case u == nil:
		return ErrForbidden
	case CanModerate(u):
		return nil
	case u.ID != p.AuthorID || t.Locked:
		return ErrForbidden
	case now.Sub(p.CreatedAt) > window:
		return ErrTooLate
	}
	return nil
}

// CanPost reports whether u may start a thread in a board that requires postRole.
func CanPost(u *user.User, postRole user.Role) bool {
	return u != nil && u.Role.AtLeast(postRole)
}

// EditError says why u may not edit p in t, or nil: ErrLocked for an author whose
// thread is locked, ErrForbidden for everyone else who may not.
func EditError(u *user.User, t *Thread, p *Post, priv Privileges) error {
	switch {
	case CanEdit(u, t, p, priv):
		return nil
	case u != nil && u.ID == p.AuthorID && t.Locked:
		return ErrLocked
	}
	return ErrForbidden
}

// CanSeeHistory reports whether u may read p's earlier versions: its author and
// moderators, and for a deleted post moderators only.
func CanSeeHistory(u *user.User, p *Post) bool {
	if CanModerate(u) {
		return true
	}
	return u != nil && u.ID == p.AuthorID && p.DeletedAt == nil
}

// IsNewcomer reports whether u is a member without the reputation to be trusted
// yet; staff never are.
func IsNewcomer(u *user.User, priv Privileges) bool {
	return u != nil && u.Role == user.RoleMember && u.Reputation < priv.TrustReputation
}

// CanAccept reports whether u may choose or withdraw t's solution: the asker,
// agents and moderators.
func CanAccept(u *user.User, t *Thread) bool {
	return u != nil && (u.ID == t.AuthorID || u.Role.AtLeast(user.RoleAgent))
}

// KudosError says why u may not give kudos to p, or nil.
func KudosError(u *user.User, p *Post) error {
	switch {
	case u == nil:
		return ErrForbidden
	case p.DeletedAt != nil || p.Pending:
		return ErrNotFound
	case p.AuthorID == u.ID:
		return ErrOwnPost
	}
	return nil
}
