package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/mail"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// ErrUnverified refuses the sign-in of an account whose address was never
// confirmed, while mail is on: the member is offered the link again.
var ErrUnverified = problem.New(http.StatusForbidden, "auth.unverified", "auth: e-mail address not verified")

// ErrMailOff answers a request for a mailed link when the forum sends no mail.
var ErrMailOff = problem.New(http.StatusConflict, "auth.mail_off", "auth: mail is off")

// AccountMail is what the account flows need to mail members; app.New plugs
// it in with SetMail.
type AccountMail struct {
	Queue   *mail.Service
	Render  *mail.Renderer
	BaseURL string      // the forum's public URL, which links start with
	Rate    config.Rate // mails per address and per account; ten times that per client address
}

// SetMail lets the account flows send mail. Until it is called, or while
// m.Queue is not Enabled, sign-up signs in at once and no link is mailed.
func (s *Service) SetMail(m AccountMail) { s.mail = &m }

// MailEnabled reports whether the account flows mail links: sign-up then
// waits for the address to be confirmed, and passwords can be reset.
func (s *Service) MailEnabled() bool { return s.mail != nil && s.mail.Queue.Enabled() }

// allowMail spends one mail of the budgets of the client address and the
// e-mail address (and the account, when there is one). The address is
// counted whether or not it has an account, so being limited says nothing
// about that.
func (s *Service) allowMail(ctx context.Context, c Client, email string, userID int64) error {
	r := s.mail.Rate
	if err := s.allow(ctx, config.Rate{N: 10 * r.N, Window: r.Window}, "mail:ip:"+c.IP); err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(email))
	keys := []string{"mail:to:" + hex.EncodeToString(sum[:16])}
	if userID != 0 {
		keys = append(keys, "mail:user:"+strconv.FormatInt(userID, 10))
	}
	return s.allow(ctx, r, keys...)
}

// sendLink mails u a fresh single-use link of purpose, in one transaction
// with the token, so that neither exists without the other.
func (s *Service) sendLink(ctx context.Context, u *user.User, purpose, locale string) error {
	name, path, ttl := "verify", "/verify", VerifyTTL
	if purpose == PurposeReset {
		name, path, ttl = "password_reset", "/password/reset", ResetTTL
	}
	if u.Locale != "" {
		locale = u.Locale
	}
	return s.sessions.db.InTx(ctx, func(ctx context.Context) error {
		token, hash, err := s.issueToken(ctx, u.ID, purpose, u.Email, ttl)
		if err != nil {
			return err
		}
		link := s.mail.BaseURL + path + "?token=" + url.QueryEscape(token)
		m, err := s.mail.Render.Message(purpose+":"+hash, locale, name, u.Email, linkMail{Name: u.DisplayName, Link: link})
		if err != nil {
			return err
		}
		return s.mail.Queue.Enqueue(ctx, nil, m)
	})
}

// linkMail is the data of the mails that carry a link.
type linkMail struct{ Name, Link string }

// signUpMailed registers r with mail on: the account waits for its address
// to be confirmed, and nobody is signed in. An address that has an account
// already is answered as a new one would be, and its owner is told by mail
// instead; other problems with the form are reported as usual.
func (s *Service) signUpMailed(ctx context.Context, r user.Registration, c Client) error {
	r.Verified = false
	u, err := s.users.Register(ctx, r)
	if fields, ok := validate.From(err); ok && fields["email"] == "user.email.taken" {
		delete(fields, "email")
		if len(fields) > 0 {
			return fields
		}
		return s.mailTaken(ctx, strings.ToLower(strings.TrimSpace(r.Email)), r.Locale, c)
	}
	if err != nil {
		return err
	}
	if err := s.allowMail(ctx, c, u.Email, u.ID); err != nil {
		// The account stands; its owner asks for the link again at sign-in.
		return err
	}
	return s.sendLink(ctx, u, PurposeVerify, r.Locale)
}

// mailTaken tells the owner of email that someone tried to sign up with it.
// Over the rate limit it sends nothing and says nothing: a refusal here would
// tell the visitor that the address has an account.
func (s *Service) mailTaken(ctx context.Context, email, locale string, c Client) error {
	u, err := s.users.GetByEmail(ctx, email)
	if err != nil {
		return err
	}
	if err := s.allowMail(ctx, c, email, u.ID); err != nil {
		var limited *RateLimitedError
		if errors.As(err, &limited) {
			return nil
		}
		return err
	}
	if u.Locale != "" {
		locale = u.Locale
	}
	m, err := s.mail.Render.Message("signup-taken:"+NewToken(), locale, "signup_taken", u.Email, linkMail{Name: u.DisplayName})
	if err != nil {
		return err
	}
	return s.mail.Queue.Enqueue(ctx, nil, m)
}

// RequestPasswordReset mails a reset link to the account with address email,
// if there is one. The answer is the same either way (a rate limit counts the
// address whether or not it has an account); locale is the asker's language,
// for an account that chose none.
func (s *Service) RequestPasswordReset(ctx context.Context, email, locale string, c Client) error {
	if !s.passwords {
		return ErrPasswordOff // a password set now would sign nobody in
	}
	if !s.MailEnabled() {
		return ErrMailOff
	}
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" || len(email) > user.MaxLoginLen {
		return nil
	}
	if err := s.allowMail(ctx, c, email, 0); err != nil {
		return err
	}
	u, err := s.users.GetByEmail(ctx, email)
	if errors.Is(err, user.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.sendLink(ctx, u, PurposeReset, locale)
}

// ResetPassword spends a reset token and sets password, held to the sign-up
// rules (a refused password leaves the token unspent), ends every other
// sign-in and opens a new one. The mail that carried the link proves the
// address too.
func (s *Service) ResetPassword(ctx context.Context, token, password string, c Client) (*user.User, string, error) {
	if !s.passwords {
		return nil, "", ErrPasswordOff
	}
	var u *user.User
	err := s.sessions.db.InTx(ctx, func(ctx context.Context) error {
		id, email, err := s.useToken(ctx, token, PurposeReset)
		if err != nil {
			return err
		}
		if u, err = s.users.Get(ctx, id); err != nil {
			return err
		}
		if u.Email != email {
			return ErrTokenInvalid // the account has another address by now
		}
		if err := s.users.SetPassword(ctx, id, password); err != nil {
			return err
		}
		return s.users.MarkVerified(ctx, id, email)
	})
	if err != nil {
		return nil, "", err
	}
	return s.open(ctx, u, c)
}

// CheckResetToken reports whether token may still reset a password, without
// spending it: the form asks for the new password only if it can.
func (s *Service) CheckResetToken(ctx context.Context, token string) error {
	var n int64
	err := s.sessions.db.Reader(ctx).Model(&accountToken{}).
		Where("hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", hashToken(token), PurposeReset, s.sessions.now()).Count(&n).Error
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrTokenInvalid
	}
	return nil
}

// Verify spends a verification token, marks the address confirmed and signs
// its owner in.
func (s *Service) Verify(ctx context.Context, token string, c Client) (*user.User, string, error) {
	var u *user.User
	err := s.sessions.db.InTx(ctx, func(ctx context.Context) error {
		id, email, err := s.useToken(ctx, token, PurposeVerify)
		if err != nil {
			return err
		}
		if err := s.users.MarkVerified(ctx, id, email); errors.Is(err, user.ErrNotFound) {
			return ErrTokenInvalid // the account has another address by now
		} else if err != nil {
			return err
		}
		u, err = s.users.Get(ctx, id)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return s.open(ctx, u, c)
}

// ResendVerification mails a new verification link to the account that login
// (handle or address) names, if it waits for one; the answer is the same
// whether or not it does.
func (s *Service) ResendVerification(ctx context.Context, login, locale string, c Client) error {
	if !s.MailEnabled() {
		return ErrMailOff
	}
	id, err := s.users.LoginID(ctx, login)
	if err != nil || id == 0 {
		return err
	}
	u, err := s.users.Get(ctx, id)
	if err != nil || u.EmailVerifiedAt != nil {
		return err
	}
	if err := s.allowMail(ctx, c, u.Email, u.ID); err != nil {
		return err
	}
	return s.sendLink(ctx, u, PurposeVerify, locale)
}

// open signs u in after a mailed link, unless u is banned.
func (s *Service) open(ctx context.Context, u *user.User, c Client) (*user.User, string, error) {
	if u.Banned(s.sessions.now()) {
		return nil, "", user.ErrBanned
	}
	token, err := s.sessions.Create(ctx, u.ID, c.IP, c.UserAgent)
	return u, token, err
}
