package moderation

import (
	"net/http"
	"sync/atomic"
	"time"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// Refusals of CloseAsDuplicate.
var (
	ErrDuplicateSelf   = problem.New(http.StatusUnprocessableEntity, "duplicate.self", "moderation: a thread cannot duplicate itself")
	ErrDuplicateTarget = problem.New(http.StatusUnprocessableEntity, "duplicate.target", "moderation: the canonical thread does not exist or is hidden")
)

// Service carries out moderator actions on threads and posts.
type Service struct {
	db      *database.DB
	threads *thread.Service
	users   *user.Service
	audit   *audit.Log
	now     func() time.Time
	flags   atomic.Pointer[FlagRules] // read by every flag, set while serving
}

// NewService returns a Service that changes threads and posts through threads,
// members through users, and records each action in the audit log. Flags hide
// nothing until SetFlagRules.
func NewService(db *database.DB, threads *thread.Service, users *user.Service, log *audit.Log, now func() time.Time) *Service {
	s := &Service{db: db, threads: threads, users: users, audit: log, now: now}
	s.flags.Store(&FlagRules{})
	return s
}
