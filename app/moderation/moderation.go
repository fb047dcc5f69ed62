package moderation

import (
	"net/http"

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
}

// NewService returns a Service that changes threads and posts through threads,
// members through users, and records each action in the audit log.
func NewService(db *database.DB, threads *thread.Service, users *user.Service, log *audit.Log) *Service {
	return &Service{db: db, threads: threads, users: users, audit: log}
}
