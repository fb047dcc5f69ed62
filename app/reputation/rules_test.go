package reputation

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/thread"
)

func TestPointsValue(t *testing.T) {
	p := Points{PointsKudos: 10, PointsSolution: 15, PointsUnanswered: 2, PointsAccept: 2, PointsHidden: -10}
	tests := []struct {
		kind string
		want int
	}{
		{thread.FactKudos, 10}, {thread.FactKudosWithdrawn, -10},
		{thread.FactSolution, 15}, {thread.FactSolutionWithdrawn, -15},
		{thread.FactAccept, 2}, {thread.FactAcceptWithdrawn, -2},
		{thread.FactUnansweredAnswer, 2},
		{thread.FactHidden, -10}, {thread.FactUnhidden, 10},
		{thread.FactQuestion, 0}, {thread.FactAnswer, 0}, {thread.FactWelcome, 0}, {thread.FactQuickAnswer, 0},
		{"unknown", 0},
	}
	for _, tt := range tests {
		if got := p.value(tt.kind); got != tt.want {
			t.Errorf("value(%s) = %d, want %d", tt.kind, got, tt.want)
		}
	}
	if err := checkPoints(map[string]int{"kudos": 1, "typo": 2}); err == nil {
		t.Error("an unknown kind in the points table was accepted")
	}
}

func TestRankOf(t *testing.T) {
	ranks := config.Ranks{{Name: "Newcomer", Min: 0}, {Name: "Helper", Min: 50}, {Name: "Expert", Min: 250}}
	tests := []struct {
		rep      int64
		name     string
		next     int64
		progress int
	}{
		{-30, "Newcomer", 50, -60}, {0, "Newcomer", 50, 0}, {25, "Newcomer", 50, 50}, {50, "Helper", 250, 0},
		{249, "Helper", 250, 99}, {250, "Expert", 0, 100}, {99999, "Expert", 0, 100},
	}
	for _, tt := range tests {
		r := RankOf(ranks, tt.rep)
		if r.Name != tt.name || r.Next != tt.next || r.Progress(tt.rep) != tt.progress {
			t.Errorf("RankOf(%d) = %s next %d progress %d, want %s next %d progress %d", tt.rep, r.Name, r.Next,
				r.Progress(tt.rep), tt.name, tt.next, tt.progress)
		}
	}
}

// ev builds ledger events: kind, points, post, day offset.
func ev(kind string, points int, post int64, day int) Event {
	return Event{Kind: kind, Points: points, PostID: &post, CreatedAt: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, day)}
}

func repeat(n int, f func(i int) Event) []Event {
	out := make([]Event, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func TestBadgeRules(t *testing.T) {
	tests := []struct {
		name   string
		events []Event
		stats  Stats
		badges []string
	}{
		{"nothing", nil, Stats{}, nil},
		{"first question", []Event{ev(thread.FactQuestion, 0, 1, 0)}, Stats{Questions: 1}, []string{"curious"}},
		{"answer, first to an unanswered newcomer question, quickly",
			[]Event{ev(thread.FactAnswer, 0, 2, 0), ev(thread.FactUnansweredAnswer, 2, 2, 0), ev(thread.FactWelcome, 0, 2, 0), ev(thread.FactQuickAnswer, 0, 2, 0)},
			Stats{Reputation: 2, Answers: 1, Unanswered: 1, Welcomes: 1, Quick: 1, Streak: 1}, []string{"first_answer", "welcome"}},
		{"solution accepted and withdrawn keeps the badge",
			[]Event{ev(thread.FactSolution, 15, 2, 0), ev(thread.FactSolutionWithdrawn, -15, 2, 0)},
			Stats{}, []string{"first_solution"}},
		{"10 kudos on one post", repeat(10, func(int) Event { return ev(thread.FactKudos, 10, 7, 0) }),
			Stats{Reputation: 100, Kudos: 10, MaxPostKudos: 10}, []string{"helpful"}},
		{"10 kudos over 10 posts is not helpful", repeat(10, func(i int) Event { return ev(thread.FactKudos, 10, int64(i), 0) }),
			Stats{Reputation: 100, Kudos: 10, MaxPostKudos: 1}, nil},
		{"9 kudos, one taken back, one more: not 10", append(repeat(9, func(int) Event { return ev(thread.FactKudos, 10, 7, 0) }),
			ev(thread.FactKudosWithdrawn, -10, 7, 0), ev(thread.FactKudos, 10, 7, 0)),
			Stats{Reputation: 90, Kudos: 9, MaxPostKudos: 9}, nil},
		{"7-day answering streak", repeat(7, func(i int) Event { return ev(thread.FactAnswer, 0, int64(i), i) }),
			Stats{Answers: 7, Streak: 7}, []string{"first_answer", "streak_7"}},
		{"a gap breaks the streak", append(repeat(4, func(i int) Event { return ev(thread.FactAnswer, 0, int64(i), i) }),
			repeat(4, func(i int) Event { return ev(thread.FactAnswer, 0, int64(i), i+5) })...),
			Stats{Answers: 8, Streak: 4}, []string{"first_answer"}},
		{"two answers a day count one day", repeat(14, func(i int) Event { return ev(thread.FactAnswer, 0, int64(i), i/2) }),
			Stats{Answers: 14, Streak: 7}, []string{"first_answer", "streak_7"}},
		{"10 solutions", repeat(10, func(i int) Event { return ev(thread.FactSolution, 15, int64(i), 0) }),
			Stats{Reputation: 150, Solutions: 10}, []string{"first_solution", "solver"}},
		{"5 quick answers", repeat(5, func(i int) Event { return ev(thread.FactQuickAnswer, 0, int64(i), 0) }),
			Stats{Quick: 5}, []string{"quick"}},
		{"10 first answers", repeat(10, func(i int) Event { return ev(thread.FactUnansweredAnswer, 2, int64(i), 0) }),
			Stats{Reputation: 20, Unanswered: 10}, []string{"first_responder"}},
		{"accepted an answer", []Event{ev(thread.FactAccept, 2, 1, 0)}, Stats{Reputation: 2, Accepted: 1}, []string{"scholar"}},
		{"hidden and restored", []Event{ev(thread.FactHidden, -10, 1, 0), ev(thread.FactUnhidden, 10, 1, 0)}, Stats{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h History
			for _, e := range tt.events {
				h.Add(e)
			}
			if diff := cmp.Diff(tt.stats, h.Stats, cmpopts.IgnoreUnexported(Stats{})); diff != "" {
				t.Errorf("stats (-want +got):\n%s", diff)
			}
			var got []string
			for b := range h.Earned {
				got = append(got, b)
			}
			slices.Sort(got)
			want := slices.Clone(tt.badges)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("badges = %v, want %v", got, want)
			}
		})
	}
	if len(Badges) < 12 {
		t.Errorf("%d badges, want at least 12", len(Badges))
	}
}
