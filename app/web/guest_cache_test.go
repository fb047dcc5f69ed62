package web_test

import (
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/apptest"
)

// TestGuestCacheShowsOnlyWhatItIsKeptBy: a guest page kept for others carries
// none of the query its first visitor sent, only the parameters it is kept by.
func TestGuestCacheShowsOnlyWhatItIsKeptBy(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	newBoard(t, srv, "internet", nil)
	first := srv.Client(t).Get("/b/internet?tab=unanswered&utm_source=mallory-was-here")
	mustContain(t, first, "tab=unanswered")
	for _, r := range []*apptest.Response{first, srv.Client(t).Get("/b/internet?tab=unanswered")} {
		if strings.Contains(r.Body, "mallory-was-here") {
			t.Errorf("GET %s shows another visitor's query", r.Request.URL)
		}
	}
	// A signed-in member's page is theirs alone: it keeps the whole address for
	// the language links.
	m := srv.Client(t)
	m.Login("mara", apptest.Password)
	mustContain(t, m.Get("/b/internet?tab=unanswered&utm_source=campaign"), "utm_source=campaign")
}
