package reputation_test

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/reputation"
	"github.com/schwarm/schwarm/app/thread"
)

// TestBadgeKindsNameWhatEarnsThem folds long random ledgers and checks that
// every badge is earned only by an event of one of its Kinds: awarding skips
// the ledger after facts of other kinds, so a missing kind would be a badge
// never granted until a repair.
func TestBadgeKindsNameWhatEarnsThem(t *testing.T) {
	kinds := []string{thread.FactQuestion, thread.FactAnswer, thread.FactUnansweredAnswer, thread.FactWelcome,
		thread.FactQuickAnswer, thread.FactKudos, thread.FactKudosWithdrawn, thread.FactSolution,
		thread.FactSolutionWithdrawn, thread.FactAccept, thread.FactAcceptWithdrawn, thread.FactHidden, thread.FactUnhidden}
	earned := map[string]int{}
	for seed := range uint64(40) {
		r := rand.New(rand.NewPCG(seed, 3))
		var h reputation.History
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		favourite := kinds[int(seed)%len(kinds)] // half of each ledger, so that every badge's threshold is reached
		for range 3000 {
			at = at.Add(time.Duration(r.IntN(7)) * time.Hour)
			post := int64(r.IntN(8))
			kind := kinds[r.IntN(len(kinds))]
			if r.IntN(2) == 0 {
				kind = favourite
			}
			e := reputation.Event{Kind: kind, Points: 1, PostID: &post, CreatedAt: at}
			before := maps.Clone(h.Earned)
			h.Add(e)
			for _, b := range reputation.Badges {
				_, had := before[b.ID]
				if _, has := h.Earned[b.ID]; has && !had && !slices.Contains(b.Kinds, e.Kind) {
					t.Errorf("seed %d: %s was earned by a %s event, which is not among its kinds %v", seed, b.ID, e.Kind, b.Kinds)
				}
			}
		}
		for id := range h.Earned {
			earned[id]++
		}
	}
	for _, b := range reputation.Badges {
		if earned[b.ID] == 0 {
			t.Errorf("no random ledger earned %s: the test does not cover it", b.ID)
		}
	}
}
