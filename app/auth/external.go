package auth

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/schwarm/schwarm/app/auth/sso"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/user"
)

// Outcomes of a sign-in through a provider that sign nobody in.
var (
	// ErrNewMember: no account has the identity or may take it; the person
	// picks a handle, and SignUpWith creates the account.
	ErrNewMember = problem.New(http.StatusConflict, "sso.new_member", "auth: new member")
	// ErrEmailTaken: an account has the provider's address, but it may not be
	// linked by it (either side unverified); its owner connects the provider
	// from the settings while signed in.
	ErrEmailTaken = problem.New(http.StatusConflict, "sso.email_taken", "auth: e-mail of an account that may not be linked")
)

// Providers returns the configured single sign-on providers.
func (s *Service) Providers() *sso.Providers { return s.providers }

// PasswordSignIn reports whether passwords sign in.
func (s *Service) PasswordSignIn() bool { return s.passwords }

// CompleteSSO redeems a provider's callback (its query in q) for the Profile
// of who signed in there. Every call counts against the client address's
// sign-in budget, the one failed passwords draw on: each costs a request to
// the provider, and the provider, not the forum, guards the account.
func (s *Service) CompleteSSO(ctx context.Context, provider string, f sso.Flow, q url.Values, c Client) (sso.Profile, error) {
	if err := s.allow(ctx, s.limits.LoginAddress, "login:ip:"+c.IP); err != nil {
		return sso.Profile{}, err
	}
	return s.providers.Complete(ctx, provider, f, q)
}

// SignInWith signs in the member p's identity belongs to, opening a session as
// SignIn does. An account without the identity takes it when the provider
// verified the address and it is the account's verified address: anyone else
// could claim it at a provider that does not check. The role p's claims map
// to is given on every sign-in (see user.RaiseRole). Banned and deleted
// members are refused as with a password.
func (s *Service) SignInWith(ctx context.Context, p sso.Profile, c Client) (*user.User, string, error) {
	u, err := s.users.IdentityOwner(ctx, p.Provider, p.Subject)
	if errors.Is(err, user.ErrNotFound) && p.EmailVerified {
		u, err = s.users.ByVerifiedEmail(ctx, p.Email)
	}
	if errors.Is(err, user.ErrNotFound) {
		taken, err := s.users.EmailTaken(ctx, p.Email)
		if err != nil {
			return nil, "", err
		}
		if taken {
			return nil, "", ErrEmailTaken
		}
		return nil, "", ErrNewMember
	}
	if err != nil {
		return nil, "", err
	}
	if u.Banned(s.sessions.now()) {
		return nil, "", user.ErrBanned
	}
	if err := s.users.Link(ctx, u.ID, p.Provider, p.Subject, p.Email); err != nil {
		return nil, "", err
	}
	// Before the session: a raised role ends the member's sessions.
	if raised, err := s.users.RaiseRole(ctx, u.ID, p.Role, p.Provider); err != nil {
		return nil, "", err
	} else if raised {
		u.Role = p.Role
	}
	token, err := s.sessions.Create(ctx, u.ID, c.IP, c.UserAgent)
	return u, token, err
}

// SignUpWith creates the account of a new member who signed in at a provider,
// with the handle and name they chose, and signs it in. It is limited like
// sign-ups.
func (s *Service) SignUpWith(ctx context.Context, p sso.Profile, handle, displayName, locale string, c Client) (*user.User, string, error) {
	if err := s.allow(ctx, s.limits.Signup, "signup:ip:"+c.IP); err != nil {
		return nil, "", err
	}
	u, err := s.users.RegisterExternal(ctx, user.ExternalRegistration{Handle: handle, DisplayName: displayName, Email: p.Email,
		EmailVerified: p.EmailVerified, Locale: locale, Role: p.Role, Provider: p.Provider, Subject: p.Subject})
	if err != nil {
		return nil, "", err
	}
	token, err := s.sessions.Create(ctx, u.ID, c.IP, c.UserAgent)
	return u, token, err
}

// Connect gives the signed-in member memberID the identity in p.
func (s *Service) Connect(ctx context.Context, memberID int64, p sso.Profile) error {
	return s.users.Link(ctx, memberID, p.Provider, p.Subject, p.Email)
}

// ErrNotYours says the provider's account is not one of the member's.
var ErrNotYours = problem.New(http.StatusForbidden, "sso.not_yours", "auth: identity is not the member's")

// Confirm checks that p, who just signed in at a provider, is member memberID:
// a member without a password confirms so what a password confirms for others.
func (s *Service) Confirm(ctx context.Context, memberID int64, p sso.Profile) error {
	u, err := s.users.IdentityOwner(ctx, p.Provider, p.Subject)
	if errors.Is(err, user.ErrNotFound) || err == nil && u.ID != memberID {
		return ErrNotYours
	}
	return err
}

// Disconnect removes the member's identity at provider, unless it is their
// only way in (a password counts only while passwords sign in).
func (s *Service) Disconnect(ctx context.Context, memberID int64, provider string) error {
	return s.users.Unlink(ctx, memberID, provider, s.passwords)
}
