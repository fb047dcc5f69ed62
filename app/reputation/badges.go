package reputation

import (
	"maps"
	"time"

	"github.com/schwarm/schwarm/app/thread"
)

// Event is one row of the ledger.
type Event struct {
	ID        int64
	UserID    int64
	Kind      string
	Points    int
	ActorID   *int64
	ThreadID  *int64
	PostID    *int64
	BoardID   *int64
	CreatedAt time.Time
}

// TableName keeps GORM off the pluralised default.
func (Event) TableName() string { return "reputation_events" }

// Stats is what a member's ledger adds up to; badges are judged by it.
type Stats struct {
	Reputation   int64
	Questions    int
	Answers      int
	Solutions    int // accepted answers, less withdrawn ones
	Accepted     int // own questions solved by others
	Kudos        int // received, less taken back
	MaxPostKudos int // the most kudos one post has had
	Unanswered   int // first answers to questions nobody had answered
	Welcomes     int // answers to somebody's first question
	Quick        int // answers within thread.QuickAnswer
	Streak       int // the longest run of consecutive days with an answer (UTC)

	postKudos map[int64]int
	lastDay   int64 // day number of the last answer; 0 = none
	run       int
}

// Add folds one event into the stats. Events must come in ledger order.
func (s *Stats) Add(e Event) {
	s.Reputation += int64(e.Points)
	switch e.Kind {
	case thread.FactQuestion:
		s.Questions++
	case thread.FactAnswer:
		s.Answers++
		day := e.CreatedAt.UTC().Unix() / 86400
		switch {
		case s.lastDay != 0 && day == s.lastDay+1:
			s.run++
		case s.lastDay == 0 || day > s.lastDay:
			s.run = 1
		}
		if day > s.lastDay {
			s.lastDay = day
		}
		s.Streak = max(s.Streak, s.run)
	case thread.FactSolution:
		s.Solutions++
	case thread.FactSolutionWithdrawn:
		s.Solutions--
	case thread.FactAccept:
		s.Accepted++
	case thread.FactAcceptWithdrawn:
		s.Accepted--
	case thread.FactKudos, thread.FactKudosWithdrawn:
		d := 1
		if e.Kind == thread.FactKudosWithdrawn {
			d = -1
		}
		s.Kudos += d
		if e.PostID != nil {
			if s.postKudos == nil {
				s.postKudos = map[int64]int{}
			}
			s.postKudos[*e.PostID] += d
			s.MaxPostKudos = max(s.MaxPostKudos, s.postKudos[*e.PostID])
		}
	case thread.FactUnansweredAnswer:
		s.Unanswered++
	case thread.FactWelcome:
		s.Welcomes++
	case thread.FactQuickAnswer:
		s.Quick++
	}
}

// Tiers of badges, as communities usually show them.
const (
	Bronze = "bronze"
	Silver = "silver"
	Gold   = "gold"
)

// Badge is an award for a history. Its name and description are the i18n keys
// "badge.<ID>.name" and "badge.<ID>.desc".
type Badge struct {
	ID     string
	Tier   string
	Earned func(*Stats) bool
	// Kinds are the facts whose events move what Earned reads: only an event of
	// one of them can earn the badge, so a member's ledger is folded after a
	// fact only when it could (award).
	Kinds []string
}

// Badges lists every badge, in display order. A badge once earned is kept: it is
// judged after every event, so taking back what earned it does not take it away.
var Badges = []Badge{
	{"curious", Bronze, func(s *Stats) bool { return s.Questions >= 1 }, []string{thread.FactQuestion}},
	{"first_answer", Bronze, func(s *Stats) bool { return s.Answers >= 1 }, []string{thread.FactAnswer}},
	{"first_solution", Bronze, func(s *Stats) bool { return s.Solutions >= 1 }, []string{thread.FactSolution}},
	{"scholar", Bronze, func(s *Stats) bool { return s.Accepted >= 1 }, []string{thread.FactAccept}},
	{"welcome", Bronze, func(s *Stats) bool { return s.Welcomes >= 1 }, []string{thread.FactWelcome}},
	{"quick", Silver, func(s *Stats) bool { return s.Quick >= 5 }, []string{thread.FactQuickAnswer}},
	{"first_responder", Silver, func(s *Stats) bool { return s.Unanswered >= 10 }, []string{thread.FactUnansweredAnswer}},
	{"helpful", Silver, func(s *Stats) bool { return s.MaxPostKudos >= 10 }, []string{thread.FactKudos}},
	{"solver", Silver, func(s *Stats) bool { return s.Solutions >= 10 }, []string{thread.FactSolution}},
	{"streak_7", Silver, func(s *Stats) bool { return s.Streak >= 7 }, []string{thread.FactAnswer}},
	{"appreciated", Gold, func(s *Stats) bool { return s.Kudos >= 100 }, []string{thread.FactKudos}},
	{"centurion", Gold, func(s *Stats) bool { return s.Answers >= 100 }, []string{thread.FactAnswer}},
	{"master_solver", Gold, func(s *Stats) bool { return s.Solutions >= 50 }, []string{thread.FactSolution}},
	{"streak_30", Gold, func(s *Stats) bool { return s.Streak >= 30 }, []string{thread.FactAnswer}},
}

// BadgeByID returns the badge with id.
func BadgeByID(id string) (Badge, bool) {
	for _, b := range Badges {
		if b.ID == id {
			return b, true
		}
	}
	return Badge{}, false
}

// clone returns a copy that folding more events into leaves h as it is.
func (h *History) clone() *History {
	c := *h
	c.postKudos = maps.Clone(h.postKudos)
	c.Earned = maps.Clone(h.Earned)
	return &c
}

// History is a member's ledger folded event by event: the stats now, and each
// badge with the event that earned it.
type History struct {
	Stats
	Earned map[string]time.Time // badge id → when it was earned
}

// Add folds e in and notes the badges it earns.
func (h *History) Add(e Event) {
	h.Stats.Add(e)
	for _, b := range Badges {
		if _, ok := h.Earned[b.ID]; !ok && b.Earned(&h.Stats) {
			if h.Earned == nil {
				h.Earned = map[string]time.Time{}
			}
			h.Earned[b.ID] = e.CreatedAt
		}
	}
}
