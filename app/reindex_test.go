package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/thread"
)

// TestReindexWhileServing: `schwarm reindex`, run as its own process against the
// data directory of a serving node, builds a new index while the node answers
// searches without a single failure; the node then switches to it, the old
// generation's files are gone, and a thread written during the rebuild is found.
func TestReindexWhileServing(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	ctx := context.Background()
	b := &board.Board{Slug: "help", NameEN: "Help", NameDE: "Hilfe"}
	if err := srv.App.Boards.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	ask := func(title string) *thread.Thread {
		th, err := srv.App.Threads.Create(ctx, srv.Fixtures.Member, thread.Ask{BoardID: b.ID, Title: title, Body: "Details follow in the answers.", Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		return th
	}
	for i := range 300 {
		ask(fmt.Sprintf("Voicemail greeting number %d cannot be recorded", i))
	}
	target := ask("Router firmware rollback after a failed update")
	found := func(q string, id int64) (bool, error) {
		resp, err := http.Get(srv.URL + "/search?q=" + url.QueryEscape(q))
		if err != nil {
			return false, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return false, err
		}
		if resp.StatusCode != http.StatusOK {
			return false, fmt.Errorf("status %d", resp.StatusCode)
		}
		return strings.Contains(string(body), fmt.Sprintf("/t/%d/", id)), nil
	}
	waitFor(t, func() bool { ok, _ := found("firmware rollback", target.ID); return ok })
	before := srv.App.Search.Generation()

	// Searches run without pause for the whole rebuild and switch.
	var searches, failures atomic.Int64
	var firstFailure atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			ok, err := found("firmware rollback", target.ID)
			searches.Add(1)
			if err != nil || !ok {
				failures.Add(1)
				firstFailure.CompareAndSwap(nil, fmt.Sprintf("found=%v err=%v", ok, err))
			}
		}
	}()

	// The reindex process: its own App over the same database and data directory.
	other := apptest.NewApp(t, srv.App.Config)
	during := make(chan *thread.Thread, 1)
	go func() {
		time.Sleep(5 * time.Millisecond)
		during <- ask("Eurovision tickets refund for cancelled show")
	}()
	n, err := other.Reindex(ctx)
	if err != nil {
		t.Fatalf("Reindex: %v", err)
	}
	if n < 301 {
		t.Errorf("Reindex indexed %d threads, want at least 301", n)
	}
	waitFor(t, func() bool { return srv.App.Search.Generation() > before })
	late := <-during
	waitFor(t, func() bool { ok, _ := found("eurovision refund", late.ID); return ok })
	close(stop)
	wg.Wait()
	if searches.Load() < 10 {
		t.Errorf("only %d searches ran during the reindex", searches.Load())
	}
	if failures.Load() > 0 {
		t.Errorf("%d of %d searches failed during the reindex, first: %v", failures.Load(), searches.Load(), firstFailure.Load())
	}
	// The switch removes the old generation's files right after it.
	waitFor(t, func() bool {
		_, err := os.Stat(filepath.Join(srv.App.Config.DataDir, "index", fmt.Sprintf("g%d", before)))
		return os.IsNotExist(err)
	})
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 20 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
