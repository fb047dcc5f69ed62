package web

import (
	"context"
	"errors"
	"runtime"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/search"
)

// errSearchBusy answers a search past the node's limit: better told at once to
// try again than kept waiting behind seconds of others' searches.
var errSearchBusy = problem.New(fiber.StatusServiceUnavailable, "error.search_busy", "web: too many searches at once")

// searchQueueWait is how long a search may wait for a free place: long enough
// to smooth a burst, far shorter than the page budget.
const searchQueueWait = 50 * time.Millisecond

// searchSlots is the semaphore of limitSearches, sized from the setting.
func searchSlots(setting int) chan struct{} {
	if setting <= 0 {
		setting = 2 * runtime.GOMAXPROCS(0)
	}
	return make(chan struct{}, setting)
}

// limitSearches bounds the searches and suggestions running at once. Search is
// the one read whose cost grows with the forum and the query; without a bound a
// flood of it takes every core and every page slows with it. The bound is
// passed where a search is run (search.WithGate): an answer the search keeps
// costs what a page does, and is served however many searches run.
func (s *Server) limitSearches(c *fiber.Ctx) error {
	c.SetUserContext(search.WithGate(c.UserContext(), func(context.Context) (func(), error) {
		select {
		case s.searches <- struct{}{}:
		default:
			wait := time.NewTimer(searchQueueWait)
			select {
			case s.searches <- struct{}{}:
				wait.Stop()
			case <-wait.C:
				c.Set(fiber.HeaderRetryAfter, "1")
				return nil, errSearchBusy
			}
		}
		return func() { <-s.searches }, nil
	}))
	return c.Next()
}

// quietError is an error that says the server chose to refuse, not that it
// failed: not worth an error line for each request of a flood.
func quietError(err error) bool { return errors.Is(err, errSearchBusy) }
