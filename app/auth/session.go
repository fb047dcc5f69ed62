package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/user"
)

// ErrNoSession means the token names no live session.
var ErrNoSession = problem.New(http.StatusForbidden, "error.sign_in", "auth: no such session")

// Session is one sign-in on one device.
type Session struct {
	ID         string // sha256 of the cookie token, hex
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	IP         string
	UserAgent  string
}

// Sessions stores sign-ins.
type Sessions struct {
	db     *database.DB
	ttl    time.Duration
	now    func() time.Time
	lookup *database.Stmt

	mu     sync.Mutex
	recent map[string]recentSession // by token hash: lookups for reading pages
}

type recentSession struct {
	u   user.User
	at  time.Time
	gen uint64
}

// maxRecentSessions bounds the lookups kept; past it they are dropped at once.
const maxRecentSessions = 20_000

// NewSessions returns a store whose sessions expire ttl after their last use.
func NewSessions(db *database.DB, ttl time.Duration, now func() time.Time) *Sessions {
	return &Sessions{db: db, ttl: ttl, now: now, lookup: db.Prepare("SELECT sessions.last_seen_at, users.id, users.handle, users.display_name, " +
		"users.email, users.email_verified_at, users.password_hash, users.locale, users.role, users.reputation, " +
		"users.banned_until, users.suspended_until, users.suspend_reason, users.silenced_until, users.avatar, users.created_at, users.updated_at " +
		"FROM sessions JOIN users ON users.id = sessions.user_id WHERE sessions.id = ? AND sessions.expires_at > ?")}
}

// touchEvery limits how often a session's expiry is pushed forward, so that reading
// pages does not write to the database on every request.
const touchEvery = 10 * time.Minute

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewToken returns 32 random bytes, URL-safe base64.
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create opens a session for userID and returns the token for the cookie. The
// token itself is never stored.
func (s *Sessions) Create(ctx context.Context, userID int64, ip, userAgent string) (string, error) {
	if len(userAgent) > 255 {
		userAgent = userAgent[:255]
	}
	token, now := NewToken(), s.now()
	sess := Session{ID: hashToken(token), UserID: userID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(s.ttl), IP: ip, UserAgent: userAgent}
	if err := s.db.Writer(ctx).Create(&sess).Error; err != nil {
		return "", fmt.Errorf("auth: create session: %w", err)
	}
	return token, nil
}

// Lookup returns the user signed in with token, extending the session when due.
// Every signed-in request starts here, so session and user come in one
// prepared, hand-scanned query.
func (s *Sessions) Lookup(ctx context.Context, token string) (*user.User, error) {
	if token == "" {
		return nil, ErrNoSession
	}
	var u user.User
	var lastSeen time.Time
	err := s.lookup.QueryRow(ctx, hashToken(token), s.now()).Scan(&lastSeen, &u.ID, &u.Handle, &u.DisplayName, &u.Email, &u.EmailVerifiedAt,
		&u.PasswordHash, &u.Locale, &u.Role, &u.Reputation, &u.BannedUntil, &u.SuspendedUntil, &u.SuspendReason, &u.SilencedUntil,
		&u.Avatar, &u.CreatedAt, &u.UpdatedAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, ErrNoSession
	case err != nil:
		return nil, fmt.Errorf("auth: look up session: %w", err)
	}
	if err := s.touch(ctx, token, lastSeen); err != nil {
		return nil, err
	}
	return &u, nil
}

// LookupRecent is Lookup for reading a page: a lookup of this node younger
// than maxAge, made at the same generation gen (the caller's count of writes
// on this node, so that a suspension written here shows at once), is used
// again. Ending a session, or all of a member's, on this
// node drops it; done on another node, a page may still be shown for maxAge.
// Staff sessions are looked up every time (a demoted moderator's next page is
// a member's), and writes must use Lookup.
func (s *Sessions) LookupRecent(ctx context.Context, token string, maxAge time.Duration, gen uint64) (*user.User, error) {
	key, now := hashToken(token), s.now()
	s.mu.Lock()
	r, ok := s.recent[key]
	s.mu.Unlock()
	if ok && r.gen == gen && now.Sub(r.at) < maxAge && now.Sub(r.at) >= 0 {
		u := r.u
		return &u, nil
	}
	u, err := s.Lookup(ctx, token)
	if err != nil {
		return nil, err
	}
	if u.Role.IsStaff() {
		return u, nil
	}
	s.mu.Lock()
	if s.recent == nil || len(s.recent) >= maxRecentSessions {
		s.recent = make(map[string]recentSession)
	}
	s.recent[key] = recentSession{u: *u, at: now, gen: gen}
	s.mu.Unlock()
	return u, nil
}

func (s *Sessions) forget(match func(key string, r recentSession) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, r := range s.recent {
		if match(k, r) {
			delete(s.recent, k)
		}
	}
}

// touch pushes a session's expiry forward when it was last seen touchEvery ago.
func (s *Sessions) touch(ctx context.Context, token string, lastSeen time.Time) error {
	now := s.now()
	if now.Sub(lastSeen) <= touchEvery {
		return nil
	}
	err := s.db.Writer(ctx).Model(&Session{}).Where("id = ?", hashToken(token)).
		Updates(map[string]any{"last_seen_at": now, "expires_at": now.Add(s.ttl)}).Error
	if err != nil {
		return fmt.Errorf("auth: extend session: %w", err)
	}
	return nil
}

// Delete ends the session for token; an unknown token is not an error.
func (s *Sessions) Delete(ctx context.Context, token string) error {
	key := hashToken(token)
	s.forget(func(k string, _ recentSession) bool { return k == key })
	return s.db.Writer(ctx).Where("id = ?", hashToken(token)).Delete(&Session{}).Error
}

// DeleteForUser ends every session of a user (role change, ban, password change).
func (s *Sessions) DeleteForUser(ctx context.Context, userID int64) error {
	s.forget(func(_ string, r recentSession) bool { return r.u.ID == userID })
	return s.db.Writer(ctx).Where("user_id = ?", userID).Delete(&Session{}).Error
}

// Purge removes expired sessions.
func (s *Sessions) Purge(ctx context.Context) (int64, error) {
	res := s.db.Writer(ctx).Where("expires_at <= ?", s.now()).Delete(&Session{})
	return res.RowsAffected, res.Error
}
