package web_test

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// solvedByOtto is a forum where otto's answer solved mara's question and got her
// kudos: otto holds reputation, a solution and badges.
func solvedByOtto(t *testing.T, srv *apptest.Server) {
	t.Helper()
	ctx := context.Background()
	b := newBoard(t, srv, "internet", nil)
	th, err := srv.App.Threads.Create(ctx, srv.Fixtures.Member, thread.Ask{BoardID: b.ID, Title: "Router drops Wi-Fi", Body: "Every evening."})
	if err != nil {
		t.Fatal(err)
	}
	answer, err := srv.App.Threads.Reply(ctx, srv.Fixtures.Other, th.ID, "Change the Wi-Fi channel.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.App.Threads.Accept(ctx, srv.Fixtures.Member, answer.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := srv.App.Threads.GiveKudos(ctx, srv.Fixtures.Member, answer.ID); err != nil {
		t.Fatal(err)
	}
}

// mustMatch fails unless the body matches every pattern.
func mustMatch(t *testing.T, r *apptest.Response, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(p).MatchString(r.Body) {
			t.Errorf("%s %s: body does not match %s", r.Request.Method, r.Request.URL.Path, p)
		}
	}
}

func TestPeoplePages(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	solvedByOtto(t, srv)
	guest := srv.Client(t)

	profile := guest.Get("/u/otto")
	mustContain(t, profile, `<div class="profile-card">`, `<p class="profile-handle">@otto</p>`, `class="rank-chip">Newcomer</span>`,
		`<dl class="stat-tiles">`, `<dt>Kudos received</dt><dd>1</dd>`, `<dt>Solutions</dt><dd>1</dd>`, `<dt>Questions</dt><dd>0</dd>`,
		`<dd id="reputation">`, `role="progressbar"`, `aria-valuemin="0" aria-valuemax="100"`,
		`<ul class="medals">`, `class="tier-medal tier-bronze"`, `>Problem solver</a>`, `<span class="medal-tier">Bronze</span>`)
	mustMatch(t, profile,
		`<img class="avatar avatar-96" src="/u/otto/avatar\?v=[0-9a-f]{16}" alt="" width="96" height="96" loading="lazy"`,
		`<span class="rank-bar-fill w-(0|5|[1-9][05]|100)"></span>`,
		`<dt>Answers</dt><dd>1</dd>`)
	if got := strings.Count(profile.Body, `<div class="stat-tile`); got != 5 {
		t.Errorf("%d stat tiles, want 5", got)
	}

	board := guest.Get("/leaderboard?period=week")
	mustContain(t, board, `<table class="ranking">`, `<caption>Members with the most points: This week</caption>`,
		`<th scope="col" class="num col-solutions">Solutions</th>`, `<th scope="col" class="num col-reputation">Reputation</th>`,
		`<tr class="top top-gold">`, `<span class="place-mark tier-gold">1</span>`, `<td class="num col-solutions">1</td>`)
	mustMatch(t, board, `<th scope="row"><a href="/u/otto" class="who"><img class="avatar avatar-40" src="/u/otto/avatar\?v=[0-9a-f]{16}" alt=""`)

	badges := guest.Get("/badges")
	mustContain(t, badges, `<ul class="badge-grid">`, `class="tier-medal tier-gold"`, `class="tier-medal tier-silver"`,
		`class="tier-medal tier-bronze"`, `<p class="medal-tier">Gold</p>`, `1 member holds it`)
	holders := guest.Get("/badges/first_solution")
	mustContain(t, holders, `<div class="badge-head tier-bronze">`, `<ul class="holders-list">`, `<span class="name">otto</span>`)
	mustMatch(t, holders, `<a href="/u/otto" class="who"><img class="avatar avatar-40" src="(/u/otto/avatar\?v=[0-9a-f]{16})"`)

	// Nothing here sets a style inline: the CSP would refuse it.
	for _, r := range []*apptest.Response{profile, board, badges, holders} {
		mustNotContain(t, r, ` style=`, `<progress`)
	}

	// A guest gets every avatar these pages show.
	src := regexp.MustCompile(`<img class="avatar[^"]*" src="([^"]+)"`)
	for _, r := range []*apptest.Response{profile, board, holders} {
		for _, m := range src.FindAllStringSubmatch(r.Body, -1) {
			if a := guest.Get(strings.ReplaceAll(m[1], "&amp;", "&")); a.StatusCode != http.StatusOK || a.Header.Get("Content-Type") != "image/svg+xml" {
				t.Errorf("%s on %s: %d %q", m[1], r.Request.URL.Path, a.StatusCode, a.Header.Get("Content-Type"))
			}
		}
	}

	de := srv.Client(t)
	de.Language = "de"
	mustContain(t, de.Get("/u/otto"), "<dt>Erhaltene Kudos</dt>", `<span class="medal-tier">Bronze</span>`, "von 50 Reputation")
	mustContain(t, de.Get("/leaderboard?period=all"), "<caption>Mitglieder mit den meisten Punkten: Gesamt</caption>", "Lösungen")
}

// TestPeoplePagesEscapeNames gives a member each hostile display name of the
// shared list that a name can hold, and looks at every page and picture that
// shows it; a handle can hold none of them, so it is tried in the address.
func TestPeoplePagesEscapeNames(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	solvedByOtto(t, srv)
	guest := srv.Client(t)
	ctx := context.Background()
	tried := 0
	for _, v := range readXSSVectors(t) {
		if utf8.RuneCountInString(v) > user.MaxDisplayNameLen || strings.ContainsAny(v, "\n\r\t") || !strings.ContainsAny(v, `<>"'&`) {
			continue
		}
		if err := srv.App.Users.UpdateProfile(ctx, srv.Fixtures.Other.ID, user.Profile{DisplayName: v}); err != nil {
			continue // leading or trailing space, refused characters
		}
		tried++
		for _, path := range []string{"/u/otto", "/leaderboard?period=all", "/badges/first_solution"} {
			r := guest.Get(path)
			if r.StatusCode != http.StatusOK || strings.Contains(r.Body, v) {
				t.Errorf("%s with the name %q: %d, the name unescaped: %v", path, v, r.StatusCode, strings.Contains(r.Body, v))
			}
		}
		svg := guest.Get("/u/otto/avatar")
		d := xml.NewDecoder(strings.NewReader(svg.Body))
		for {
			tok, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Errorf("the drawn avatar of %q is not well-formed: %v\n%s", v, err, svg.Body)
				break
			}
			if el, ok := tok.(xml.StartElement); ok && !map[string]bool{"svg": true, "rect": true, "text": true}[el.Name.Local] {
				t.Errorf("the drawn avatar of %q holds a <%s>", v, el.Name.Local)
			}
		}
	}
	if tried < 10 {
		t.Errorf("only %d vectors fit a display name", tried)
	}
	for _, h := range []string{"%3Cscript%3Ewindow.__xss=1%3C%2Fscript%3E", "..%2F..%2Fsecrets", "otto%22onerror=1"} {
		r := guest.Get("/u/" + h + "/avatar")
		if r.StatusCode != http.StatusNotFound || strings.Contains(r.Body, "<script>window") {
			t.Errorf("avatar of %s: %d", h, r.StatusCode)
		}
	}
}
