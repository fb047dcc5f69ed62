package thread

import (
	"context"
	"time"
)

// Kinds of facts: what happened to whom, as the reputation ledger records it.
// Points and badges are app/reputation's business; this package only says what
// happened. A withdrawal is a fact of its own, so the ledger only ever grows.
const (
	FactQuestion          = "question"           // asked a question (published)
	FactAnswer            = "answer"             // answered someone else's question (published)
	FactUnansweredAnswer  = "unanswered_answer"  // gave the first answer to a question without one
	FactWelcome           = "welcome"            // answered somebody's first question
	FactQuickAnswer       = "quick_answer"       // answered within QuickAnswer of the question
	FactKudos             = "kudos"              // a post received kudos (actor: the giver)
	FactKudosWithdrawn    = "kudos_withdrawn"    // … and they took it back
	FactSolution          = "solution"           // an answer was accepted as the solution (actor: who accepted)
	FactSolutionWithdrawn = "solution_withdrawn" // … and it no longer is
	FactAccept            = "accept"             // the asker's question got a solution by someone else
	FactAcceptWithdrawn   = "accept_withdrawn"   // … and it no longer has
	FactHidden            = "hidden"             // a moderator hid the user's post (actor: the moderator)
	FactUnhidden          = "unhidden"           // … and restored it
)

// QuickAnswer is how soon an answer must come to count as quick: a third of
// customers expect an answer within 30 minutes.
const QuickAnswer = 30 * time.Minute

// Fact is one thing that happened to a user's standing.
type Fact struct {
	Kind     string
	UserID   int64 // whose standing it is
	ActorID  int64 // who caused it (0 = the user)
	ThreadID int64
	PostID   int64
	BoardID  int64
}

// Ledger records facts inside the caller's transaction; app/reputation provides it.
type Ledger interface {
	Record(ctx context.Context, facts ...Fact) error
}

type noLedger struct{}

func (noLedger) Record(context.Context, ...Fact) error { return nil }

// Privileges are what reputation allows: the rules below take them as a value so
// that they stay pure functions of the actor and the post.
type Privileges struct {
	TrustReputation      int64 // members below it are newcomers (0 = nobody is)
	ReviewFirstPosts     int   // a newcomer's first posts that wait for review
	NewcomerPostsPerDay  int   // questions and answers a newcomer may post a day
	EditOthersReputation int64 // members from it on may edit others' posts (0 = nobody by reputation)
}

// SetLedger plugs in the reputation ledger and the privileges it grants; app.New
// calls it, before serving. Without it facts go nowhere and nobody is a newcomer.
func (s *Service) SetLedger(l Ledger, p Privileges) {
	if l == nil {
		l = noLedger{}
	}
	s.ledger = l
	s.SetPrivileges(p)
}

// SetPrivileges replaces the privileges in force; safe while serving (the
// moderation settings change them). An action already running keeps those it
// read.
func (s *Service) SetPrivileges(p Privileges) { s.priv.Store(&p) }

// Privileges returns the privileges in force, for pages to show the right buttons.
func (s *Service) Privileges() Privileges { return *s.priv.Load() }
