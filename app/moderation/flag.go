package moderation

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// Kinds of flags on posts and of reports on members; each is also an i18n key
// under "flag.kind.".
const (
	FlagSpam      = "spam"
	FlagAbusive   = "abusive"
	FlagOffTopic  = "off_topic"
	FlagDuplicate = "duplicate" // the post repeats another thread: FlagInput.Duplicate names it
	FlagModerator = "moderator" // needs a moderator, for a reason the text gives
)

// FlagKinds are the kinds a post may be flagged as, in the form's order;
// ReportKinds those a member may be reported for.
var (
	FlagKinds   = []string{FlagSpam, FlagAbusive, FlagOffTopic, FlagDuplicate, FlagModerator}
	ReportKinds = []string{FlagSpam, FlagAbusive, FlagModerator}
)

// MaxFlagText caps what a flagger writes.
const MaxFlagText = 500

// How a moderator decided on a flag or report.
const (
	OutcomeDismissed = "dismissed" // the post was kept or approved, the member left alone
	OutcomeUpheld    = "upheld"    // the post was rejected or deleted, the member restricted
)

// Refusals of Flag, Report, Hide and DismissReports.
var (
	ErrFlagGuest    = problem.New(http.StatusForbidden, "flag.sign_in", "moderation: only members flag and report")
	ErrFlagOwn      = problem.New(http.StatusConflict, "flag.own", "moderation: flagging one's own post")
	ErrFlagTwice    = problem.New(http.StatusConflict, "flag.twice", "moderation: the post is flagged by this member already")
	ErrFlagGone     = problem.New(http.StatusNotFound, "flag.gone", "moderation: the post is deleted or waits for review")
	ErrReportSelf   = problem.New(http.StatusConflict, "report.self", "moderation: reporting oneself")
	ErrReportTwice  = problem.New(http.StatusConflict, "report.twice", "moderation: the member is reported by this member already")
	ErrReportsGone  = problem.New(http.StatusConflict, "report.decided", "moderation: no open reports on the member")
	ErrNotShownPost = problem.New(http.StatusConflict, "hide.not_shown", "moderation: the post is hidden or deleted already")
)

// FlagRules say when flags hide a post before a moderator has looked at it.
type FlagRules struct {
	ToHide          int   // open flags from distinct members that hide a post (0 = never)
	TrustReputation int64 // reputation from which one member's flag hides it, and staff's (0 = nobody's alone)
}

// SetFlagRules sets the thresholds; app.New calls it, and settings may change
// them while the server runs.
func (s *Service) SetFlagRules(r FlagRules) { s.flags.Store(&r) }

// FlagRules returns the thresholds in force.
func (s *Service) FlagRules() FlagRules { return *s.flags.Load() }

// Trusted reports whether u's flag alone hides a post under r: that of
// moderators and admins, and of members (agents too) with r.TrustReputation,
// when it is set.
func (r FlagRules) Trusted(u *user.User) bool {
	return r.TrustReputation > 0 && u != nil && (thread.CanModerate(u) || u.Reputation >= r.TrustReputation)
}

// FlagInput is what a member says about a post.
type FlagInput struct {
	Kind      string
	Text      string
	Duplicate string // for FlagDuplicate: the other thread's number (123, #123) or address
}

// ReportInput is what a member says about another member.
type ReportInput struct {
	Kind string
	Text string
}

// flagRow is a row of flags: a flag on a post, or a report (PostID nil).
type flagRow struct {
	ID          int64
	PostID      *int64
	MemberID    int64 // the post's author, or the member reported
	FlaggerID   int64
	Kind        string
	Text        string
	DuplicateOf *int64
	CreatedAt   time.Time
	ResolvedAt  *time.Time
	ResolvedBy  *int64
	Outcome     string
}

func (flagRow) TableName() string { return "flags" }

// threadRefPattern finds a thread's id in what someone typed: its number, or
// its address, with or without the host.
var threadRefPattern = regexp.MustCompile(`^\s*(?:#?(\d{1,18})|(?:https?://[^/\s]+)?/t/(\d{1,18})(?:[/?#]\S*)?)\s*$`)

// ParseThreadRef returns the id of the thread ref names: 123, #123, /t/123/slug
// or a full address of it.
func ParseThreadRef(ref string) (int64, bool) {
	m := threadRefPattern.FindStringSubmatch(ref)
	if m == nil {
		return 0, false
	}
	id, err := strconv.ParseInt(m[1]+m[2], 10, 64)
	return id, err == nil && id > 0
}

// checkFlag validates a kind out of kinds and its text: a flag for a moderator
// says why.
func checkFlag(errs validate.Errors, kinds []string, kind, text string) {
	if !slices.Contains(kinds, kind) {
		errs.Add("kind", "flag.kind_required")
	}
	switch {
	case utf8.RuneCountInString(text) > MaxFlagText:
		errs.Add("text", "flag.text_long")
	case kind == FlagModerator && text == "":
		errs.Add("text", "flag.text_required")
	}
}

// Flag records member's flag on post postID, once per member and post. When the
// post's open flags reach FlagRules.ToHide, or the flagger is trusted
// (FlagRules.Trusted), the post is hidden in the same transaction: it waits for
// review, as thread.HeldFlagged, and its author sees why. It returns the post's
// thread, for the page to go back to.
func (s *Service) Flag(ctx context.Context, member *user.User, postID int64, in FlagInput) (*thread.Thread, error) {
	if member == nil {
		return nil, ErrFlagGuest
	}
	in.Text = strings.TrimSpace(in.Text)
	errs := validate.Errors{}
	checkFlag(errs, FlagKinds, in.Kind, in.Text)
	var dup int64
	if in.Kind == FlagDuplicate {
		var ok bool
		if dup, ok = ParseThreadRef(in.Duplicate); !ok {
			errs.Add("duplicate", "flag.duplicate_ref")
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if err := s.mayWrite(member); err != nil {
		return nil, err
	}
	var flagged *thread.Thread
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		// The post's row is locked first: flags on one post count one after the
		// other, so the one that reaches the threshold is the one that hides.
		p, t, err := s.threads.LockPostInThread(ctx, member, postID)
		if errors.Is(err, thread.ErrNotFound) {
			return ErrFlagGone
		}
		if err != nil {
			return err
		}
		flagged = t
		switch {
		case !thread.CanSee(member, t): // a thread hidden from them: as if it were not there
			return ErrFlagGone
		case p.AuthorID == member.ID:
			return ErrFlagOwn
		case p.Pending || p.DeletedAt != nil || t.DeletedAt != nil:
			return ErrFlagGone
		}
		row := flagRow{PostID: &p.ID, MemberID: p.AuthorID, FlaggerID: member.ID, Kind: in.Kind, Text: in.Text, CreatedAt: s.now().UTC()}
		if dup != 0 {
			if err := s.checkDuplicateTarget(ctx, member, t, dup); err != nil {
				return err
			}
			row.DuplicateOf = &dup
		}
		w := s.db.Writer(ctx)
		var mine int64
		if err := w.Table("flags").Where("post_id = ? AND flagger_id = ?", p.ID, member.ID).Count(&mine).Error; err != nil {
			return err
		}
		if mine > 0 {
			return ErrFlagTwice
		}
		if err := w.Create(&row).Error; errors.Is(err, gorm.ErrDuplicatedKey) {
			return ErrFlagTwice
		} else if err != nil {
			return err
		}
		var open int64
		if err := w.Table("flags").Where("post_id = ? AND resolved_at IS NULL", p.ID).Count(&open).Error; err != nil {
			return err
		}
		rules := s.FlagRules()
		hide := rules.Trusted(member) || (rules.ToHide > 0 && open >= int64(rules.ToHide))
		if err := event.Emit(ctx, s.db, member.ID, event.PostFlagged{ThreadID: t.ID, PostID: p.ID, AuthorID: p.AuthorID,
			Kind: in.Kind, Hidden: hide}); err != nil {
			return err
		}
		if !hide {
			return nil
		}
		// The system hides it, not the flagger: the author is told why, not by whom.
		hid, err := s.threads.Hide(ctx, 0, t, p, thread.HeldFlagged, "")
		if err != nil || !hid || !thread.CanModerate(member) {
			return err
		}
		// A moderator's flag that hides is a moderator's hide: in the audit log.
		reason := in.Kind
		if in.Text != "" {
			reason += ": " + in.Text
		}
		return s.audit.Record(ctx, audit.Entry{ActorID: member.ID, Action: audit.HidePost, MemberID: audit.Ref(p.AuthorID),
			ThreadID: audit.Ref(t.ID), PostID: audit.Ref(p.ID), Reason: reason})
	})
	if err != nil {
		return nil, fmt.Errorf("post %d: flag: %w", postID, err)
	}
	return flagged, nil
}

// checkDuplicateTarget refuses a duplicate flag that points to the post's own
// thread or to one its readers cannot see.
func (s *Service) checkDuplicateTarget(ctx context.Context, member *user.User, t *thread.Thread, dup int64) error {
	if dup == t.ID {
		return validate.Errors{"duplicate": "flag.duplicate_self"}
	}
	target, err := s.threads.Get(ctx, dup)
	if errors.Is(err, thread.ErrNotFound) || err == nil && (target.DeletedAt != nil || target.Pending || !thread.CanSee(member, target)) {
		return validate.Errors{"duplicate": "flag.duplicate_target"}
	}
	return err
}

// Report records member's report on the member memberID for moderators, once
// while it is open: a member who posts spam or abuse, or needs a moderator's
// eye, rather than one post of theirs.
func (s *Service) Report(ctx context.Context, member *user.User, memberID int64, in ReportInput) error {
	if member == nil {
		return ErrFlagGuest
	}
	in.Text = strings.TrimSpace(in.Text)
	errs := validate.Errors{}
	checkFlag(errs, ReportKinds, in.Kind, in.Text)
	if err := errs.Err(); err != nil {
		return err
	}
	if err := s.mayWrite(member); err != nil {
		return err
	}
	if memberID == member.ID {
		return ErrReportSelf
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.users.Get(ctx, memberID); err != nil {
			return err
		}
		w := s.db.Writer(ctx)
		var open int64
		if err := w.Table("flags").Where("post_id IS NULL AND member_id = ? AND flagger_id = ? AND resolved_at IS NULL", memberID, member.ID).
			Count(&open).Error; err != nil {
			return err
		}
		if open > 0 {
			return ErrReportTwice
		}
		row := flagRow{MemberID: memberID, FlaggerID: member.ID, Kind: in.Kind, Text: in.Text, CreatedAt: s.now().UTC()}
		if err := w.Create(&row).Error; errors.Is(err, gorm.ErrDuplicatedKey) {
			return ErrReportTwice // a report sent twice at once
		} else if err != nil {
			return err
		}
		return event.Emit(ctx, s.db, member.ID, event.MemberReported{UserID: memberID, Kind: in.Kind})
	})
	if err != nil {
		return fmt.Errorf("member %d: report: %w", memberID, err)
	}
	return nil
}

// Hide takes a published post out of view until a moderator approves or
// rejects it, for a reason its author is told: as Flag does when flags are
// enough, at a moderator's word. Its open flags stay, for the review.
func (s *Service) Hide(ctx context.Context, mod *user.User, postID int64, reason string) (*thread.Thread, error) {
	reason, err := checkReason(reason)
	if err != nil {
		return nil, err
	}
	var hidden *thread.Thread
	err = s.decideOnPost(ctx, mod, postID, func(ctx context.Context, p *thread.Post, t *thread.Thread) error {
		hidden = t
		if p.Pending || p.DeletedAt != nil || t.DeletedAt != nil {
			return ErrNotShownPost
		}
		changed, err := s.threads.Hide(ctx, mod.ID, t, p, thread.HeldByStaff, reason)
		if err != nil {
			return err
		}
		if !changed {
			return ErrNotShownPost
		}
		return s.audit.Record(ctx, audit.Entry{ActorID: mod.ID, Action: audit.HidePost, MemberID: audit.Ref(p.AuthorID),
			ThreadID: audit.Ref(t.ID), PostID: audit.Ref(p.ID), Reason: reason})
	})
	if err != nil {
		return nil, fmt.Errorf("post %d: hide: %w", postID, err)
	}
	return hidden, nil
}

// DismissReports closes the open reports on the member memberID without
// acting on them. A second moderator doing the same is told they are decided.
func (s *Service) DismissReports(ctx context.Context, mod *user.User, memberID int64) error {
	if !thread.CanModerate(mod) {
		return thread.ErrForbidden
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.mayDecideOn(ctx, mod, memberID); err != nil {
			return err
		}
		n, err := s.resolveReports(ctx, mod, memberID, OutcomeDismissed)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrReportsGone
		}
		return s.audit.Record(ctx, audit.Entry{ActorID: mod.ID, Action: audit.DismissReports, MemberID: audit.Ref(memberID),
			After: strconv.FormatInt(n, 10)})
	})
	if err != nil {
		return fmt.Errorf("member %d: dismiss reports: %w", memberID, err)
	}
	return nil
}

// resolveFlags decides the open flags on post postID as outcome, in the
// caller's transaction, and says how many there were.
func (s *Service) resolveFlags(ctx context.Context, mod *user.User, postID int64, outcome string) (int64, error) {
	res := s.db.Writer(ctx).Exec("UPDATE flags SET resolved_at = ?, resolved_by = ?, outcome = ? WHERE post_id = ? AND resolved_at IS NULL",
		s.now().UTC(), mod.ID, outcome, postID)
	return res.RowsAffected, res.Error
}

// resolveReports decides the open reports on the member memberID as outcome,
// in the caller's transaction, and says how many there were.
func (s *Service) resolveReports(ctx context.Context, mod *user.User, memberID int64, outcome string) (int64, error) {
	res := s.db.Writer(ctx).Exec("UPDATE flags SET resolved_at = ?, resolved_by = ?, outcome = ? WHERE post_id IS NULL AND member_id = ? AND resolved_at IS NULL",
		s.now().UTC(), mod.ID, outcome, memberID)
	return res.RowsAffected, res.Error
}

// mayWrite refuses a suspended member's flags and reports: they read, and
// write nothing.
func (s *Service) mayWrite(u *user.User) error {
	return user.WriteError(u, s.now(), func(t time.Time) string { return t.UTC().Format(time.DateOnly) })
}
