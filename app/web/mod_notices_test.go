package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/apptest"
)

// TestSiteNoticeFromAgentToEveryPage: an agent publishes an outage notice at
// /mod/notices linking to the known-issue thread; guests and members see it
// on every page, first on the ask page, each in their language; a bad form
// comes back with the problem; ending it takes it off.
func TestSiteNoticeFromAgentToEveryPage(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	th := seedThread(t, srv)
	agent := srv.Client(t)
	agent.Login("sam_agent", apptest.Password)
	mustContain(t, agent.Get("/"), `href="/mod/notices"`)
	agent.Get("/mod/notices")
	r := agent.Post("/mod/notices", form("level", "outage", "text_en", "", "text_de", ""))
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a notice without text: %d, want 422", r.StatusCode)
	}
	mustContain(t, r, "Write the notice in at least one language.")
	mustContain(t, agent.Post("/mod/notices", form("level", "outage", "text_en", "Outage in Hamburg since 14:00, we are working on it.",
		"text_de", "Störung in Hamburg seit 14:00, wir arbeiten daran.", "thread", fmt.Sprintf("#%d", th.ID))), "The notice is published.", "showing now")

	guest, member := srv.Client(t), srv.Client(t)
	member.Language = "de"
	member.Login("otto", apptest.Password)
	member.Post("/language", form("lang", "de", "next", "/"))
	for _, path := range []string{"/", "/b/internet", fmt.Sprintf("/t/%d/%s", th.ID, th.Slug), "/search?q=router"} {
		mustContain(t, guest.Get(path), `class="site-notice level-outage"`, "Outage in Hamburg since 14:00, we are working on it.", fmt.Sprintf(`href="/t/%d"`, th.ID))
	}
	ask := member.Get("/ask").Body
	main := ask[strings.Index(ask, `<main`):]
	if !regexp.MustCompile(`^<main[^>]*>\s*<aside class="site-notice level-outage"[^>]*><strong>Störung:</strong> Störung in Hamburg seit 14:00`).MatchString(main) {
		t.Errorf("the ask page does not begin with the German notice: %.400s", main)
	}
	if r := member.Get("/mod/notices"); r.StatusCode != http.StatusForbidden {
		t.Errorf("a member at /mod/notices: %d, want 403", r.StatusCode)
	}

	id := regexp.MustCompile(`action="/mod/notices/(\d+)/end"`).FindStringSubmatch(agent.Get("/mod/notices").Body)
	if id == nil {
		t.Fatal("no end button")
	}
	mustContain(t, agent.Post("/mod/notices/"+id[1]+"/end", url.Values{}), "The notice has ended.")
	if strings.Contains(member.Get("/ask").Body, "site-notice") {
		t.Error("the notice still shows after it ended")
	}
	mod := srv.Client(t)
	mod.Login("mia_mod", apptest.Password)
	mustContain(t, mod.Get("/mod/audit"), "Published a site notice", "Ended a site notice")
}
