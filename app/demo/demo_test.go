package demo_test

import (
	"context"
	"testing"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/demo"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

func TestLoad(t *testing.T) {
	a := apptest.NewApp(t, apptest.Config(t, nil))
	ctx := context.Background()
	s := demo.Services{Users: a.Users, Boards: a.Boards, Threads: a.Threads, Moderation: a.Moderation}
	loaded, err := demo.Load(ctx, s)
	if err != nil || !loaded {
		t.Fatalf("Load = %v, %v", loaded, err)
	}
	roles := map[user.Role]int{}
	for _, r := range demo.Users {
		u, err := a.Users.Authenticate(ctx, r.Handle, demo.Password)
		if err != nil {
			t.Fatalf("demo user %s cannot sign in: %v", r.Handle, err)
		}
		if u.EmailVerifiedAt == nil { // or, with mail on, nobody could sign in as them
			t.Errorf("demo user %s is not verified", r.Handle)
		}
		roles[u.Role]++
	}
	for _, r := range user.Roles {
		if roles[r] == 0 {
			t.Errorf("no demo user with role %s", r)
		}
	}
	list, err := a.Threads.List(ctx, thread.Query{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	langs := map[string]int{}
	for _, th := range list.Threads {
		langs[th.Language]++
	}
	if langs["en"] < 2 || langs["de"] < 2 {
		t.Errorf("threads per language: %v", langs)
	}
	boards, _ := a.Boards.List(ctx)
	if len(boards) < 3 {
		t.Errorf("%d boards", len(boards))
	}

	again, err := demo.Load(ctx, s)
	if err != nil || again {
		t.Errorf("second Load = %v, %v; want skipped", again, err)
	}
	if n, _ := a.Users.Count(ctx); n != int64(len(demo.Users)) {
		t.Errorf("%d users after a second load", n)
	}
}
