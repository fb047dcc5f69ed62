package user

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/validate"
)

// Errors of identities.
var (
	// ErrOnlySignIn refuses to remove a member's last way to sign in.
	ErrOnlySignIn = problem.New(http.StatusConflict, "sso.unlink_only", "user: the only way to sign in")
	// ErrIdentityTaken says the provider's account signs in another member.
	ErrIdentityTaken = problem.New(http.StatusConflict, "sso.identity_taken", "user: identity belongs to another member")
	// ErrNoIdentity says the member has no account at that provider.
	ErrNoIdentity = problem.New(http.StatusNotFound, "error.not_found", "user: no such identity")
)

// Identity is a member's account at a single sign-on provider.
type Identity struct {
	ID         int64
	UserID     int64
	Provider   string // the provider's name in Schwarm: oidc, github, google
	Subject    string // the provider's stable id of the person
	Email      string // as the provider said at the last sign-in
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// IdentityOwner returns the member whom provider's subject signs in, or
// ErrNotFound; deleted accounts own none.
func (s *Service) IdentityOwner(ctx context.Context, provider, subject string) (*User, error) {
	var u User
	err := s.db.Reader(ctx).Table("users").Select("users.*").
		Joins("JOIN identities ON identities.user_id = users.id").
		Where("identities.provider = ? AND identities.subject = ? AND users.deleted_at IS NULL", provider, subject).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("user: identity owner: %w", err)
	}
	return &u, nil
}

// ByVerifiedEmail returns the member whose e-mail address is email and was
// verified, or ErrNotFound: only such an account may be linked to a provider's
// account by its address.
func (s *Service) ByVerifiedEmail(ctx context.Context, email string) (*User, error) {
	return s.take(ctx, "email = ? AND email_verified_at IS NOT NULL AND deleted_at IS NULL", strings.ToLower(strings.TrimSpace(email)))
}

// EmailTaken reports whether an account has the e-mail address email.
func (s *Service) EmailTaken(ctx context.Context, email string) (bool, error) {
	var n int64
	err := s.db.Reader(ctx).Model(&User{}).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Count(&n).Error
	return n > 0, err
}

// Identities lists a member's identities, oldest first.
func (s *Service) Identities(ctx context.Context, userID int64) ([]Identity, error) {
	var out []Identity
	err := s.db.Reader(ctx).Where("user_id = ?", userID).Order("id").Find(&out).Error
	return out, err
}

// Link gives member userID the identity of provider's subject, or notes its use
// when the member has it already; ErrIdentityTaken when another member has it.
func (s *Service) Link(ctx context.Context, userID int64, provider, subject, email string) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		var have []Identity
		if err := s.db.Writer(ctx).Where("provider = ? AND subject = ?", provider, subject).Limit(1).Find(&have).Error; err != nil {
			return fmt.Errorf("user: link: %w", err)
		}
		now := s.now()
		if len(have) > 0 {
			if have[0].UserID != userID {
				return ErrIdentityTaken
			}
			return s.db.Writer(ctx).Model(&Identity{}).Where("id = ?", have[0].ID).
				Updates(map[string]any{"email": email, "last_used_at": now}).Error
		}
		err := s.db.Writer(ctx).Create(&Identity{UserID: userID, Provider: provider, Subject: subject, Email: email, CreatedAt: now, LastUsedAt: now}).Error
		if errors.Is(err, gorm.ErrDuplicatedKey) { // another request linked it first
			return ErrIdentityTaken
		}
		return err
	})
}

// Unlink removes member userID's identity at provider, unless it is their
// only way to sign in: no other identity and no password that signs in
// (passwordSignIn says whether passwords do on this forum).
func (s *Service) Unlink(ctx context.Context, userID int64, provider string, passwordSignIn bool) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		// Locked, so that two removals at once cannot each leave the other
		// identity as the last and together remove both.
		var u User
		if err := s.db.Writer(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", userID).Take(&u).Error; err != nil {
			return fmt.Errorf("user: unlink: %w", err)
		}
		var ids []Identity
		if err := s.db.Writer(ctx).Where("user_id = ?", userID).Find(&ids).Error; err != nil {
			return fmt.Errorf("user: unlink: %w", err)
		}
		found := false
		for _, id := range ids {
			found = found || id.Provider == provider
		}
		if !found {
			return ErrNoIdentity
		}
		if len(ids) == 1 && (u.PasswordHash == "" || !passwordSignIn) {
			return ErrOnlySignIn
		}
		return s.db.Writer(ctx).Where("user_id = ? AND provider = ?", userID, provider).Delete(&Identity{}).Error
	})
}

// ExternalRegistration is a member signing up through a provider: no password,
// the e-mail address as the provider gave it.
type ExternalRegistration struct {
	Handle        string
	DisplayName   string
	Email         string
	EmailVerified bool // the provider says the address is the person's
	Locale        string
	Role          Role // the role the provider's claims map to; empty = member
	Provider      string
	Subject       string
}

// RegisterExternal validates r and creates the account with its identity, in
// one transaction. A mapped role is given as RaiseRole gives it, recorded.
func (s *Service) RegisterExternal(ctx context.Context, r ExternalRegistration) (*User, error) {
	r.Handle = strings.TrimSpace(r.Handle)
	r.DisplayName = strings.TrimSpace(r.DisplayName)
	r.Email = strings.ToLower(strings.TrimSpace(r.Email))
	errs := validate.Errors{}
	checkHandle(errs, r.Handle, RoleMember)
	if r.DisplayName == "" {
		r.DisplayName = r.Handle
	}
	s.checkDisplayName(errs, r.DisplayName)
	if !validEmail(r.Email) {
		errs.Add("email", "user.email.invalid")
	}
	s.checkLocale(errs, r.Locale)
	s.checkTaken(ctx, errs, r.Handle, r.Email)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	u := &User{Handle: r.Handle, DisplayName: r.DisplayName, Email: r.Email, Locale: r.Locale, Role: RoleMember, CreatedAt: now, UpdatedAt: now}
	if r.EmailVerified {
		u.EmailVerifiedAt = &now
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.db.Writer(ctx).Create(u).Error; err != nil {
			return err
		}
		if err := s.db.Writer(ctx).Create(&Identity{UserID: u.ID, Provider: r.Provider, Subject: r.Subject, Email: r.Email, CreatedAt: now, LastUsedAt: now}).Error; err != nil {
			return err
		}
		if err := event.Emit(ctx, s.db, u.ID, event.MemberJoined{UserID: u.ID, Handle: u.Handle}); err != nil {
			return err
		}
		if r.Role != "" && r.Role != RoleMember {
			if _, err := s.RaiseRole(ctx, u.ID, r.Role, r.Provider); err != nil {
				return err
			}
			u.Role = r.Role
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) { // lost a race: a handle, the address or the identity
			s.checkTaken(ctx, errs, r.Handle, r.Email)
			if err := errs.Err(); err != nil {
				return nil, err
			}
			return nil, ErrIdentityTaken
		}
		return nil, fmt.Errorf("user: create from %s: %w", r.Provider, err)
	}
	return u, nil
}

// RaiseRole gives member id the role a provider's claim maps to (source names
// the provider), when that is above their role: it never lowers one and never
// touches an admin, so that an admin's choice stands. The change is recorded in
// the audit log and as a RoleChanged event with the member as the actor, and
// ends the member's sessions as every role change does. It reports whether the
// role changed.
func (s *Service) RaiseRole(ctx context.Context, id int64, role Role, source string) (bool, error) {
	if role != RoleAgent && role != RoleModerator {
		return false, nil
	}
	changed := false
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var old User
		if err := s.db.Writer(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&old).Error; err != nil {
			return fmt.Errorf("user: raise role of %d: %w", id, err)
		}
		if old.Role == RoleAdmin || old.Role.AtLeast(role) {
			return nil
		}
		if err := s.update(ctx, id, map[string]any{"role": role}); err != nil {
			return err
		}
		if err := audit.New(s.db, s.now).Record(ctx, audit.Entry{ActorID: id, Action: audit.ChangeRole, MemberID: audit.Ref(id),
			Reason: "sso:" + source, Before: string(old.Role), After: string(role)}); err != nil {
			return err
		}
		if err := event.Emit(ctx, s.db, id, event.RoleChanged{UserID: id, From: string(old.Role), To: string(role)}); err != nil {
			return err
		}
		changed = true
		return s.revoker.DeleteForUser(ctx, id)
	})
	return changed, err
}

// ProposeHandle makes a valid handle nobody has from the first hint that
// gives one (a provider's user name, nickname, the local part of an e-mail
// address), adding a number when the name is taken; "member" and a number
// when no hint gives one.
func (s *Service) ProposeHandle(ctx context.Context, hints ...string) string {
	for _, h := range append(hints, "member") {
		if i := strings.IndexByte(h, '@'); i >= 0 {
			h = h[:i]
		}
		base := handleFrom(h)
		errs := validate.Errors{}
		checkHandle(errs, base, RoleMember) // reserved, or a deleted account's: "admin2" would pose all the same
		if len(errs) > 0 {
			continue
		}
		for n := 1; n < 100; n++ {
			cand := base
			if n > 1 {
				suffix := strconv.Itoa(n)
				cand = base[:min(len(base), 30-len(suffix))] + suffix
			}
			errs := validate.Errors{}
			checkHandle(errs, cand, RoleMember)
			s.checkTaken(ctx, errs, cand, "@") // "@" is nobody's address: only the handle is checked
			if len(errs) == 0 {
				return cand
			}
		}
	}
	return ""
}

// handleFrom keeps the letters, digits and _ . - of s that a handle may have
// (spaces become _), starting with a letter or digit, at most 30: "" when
// fewer than 3 are left.
func handleFrom(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) { // "Jürgen" keeps its u

		switch {
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'):
			b.WriteRune(r)
		case (r == '_' || r == '.' || r == '-' || r == ' ') && b.Len() > 0:
			if r == ' ' {
				r = '_'
			}
			b.WriteRune(r)
		}
	}
	out := b.String()
	if len(out) > 30 {
		out = out[:30]
	}
	if len(out) < 3 {
		return ""
	}
	return out
}
