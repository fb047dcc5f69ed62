package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// TestFragmentCacheServesWhatRenderingWould renders one thread page for seven
// viewers — a guest, the asker, an answerer, a newcomer reading German with an
// answer waiting for review, an agent, a moderator and an admin —
// with every post rendered afresh, then through the fragment cache, first
// filling it and then from it in the opposite order, so each viewer is served
// rows that others' visits kept. Every page must be byte for byte the same.
func TestFragmentCacheServesWhatRenderingWould(t *testing.T) {
	srv, b, newbie := cacheForum(t)
	a, fx, ctx := srv.App, srv.Fixtures, context.Background()
	th, err := a.Threads.Create(ctx, fx.Member, thread.Ask{BoardID: b.ID, Title: "Router drops the line every night", Body: "Since the **update**."})
	if err != nil {
		t.Fatal(err)
	}
	reply := func(u *user.User, body string) *thread.Post {
		t.Helper()
		p, err := a.Threads.Reply(ctx, u, th.ID, body)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	solution := reply(fx.Other, "Switch the router to channel 6.")
	official := reply(fx.Agent, "We fixed the line in your street.")
	edited := reply(fx.Other, "Try a <b>reset</b> first.")
	if _, err := a.Threads.Edit(ctx, fx.Other, edited.ID, thread.Edit{Body: "Try a reset first, then call us."}); err != nil {
		t.Fatal(err)
	}
	held := reply(newbie, "Same here since Monday.")
	if err := a.DB.Writer(ctx).Exec("UPDATE posts SET pending = TRUE, held_reason = ? WHERE id = ?", thread.HeldNewcomer, held.ID).Error; err != nil {
		t.Fatal(err)
	}
	var question int64
	if err := a.DB.Reader(ctx).Raw("SELECT id FROM posts WHERE thread_id = ? AND is_question", th.ID).Scan(&question).Error; err != nil {
		t.Fatal(err)
	}
	for _, k := range []struct {
		by   *user.User
		post int64
	}{{fx.Other, question}, {fx.Member, solution.ID}, {fx.Moderator, official.ID}, {fx.Admin, edited.ID}} {
		if _, _, err := a.Threads.GiveKudos(ctx, k.by, k.post); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Threads.Accept(ctx, fx.Member, solution.ID); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/t/%d/%s", th.ID, th.Slug)
	srv.Settle(t) // the unread counts in the header stay as they are

	viewers := []cacheViewer{{name: "guest"}, {"asker", fx.Member, false}, {"answerer", fx.Other, false}, {"newcomer", newbie, true},
		{"agent", fx.Agent, false}, {"moderator", fx.Moderator, false}, {"admin", fx.Admin, false}}
	clients := viewerClients(t, srv, viewers)
	get := func(i int) string {
		t.Helper()
		r := clients[i].Get(path)
		if r.StatusCode != 200 {
			t.Fatalf("%s: GET %s: %d", viewers[i].name, path, r.StatusCode)
		}
		return r.Body
	}

	srv.Web.UseFragments(false)
	want := make([]string, len(viewers))
	for i := range viewers {
		want[i] = get(i)
	}
	// The pages differ where the viewers do: otherwise the test proves little.
	for _, c := range []struct {
		viewer int
		has    string
	}{{1, fmt.Sprintf(`action="/t/%d/unaccept"`, th.ID)}, {2, fmt.Sprintf(`href="/p/%d/edit"`, edited.ID)},
		{3, fmt.Sprintf(`id="p%d"`, held.ID)}, {5, fmt.Sprintf(`action="/p/%d/hide"`, solution.ID)}, {3, `lang="de"`}} {
		if !strings.Contains(want[c.viewer], c.has) {
			t.Fatalf("%s's page lacks %s", viewers[c.viewer].name, c.has)
		}
	}
	if strings.Contains(want[1], fmt.Sprintf(`id="p%d"`, held.ID)) {
		t.Fatal("the asker sees the newcomer's answer waiting for review")
	}

	srv.Web.UseFragments(true)
	order := make([]int, 0, 2*len(viewers))
	for i := range viewers {
		order = append(order, i)
	}
	for i := len(viewers) - 1; i >= 0; i-- {
		order = append(order, i)
	}
	var misses int64
	for n, i := range order {
		if n == len(viewers) {
			_, misses = srv.Web.FragmentStats()
		}
		if got := get(i); got != want[i] {
			t.Errorf("visit %d, %s: the page through the fragment cache differs from the one rendered afresh:\n%s", n, viewers[i].name, firstDifference(want[i], got))
		}
	}
	// The guest's first visit was kept whole by the guest cache; everyone
	// else's second visit took every row from the fragment cache.
	hits, after := srv.Web.FragmentStats()
	if after != misses || hits < 5*int64(len(viewers)-1) {
		t.Errorf("fragment cache: %d hits, %d rows rendered on the second visits", hits, after-misses)
	}
}

// firstDifference shows where two pages part, with some context.
// cacheForum is a server for the cache tests with a board and a newcomer who
// reads German.
func cacheForum(t *testing.T) (*apptest.Server, *board.Board, *user.User) {
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) {
		c.TrustReputation = 0
	}})
	ctx := context.Background()
	b := &board.Board{Slug: "internet", NameEN: "Internet", NameDE: "Internetzugang"}
	if err := srv.App.Boards.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	newbie, err := srv.App.Users.Register(ctx, user.Registration{Handle: "nele", Email: "nele@example.com", Password: apptest.Password, Locale: "de", Verified: true})
	if err != nil {
		t.Fatal(err)
	}
	return srv, b, newbie
}

type cacheViewer struct {
	name   string
	login  *user.User
	german bool // reads in German (a guest by the browser's language, a member by their setting)
}

// pagesAfresh returns a getter of path as viewer i (failing on anything but
// 200) and, read through it with every cache off, each viewer's page of each
// path, under fmt.Sprint(i, path). The caches stay off.
func pagesAfresh(t *testing.T, srv *apptest.Server, viewers []cacheViewer, clients []*apptest.Client, paths []string) (func(int, string) string, map[string]string) {
	get := func(i int, path string) string {
		t.Helper()
		r := clients[i].Get(path)
		if r.StatusCode != 200 {
			t.Fatalf("%s: GET %s: %d", viewers[i].name, path, r.StatusCode)
		}
		return r.Body
	}
	srv.Web.UseFragments(false)
	want := map[string]string{}
	for i := range viewers {
		for _, p := range paths {
			want[fmt.Sprint(i, p)] = get(i, p)
		}
	}
	return get, want
}

// viewerClients signs in a client for each viewer.
func viewerClients(t *testing.T, srv *apptest.Server, viewers []cacheViewer) []*apptest.Client {
	clients := make([]*apptest.Client, len(viewers))
	for i, v := range viewers {
		clients[i] = srv.Client(t)
		if v.german {
			clients[i].Language = "de"
		}
		if v.login != nil {
			clients[i].Login(v.login.Handle, apptest.Password)
		}
	}
	return clients
}

func firstDifference(want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	from := max(0, i-120)
	return fmt.Sprintf("want …%s…\ngot  …%s…", want[from:min(len(want), i+120)], got[from:min(len(got), i+120)])
}

// TestRowCacheServesWhatRenderingWould does for thread lists what the test above
// does for thread pages: the front page and a board's tabs for a guest in
// English and in German, a member, a newcomer with a question waiting for
// review and a moderator, rendered afresh and then through the row cache:
// pinned, locked, solved and tagged rows, titles with markup to escape.
func TestRowCacheServesWhatRenderingWould(t *testing.T) {
	srv, b, newbie := cacheForum(t)
	a, fx, ctx := srv.App, srv.Fixtures, context.Background()
	ask := func(u *user.User, title, tags string) *thread.Thread {
		t.Helper()
		th, err := a.Threads.Create(ctx, u, thread.Ask{BoardID: b.ID, Title: title, Body: "Since the update, nothing works.", Tags: tags})
		if err != nil {
			t.Fatal(err)
		}
		return th
	}
	solved := ask(fx.Member, "Router drops the line every night", "router wifi")
	answer, err := a.Threads.Reply(ctx, fx.Other, solved.ID, "Switch the router to channel 6.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Threads.Accept(ctx, fx.Member, answer.ID); err != nil {
		t.Fatal(err)
	}
	pinned := ask(fx.Agent, "Known outage in Hamburg <b>today</b>", "outage")
	locked := ask(fx.Other, "Old tariff questions & answers", "")
	waiting := ask(newbie, "Mein Router blinkt rot, was tun?", "")
	for _, q := range []struct {
		sql string
		id  int64
	}{{"UPDATE threads SET pinned_at = CURRENT_TIMESTAMP WHERE id = ?", pinned.ID}, {"UPDATE threads SET locked = TRUE WHERE id = ?", locked.ID},
		{"UPDATE threads SET pending = TRUE WHERE id = ?", waiting.ID}} {
		if err := a.DB.Writer(ctx).Exec(q.sql, q.id).Error; err != nil {
			t.Fatal(err)
		}
	}

	srv.Settle(t)
	viewers := []cacheViewer{{"guest", nil, false}, {"German guest", nil, true}, {"member", fx.Member, false}, {"newcomer", newbie, true}, {"moderator", fx.Moderator, false}}
	clients := viewerClients(t, srv, viewers)
	paths := []string{"/", "/b/internet", "/b/internet?tab=solved", "/b/internet?tag=router"}
	get, want := pagesAfresh(t, srv, viewers, clients, paths)
	for _, c := range []struct {
		viewer int
		has    string
	}{{0, `class="badge pinned"`}, {0, `class="badge locked"`}, {2, `class="badge solved"`}, {1, "Internetzugang"},
		{2, `href="/t/` + fmt.Sprint(solved.ID)}, {0, "Known outage in Hamburg &lt;b&gt;today&lt;/b&gt;"}} {
		if !strings.Contains(want[fmt.Sprint(c.viewer, "/")], c.has) {
			t.Fatalf("%s's front page lacks %s", viewers[c.viewer].name, c.has)
		}
	}
	if strings.Contains(want[fmt.Sprint(2, "/")], "Mein Router blinkt rot") {
		t.Fatal("a member sees the newcomer's question waiting for review")
	}
	if want[fmt.Sprint(0, "/")] == want[fmt.Sprint(1, "/")] {
		t.Fatal("the English and the German front page are the same")
	}

	srv.Web.UseFragments(true)
	var firstMisses int64
	for round := range 2 {
		for n := range viewers {
			i := n
			if round == 1 {
				i = len(viewers) - 1 - n
			}
			for _, p := range paths {
				if got := get(i, p); got != want[fmt.Sprint(i, p)] {
					t.Errorf("round %d, %s, %s: the list through the row cache differs from the one rendered afresh:\n%s",
						round, viewers[i].name, p, firstDifference(want[fmt.Sprint(i, p)], got))
				}
			}
		}
		if round == 0 {
			var hits int64
			if hits, firstMisses = srv.Web.RowFragmentStats(); hits == 0 {
				t.Error("the viewers of the first round shared no row")
			}
		}
	}
	if _, misses := srv.Web.RowFragmentStats(); misses != firstMisses {
		t.Errorf("the second round rendered %d rows again: each should come from the row cache", misses-firstMisses)
	}
}

// TestMemberCacheServesWhatRenderingWould renders a thread page and three lists
// for eleven signed-in viewers, with every cache off and then through the
// member cache, in one order and the other: byte-identical pages. Among them
// are members the thread page is personal to (the asker, an answerer, one who
// gave kudos, staff who wrote), who must never get another's kept page, and
// plain readers of each role and language who share one: one watches the
// thread and the board and has unread notifications, which only the holes show.
func TestMemberCacheServesWhatRenderingWould(t *testing.T) {
	srv, b, newbie := cacheForum(t)
	a, fx, ctx := srv.App, srv.Fixtures, context.Background()
	register := func(handle string, role user.Role, locale string) *user.User {
		t.Helper()
		u, err := a.Users.Register(ctx, user.Registration{Handle: handle, Email: handle + "@example.com", Password: apptest.Password,
			Locale: locale, Role: role, Verified: true})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	rita, ralf, rosa := register("rita", user.RoleMember, "en"), register("ralf", user.RoleMember, "en"), register("rosa", user.RoleMember, "de")
	kai := register("kai", user.RoleMember, "en")
	agent2, mod2 := register("agnes", user.RoleAgent, "en"), register("moritz", user.RoleModerator, "en")

	th, err := a.Threads.Create(ctx, fx.Member, thread.Ask{BoardID: b.ID, Title: "Router drops the line every night", Body: "Since the **update**.", Tags: "router"})
	if err != nil {
		t.Fatal(err)
	}
	answer, err := a.Threads.Reply(ctx, fx.Other, th.ID, "Switch the router to channel 6, @ralf knows.")
	if err != nil {
		t.Fatal(err)
	}
	official, err := a.Threads.Reply(ctx, fx.Agent, th.ID, "We fixed the line in your street.")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Threads.GiveKudos(ctx, kai, official.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Threads.GiveKudos(ctx, fx.Moderator, answer.ID); err != nil {
		t.Fatal(err)
	}
	srv.Settle(t) // ralf's mention is in his header

	viewers := []cacheViewer{{"asker", fx.Member, false}, {"answerer", fx.Other, false}, {"kudos giver", kai, false},
		{"reader", rita, false}, {"reader who watches", ralf, false}, {"German reader", rosa, false}, {"German newcomer", newbie, false},
		{"agent who answered", fx.Agent, false}, {"agent", agent2, false}, {"moderator who gave kudos", fx.Moderator, false}, {"moderator", mod2, false}}
	clients := viewerClients(t, srv, viewers)
	threadPath := fmt.Sprintf("/t/%d/%s", th.ID, th.Slug)
	for _, w := range []struct {
		target string
		id     int64
	}{{"thread", th.ID}, {"board", b.ID}} {
		if err := a.Notify.Watch(ctx, ralf.ID, w.target, w.id); err != nil {
			t.Fatal(err)
		}
	}
	paths := []string{threadPath, "/", "/b/internet", "/?tag=router"}
	get, want := pagesAfresh(t, srv, viewers, clients, paths)
	// The pages differ where the viewers do: otherwise the test proves little.
	for _, c := range []struct {
		viewer int
		path   string
		has    string
	}{{0, threadPath, fmt.Sprintf(`action="/p/%d/accept"`, answer.ID)}, {1, threadPath, fmt.Sprintf(`href="/p/%d/edit"`, answer.ID)},
		{2, threadPath, `aria-pressed="true"`}, {3, threadPath, `action="/watch"`}, {4, threadPath, `action="/unwatch"`},
		{4, "/b/internet", `action="/unwatch"`}, {4, "/", `class="count"`}, {3, "/", `href="/u/rita"`}, {4, "/", `href="/u/ralf"`},
		{5, threadPath, `lang="de"`}, {10, threadPath, fmt.Sprintf(`action="/p/%d/hide"`, answer.ID)}, {10, "/", `href="/mod/queue"`}} {
		if !strings.Contains(want[fmt.Sprint(c.viewer, c.path)], c.has) {
			t.Fatalf("%s's %s lacks %s", viewers[c.viewer].name, c.path, c.has)
		}
	}
	for _, c := range []struct {
		viewer int
		path   string
		lacks  string
	}{{3, threadPath, `aria-pressed="true"`}, {3, "/", `class="count"`}, {3, threadPath, `action="/unwatch"`}} {
		if strings.Contains(want[fmt.Sprint(c.viewer, c.path)], c.lacks) {
			t.Fatalf("%s's %s has %s", viewers[c.viewer].name, c.path, c.lacks)
		}
	}

	srv.Web.UseFragments(true)
	order := make([]int, 0, 2*len(viewers))
	for i := range viewers {
		order = append(order, i)
	}
	for i := len(viewers) - 1; i >= 0; i-- {
		order = append(order, i)
	}
	for n, i := range order {
		for _, p := range paths {
			if got := get(i, p); got != want[fmt.Sprint(i, p)] {
				t.Errorf("visit %d, %s, %s: the page through the member cache differs from the one rendered afresh:\n%s",
					n, viewers[i].name, p, firstDifference(want[fmt.Sprint(i, p)], got))
			}
		}
	}
	// Each page is rendered once for each class of viewer (English members,
	// German members, agents, moderators: 4 × 4), and the thread page for each
	// visit of the five involved viewers (2 × 5); the other 62 of the 88
	// visits are served from the cache.
	hits, misses := srv.Web.MemberPageStats()
	if hits != 62 || misses != 26 {
		t.Errorf("member cache: %d pages served from it, %d rendered", hits, misses)
	}
}
