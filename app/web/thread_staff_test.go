package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/thread"
)

// TestThreadStaffActions goes through the staff panel of a thread page: only
// moderators get it; a move tells members where the thread came from; a merge
// lands on the target, which shows the moved answer, and the old address
// leads there for good; a merge into itself is refused with a clear message;
// a hidden thread is not found by guests, its author is told why; a split
// without answers shows the form again with what is missing.
func TestThreadStaffActions(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	ctx := context.Background()
	internet := newBoard(t, srv, "internet", nil)
	billing := newBoard(t, srv, "billing", func(b *board.Board) { b.NameEN = "Billing" })
	source, err := srv.App.Threads.Create(ctx, srv.Fixtures.Member, thread.Ask{BoardID: internet.ID, Title: "Router drops Wi-Fi every night", Body: "Since Monday."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.App.Threads.Reply(ctx, srv.Fixtures.Other, source.ID, "Switch the channel to six."); err != nil {
		t.Fatal(err)
	}
	target, err := srv.App.Threads.Create(ctx, srv.Fixtures.Other, thread.Ask{BoardID: internet.ID, Title: "Wi-Fi gone at night since the update", Body: "Every night."})
	if err != nil {
		t.Fatal(err)
	}
	sourceURL, targetURL := fmt.Sprintf("/t/%d/%s", source.ID, source.Slug), fmt.Sprintf("/t/%d/%s", target.ID, target.Slug)

	mod := srv.Client(t)
	mod.Login("mia_mod", apptest.Password)
	member := srv.Client(t)
	member.Login("otto", apptest.Password)
	guest := srv.Client(t).NoRedirects()

	mustContain(t, mod.Get(sourceURL), "Merge into another thread", `action="/t/`+fmt.Sprint(source.ID)+`/split"`, `name="post"`)
	mustNotContain(t, member.Get(sourceURL), "Merge into another thread")

	r := mod.Post(fmt.Sprintf("/t/%d/move", source.ID), form("board", fmt.Sprint(billing.ID), "reason", "about the bill"))
	mustContain(t, r, "The thread was moved.")
	r = member.Get(sourceURL)
	mustContain(t, r, "Moved from Board internet by a moderator", "about the bill")

	r = mod.Post(fmt.Sprintf("/t/%d/merge", source.ID), form("target", "#"+fmt.Sprint(source.ID)))
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("merge into itself: %d", r.StatusCode)
	}
	mustContain(t, r, "A thread cannot be merged into itself.")

	r = mod.Post(fmt.Sprintf("/t/%d/merge", source.ID), form("target", srv.URL+targetURL+"?page=1", "reason", "same problem"))
	if r.Request.URL.Path != targetURL {
		t.Fatalf("after merging: at %s (%d)", r.Request.URL.Path, r.StatusCode)
	}
	mustContain(t, r, "The threads were merged.", "Switch the channel to six.", "Since Monday.", "was merged into this thread by a moderator")
	r = guest.Get(sourceURL)
	if r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != targetURL {
		t.Errorf("the old address: %d to %q, want 301 to %s", r.StatusCode, r.Header.Get("Location"), targetURL)
	}

	r = mod.Post(fmt.Sprintf("/t/%d/split", target.ID), url.Values{"title": {"x"}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("split of nothing: %d", r.StatusCode)
	}
	mustContain(t, r, "Choose at least one answer.", "Please describe your question in at least 10 characters.")

	r = mod.Post(fmt.Sprintf("/t/%d/hide", target.ID), form("reason", "off topic"))
	mustContain(t, r, "The thread is hidden", `badge hidden`)
	if r := guest.Get(targetURL); r.StatusCode != http.StatusNotFound {
		t.Errorf("a hidden thread for a guest: %d, want 404", r.StatusCode)
	}
	// The old address does not tell a guest where the hidden target is.
	if r := guest.Get(sourceURL); r.StatusCode != http.StatusNotFound || strings.Contains(r.Header.Get("Location"), target.Slug) {
		t.Errorf("the old address of a hidden target: %d to %q, want 404", r.StatusCode, r.Header.Get("Location"))
	}
	// otto asked the target: he sees it, and why.
	mustContain(t, member.Get(targetURL), "A moderator hid this thread", "off topic")
	mara := srv.Client(t)
	mara.Login("mara", apptest.Password)
	if r := mara.Get(targetURL); r.StatusCode != http.StatusNotFound {
		t.Errorf("a hidden thread for another member: %d, want 404", r.StatusCode)
	}
	mod.Post(fmt.Sprintf("/t/%d/restore", target.ID), form())

	mustContain(t, mod.Post(fmt.Sprintf("/t/%d/lock", target.ID), form()), "The thread is locked.")
	mustContain(t, mara.Get(targetURL), "This thread is locked: only the team can answer")
	mustNotContain(t, mara.Get(targetURL), `action="/t/`+fmt.Sprint(target.ID)+`/reply"`)
	agent := srv.Client(t)
	agent.Login("sam_agent", apptest.Password)
	mustContain(t, agent.Get(targetURL), `action="/t/`+fmt.Sprint(target.ID)+`/reply"`)

	// Split the moved answer off again, into a thread of its own, and pin it.
	page, err := srv.App.Threads.Posts(ctx, srv.Fixtures.Moderator, mustThread(t, srv, target.ID), 1)
	if err != nil {
		t.Fatal(err)
	}
	var answer int64
	for _, a := range page.Answers {
		if a.AuthorID == srv.Fixtures.Other.ID {
			answer = a.ID
		}
	}
	r = mod.Post(fmt.Sprintf("/t/%d/split", target.ID), url.Values{"post": {fmt.Sprint(answer)}, "title": {"Which Wi-Fi channel is best?"},
		"board": {fmt.Sprint(internet.ID)}, "reason": {"a question of its own"}})
	if !threadPath.MatchString(r.Request.URL.Path) || r.Request.URL.Path == targetURL {
		t.Fatalf("after splitting: at %s (%d)", r.Request.URL.Path, r.StatusCode)
	}
	splitURL := r.Request.URL.Path
	mustContain(t, r, "The answers are a thread of their own now.", "Which Wi-Fi channel is best?", "Switch the channel to six.",
		"Split off another thread by a moderator", fmt.Sprintf(`href="/t/%d">thread #%d</a>`, target.ID, target.ID))
	mustContain(t, mara.Get(targetURL), "Answers were split off into a new thread by a moderator", "a question of its own")
	mod.Post(strings.Replace(splitURL, "/which-wi-fi-channel-is-best", "", 1)+"/pin", form())
	r = guest.Get("/b/internet")
	mustContain(t, r, "Pinned")
	if i, j := strings.Index(r.Body, "Which Wi-Fi channel is best?"), strings.Index(r.Body, "Wi-Fi gone at night"); i < 0 || j < 0 || i > j {
		t.Errorf("the pinned thread does not list first in its board (%d, %d)", i, j)
	}

	mustContain(t, mod.Get("/mod/audit"), "Merged a thread", "Moved a thread", "Hid a thread", "Locked a thread")
}
