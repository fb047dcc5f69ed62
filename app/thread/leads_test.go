package thread_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestExcerptsAndTextsReadTheStartOfAThread: what results show of a thread
// comes from its question, its solution and its first answers, whatever the
// number of answers after them; hidden posts only for staff.
func TestExcerptsAndTextsReadTheStartOfAThread(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	th := e.ask(t, e.fx.Member, "Voicemail greeting is silent")
	plain := e.ask(t, e.fx.Member, "No answers yet")
	var solution int64
	for i := 1; i <= 25; i++ {
		p, err := e.s.Reply(ctx, e.fx.Agent, th.ID, fmt.Sprintf("answer%02d", i))
		if err != nil {
			t.Fatal(err)
		}
		switch i {
		case 3:
			if _, err := e.s.Delete(ctx, e.fx.Agent, p.ID); err != nil {
				t.Fatal(err)
			}
		case 20:
			solution = p.ID
		}
	}
	if _, err := e.s.Accept(ctx, e.fx.Member, solution); err != nil {
		t.Fatal(err)
	}

	excerpts, err := e.s.Excerpts(ctx, []int64{th.ID, plain.ID, 999999})
	if err != nil {
		t.Fatal(err)
	}
	if len(excerpts) != 2 || excerpts[th.ID] != "answer20" || excerpts[plain.ID] != "Body of No answers yet" {
		t.Errorf("excerpts %v: want the solution, and the question where there is no answer", excerpts)
	}

	texts, err := e.s.Texts(ctx, []int64{th.ID}, 10_000, false)
	if err != nil {
		t.Fatal(err)
	}
	want := "Body of Voicemail greeting is silent answer20 answer01 answer02 answer04 answer05 answer06 answer07 answer08 answer09 answer10 answer11"
	if texts[th.ID] != want {
		t.Errorf("text %q, want %q", texts[th.ID], want)
	}
	staff, err := e.s.Texts(ctx, []int64{th.ID}, 10_000, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(staff[th.ID], " answer03") || !strings.HasPrefix(staff[th.ID], want) {
		t.Errorf("staff text %q: want the deleted answer after the visible ones", staff[th.ID])
	}
}
