package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/schwarm/schwarm/app/auth/sso"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/user"
)

// ErrPasswordOff refuses a password where only single sign-on signs in.
var ErrPasswordOff = problem.New(http.StatusForbidden, "auth.password_off", "auth: password sign-in is off")

// ErrRateLimited is inside every RateLimitedError: it gives the status and message.
var ErrRateLimited = problem.New(http.StatusTooManyRequests, "error.rate_limited", "auth: rate limited")

// RateLimitedError says an action was refused for going over a rate limit.
type RateLimitedError struct{ RetryAfter time.Duration }

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("auth: rate limited, retry in %s", e.RetryAfter.Round(time.Second))
}

// Unwrap returns ErrRateLimited, so the refusal is answered like any other problem
// while the wait stays with the error that knows it.
func (e *RateLimitedError) Unwrap() error { return ErrRateLimited }

// Client is who is asking, as far as the server can tell.
type Client struct {
	IP        string
	UserAgent string
}

// Service runs the sign-up, sign-in and sign-out flows: rate limits, the account
// check and the session, in that order.
type Service struct {
	users     *user.Service
	sessions  *Sessions
	limiter   *Limiter
	limits    Limits
	mail      *AccountMail // nil: no mail (see SetMail)
	providers *sso.Providers
	passwords bool // whether passwords sign in (SCHWARM_PASSWORD_LOGIN)
}

// Limits are the budgets of the sign-in and sign-up flows.
type Limits struct {
	// Login is the failed sign-ins per account (SCHWARM_RATE_LOGIN), and
	// LoginAddress those per client address, of all accounts together
	// (SCHWARM_RATE_LOGIN_ADDRESS), which also counts every single sign-on
	// callback: each costs a request to the provider.
	Login, LoginAddress config.Rate
	Signup              config.Rate // sign-ups per client address
}

// NewService returns a Service. providers are the single sign-on providers;
// passwordSignIn false refuses sign-in and sign-up with a password.
func NewService(users *user.Service, sessions *Sessions, limiter *Limiter, limits Limits, providers *sso.Providers, passwordSignIn bool) *Service {
	return &Service{users: users, sessions: sessions, limiter: limiter, limits: limits,
		providers: providers, passwords: passwordSignIn}
}

type limit struct {
	rate config.Rate
	key  string
}

// attempt counts one event against each limit, refusing it at the first that is
// spent, and returns refund, which takes it back from all of them. A refused
// event stays counted by the limit that refused it, so that a guesser keeps
// that window full, and only there: a guessed-at account does not use up its
// owner's colleagues' budget at their shared address.
func (s *Service) attempt(ctx context.Context, limits ...limit) (refund func(), err error) {
	var refunds []func()
	refund = func() {
		for _, r := range refunds {
			r()
		}
	}
	for _, l := range limits {
		ok, retry, r, err := s.limiter.Try(ctx, l.key, l.rate.N, l.rate.Window)
		if err != nil {
			refund()
			return nil, err
		}
		if !ok {
			refund()
			return nil, &RateLimitedError{RetryAfter: retry}
		}
		refunds = append(refunds, r)
	}
	return refund, nil
}

func (s *Service) allow(ctx context.Context, r config.Rate, keys ...string) error {
	for _, k := range keys {
		ok, retry, err := s.limiter.Allow(ctx, k, r.N, r.Window)
		if err != nil {
			return err
		}
		if !ok {
			return &RateLimitedError{RetryAfter: retry}
		}
	}
	return nil
}

// SignUp creates an account and signs it in, returning the session token.
// With mail on it signs nobody in and returns neither user nor token: it
// mails a link that confirms the address (Verify signs in), or, when the
// address has an account already, a note to its owner, and the visitor
// cannot tell which.
func (s *Service) SignUp(ctx context.Context, r user.Registration, c Client) (*user.User, string, error) {
	if !s.passwords {
		return nil, "", ErrPasswordOff
	}
	if err := s.allow(ctx, s.limits.Signup, "signup:ip:"+c.IP); err != nil {
		return nil, "", err
	}
	if s.MailEnabled() {
		return nil, "", s.signUpMailed(ctx, r, c)
	}
	u, err := s.users.Register(ctx, r)
	if err != nil {
		return nil, "", err
	}
	token, err := s.sessions.Create(ctx, u.ID, c.IP, c.UserAgent)
	return u, token, err
}

// SignIn checks the credentials and opens a new session. Failed attempts are
// limited per account, strictly, so that many addresses guessing one account do
// not get far, and per client address, generously, so that one address guessing
// many accounts does not either. Sign-ins that succeed count against neither:
// a call center, an office or a mobile carrier's NAT puts hundreds of people
// behind one address, and each of them signing in is no sign of guessing.
func (s *Service) SignIn(ctx context.Context, login, password string, c Client) (*user.User, string, error) {
	if !s.passwords {
		return nil, "", ErrPasswordOff
	}
	account, err := s.accountKey(ctx, login)
	if err != nil {
		return nil, "", err
	}
	refund, err := s.attempt(ctx, limit{s.limits.LoginAddress, "login:ip:" + c.IP}, limit{s.limits.Login, account})
	if err != nil {
		return nil, "", err
	}
	u, err := s.users.Authenticate(ctx, login, password)
	if !errors.Is(err, user.ErrInvalidCredentials) {
		refund() // the password was right (or never checked): no guess
	}
	if err != nil {
		return nil, "", err
	}
	if s.MailEnabled() && u.EmailVerifiedAt == nil {
		return nil, "", ErrUnverified
	}
	token, err := s.sessions.Create(ctx, u.ID, c.IP, c.UserAgent)
	return u, token, err
}

// accountKey is the rate-limit key of the account login names: its id, so the
// handle and the e-mail address share one budget. A name without an account is
// limited too (guessing it costs the same), under a hash: what is stored stays
// short whatever was typed.
func (s *Service) accountKey(ctx context.Context, login string) (string, error) {
	id, err := s.users.LoginID(ctx, login)
	if err != nil {
		return "", err
	}
	if id != 0 {
		return "login:user:" + strconv.FormatInt(id, 10), nil
	}
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(login))))
	return "login:name:" + hex.EncodeToString(sum[:16]), nil
}

// SignOut ends the session behind token.
func (s *Service) SignOut(ctx context.Context, token string) error {
	return s.sessions.Delete(ctx, token)
}

// Current returns the signed-in user behind a session token. A banned or deleted
// user's session is ended.
func (s *Service) Current(ctx context.Context, token string, now time.Time) (*user.User, error) {
	return s.current(ctx, token, now, nil)
}

// CurrentForReading is Current for a request that only reads a page: the
// session may be one this node looked up within maxAge at generation gen
// (Sessions.LookupRecent).
func (s *Service) CurrentForReading(ctx context.Context, token string, now time.Time, maxAge time.Duration, gen uint64) (*user.User, error) {
	return s.current(ctx, token, now, func(ctx context.Context, token string) (*user.User, error) {
		return s.sessions.LookupRecent(ctx, token, maxAge, gen)
	})
}

func (s *Service) current(ctx context.Context, token string, now time.Time, lookup func(context.Context, string) (*user.User, error)) (*user.User, error) {
	if lookup == nil {
		lookup = s.sessions.Lookup
	}
	u, err := lookup(ctx, token)
	if err != nil {
		return nil, err
	}
	if u.Banned(now) {
		_ = s.sessions.Delete(ctx, token)
		return nil, ErrNoSession
	}
	return u, nil
}
