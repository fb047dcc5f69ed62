package auth

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/schwarm/schwarm/app/problem"
)

// Purposes of the single-use links mailed to members.
const (
	PurposeVerify = "verify" // confirms the address of a new account
	PurposeReset  = "reset"  // sets a new password
)

// How long a mailed link works.
const (
	VerifyTTL = 24 * time.Hour
	ResetTTL  = time.Hour
)

// ErrTokenInvalid means a mailed link is unknown, used or expired: the member
// is told so and asks for a new one.
var ErrTokenInvalid = problem.New(http.StatusGone, "auth.token_invalid", "auth: token unknown, used or expired")

type accountToken struct {
	Hash      string `gorm:"primaryKey"` // sha256 of the token, hex
	UserID    int64
	Purpose   string
	Email     string // the address it was mailed to: a link for an old address does not confirm a new one
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

func (accountToken) TableName() string { return "account_tokens" }

// issueToken stores a new token of purpose for userID, valid for ttl, and
// returns it with its hash; only the hash is stored.
func (s *Service) issueToken(ctx context.Context, userID int64, purpose, email string, ttl time.Duration) (token, hash string, err error) {
	token, now := NewToken(), s.sessions.now()
	row := accountToken{Hash: hashToken(token), UserID: userID, Purpose: purpose, Email: email, ExpiresAt: now.Add(ttl), CreatedAt: now}
	if err := s.sessions.db.Writer(ctx).Create(&row).Error; err != nil {
		return "", "", fmt.Errorf("auth: issue %s token: %w", purpose, err)
	}
	return token, row.Hash, nil
}

// useToken spends token for purpose: one conditional update, so of two uses
// at once only one finds it unused. Every other token of the same purpose for
// the account is spent with it: an older mail's link opens nothing either.
func (s *Service) useToken(ctx context.Context, token, purpose string) (userID int64, email string, err error) {
	if token == "" || len(token) > 100 {
		return 0, "", ErrTokenInvalid
	}
	now := s.sessions.now()
	var rows []struct {
		UserID int64
		Email  string
	}
	err = s.sessions.db.Writer(ctx).Raw(`UPDATE account_tokens SET used_at = ?
		WHERE hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id, email`,
		now, hashToken(token), purpose, now).Scan(&rows).Error
	if err != nil {
		return 0, "", fmt.Errorf("auth: use %s token: %w", purpose, err)
	}
	if len(rows) == 0 {
		return 0, "", ErrTokenInvalid
	}
	err = s.sessions.db.Writer(ctx).Model(&accountToken{}).Where("user_id = ? AND purpose = ? AND used_at IS NULL", rows[0].UserID, purpose).
		Update("used_at", now).Error
	if err != nil {
		return 0, "", fmt.Errorf("auth: spend older %s tokens: %w", purpose, err)
	}
	return rows[0].UserID, rows[0].Email, nil
}

// PurgeTokens removes tokens that expired a day ago or more: long enough for
// a late click to be told "expired", not "unknown".
func (s *Service) PurgeTokens(ctx context.Context) (int64, error) {
	res := s.sessions.db.Writer(ctx).Where("expires_at < ?", s.sessions.now().Add(-24*time.Hour)).Delete(&accountToken{})
	return res.RowsAffected, res.Error
}
