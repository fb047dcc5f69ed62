package reputation_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// TestRandomActionsRepairClean runs random sequences of what members and
// moderators do (ask, answer, kudos and take back, accept, change and withdraw,
// hide and restore), some of them refused, and checks two things: reputation
// matches an independent model of the points table, and repair finds nothing to
// repair.
func TestRandomActionsRepairClean(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			e := setup(t, thread.Privileges{})
			ctx := context.Background()
			r := rand.New(rand.NewPCG(seed, 99))
			people := []*user.User{e.fx.Member, e.fx.Other, e.fx.Agent, e.member(t, "greta"), e.member(t, "hugo")}
			model := map[int64]int64{}
			var threads []*thr
			earns := func(p *post, th *thr) bool { return p.author != th.author }
			pick := func() *user.User { return people[r.IntN(len(people))] }
			for step := range 250 {
				e.clock.add(time.Duration(r.IntN(90)) * time.Minute)
				u := pick()
				switch op := r.IntN(10); {
				case op == 0 || len(threads) == 0:
					th := e.ask(t, u)
					threads = append(threads, &thr{id: th.ID, author: u.ID})
				case op <= 3:
					th := threads[r.IntN(len(threads))]
					p, err := e.threads.Reply(ctx, u, th.id, "An answer")
					if err != nil {
						t.Fatalf("step %d: reply: %v", step, err)
					}
					if u.ID != th.author {
						first := true
						for _, a := range th.answers {
							if a.author != th.author && !a.hidden {
								first = false
							}
						}
						if first {
							model[u.ID] += 2
						}
					}
					th.answers = append(th.answers, &post{id: p.ID, author: u.ID, thread: th.id, kudos: map[int64]bool{}})
				case op <= 5:
					_, p := randomAnswer(r, threads)
					if p == nil {
						continue
					}
					if p.kudos[u.ID] {
						_, _, err := e.threads.TakeKudos(ctx, u, p.id)
						if p.hidden {
							if err == nil {
								t.Fatalf("step %d: kudos taken back from a hidden post", step)
							}
							continue
						}
						if err != nil {
							t.Fatalf("step %d: take kudos: %v", step, err)
						}
						delete(p.kudos, u.ID)
						model[p.author] -= 10
						continue
					}
					_, _, err := e.threads.GiveKudos(ctx, u, p.id)
					switch {
					case p.author == u.ID || p.hidden:
						if err == nil {
							t.Fatalf("step %d: kudos on own or hidden post accepted", step)
						}
					case err != nil:
						t.Fatalf("step %d: kudos: %v", step, err)
					default:
						p.kudos[u.ID] = true
						model[p.author] += 10
					}
				case op <= 7:
					th, p := randomAnswer(r, threads)
					if p == nil {
						continue
					}
					if r.IntN(4) == 0 && th.solution != nil {
						actor := u
						if actor.ID != th.author && actor.Role == user.RoleMember {
							actor = e.fx.Agent
						}
						if _, err := e.threads.Unaccept(ctx, actor, th.id); err != nil {
							t.Fatalf("step %d: unaccept: %v", step, err)
						}
						if earns(th.solution, th) {
							model[th.solution.author] -= 15
							model[th.author] -= 2
						}
						th.solution = nil
						continue
					}
					_, err := e.threads.Accept(ctx, u, p.id)
					allowed := u.ID == th.author || u.Role != user.RoleMember
					switch {
					case !allowed:
						if !errors.Is(err, thread.ErrForbidden) {
							t.Fatalf("step %d: accept by a stranger: %v", step, err)
						}
					case p.hidden:
						if err == nil {
							t.Fatalf("step %d: a hidden post was accepted", step)
						}
					case th.solution == p:
						if !errors.Is(err, thread.ErrAlreadySolution) {
							t.Fatalf("step %d: accept twice: %v", step, err)
						}
					case err != nil:
						t.Fatalf("step %d: accept: %v", step, err)
					default:
						if old := th.solution; old != nil && earns(old, th) {
							model[old.author] -= 15
							model[th.author] -= 2
						}
						if earns(p, th) {
							model[p.author] += 15
							model[th.author] += 2
						}
						th.solution = p
					}
				default:
					th, p := randomAnswer(r, threads)
					if p == nil {
						continue
					}
					mod := e.fx.Moderator
					if p.hidden {
						if _, err := e.mod.Restore(ctx, mod, p.id); err != nil {
							t.Fatalf("step %d: restore: %v", step, err)
						}
						p.hidden = false
						model[p.author] += 10
						continue
					}
					if _, err := e.mod.Delete(ctx, mod, p.id); err != nil {
						t.Fatalf("step %d: hide: %v", step, err)
					}
					p.hidden = true
					model[p.author] -= 10
					if th.solution == p {
						if earns(p, th) {
							model[p.author] -= 15
							model[th.author] -= 2
						}
						th.solution = nil
					}
				}
			}
			t.Logf("reputation by the model: %v over %d threads", model, len(threads))
			for _, u := range people {
				if got := e.reputation(t, u); got != model[u.ID] {
					t.Errorf("%s: reputation %d, model says %d", u.Handle, got, model[u.ID])
				}
			}
			e.clean(t)
		})
	}
}

// The test's own model of the forum.
type post struct {
	id, author, thread int64
	hidden             bool
	kudos              map[int64]bool
}

type thr struct {
	id, author int64
	answers    []*post
	solution   *post
}

// randomAnswer picks a thread and one of its answers; nil when it has none.
func randomAnswer(r *rand.Rand, threads []*thr) (*thr, *post) {
	th := threads[r.IntN(len(threads))]
	if len(th.answers) == 0 {
		return th, nil
	}
	return th, th.answers[r.IntN(len(th.answers))]
}
