package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// signIn signs a fixture user (whose display name is the handle) in through the
// sign-in form on the page, which sends them to next.
func (b *tab) signIn(handle, next string) {
	b.t.Helper()
	b.do("fill in the sign-in form as "+handle,
		chromedp.SendKeys(chromedp.ID("login"), handle),
		chromedp.SendKeys(chromedp.ID("password"), apptest.Password),
	)
	b.navigate("sign in as "+handle, next, chromedp.Click(chromedp.CSS(loginSubmit)))
	b.wantSignedIn(handle, handle, "Sign out")
}

// wantContains checks that the visible text of sel contains each of want.
func (b *tab) wantContains(what, sel string, want ...string) {
	b.t.Helper()
	got := b.text(sel)
	for _, w := range want {
		if !strings.Contains(got, w) {
			b.t.Errorf("%s (%s) = %q, want it to contain %q", what, sel, got, w)
		}
	}
}

// The post buttons of the editor's forms: not Preview (it has a name) and not the
// image upload's, which sits in the form but sends #upload-form.
const (
	askSubmit   = `form[action="/ask"] button[type=submit]:not([name]):not([form])`
	replySubmit = `form[action$="/reply"] button[type=submit]:not([name]):not([form])`
	editSubmit  = `form[action$="/edit"] button[type=submit]:not([name]):not([form])`
)

// TestBrowserAskAnswerEdit walks the forum's main path in a real browser with
// JavaScript: mara asks a question, watching the live preview that app.js fills
// from POST /preview; otto, in a browser context of his own, answers it, edits his
// answer with a reason, and follows the "edited once" link to the history, which
// shows the new version, the reason and a line diff.
func TestBrowserAskAnswerEdit(t *testing.T) {
	ctx := newBrowser(t) // first: it may skip, see newBrowser
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	bg := context.Background()
	brd := &board.Board{Slug: "network", NameEN: "Network and Wi-Fi", NameDE: "Netzwerk und WLAN"}
	if err := srv.App.Boards.Create(bg, brd); err != nil {
		t.Fatalf("create board: %v", err)
	}
	const (
		title      = "How do I reset my router to factory settings?"
		slug       = "how-do-i-reset-my-router-to-factory-settings"
		question   = "My router hangs every evening.\n\nI tried **unplugging it** but that did not help."
		answer     = "Press the reset button for **30 seconds**.\nThen wait until the lights are green."
		answerNew  = "Press the reset button for **60 seconds**.\nThen wait until the lights are green."
		editReason = "Thirty seconds was not enough"
	)

	// mara signs in and asks.
	b := &tab{t: t, ctx: ctx, base: srv.URL}
	b.open("/login")
	b.signIn("mara", "/")
	b.navigate("follow the ask link", "/ask", chromedp.Click(chromedp.CSS(`main a.button[href="/ask"]`)))
	b.wantLang("en", "Ask the community")
	if !evaluate[bool](b, `document.getElementById('preview').hidden`) {
		t.Error("the empty preview is shown before anything was typed")
	}
	b.do("choose the board", chromedp.SendKeys(chromedp.ID("board"), "n"))
	if got, want := b.eval(`document.getElementById('board').value`), fmt.Sprint(brd.ID); got != want {
		t.Fatalf("board select = %q, want %q (%s)", got, want, brd.NameEN)
	}
	b.do("type title and question",
		chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SendKeys(chromedp.ID("body"), question),
	)
	// app.js posts the text to /preview once typing pauses and shows the answer.
	b.do("wait for the live preview", chromedp.Poll[chromedp.Void](
		`!document.getElementById('preview').hidden && document.querySelector('#preview .post-body').innerHTML.includes('did not help')`))
	b.wantText("live preview, bold", "#preview .post-body strong", "unplugging it")
	b.wantText("live preview, first paragraph", "#preview .post-body p", "My router hangs every evening.")
	b.wantText("ask button", askSubmit, "Post question")
	threadPath := b.navigateTo("post the question", regexp.MustCompile(`^/t/\d+/`+slug+`$`), chromedp.Click(chromedp.CSS(askSubmit)))
	b.wantNotice("Your question is online. You will see answers here.")
	b.wantText("thread title", "main h1", title)
	b.wantText("question in bold", "article.thread section.post .post-body strong", "unplugging it")
	b.wantText("question author", "article.thread section.post header.author a[href^='/u/']", "mara")
	b.wantText("answers heading", "h2.answers-heading", "0 answers")
	b.wantText("breadcrumb board", "nav.crumbs a[href='/b/network']", "Network and Wi-Fi")
	if got := b.eval(`document.title`); got != title+" · Schwarm" {
		t.Errorf("document.title = %q", got)
	}

	// otto, in a browser context of his own (no cookies of mara's), answers.
	octx, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	defer cancel()
	if err := chromedp.Do(octx); err != nil { // open the tab now, for as long as octx lives
		t.Fatalf("open a tab in a new browser context: %v", err)
	}
	o := &tab{t: t, ctx: octx, base: srv.URL}
	o.open(threadPath)
	o.wantSignedOut("Sign in")
	o.wantText("thread title", "main h1", title)
	o.navigate("follow the sign-in-to-answer link", "/login",
		chromedp.Click(chromedp.CSS(`section.reply a[href^="/login?next="]`)))
	o.signIn("otto", threadPath)
	o.do("write the answer", chromedp.SendKeys(chromedp.CSS(`form[action$="/reply"] #body`), answer))
	o.do("wait for the answer's live preview", chromedp.Poll[chromedp.Void](
		`document.querySelector('#preview .post-body strong')?.textContent === '30 seconds'`))
	o.wantText("answer button", replySubmit, "Post answer")
	o.navigate("post the answer", threadPath, chromedp.Click(chromedp.CSS(replySubmit)))
	o.wantNotice("Thank you! Your answer is online.")
	o.wantText("answers heading", "h2.answers-heading", "1 answer")
	hash := o.eval(`location.hash`)
	if !regexp.MustCompile(`^#p\d+$`).MatchString(hash) {
		t.Fatalf("after answering, location.hash = %q, want #p<id>", hash)
	}
	postID := strings.TrimPrefix(hash, "#p")
	post := "section.post#p" + postID
	o.wantText("answer author", post+" header.author a[href='/u/otto']", "otto")
	o.wantContains("answer text", post+" .post-body", "Press the reset button for 30 seconds.", "Then wait until the lights are green.")
	o.wantText("answer in bold", post+" .post-body strong", "30 seconds")
	o.wantAbsent("edited link before any edit", post+` a[href$="/history"]`)

	// otto edits his answer, with a reason.
	o.wantText("edit link", post+` .post-actions a[href="/p/`+postID+`/edit"]`, "Edit")
	o.navigate("follow the edit link", "/p/"+postID+"/edit",
		chromedp.Click(chromedp.CSS(post+` .post-actions a[href="/p/`+postID+`/edit"]`)))
	o.wantLang("en", "Edit post")
	if got := o.eval(`document.getElementById('body').value`); got != answer {
		t.Errorf("edit box holds %q, want the answer %q", got, answer)
	}
	o.wantAbsent("title field for an answer", `form[action$="/edit"] #title`)
	o.do("change the answer and give a reason",
		chromedp.Evaluate[chromedp.Void](`document.getElementById('body').select()`), // typing replaces it all
		chromedp.SendKeys(chromedp.ID("body"), answerNew),
		chromedp.SendKeys(chromedp.ID("reason"), editReason),
	)
	o.wantText("save button", editSubmit, "Save changes")
	o.navigate("save the edit", threadPath, chromedp.Click(chromedp.CSS(editSubmit)))
	o.wantNotice("Your changes have been saved.")
	if got := o.eval(`location.hash`); got != hash {
		t.Errorf("after the edit, location.hash = %q, want %q", got, hash)
	}
	o.wantText("edited answer in bold", post+" .post-body strong", "60 seconds")
	o.wantContains("edited answer", post+" .post-body", "Press the reset button for 60 seconds.")
	if got := o.text(post + " .post-body"); strings.Contains(got, "30 seconds") {
		t.Errorf("the answer still shows the old text: %q", got)
	}
	historyLink := post + ` .post-actions a[href="/p/` + postID + `/history"]`
	o.wantText("edited link", historyLink, "edited once")
	o.wantAbsent("edited link on the unedited question", `article.thread section.post:first-of-type .post-actions a[href$="/history"]`)

	// The history: version 2 on top, with the reason and the diff.
	o.navigate("follow the edited link", "/p/"+postID+"/history", chromedp.Click(chromedp.CSS(historyLink)))
	o.wantLang("en", "Edit history")
	o.wantText("breadcrumb to the thread", `nav.crumbs a[href="`+threadPath+`#p`+postID+`"]`, title)
	if got := evaluate[int](o, `document.querySelectorAll('section.revision').length`); got != 2 {
		t.Errorf("%d versions on the history page, want 2", got)
	}
	o.wantText("newest version", "section.revision:first-of-type h2", "Version 2")
	o.wantContains("newest version's editor and reason", "section.revision:first-of-type p.meta", "otto", "Reason: "+editReason)
	o.wantText("added line", "section.revision:first-of-type pre.diff ins", "+ Press the reset button for **60 seconds**.")
	o.wantText("removed line", "section.revision:first-of-type pre.diff del", "- Press the reset button for **30 seconds**.")
	o.wantContains("unchanged line", "section.revision:first-of-type pre.diff span", "Then wait until the lights are green.")
	if n := evaluate[int](o, `document.querySelectorAll('section.revision:first-of-type pre.diff ins, section.revision:first-of-type pre.diff del').length`); n != 2 {
		t.Errorf("%d changed lines in the diff, want 2", n)
	}
	o.wantText("oldest version", "section.revision:last-of-type h2", "Version 1")
	o.wantContains("oldest version's source", "section.revision:last-of-type pre.diff", "**30 seconds**")

	// mara, still signed in in her own context, sees the edited answer too.
	b.open(threadPath)
	b.wantText("edited answer for mara", post+" .post-body strong", "60 seconds")
	// She sees that it was edited, but the history is the author's and moderators':
	// an edit may have removed something that must not stay readable.
	b.wantContains("edited label for mara", post+" .post-actions", "edited once")
	b.wantAbsent("history link for mara", historyLink)
	b.wantAbsent("edit link on otto's answer for mara", post+` a[href$="/edit"]`)
}

// xssVectorsFile is the shared list of hostile inputs, at the top of the
// workspace, from this package's directory.
var xssVectorsFile = filepath.Join("..", "..", "..", "shared", "eval", "xss-vectors.txt")

// readXSSVectors reads the vectors: they are separated by lines holding only %%,
// and lines starting with # before the first %% are comments.
func readXSSVectors(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(xssVectorsFile)
	if errors.Is(err, fs.ErrNotExist) {
		abs, _ := filepath.Abs(xssVectorsFile)
		t.Skipf("no XSS vectors: %s (%s) does not exist; it comes with the shared evaluation files", xssVectorsFile, abs)
	}
	if err != nil {
		t.Fatalf("read XSS vectors: %v", err)
	}
	var vectors, lines []string
	separated := false
	flush := func() {
		if v := strings.Trim(strings.Join(lines, "\n"), "\n"); strings.TrimSpace(v) != "" {
			vectors = append(vectors, v)
		}
		lines = nil
	}
	for _, line := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
		switch {
		case strings.TrimSpace(line) == "%%":
			flush()
			separated = true
		case !separated && strings.HasPrefix(line, "#"):
		default:
			lines = append(lines, line)
		}
	}
	flush()
	if len(vectors) == 0 {
		t.Fatalf("%s holds no vectors", xssVectorsFile)
	}
	return vectors
}

// xssCheckJS looks for anything in the page that runs script or could: the
// vectors' marker window.__xss (or parent.__xss), event handler attributes,
// javascript:, vbscript: and data: URLs (data: images too), srcdoc, script
// elements other than the site's own, frames, objects, <base>, <meta http-equiv>,
// inline styles that load URLs, links that open a window without rel=noopener, and
// form controls inside user content. Each finding says where it is: the post, the
// thread in a list, the board in the board list, or a part of the page.
const xssCheckJS = `(() => {
  const found = [];
  const where = (el) => {
    const post = el.closest('section.post');
    if (post) return 'post ' + post.id;
    const item = el.closest('li.thread-item');
    if (item) { const a = item.querySelector('a.thread-title'); return 'thread ' + (a ? a.getAttribute('href') : '?'); }
    const li = el.closest('ul.board-list > li');
    if (li) { const a = li.querySelector('a'); return 'board ' + (a ? a.getAttribute('href') : '?'); }
    const rev = el.closest('section.revision');
    if (rev) { const h = rev.querySelector('h2'); return 'history ' + (h ? h.textContent : '?'); }
    for (const [sel, name] of [['#preview', 'preview'], ['form', 'form'], ['header', 'header'], ['footer', 'footer'], ['head', 'head']]) {
      if (el.closest(sel)) return name;
    }
    return 'page';
  };
  const add = (what, el) => {
    let html = el ? el.outerHTML : '';
    if (html.length > 300) html = html.slice(0, 300) + '…';
    found.push({what, where: el ? where(el) : 'page', html});
  };
  try { if (window.__xss !== undefined) add('window.__xss = ' + String(window.__xss), null); } catch (e) { add('window.__xss: ' + e, null); }
  try { if (typeof parent !== 'undefined' && parent !== window && parent.__xss !== undefined) add('parent.__xss = ' + String(parent.__xss), null); } catch (e) { add('parent.__xss: ' + e, null); }
  const urlAttrs = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'srcdoc', 'data', 'background', 'poster',
    'srcset', 'imagesrcset', 'cite', 'longdesc', 'lowsrc', 'dynsrc', 'ping', 'codebase', 'classid', 'archive', 'manifest', 'icon', 'usemap', 'content']);
  const squash = (v) => v.trim().toLowerCase().replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, '');
  const scheme = /^(javascript|vbscript|livescript|data):/;
  for (const el of document.querySelectorAll('*')) {
    const tag = el.localName;
    for (const name of el.getAttributeNames()) {
      const n = name.toLowerCase(), v = el.getAttribute(name) || '';
      if (n.startsWith('on')) add('event handler attribute ' + name, el);
      if (n === 'srcdoc') add('srcdoc attribute', el);
      // A named <meta> (description, Open Graph) is text for whoever reads
      // the page's head; only http-equiv, refused below, acts on its URL.
      if (n === 'content' && tag === 'meta' && !el.hasAttribute('http-equiv')) continue;
      if (urlAttrs.has(n) || n.endsWith(':href')) {
        let parts = [v];
        if (n === 'srcset' || n === 'imagesrcset') parts = v.split(',').map((p) => p.trim().split(/\s+/)[0]);
        if (n === 'content') parts = v.split(/;\s*url\s*=\s*/i).slice(1);
        for (const p of parts) if (scheme.test(squash(p))) add(name + ' with a ' + squash(p).split(':')[0] + ': URL', el);
      }
      if (n === 'style' && /url\s*\(|expression\s*\(|javascript:/i.test(v)) add('style attribute that loads or runs something', el);
    }
    if (tag === 'script') {
      const src = el.getAttribute('src');
      // The page's structured data: one JSON data block in the head, never run.
      const json = (t) => { try { JSON.parse(t); return true; } catch (e) { return false; } };
      const data = !src && el.type === 'application/ld+json' && el.parentElement === document.head && json(el.textContent) &&
        document.querySelectorAll('script[type="application/ld+json"]').length === 1;
      if (!data && (!src || !src.startsWith('/static/js/'))) add('script element', el);
    }
    if (['iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'style', 'portal', 'fencedframe'].includes(tag)) add('<' + tag + '> element', el);
    if (tag === 'meta' && el.hasAttribute('http-equiv')) add('<meta http-equiv> element', el);
    if (tag === 'link' && !['stylesheet', 'icon', 'canonical'].includes((el.getAttribute('rel') || '').toLowerCase())) add('<link> element', el);
    if (tag === 'a' && el.hasAttribute('target') && !/\bnoopener\b|\bnoreferrer\b/i.test(el.getAttribute('rel') || '')) add('link with a target but without rel=noopener', el);
    if (el.closest('.post-body') && ['form', 'input', 'button', 'select', 'textarea', 'fieldset'].includes(tag) &&
        !(tag === 'input' && el.type === 'checkbox' && el.disabled)) add('form control in user content', el);
  }
  if (!document.querySelector('script[src^="/static/js/app.js"]')) add('the page lost its own script', null);
  return found;
})()`

type xssFinding struct {
	What  string `json:"what"`
	Where string `json:"where"`
	HTML  string `json:"html"`
}

// xssTabs is how many tabs read the pages at once.
const xssTabs = 3

// xssRun is the browser side of TestBrowserXSSVectorsNeverRun: a tab that checks
// each page it opens, and says which vector got through.
type xssRun struct {
	*tab
	vectors []string
	origin  map[string]int // a finding's where → vector index
	dialogs chan string    // JavaScript dialogs that opened (and were dismissed)
	loads   *xssLoads
}

// xssLoads counts the pages checked, by kind, over all tabs, and notes about them.
type xssLoads struct {
	mu    sync.Mutex
	n     map[string]int
	notes map[string]int
}

func (l *xssLoads) note(what string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.notes[what]++
}

func (l *xssLoads) add(kind string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n[kind]++
}

func (l *xssLoads) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	kinds := make([]string, 0, len(l.n))
	total := 0
	for k, n := range l.n {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
		total += n
	}
	sort.Strings(kinds)
	out := fmt.Sprintf("%d pages (%s)", total, strings.Join(kinds, ", "))
	for what, n := range l.notes {
		out += fmt.Sprintf("; %s: %d", what, n)
	}
	return out
}

// newXSSRun opens a tab of the browser of ctx, without the Content-Security-Policy
// and with a listener that records and dismisses every JavaScript dialog. The tab
// shares the cookies of ctx's tab.
func newXSSRun(t *testing.T, ctx context.Context, base string, vectors []string, origin map[string]int, loads *xssLoads) *xssRun {
	t.Helper()
	tctx, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(tctx); err != nil { // open the tab now, for as long as tctx lives
		t.Fatalf("open a tab: %v", err)
	}
	// The site's Content-Security-Policy would stop inline script and event
	// handlers; without it, the test checks that the markup itself is safe.
	if _, err := chromedp.Call(tctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}); err != nil {
		t.Fatalf("turn the Content-Security-Policy off: %v", err)
	}
	x := &xssRun{tab: &tab{t: t, ctx: tctx, base: base}, vectors: vectors, origin: origin, dialogs: make(chan string, 100), loads: loads}
	err := chromedp.Listen(tctx, func(ev any) {
		if ev, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			select {
			case x.dialogs <- fmt.Sprintf("%s %q on %s", ev.Type, ev.Message, ev.URL):
			default:
			}
			go func() { // not here: a command would wait for this very listener
				_, _ = chromedp.Call(tctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			}()
		}
	})
	if err != nil {
		t.Fatalf("listen for dialogs: %v", err)
	}
	return x
}

func (x *xssRun) vector(i int) string { return fmt.Sprintf("vector %d %q", i+1, x.vectors[i]) }

// check inspects the page that is open now; vector is the vector the page was made
// for, or -1 for a page that shows many.
func (x *xssRun) check(kind string, vector int) {
	x.t.Helper()
	x.loads.add(kind)
	from := func(where string) string {
		if i, ok := x.origin[where]; ok {
			return x.vector(i)
		}
		if vector >= 0 {
			return x.vector(vector)
		}
		return "one of the vectors shown there"
	}
	page := x.eval(`location.pathname + location.search`)
	for _, f := range evaluate[[]xssFinding](x.tab, xssCheckJS) {
		x.t.Errorf("XSS on %s (%s page), %s: %s, in %s: %s", page, kind, from(f.Where), f.What, f.Where, f.HTML)
	}
	for len(x.dialogs) > 0 {
		x.t.Errorf("XSS on %s (%s page), %s: a JavaScript dialog opened: %s", page, kind, from(""), <-x.dialogs)
	}
}

// xssTitle makes a valid question title that holds the vector: numbered, on one
// line, cut to thread.MaxTitle runes.
func xssTitle(i int, v string) string {
	return cutRunes(strings.Join(strings.Fields(fmt.Sprintf("XSS %02d %s", i+1, v)), " "), thread.MaxTitle)
}

func cutRunes(s string, n int) string {
	r := []rune(s)
	return string(r[:min(len(r), n)])
}

// xssPages is where one vector was written.
type xssPages struct {
	board   string // path; "" when the vector does not fit a board's name
	thread  string // path
	profile string // path; "" when the vector was refused as a display name
}

// TestBrowserXSSVectorsNeverRun writes every vector of the shared list through the
// real write paths: as a board's name and description, a question's title and
// body, an answer, a member's display name, and an edit of one answer, with the
// vector as text and reason. Then headless Chromium, with JavaScript on and a
// listener that records and dismisses any alert, confirm or prompt, opens every
// page that shows them: the front page with the pages after it, each board page,
// each thread, the history of the answer edited with every vector, each member's
// profile, and the ask form after a Preview with the vector as title, text and
// tags; and the live preview that app.js fills, with all vectors at once. On each
// page nothing may have run, and nothing that could run may be in the DOM (see
// xssCheckJS).
//
// A few tabs share the pages, and the profiles and previews have a browser of
// their own.
func TestBrowserXSSVectorsNeverRun(t *testing.T) {
	vectors := readXSSVectors(t)
	ctx := newBrowser(t) // before the server: it may skip, see newBrowser
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) {
		c.WriteRate = config.Rate{N: 100_000, Window: time.Hour} // one Preview per vector
		c.WriteAddressRate = c.WriteRate
	}})
	start := time.Now()
	bg := context.Background()
	fx := srv.Fixtures

	// Write.
	origin := map[string]int{}
	pages := make([]xssPages, len(vectors))
	refusedNames, refusedBoards := map[string][]int{}, map[string][]int{} // reason → vector numbers
	// The spare board holds the threads of vectors too long for a board name.
	spare := &board.Board{Slug: "xss-spare", NameEN: "Spare board", NameDE: "Ersatzbrett"}
	if err := srv.App.Boards.Create(bg, spare); err != nil {
		t.Fatalf("create the spare board: %v", err)
	}
	for i, v := range vectors {
		w := &pages[i]
		author := fx.Member
		handle := fmt.Sprintf("xss_%02d", i+1)
		u, err := srv.App.Users.Register(bg, user.Registration{
			Handle: handle, DisplayName: v, Email: handle + "@example.com", Password: apptest.Password, Locale: "en",
		})
		if err != nil {
			why := strings.TrimPrefix(err.Error(), "invalid input: ")
			refusedNames[why] = append(refusedNames[why], i+1)
		} else {
			author, w.profile = u, "/u/"+handle
		}

		b := &board.Board{Slug: fmt.Sprintf("xss-%02d", i+1), NameEN: v, NameDE: v, DescriptionEN: cutRunes(v, 300), DescriptionDE: cutRunes(v, 300)}
		if err := srv.App.Boards.Create(bg, b); err != nil {
			why := strings.TrimPrefix(err.Error(), "invalid input: ")
			refusedBoards[why] = append(refusedBoards[why], i+1)
			b = spare
		} else {
			w.board = "/b/" + b.Slug
			origin["board "+w.board] = i
		}

		th, err := srv.App.Threads.Create(bg, author, thread.Ask{BoardID: b.ID, Title: xssTitle(i, v), Body: v})
		if err != nil {
			t.Fatalf("ask with vector %d %q: %v", i+1, v, err)
		}
		w.thread = fmt.Sprintf("/t/%d/%s", th.ID, th.Slug)
		origin["thread "+w.thread] = i
		answer, err := srv.App.Threads.Reply(bg, fx.Other, th.ID, v)
		if err != nil {
			t.Fatalf("answer with vector %d %q: %v", i+1, v, err)
		}
		origin[fmt.Sprintf("post p%d", answer.ID)] = i
	}
	// One answer edited with every vector in turn: its history shows them all, as
	// versions, reasons and diffs.
	edited, err := srv.App.Threads.Create(bg, fx.Member, thread.Ask{BoardID: spare.ID, Title: "A question with a much edited answer", Body: "Which is it?"})
	if err != nil {
		t.Fatalf("ask the question for the edits: %v", err)
	}
	answer, err := srv.App.Threads.Reply(bg, fx.Member, edited.ID, "The first version.") // mara's: she may read its history
	if err != nil {
		t.Fatalf("answer the question for the edits: %v", err)
	}
	versions := 1
	for i, v := range vectors {
		p, err := srv.App.Threads.Edit(bg, fx.Member, answer.ID, thread.Edit{Body: v, Reason: cutRunes(v, thread.MaxReason)})
		if err != nil {
			t.Fatalf("edit with vector %d %q: %v", i+1, v, err)
		}
		if p.RevisionCount+1 > versions { // an edit that changes nothing stores nothing
			versions = p.RevisionCount + 1
			origin[fmt.Sprintf("history Version %d", versions)] = i
		}
	}
	wrote := time.Since(start)
	loads := &xssLoads{n: map[string]int{}, notes: map[string]int{}}
	defer func() {
		t.Logf("%d vectors; refused as display names: %v; refused as board names (on the spare board): %v",
			len(vectors), refusedNames, refusedBoards)
		t.Logf("wrote them in %v, then checked %s in %v", wrote.Round(time.Millisecond), loads, (time.Since(start) - wrote).Round(time.Millisecond))
	}()

	// Read, signed in as mara; the other tabs of a browser share her cookies.
	x := newXSSRun(t, ctx, srv.URL, vectors, origin, loads)
	x.open("/login")
	x.signIn("mara", "/")
	if !evaluate[bool](x.tab, `document.querySelector('footer form[action="/language"] button[type=submit]').hidden`) {
		t.Fatal("app.js did not run: the pages must be checked with JavaScript on")
	}

	// The front page and the pages after it; its board list holds every board.
	for next := "/"; next != ""; {
		x.open(next)
		x.check("front", -1)
		next = x.eval(`document.querySelector('p.pager a[rel=next]')?.getAttribute('href') ?? ''`)
	}
	x.open("/b/" + spare.Slug)
	x.check("board", -1)

	x.open(fmt.Sprintf("/p/%d/history", answer.ID))
	// The page shows the newest 50 edits and the version before them.
	if got, want := evaluate[int](x.tab, `document.querySelectorAll('section.revision').length`), min(versions, 51); got != want {
		t.Errorf("the history shows %d versions, want %d", got, want)
	}
	x.check("history", -1)

	// The live preview: app.js puts the server's answer into the page with
	// innerHTML, where an event handler would run at once.
	all, err := json.Marshal(strings.Join(vectors, "\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	x.open("/ask")
	x.do("type all vectors at once", chromedp.Evaluate[chromedp.Void](
		`const area = document.getElementById('body'); area.value = `+string(all)+`; area.dispatchEvent(new Event('input'))`))
	x.do("wait for the live preview", chromedp.Poll[chromedp.Void](
		`!document.getElementById('preview').hidden && document.querySelector('#preview .post-body').innerHTML !== ''`))
	x.check("live preview", -1)

	// Each vector's board and thread.
	inTabs(t, "threads", ctx, func(x *xssRun, i int) {
		if w := pages[i]; w.board != "" {
			x.open(w.board)
			x.check("board", i)
		}
		x.open(pages[i].thread)
		if got, want := x.eval(`document.querySelector('main h1').textContent`), xssTitle(i, vectors[i]); got != want {
			x.t.Errorf("thread %s shows the title %q, want %q", pages[i].thread, got, want)
		}
		x.check("thread", i)
		// The vector as a search and as a title being typed: results show the
		// threads holding it, with the typed words marked in titles and snippets.
		// The ask page is mara's: only members ask.
		x.open("/search?q=" + url.QueryEscape(vectors[i]))
		x.check("search", i)
		// app.js puts the server's suggestions into the ask page with innerHTML.
		typed, err := json.Marshal(vectors[i] + " please help me")
		if err != nil {
			x.t.Fatal(err)
		}
		x.open("/ask")
		x.do("type "+x.vector(i)+" as the title", chromedp.Evaluate[chromedp.Void](
			`const title = document.getElementById('title'); title.value = `+string(typed)+`; title.dispatchEvent(new Event('input'))`),
			chromedp.Poll[chromedp.Void](`document.querySelector('#live-suggestions [data-suggestion]') !== null`))
		x.check("suggestions", i)
	}, srv.URL, vectors, origin, loads)

	// Each vector's profile, and the ask form after Preview (the path without
	// JavaScript) with the vector as title, text and tags; the form keeps what was
	// typed. In a new browser, as mara again.
	t.Run("profiles and previews", func(t *testing.T) {
		ctx := newBrowser(t)
		x := newXSSRun(t, ctx, srv.URL, vectors, origin, loads)
		x.open("/login")
		x.signIn("mara", "/")
		inTabs(t, "profiles", ctx, func(x *xssRun, i int) {
			if pages[i].profile == "" {
				return
			}
			x.open(pages[i].profile)
			if got := x.eval(`document.querySelector('main h1').textContent`); got != vectors[i] {
				x.t.Errorf("profile %s shows the name %q, want %s", pages[i].profile, got, x.vector(i))
			}
			x.check("profile", i)
		}, srv.URL, vectors, origin, loads)
		inTabs(t, "previews", ctx, func(x *xssRun, i int) {
			set, err := json.Marshal(map[string]string{"title": vectors[i], "body": vectors[i], "tags": vectors[i]})
			if err != nil {
				x.t.Fatal(err)
			}
			if x.path() != "/ask" {
				x.open("/ask")
			}
			x.navigate("preview "+x.vector(i), "/ask", chromedp.Evaluate[chromedp.Void](
				`for (const [id, v] of Object.entries(`+string(set)+`)) document.getElementById(id).value = v;`+
					`document.querySelector('form[action="/ask"]').requestSubmit(document.querySelector('button[name=action][value=preview]'))`))
			x.check("ask preview", i)
			if !evaluate[bool](x.tab, `document.getElementById('preview').hidden`) {
				x.loads.note("previews with rendered text")
			}
			if got := x.eval(`document.getElementById('body').value`); got != vectors[i] {
				x.t.Errorf("after Preview of %s the text box holds %q", x.vector(i), got)
			}
		}, srv.URL, vectors, origin, loads)
	})
}

// inTabs runs check for every vector, shared out over xssTabs tabs of the browser
// of ctx, in parallel subtests of a subtest called name.
func inTabs(t *testing.T, name string, ctx context.Context, check func(x *xssRun, i int), base string, vectors []string, origin map[string]int, loads *xssLoads) {
	t.Run(name, func(t *testing.T) {
		for k := range xssTabs {
			x := newXSSRun(t, ctx, base, vectors, origin, loads)
			t.Run(fmt.Sprintf("tab%d", k+1), func(t *testing.T) {
				t.Parallel()
				x.t = t
				for i := k; i < len(vectors); i += xssTabs {
					check(x, i)
				}
			})
		}
	})
}
