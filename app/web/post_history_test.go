package web_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/thread"
)

var diffBlock = regexp.MustCompile(`(?s)<pre class="diff" aria-label="[^"]*">(.*?)</pre>`)

// TestHistoryPageDiff edits an answer written with LF line ends through the form,
// as a browser sends it (CRLF, with a final line break): the history shows the
// one changed line as removed and added, every other line once as context, and
// each line ends inside its element, so no blank line stands between two.
func TestHistoryPageDiff(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	ctx := context.Background()
	b := newBoard(t, srv, "internet", nil)
	th, err := srv.App.Threads.Create(ctx, srv.Fixtures.Member, thread.Ask{BoardID: b.ID, Title: "Router drops Wi-Fi", Body: "Every evening."})
	if err != nil {
		t.Fatal(err)
	}
	answer, err := srv.App.Threads.Reply(ctx, srv.Fixtures.Other, th.ID, "Open the settings.\n\nChoose channel 6.\nSave & restart.")
	if err != nil {
		t.Fatal(err)
	}

	otto := srv.Client(t)
	otto.Login("otto", apptest.Password)
	otto.Get(fmt.Sprintf("/p/%d/edit", answer.ID))
	r := otto.Post(fmt.Sprintf("/p/%d/edit", answer.ID), form("body", "Open the settings.\r\n\r\nChoose channel 11.\r\nSave & restart.\r\n", "reason", "better channel"))
	mustContain(t, r, "Your changes have been saved.")

	r = otto.Get(fmt.Sprintf("/p/%d/history", answer.ID))
	blocks := diffBlock.FindAllStringSubmatch(r.Body, -1)
	if len(blocks) != 1 { // version 2 has a diff; version 1 shows its text
		t.Fatalf("%d diffs on the history page, want 1:\n%s", len(blocks), r.Body)
	}
	got := strings.SplitAfter(blocks[0][1], "\n")
	want := []string{
		"<span>  Open the settings.\n", "</span><span>  \n",
		"</span><del>- Choose channel 6.\n", "</del><ins>+ Choose channel 11.\n",
		"</ins><span>  Save &amp; restart.\n", "</span>",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diff block (-want +got):\n%s", diff)
	}
	mustContain(t, r, "Version 2", "better channel", "Version 1")
	mustNotContain(t, r, "&#13;", "\r")
}
