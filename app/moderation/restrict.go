package moderation

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// ErrStaffTarget says a moderator tried to restrict staff who moderate: only
// admins act on moderators and admins, and nobody on themselves.
var ErrStaffTarget = problem.New(http.StatusForbidden, "restrict.staff", "moderation: only admins restrict moderators and admins")

// CanActOn reports whether actor may suspend or silence target: moderators act
// on members and agents, admins on everyone but themselves.
func CanActOn(actor, target *user.User) bool {
	switch {
	case !thread.CanModerate(actor) || actor.ID == target.ID:
		return false
	case target.Role.AtLeast(user.RoleModerator):
		return actor.Role == user.RoleAdmin
	}
	return true
}

// ErrStaffAuthor says a moderator tried to decide on what a moderator or an
// admin wrote, or on their own: their posts held, hidden or flagged, the reports
// on them. Only admins decide on moderators and admins, and nobody on themselves.
var ErrStaffAuthor = problem.New(http.StatusForbidden, "queue.staff_author", "moderation: only admins decide on moderators' and admins' posts")

// mayDecideOn refuses mod's decision on the posts or reports of the member
// authorID unless CanActOn allows it.
func (s *Service) mayDecideOn(ctx context.Context, mod *user.User, authorID int64) error {
	author, err := s.users.Get(ctx, authorID)
	if err != nil {
		return err
	}
	if !CanActOn(mod, author) {
		return ErrStaffAuthor
	}
	return nil
}

// Restriction is what a moderator does to a member: suspend (reads, does not
// write) and silence (every post waits for review), until a time or without
// end, for a reason the member is told. The zero Restriction lifts both.
type Restriction struct {
	Suspend, Silence bool
	Until            *time.Time // nil: no end
	Reason           string
}

// Restrict applies r to the member memberID, ends their sign-ins when it
// suspends them, and records it in the audit log and as member.restricted, in
// one transaction.
func (s *Service) Restrict(ctx context.Context, mod *user.User, memberID int64, r Restriction, now time.Time) error {
	r.Reason = strings.TrimSpace(r.Reason)
	errs := validate.Errors{}
	switch restricting := r.Suspend || r.Silence; {
	case restricting && r.Reason == "":
		errs.Add("reason", "form.required")
	case utf8.RuneCountInString(r.Reason) > MaxReason:
		errs.Add("reason", "queue.reason_long")
	}
	if r.Until != nil && !r.Until.After(now) {
		errs.Add("until", "restrict.until_past")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	end := user.NoEnd
	if r.Until != nil {
		end = r.Until.UTC()
	}
	var suspended, silenced *time.Time
	if r.Suspend {
		suspended = &end
	}
	if r.Silence {
		silenced = &end
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if !thread.CanModerate(mod) {
			return thread.ErrForbidden
		}
		target, err := s.users.Get(ctx, memberID)
		if err != nil {
			return err
		}
		if !CanActOn(mod, target) {
			return ErrStaffTarget
		}
		if err := s.users.Restrict(ctx, memberID, suspended, silenced, r.Reason); err != nil {
			return err
		}
		if suspended != nil || silenced != nil { // the reports that led here are upheld
			if _, err := s.resolveReports(ctx, mod, memberID, OutcomeUpheld); err != nil {
				return err
			}
		}
		if err := s.audit.Record(ctx, audit.Entry{ActorID: mod.ID, Action: audit.Restrict, MemberID: audit.Ref(memberID),
			Reason: r.Reason, Before: restriction(target.SuspendedUntil, target.SilencedUntil, now), After: restriction(suspended, silenced, now)}); err != nil {
			return err
		}
		e := event.Restricted{UserID: memberID, Reason: r.Reason}
		if suspended != nil {
			e.SuspendedUntil = *suspended
		}
		if silenced != nil {
			e.SilencedUntil = *silenced
		}
		return event.Emit(ctx, s.db, mod.ID, e)
	})
}

// restriction says in the audit log what a member's restrictions are at now.
func restriction(suspended, silenced *time.Time, now time.Time) string {
	var parts []string
	for _, r := range []struct {
		name string
		end  *time.Time
	}{{"suspended", suspended}, {"silenced", silenced}} {
		switch {
		case r.end == nil || !r.end.After(now):
		case r.end.Equal(user.NoEnd):
			parts = append(parts, r.name)
		default:
			parts = append(parts, fmt.Sprintf("%s until %s", r.name, r.end.UTC().Format(time.DateOnly)))
		}
	}
	return strings.Join(parts, ", ")
}
