package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// The JSON-LD the tests read, as search engines do.
type ldPage struct {
	Context    string     `json:"@context"`
	Type       string     `json:"@type"`
	MainEntity ldQuestion `json:"mainEntity"`
}

type ldQuestion struct {
	Type            string     `json:"@type"`
	Name            string     `json:"name"`
	Text            string     `json:"text"`
	AnswerCount     int        `json:"answerCount"`
	UpvoteCount     int        `json:"upvoteCount"`
	DateCreated     string     `json:"dateCreated"`
	Author          ldPerson   `json:"author"`
	AcceptedAnswer  *ldAnswer  `json:"acceptedAnswer"`
	SuggestedAnswer []ldAnswer `json:"suggestedAnswer"`
}

type ldAnswer struct {
	Type        string   `json:"@type"`
	Text        string   `json:"text"`
	DateCreated string   `json:"dateCreated"`
	UpvoteCount int      `json:"upvoteCount"`
	URL         string   `json:"url"`
	Author      ldPerson `json:"author"`
}

type ldPerson struct {
	Type string `json:"@type"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

var ldPattern = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)

// structuredData returns the page's JSON-LD blocks, raw.
func structuredData(r *apptest.Response) []string {
	var out []string
	for _, m := range ldPattern.FindAllStringSubmatch(r.Body, -1) {
		out = append(out, m[1])
	}
	return out
}

// seoThreads is a forum with the three kinds of thread the structured data
// must get right.
type seoThreads struct {
	solved, empty, hidden *thread.Thread
	// solution is the solved thread's accepted answer: the 32nd, so on the
	// second page; best its answers by kudos after it.
	solution *thread.Post
	best     []*thread.Post
	// hiddenAnswer was hidden by a moderator; shown the one still visible.
	hiddenAnswer, shown *thread.Post
}

const hiddenText = "Buy cheap routers at spam.example"

func seedSEO(t *testing.T, srv *apptest.Server) seoThreads {
	t.Helper()
	ctx := context.Background()
	fx := srv.Fixtures
	b := newBoard(t, srv, "internet", nil)
	newBoard(t, srv, "empty", nil)
	must := func(p *thread.Post, err error) *thread.Post {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	ask := func(title, body string) *thread.Thread {
		t.Helper()
		th, err := srv.App.Threads.Create(ctx, fx.Member, thread.Ask{BoardID: b.ID, Title: title, Body: body, Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		return th
	}
	kudos := func(p *thread.Post, from ...*user.User) {
		t.Helper()
		for _, u := range from {
			if _, _, err := srv.App.Threads.GiveKudos(ctx, u, p.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	var s seoThreads
	s.solved = ask("Router drops Wi-Fi every evening", "Since **Monday** the Wi-Fi drops: `</script><script>alert(1)</script>` & more")
	var answers []*thread.Post
	for i := range 31 {
		answers = append(answers, must(srv.App.Threads.Reply(ctx, fx.Agent, s.solved.ID, fmt.Sprintf("Idea number %d: restart it.", i+1))))
	}
	s.solution = must(srv.App.Threads.Reply(ctx, fx.Other, s.solved.ID, "Update the **firmware** to 7.2, then `<it>` works."))
	kudos(s.solution, fx.Member, fx.Agent, fx.Moderator)
	if _, err := srv.App.Threads.Accept(ctx, fx.Member, s.solution.ID); err != nil {
		t.Fatal(err)
	}
	// Kudos put the 3rd answer first and the 7th second; the rest follow by age.
	kudos(answers[2], fx.Member, fx.Other)
	kudos(answers[6], fx.Member)
	s.best = []*thread.Post{answers[2], answers[6], answers[0], answers[1], answers[3]}
	// A deleted answer with kudos would lead the list if it counted.
	deleted := must(srv.App.Threads.Reply(ctx, fx.Member, s.solved.ID, "Deleted words "+hiddenText))
	kudos(deleted, fx.Other, fx.Agent, fx.Moderator, fx.Admin)
	if _, err := srv.App.Moderation.Delete(ctx, fx.Moderator, deleted.ID); err != nil {
		t.Fatal(err)
	}

	s.empty = ask("Which cable for the fibre box?", "The box came without one.")

	s.hidden = ask("Router forgets its settings", "After a power cut it is reset.")
	s.hiddenAnswer = must(srv.App.Threads.Reply(ctx, fx.Other, s.hidden.ID, hiddenText+" today"))
	kudos(s.hiddenAnswer, fx.Member, fx.Agent)
	s.shown = must(srv.App.Threads.Reply(ctx, fx.Agent, s.hidden.ID, "Save a backup of the settings."))
	if _, err := srv.App.Moderation.Hide(ctx, fx.Moderator, s.hiddenAnswer.ID, "spam"); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestThreadStructuredData reads the QAPage JSON-LD of a solved thread with
// paginated answers, of one without answers and of one with an answer a
// moderator hid, as a guest (with nothing from a hidden or deleted post) and as
// a moderator (none at all: crawlers read as guests).
func TestThreadStructuredData(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	s := seedSEO(t, srv)
	base := srv.URL
	fx := srv.Fixtures
	at := func(p *thread.Post) string { return p.CreatedAt.UTC().Format(time.RFC3339) }
	person := func(u *user.User) ldPerson { return ldPerson{"Person", u.DisplayName, base + "/u/" + u.Handle} }
	url := func(th *thread.Thread, page int, p *thread.Post) string {
		u := fmt.Sprintf("%s/t/%d/%s", base, th.ID, th.Slug)
		if page > 1 {
			u += fmt.Sprintf("?page=%d", page)
		}
		return fmt.Sprintf("%s#p%d", u, p.ID)
	}
	question := func(th *thread.Thread) *thread.Post {
		t.Helper()
		posts, err := srv.App.Threads.Posts(context.Background(), nil, th, 1)
		if err != nil {
			t.Fatal(err)
		}
		return &posts.Question.Post
	}
	var best []ldAnswer
	for i, p := range s.best {
		best = append(best, ldAnswer{"Answer", fmt.Sprintf("Idea number %d: restart it.", []int{3, 7, 1, 2, 4}[i]), at(p),
			[]int{2, 1, 0, 0, 0}[i], url(s.solved, 1, p), person(fx.Agent)})
	}
	tests := []struct {
		name string
		th   *thread.Thread
		want ldQuestion
	}{
		{"solved", s.solved, ldQuestion{Type: "Question", Name: "Router drops Wi-Fi every evening",
			Text:        "Since Monday the Wi-Fi drops: </script><script>alert(1)</script> & more",
			AnswerCount: 32, DateCreated: at(question(s.solved)), Author: person(fx.Member),
			AcceptedAnswer: &ldAnswer{"Answer", "Update the firmware to 7.2, then <it> works.", at(s.solution), 3,
				url(s.solved, 2, s.solution), person(fx.Other)},
			SuggestedAnswer: best}},
		{"no answers", s.empty, ldQuestion{Type: "Question", Name: "Which cable for the fibre box?",
			Text: "The box came without one.", DateCreated: at(question(s.empty)), Author: person(fx.Member)}},
		{"hidden answer", s.hidden, ldQuestion{Type: "Question", Name: "Router forgets its settings",
			Text: "After a power cut it is reset.", AnswerCount: 1, DateCreated: at(question(s.hidden)), Author: person(fx.Member),
			SuggestedAnswer: []ldAnswer{{"Answer", "Save a backup of the settings.", at(s.shown), 0, url(s.hidden, 1, s.shown), person(fx.Agent)}}}},
	}
	mod := srv.Client(t)
	mod.Login(fx.Moderator.Handle, apptest.Password)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := fmt.Sprintf("/t/%d/%s", tc.th.ID, tc.th.Slug)
			guest := srv.Client(t).Get(path)
			blocks := structuredData(guest)
			if len(blocks) != 1 {
				t.Fatalf("%d JSON-LD blocks for a guest, want 1", len(blocks))
			}
			var got ldPage
			if err := json.Unmarshal([]byte(blocks[0]), &got); err != nil {
				t.Fatalf("JSON-LD does not parse: %v\n%s", err, blocks[0])
			}
			want := ldPage{Context: "https://schema.org", Type: "QAPage", MainEntity: tc.want}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("JSON-LD (-want +got):\n%s", d)
			}
			// html/template left the JSON as it was, and encoding/json escaped
			// what could end the script element.
			if strings.Contains(blocks[0], "<") || strings.Contains(blocks[0], "&amp;") {
				t.Errorf("JSON-LD holds < or HTML escapes: %s", blocks[0])
			}
			modPage := mod.Get(path)
			if tc.th == s.hidden {
				mustContain(t, modPage, hiddenText) // the moderator sees it on the page ...
			}
			// Crawlers read as guests: a signed-in reader's page carries none,
			// and so cannot carry what only staff may see.
			modBlocks := structuredData(modPage)
			if len(modBlocks) != 0 {
				t.Errorf("a moderator's page carries JSON-LD:\n%v", modBlocks)
			}
			if strings.Contains(modPage.Body, `name="robots"`) {
				t.Error("the moderator's page of a public thread says noindex")
			}
			for _, b := range append(blocks, modBlocks...) {
				if strings.Contains(b, "spam.example") || strings.Contains(b, "Deleted words") { // ... never in the data
					t.Errorf("JSON-LD holds a hidden or deleted post: %s", b)
				}
			}
		})
	}

	// Later pages carry no QAPage: their question is on the first.
	if n := len(structuredData(srv.Client(t).Get(fmt.Sprintf("/t/%d/%s?page=2", s.solved.ID, s.solved.Slug)))); n != 0 {
		t.Errorf("page 2: %d JSON-LD blocks, want none", n)
	}
	// A thread a moderator hid has none, for anyone who still sees it.
	if r := mod.Post(fmt.Sprintf("/t/%d/hide", s.empty.ID), map[string][]string{"reason": {"off topic"}}); r.StatusCode >= 400 {
		t.Fatalf("hide the thread: %d", r.StatusCode)
	}
	if r := mod.Get(fmt.Sprintf("/t/%d/%s", s.empty.ID, s.empty.Slug)); len(structuredData(r)) != 0 || !strings.Contains(r.Body, `<meta name="robots" content="noindex">`) {
		t.Errorf("a hidden thread's page has JSON-LD or no noindex")
	}
}

var (
	canonicalPattern = regexp.MustCompile(`<link rel="canonical" href="([^"]*)">`)
	metaPattern      = regexp.MustCompile(`<meta (?:property|name)="([a-z:_]+)" content="([^"]*)">`)
)

// head returns the page's canonical address and its meta tags by name.
func head(r *apptest.Response) (string, map[string]string) {
	canonical := ""
	if m := canonicalPattern.FindStringSubmatch(r.Body); m != nil {
		canonical = html.UnescapeString(m[1])
	}
	meta := map[string]string{}
	end := strings.Index(r.Body, "</head>")
	for _, m := range metaPattern.FindAllStringSubmatch(r.Body[:max(end, 0)], -1) {
		meta[m[1]] = html.UnescapeString(m[2])
	}
	return canonical, meta
}

// TestCanonicalNoindexAndPreviews checks the head of every kind of page: one
// canonical address whatever the page was reached by, noindex where a search
// engine has nothing to list, and link preview tags.
func TestCanonicalNoindexAndPreviews(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	s := seedSEO(t, srv)
	base := srv.URL
	solved := fmt.Sprintf("/t/%d/%s", s.solved.ID, s.solved.Slug)
	empty := fmt.Sprintf("/t/%d/%s", s.empty.ID, s.empty.Slug)
	const (
		solution = "Update the firmware to 7.2, then <it> works."
		lead     = "Ask the community, find answers that solved the same problem, and share what worked for you."
	)
	tests := []struct {
		name, path string
		member     bool
		status     int
		canonical  string // path under base
		index      bool
		ogType     string
		desc       string // "" = the forum's own
	}{
		{"front page", "/?utm_source=newsletter", false, 200, "/", true, "website", lead},
		{"front page tab", "/?tab=unanswered&page=3&utm_source=x", false, 200, "/?tab=unanswered", true, "website", lead},
		{"tag without threads", "/?tag=nothing", false, 200, "/?tag=nothing", false, "website", lead},
		{"board", "/b/internet?ref=mail", false, 200, "/b/internet", true, "website", ""},
		{"empty board", "/b/empty", false, 200, "/b/empty", false, "website", ""},
		{"thread page 1", solved + "?page=1&utm_source=x", false, 200, solved, true, "article", solution},
		{"thread page 2", solved + "?page=2", false, 200, solved + "?page=2", true, "article", solution},
		{"thread past its pages", solved + "?page=9", false, 200, solved + "?page=2", true, "article", solution},
		{"thread by wrong slug", fmt.Sprintf("/t/%d/old-title?page=2", s.solved.ID), false, 200, solved + "?page=2", true, "article", solution},
		{"thread by id", fmt.Sprintf("/t/%d", s.empty.ID), false, 200, empty, true, "article", "The box came without one."},
		{"search", "/search?q=router&utm_source=x", false, 200, "/search?q=router", false, "website", ""},
		{"ask", "/ask?board=internet", true, 200, "/ask", false, "website", ""},
		{"profile", "/u/mara?tab=x", false, 200, "/u/mara", true, "website", ""},
		{"badges", "/badges", false, 200, "/badges", true, "website", ""},
		{"badge", "/badges/first_answer", false, 200, "/badges/first_answer", true, "website", ""},
		{"leaderboard", "/leaderboard?period=month&x=1", false, 200, "/leaderboard", true, "website", ""},
		{"leaderboard of all time", "/leaderboard?period=all", false, 200, "/leaderboard?period=all", true, "website", ""},
		{"sign-in", "/login?next=/ask", false, 200, "/login", false, "website", ""},
		{"sign-up", "/signup", false, 200, "/signup", false, "website", ""},
		{"settings", "/settings/profile", true, 200, "/settings/profile", false, "website", ""},
		{"not found", "/no/such/page?x=1", false, 404, "/no/such/page", false, "website", ""},
	}
	member := srv.Client(t)
	member.Login("otto", apptest.Password)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := srv.Client(t)
			if tc.member {
				c = member
			}
			r := c.Get(tc.path)
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", r.StatusCode, tc.status)
			}
			canonical, meta := head(r)
			if want := base + tc.canonical; canonical != want {
				t.Errorf("canonical %q, want %q", canonical, want)
			}
			if got := meta["robots"] == "noindex"; got == tc.index {
				t.Errorf("noindex %v, want %v", got, !tc.index)
			}
			desc := tc.desc
			if desc == "" {
				desc = "Customers ask, customers answer, and the best answer becomes the solution for the next person with the same problem."
				if tc.name == "badge" {
					desc = "Answered someone else's question."
				}
			}
			title := strings.TrimSuffix(regexp.MustCompile(`<title>(.*?)</title>`).FindStringSubmatch(r.Body)[1], " · Schwarm")
			want := map[string]string{
				"viewport": "width=device-width, initial-scale=1", "description": desc, "og:site_name": "Schwarm", "og:type": tc.ogType, "og:title": html.UnescapeString(title),
				"og:description": desc, "og:url": canonical, "og:image": meta["og:image"], "og:locale": "en_US",
				"twitter:card": "summary", "twitter:title": html.UnescapeString(title), "twitter:description": desc,
			}
			if !tc.index {
				want["robots"] = "noindex"
			}
			if d := cmp.Diff(want, meta); d != "" {
				t.Errorf("meta tags (-want +got):\n%s", d)
			}
			if !regexp.MustCompile(`^` + regexp.QuoteMeta(base) + `/static/img/logo\.png\?v=[0-9a-f]+$`).MatchString(meta["og:image"]) {
				t.Errorf("og:image %q is not the PNG logo under the base URL", meta["og:image"])
			}
			if strings.Contains(r.Body, `rel="alternate"`) {
				t.Error("a page has alternates; no page exists in two languages at two addresses")
			}
		})
	}
	t.Run("share link", func(t *testing.T) {
		r := srv.Client(t).Get(solved)
		mustContain(t, r, `<input id="share-url" class="share-url" value="`+base+solved+`" readonly>`, `class="secondary share-copy" hidden`)
		mustNotContain(t, srv.Client(t).Get(empty), `class="share"`)
	})
	t.Run("suggest", func(t *testing.T) {
		r := srv.Client(t).Get("/suggest?q=router+wifi")
		if r.StatusCode != http.StatusOK || r.Header.Get("X-Robots-Tag") != "noindex" {
			t.Errorf("/suggest: status %d, X-Robots-Tag %q, want noindex", r.StatusCode, r.Header.Get("X-Robots-Tag"))
		}
	})
}
