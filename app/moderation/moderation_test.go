package moderation_test

import (
	"context"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/markup"
	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

type env struct {
	db       *database.DB
	s        *moderation.Service
	threads  *thread.Service
	boards   *board.Service
	board    *board.Board
	fx       apptest.Fixtures
	clock    *apptest.Clock
	sessions *auth.Sessions
	userSvc  *user.Service
}

func (e *env) users() *user.Service { return e.userSvc }

// reload reads u again from the database.
func (e *env) reload(t *testing.T, u *user.User) *user.User {
	t.Helper()
	fresh, err := e.userSvc.Get(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return fresh
}

func (e *env) sessionCount(t *testing.T, userID int64) int64 {
	t.Helper()
	var n int64
	if err := e.db.Reader(context.Background()).Raw("SELECT COUNT(*) FROM sessions WHERE user_id = ?", userID).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// questionOf returns the id of th's question post.
func (e *env) questionOf(t *testing.T, th *thread.Thread) int64 {
	t.Helper()
	page, err := e.threads.Posts(context.Background(), e.fx.Moderator, th, 1)
	if err != nil {
		t.Fatal(err)
	}
	return page.Question.ID
}

func setup(t *testing.T) *env {
	t.Helper()
	db := apptest.NewDB(t)
	clk := apptest.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	sessions := auth.NewSessions(db, time.Hour, clk.Now)
	users := user.NewService(db, apptest.FastPasswords, []string{"en", "de"}, sessions, clk.Now)
	e := &env{db: db, fx: apptest.Seed(t, users), boards: board.NewService(db, clk.Now), clock: clk, sessions: sessions, userSvc: users}
	e.board = &board.Board{Slug: "internet", NameEN: "Internet", NameDE: "Internet"}
	if err := e.boards.Create(context.Background(), e.board); err != nil {
		t.Fatal(err)
	}
	e.threads = thread.NewService(db, markup.New(), 24*time.Hour, clk.Now)
	e.s = moderation.NewService(db, e.threads, users, audit.New(db, clk.Now), clk.Now)
	return e
}

func (e *env) ask(t *testing.T, author *user.User, title string) *thread.Thread {
	t.Helper()
	th, err := e.threads.Create(context.Background(), author, thread.Ask{BoardID: e.board.ID, Title: title, Body: "Body of " + title})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Second)
	return th
}
