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
	db      *database.DB
	s       *moderation.Service
	threads *thread.Service
	boards  *board.Service
	board   *board.Board
	fx      apptest.Fixtures
	clock   *apptest.Clock
}

func setup(t *testing.T) *env {
	t.Helper()
	db := apptest.NewDB(t)
	clk := apptest.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	users := user.NewService(db, apptest.FastPasswords, []string{"en", "de"}, auth.NewSessions(db, time.Hour, clk.Now), clk.Now)
	e := &env{db: db, fx: apptest.Seed(t, users), boards: board.NewService(db, clk.Now), clock: clk}
	e.board = &board.Board{Slug: "internet", NameEN: "Internet", NameDE: "Internet"}
	if err := e.boards.Create(context.Background(), e.board); err != nil {
		t.Fatal(err)
	}
	e.threads = thread.NewService(db, markup.New(), 24*time.Hour, clk.Now)
	e.s = moderation.NewService(db, e.threads, users, audit.New(db, clk.Now))
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
