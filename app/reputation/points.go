package reputation

import (
	"fmt"
	"slices"
	"strings"

	"github.com/schwarm/schwarm/app/thread"
)

// The keys of the points table (SCHWARM_REPUTATION_POINTS), each the value of
// one kind of fact; a withdrawal is worth the negative of what it withdraws.
const (
	PointsKudos      = "kudos"
	PointsSolution   = "solution"
	PointsUnanswered = "unanswered_answer"
	PointsAccept     = "accept"
	PointsHidden     = "hidden"
)

// valueOf maps a fact kind to its points-table key and sign; kinds not listed are
// worth nothing and are kept for badges.
var valueOf = map[string]struct {
	key  string
	sign int
}{
	thread.FactKudos:             {PointsKudos, 1},
	thread.FactKudosWithdrawn:    {PointsKudos, -1},
	thread.FactSolution:          {PointsSolution, 1},
	thread.FactSolutionWithdrawn: {PointsSolution, -1},
	thread.FactUnansweredAnswer:  {PointsUnanswered, 1},
	thread.FactAccept:            {PointsAccept, 1},
	thread.FactAcceptWithdrawn:   {PointsAccept, -1},
	thread.FactHidden:            {PointsHidden, 1},
	thread.FactUnhidden:          {PointsHidden, -1},
}

// withdraws names, for each withdrawal, the kind it takes back.
var withdraws = map[string]string{
	thread.FactKudosWithdrawn:    thread.FactKudos,
	thread.FactSolutionWithdrawn: thread.FactSolution,
	thread.FactAcceptWithdrawn:   thread.FactAccept,
	thread.FactUnhidden:          thread.FactHidden,
}

// Points is the points table.
type Points map[string]int

// checkPoints refuses a table with unknown keys, naming the known ones.
func checkPoints(p map[string]int) error {
	known := map[string]bool{}
	for _, v := range valueOf {
		known[v.key] = true
	}
	for k := range p {
		if !known[k] {
			keys := make([]string, 0, len(known))
			for k := range known {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			return fmt.Errorf("SCHWARM_REPUTATION_POINTS: unknown kind %q (known: %s)", k, strings.Join(keys, ", "))
		}
	}
	return nil
}

// value is what a fact of kind is worth by the table.
func (p Points) value(kind string) int {
	v, ok := valueOf[kind]
	if !ok {
		return 0
	}
	return v.sign * p[v.key]
}
