package search_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/search"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// TestServiceFoldsDuplicatesAndPages: threads closed as duplicates rank first
// and give way to their canonical thread; whatever the page size, paging on
// shows every other thread once and the canonical one first, and each page but
// the last is full.
func TestServiceFoldsDuplicatesAndPages(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	var canonical *thread.Thread
	var want []int64 // the threads that are no duplicates
	duplicates := map[int64]bool{}
	// Texts of different lengths score differently: threads that tie keep no
	// order once the index merges its segments.
	for i := range 12 {
		title, body := fmt.Sprintf("Printer model %d stops at the first page", i), "It blinks"+strings.Repeat(" and blinks", i)+"."
		if i > 0 && i <= 5 {
			title, body = fmt.Sprintf("Printer jams paper, printer jams again (%d)", i), "Printer jams paper every time, the printer jams."
		}
		th := e.ask(t, title, body, "en")
		switch {
		case i == 0:
			canonical = th
		case i <= 5 || i == 11: // the last says it least, and ranks last
			if _, err := moderation.NewService(e.db, e.threads, nil, audit.New(e.db, time.Now), time.Now).CloseAsDuplicate(ctx, e.fx.Moderator, th.ID, canonical.ID); err != nil {
				t.Fatal(err)
			}
			duplicates[th.ID] = true
			continue
		}
		want = append(want, th.ID)
	}
	ix, _ := e.open(t)
	defer ix.Close()
	s := search.NewService(ix, e.threads)

	for _, size := range []int{1, 2, 3, 5, 20} {
		t.Run(fmt.Sprintf("size=%d", size), func(t *testing.T) {
			seen := map[int64]int{}
			var first []int64
			for from := 0; ; from += size {
				r, err := s.Find(ctx, nil, search.Query{Text: "printer jams paper stops page", From: from, Size: size})
				if err != nil {
					t.Fatal(err)
				}
				if r.More && len(r.Found) != size {
					t.Errorf("from %d: %d results and more to come, want %d", from, len(r.Found), size)
				}
				for _, f := range r.Found {
					seen[f.ID]++
					first = append(first, f.ID)
					if duplicates[f.ID] {
						t.Errorf("from %d: the duplicate %d", from, f.ID)
					}
				}
				if !r.More {
					break
				}
				if from > 3*len(want) {
					t.Fatalf("from %d: still more results", from)
				}
			}
			if len(first) == 0 || first[0] != canonical.ID {
				t.Errorf("results %v, want the canonical %d first", first, canonical.ID)
			}
			for _, id := range want {
				if seen[id] != 1 {
					t.Errorf("thread %d shown %d times over the pages, want once", id, seen[id])
				}
			}
		})
	}
	// A page that reads every hit counts without the duplicates.
	r, err := s.Find(ctx, nil, search.Query{Text: "printer jams paper stops page", Size: 20})
	if err != nil || r.Total != uint64(len(want)) || r.More {
		t.Errorf("Total %d, More %v, %v; want %d, false", r.Total, r.More, err, len(want))
	}
	got, err := s.Suggest(ctx, nil, search.Query{Text: "printer jams paper stops page", Size: 5})
	if err != nil || len(got) != 5 || got[0].ID != canonical.ID {
		t.Errorf("Suggest: %d threads, %v; want 5, the canonical %d first", len(got), err, canonical.ID)
	}
}

// TestServiceViewersAndFilters: a duplicate gives way to its canonical thread
// only where that thread passes the filters; only staff find a deleted thread;
// a search that finds nothing offers another spelling and the count without
// its filters; a suggestion carries the accepted answer, the words marked.
func TestServiceViewersAndFilters(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	canonical := e.ask(t, "Router keeps dropping the connection", "Every evening.", "en")
	answer, err := e.threads.Reply(ctx, e.fx.Agent, canonical.ID, "Update the **firmware** of the router to 7.2.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.threads.Accept(ctx, e.fx.Member, answer.ID); err != nil {
		t.Fatal(err)
	}
	dup := e.ask(t, "Laptop offline each night since Monday", "Wifi gone.", "en")
	other := &board.Board{Slug: "billing", NameEN: "Billing", NameDE: "Rechnung"}
	if err := board.NewService(e.db, time.Now).Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	elsewhere, err := e.threads.Create(ctx, e.fx.Other, thread.Ask{BoardID: other.ID, Title: "Modem lights blinking orange", Body: "No sync.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	german := e.ask(t, "WLAN Verbindung bricht jede Nacht ab", "Seit Montag.", "de")
	for _, id := range []int64{dup.ID, elsewhere.ID, german.ID} {
		if _, err := moderation.NewService(e.db, e.threads, nil, audit.New(e.db, time.Now), time.Now).CloseAsDuplicate(ctx, e.fx.Moderator, id, canonical.ID); err != nil {
			t.Fatal(err)
		}
	}
	spam := e.ask(t, "Cheap sunglasses offer, click here", "Spam spam spam.", "en")
	page, _ := e.threads.Posts(ctx, e.fx.Moderator, spam, 1)
	if _, err := moderation.NewService(e.db, e.threads, nil, audit.New(e.db, time.Now), time.Now).Delete(ctx, e.fx.Moderator, page.Question.ID); err != nil {
		t.Fatal(err)
	}
	ix, _ := e.open(t)
	defer ix.Close()
	s := search.NewService(ix, e.threads)

	tests := []struct {
		name   string
		viewer *user.User
		q      search.Query
		want   []int64
	}{
		{"the duplicate's words", nil, search.Query{Text: "laptop offline each night"}, []int64{canonical.ID}},
		{"a duplicate in another board", nil, search.Query{Text: "modem lights blinking"}, []int64{canonical.ID}},
		{"that board: neither", nil, search.Query{Text: "modem lights blinking", BoardID: other.ID}, nil},
		{"a duplicate in German", nil, search.Query{Text: "WLAN Verbindung"}, []int64{canonical.ID}},
		{"German only: neither", nil, search.Query{Text: "WLAN Verbindung", Language: "de"}, nil},
		{"the canonical thread's board", nil, search.Query{Text: "laptop offline", BoardID: e.board.ID}, []int64{canonical.ID}},
		{"a guest never finds a deleted thread", nil, search.Query{Text: "sunglasses"}, nil},
		{"a member neither", e.fx.Member, search.Query{Text: "sunglasses"}, nil},
		{"Hidden is the viewer's, not the query's", e.fx.Member, search.Query{Text: "sunglasses", Hidden: true}, nil},
		{"staff do", e.fx.Moderator, search.Query{Text: "sunglasses"}, []int64{spam.ID}},
		{"no words", nil, search.Query{Text: " *~ "}, nil},
	}
	for _, tt := range tests {
		tt.q.Size = 10
		r, err := s.Find(ctx, tt.viewer, tt.q)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []int64
		for _, f := range r.Found {
			got = append(got, f.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}

	r, err := s.Find(ctx, nil, search.Query{Text: "routers dropped", Size: 10})
	if err != nil || len(r.Found) != 1 {
		t.Fatalf("Find: %+v, %v", r, err)
	}
	if got, want := string(r.Found[0].TitleHTML), "<mark>Router</mark> keeps <mark>dropping</mark> the connection"; got != want {
		t.Errorf("title %q, want %q", got, want)
	}
	if got := string(r.Found[0].Snippet); !strings.Contains(got, "of the <mark>router</mark> to 7.2") {
		t.Errorf("snippet %q lacks the marked answer", got)
	}
	if r.Correction != "" || r.Unfiltered != 0 {
		t.Errorf("a search that found something: correction %q, unfiltered %d", r.Correction, r.Unfiltered)
	}
	r, err = s.Find(ctx, nil, search.Query{Text: "kepps", Size: 10})
	if err != nil || len(r.Found) != 0 || r.Correction != "keeps" || r.Unfiltered != 0 {
		t.Errorf("a misspelled search: %+v, %v; want the correction %q", r, err, "keeps")
	}
	r, err = s.Find(ctx, nil, search.Query{Text: "router", Tag: "nosuchtag", Size: 10})
	if err != nil || len(r.Found) != 0 || r.Correction != "" || r.Unfiltered != 1 {
		t.Errorf("a search that its filters empty: %+v, %v; want 1 unfiltered match", r, err)
	}
	if r, err := s.Find(ctx, nil, search.Query{Text: "router", Tag: "nosuchtag", From: 10, Size: 10}); err != nil || r.Unfiltered != 0 {
		t.Errorf("a later page: unfiltered %d, %v; want none asked for", r.Unfiltered, err)
	}

	got, err := s.Suggest(ctx, nil, search.Query{Text: "router drops connection", Size: 5})
	if err != nil || len(got) != 1 {
		t.Fatalf("Suggest: %+v, %v", got, err)
	}
	if g := got[0]; g.ID != canonical.ID || g.Excerpt != "Update the firmware of the router to 7.2." ||
		string(g.ExcerptHTML) != "Update the firmware of the <mark>router</mark> to 7.2." ||
		string(g.TitleHTML) != "<mark>Router</mark> keeps <mark>dropping</mark> the <mark>connection</mark>" {
		t.Errorf("suggestion %+v", g)
	}
	if got, err := s.Suggest(ctx, nil, search.Query{Text: "?!", Size: 5}); err != nil || got != nil {
		t.Errorf("Suggest without words: %v, %v", got, err)
	}
}

// countingBackend is the real index, counting the searches it runs.
type countingBackend struct {
	*search.Index
	searches int
}

func (b *countingBackend) Search(ctx context.Context, q search.Query) ([]search.Hit, uint64, error) {
	b.searches++
	return b.Index.Search(ctx, q)
}

// TestServiceKeepsAnswersUntilTheIndexChanges: a page of results or
// suggestions asked for again is served without searching, per kind and for
// staff apart, until the index changes; then the new thread is on it.
func TestServiceKeepsAnswersUntilTheIndexChanges(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	e.ask(t, "Printer jams after ten pages", "The printer jams and stops.", "en")
	ix, in := e.open(t)
	defer ix.Close()
	b := &countingBackend{Index: ix}
	s := search.NewService(b, e.threads)
	q := search.Query{Text: "printer jams", Size: 5}
	ask := func(viewer *user.User) (found, suggested int) {
		t.Helper()
		r, err := s.Find(ctx, viewer, q)
		if err != nil {
			t.Fatal(err)
		}
		sug, err := s.Suggest(ctx, viewer, q)
		if err != nil {
			t.Fatal(err)
		}
		return len(r.Found), len(sug)
	}
	if f, g := ask(nil); f != 1 || g != 1 {
		t.Fatalf("found %d, suggested %d; want 1 and 1", f, g)
	}
	searched := b.searches
	if f, g := ask(e.fx.Member); f != 1 || g != 1 || b.searches != searched {
		t.Errorf("asked again: found %d, suggested %d, %d more searches; want the kept pages", f, g, b.searches-searched)
	}
	ask(e.fx.Moderator) // staff find hidden threads too: their pages are their own
	if b.searches == searched {
		t.Error("a moderator was served a member's kept page")
	}
	e.ask(t, "Printer jams on every page", "It jams again.", "en")
	e.catchUp(t, ix, in)
	if f, g := ask(nil); f != 2 || g != 2 {
		t.Errorf("after the index changed: found %d, suggested %d; want 2 and 2", f, g)
	}
}
