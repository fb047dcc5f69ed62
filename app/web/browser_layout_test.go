package web_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/schwarm/schwarm/app/apptest"
)

// layoutPage is one page type the layout and accessibility checks visit.
type layoutPage struct {
	name    string
	path    func(f *demoForum) string
	viewers []viewer
	// prepare brings the page into the state worth checking, once it is open.
	prepare func(b *tab, lang string)
}

// Everyone sees the public pages; the admin, whose header holds the most
// links, looks at the front and thread pages (which have staff tools) and at
// the staff pages, and not again at what a member sees the same way.
var (
	allViewers    = []viewer{viewerGuest, viewerMember, viewerAdmin}
	readerViewers = []viewer{viewerGuest, viewerMember}
	guestViewers  = []viewer{viewerGuest}
	memberViewers = []viewer{viewerMember}
	staffViewers  = []viewer{viewerAdmin}
)

func fixed(path string) func(*demoForum) string { return func(*demoForum) string { return path } }

var layoutPages = []layoutPage{
	{name: "front", path: fixed("/"), viewers: allViewers},
	{name: "board", path: func(f *demoForum) string { return f.board }, viewers: readerViewers},
	{name: "thread", path: func(f *demoForum) string { return f.thread }, viewers: allViewers},
	{name: "history", path: func(f *demoForum) string { return fmt.Sprintf("/p/%d/history", f.question) }, viewers: memberViewers},
	{name: "ask", path: fixed("/ask"), viewers: memberViewers, prepare: typeAskTitle},
	{name: "search", path: fixed("/search?q=router"), viewers: readerViewers},
	{name: "profile", path: fixed("/u/anna"), viewers: readerViewers},
	{name: "leaderboard", path: fixed("/leaderboard"), viewers: readerViewers},
	{name: "badges", path: fixed("/badges"), viewers: readerViewers},
	{name: "badge", path: fixed("/badges/first_solution"), viewers: readerViewers},
	{name: "sign-in", path: fixed("/login"), viewers: guestViewers},
	{name: "sign-up", path: fixed("/signup"), viewers: guestViewers},
	{name: "forgot-password", path: fixed("/password/forgot"), viewers: guestViewers},
	{name: "settings", path: fixed("/settings/profile"), viewers: memberViewers},
	{name: "notification-settings", path: fixed("/settings/notifications"), viewers: memberViewers},
	{name: "notifications", path: fixed("/notifications"), viewers: memberViewers},
	{name: "edit", path: func(f *demoForum) string { return fmt.Sprintf("/p/%d/edit", f.question) }, viewers: memberViewers},
	{name: "mod-queue", path: fixed("/mod/queue"), viewers: staffViewers},
	{name: "mod-audit", path: fixed("/mod/audit"), viewers: staffViewers},
	{name: "mod-notices", path: fixed("/mod/notices"), viewers: staffViewers},
	{name: "admin-users", path: fixed("/admin/users"), viewers: staffViewers},
	{name: "admin-boards", path: fixed("/admin/boards"), viewers: staffViewers},
	{name: "admin-moderation", path: fixed("/admin/moderation"), viewers: staffViewers},
}

// askTitles are typed into the ask page's title so that the live suggestions
// show: each matches a demo thread in its language.
var askTitles = map[string]string{
	"en": "wifi keeps dropping every evening",
	"de": "Routerpasswort vergessen zurücksetzen",
}

func typeAskTitle(b *tab, lang string) {
	b.t.Helper()
	b.do("type the question's title", chromedp.SendKeys(chromedp.ID("title"), askTitles[lang]))
	b.do("wait for the live suggestions", chromedp.WaitVisible(chromedp.CSS(`#live-suggestions [data-suggestion]`)))
}

// layoutWidth is an emulated screen. Up to tablets it is a phone's: a mobile
// viewport (which honours <meta name=viewport>) with touch.
type layoutWidth struct {
	width, height int64
	axe           bool // axe runs at some widths only: colours and names do not change with the width
}

func (w layoutWidth) mobile() bool { return w.width <= 768 }

var layoutWidths = []layoutWidth{
	{width: 320, height: 568},
	{width: 390, height: 844, axe: true},
	{width: 768, height: 1024},
	{width: 1280, height: 900, axe: true},
}

var layoutLanguages = []string{"en", "de"}

func (b *tab) emulate(w layoutWidth) {
	b.t.Helper()
	opts := []chromedp.EmulateViewportOption{chromedp.EmulatePortrait}
	if w.mobile() {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	b.do(fmt.Sprintf("emulate a %d px screen", w.width), chromedp.EmulateViewport(w.width, w.height, opts...))
}

// colorScheme emulates prefers-color-scheme.
func (b *tab) colorScheme(scheme string) {
	b.t.Helper()
	b.do("prefer the "+scheme+" colour scheme", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return err
	}))
}

// settle lets the page catch up with a new viewport: scripts that listen for
// resize, and transitions of layout, run before the next frame.
func (b *tab) settle() {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))`,
		chromedp.EvalAwaitPromise)); err != nil {
		b.t.Fatalf("wait for a frame: %v", err)
	}
}

// TestBrowserLayout loads every page type at phone, tablet and desktop widths,
// in both languages, as a guest, a member and an admin, and checks what a
// person on a phone runs into: a page wider than the screen, controls pushed
// out of sight or cut off, and touch targets too small for a finger. At two of
// the widths it runs axe-core too, in the light and the dark colour scheme,
// and fails on its serious and critical violations of WCAG 2.0–2.2 A and AA.
//
// Each page is loaded once per viewer and language, and the widths are
// emulated one after the other on the loaded page, as a phone turned or a
// window resized would; one browser and one forum serve it all.
func TestBrowserLayout(t *testing.T) {
	if os.Getenv(apptest.EnvDatabaseURL) != "" {
		// What a page looks like does not depend on the store, and this is the
		// longest browser test: CI runs it once, in the SQLite run.
		t.Skip("the layout does not depend on the database: run without " + apptest.EnvDatabaseURL)
	}
	ctx := newBrowser(t) // first: it may skip, see newBrowser
	f := newDemoForum(t)
	axe := loadAxe(t)
	var all findings
	for _, v := range allViewers {
		t.Run(v.name, func(t *testing.T) {
			b := f.openAs(t, ctx, v)
			for _, lang := range layoutLanguages {
				f.speak(b, v, lang)
				for _, p := range layoutPages {
					if !slices.Contains(p.viewers, v) {
						continue
					}
					t.Run(lang+"/"+p.name, func(t *testing.T) {
						at := where{page: p.name, lang: lang, viewer: v.name}
						got := checkPage(t, b, f, p, at, axe)
						got.report(t)
						all = append(all, got...)
					})
				}
			}
		})
	}
	all.summary(t)
}

// checkPage loads p and checks it at every width; the tab is b's with the
// subtest's t, so that a stuck step fails only this page.
func checkPage(t *testing.T, parent *tab, f *demoForum, p layoutPage, at where, axe string) findings {
	b := *parent
	b.t = t
	b.emulate(layoutWidths[0])
	b.colorScheme("light")
	b.open(p.path(f))
	if got := b.eval(`document.documentElement.lang`); got != at.lang {
		t.Fatalf("<html lang> = %q, want %q", got, at.lang)
	}
	if p.prepare != nil {
		p.prepare(&b, at.lang)
	}
	injectAxe(&b, axe)
	var found findings
	for _, w := range layoutWidths {
		b.emulate(w)
		b.settle()
		at := at
		at.width = w.width
		found = append(found, checkLayout(&b, w, at)...)
		if !w.axe {
			continue
		}
		for _, scheme := range []string{"light", "dark"} {
			b.colorScheme(scheme)
			at.theme = scheme
			found = append(found, runAxe(&b, scheme == "dark", at)...)
		}
		b.colorScheme("light")
	}
	return found
}

// where is the place of a finding: the page, and how it was looked at.
type where struct {
	page, lang, viewer string
	width              int64
	theme              string // for axe's findings only
}

func (w where) String() string {
	s := fmt.Sprintf("%d px %s %s", w.width, w.lang, w.viewer)
	if w.theme != "" {
		s += " " + w.theme
	}
	return s
}

// finding is one problem on one page at one width: what (kind), on which
// element, and the details that differ between widths (a rectangle, sizes).
type finding struct {
	at     where
	kind   string
	fails  bool   // false: reported only
	what   string // the element's shape, or axe's target: the same at every width and in each language
	text   string // the element's text, which the language changes
	detail string
}

type findings []finding

// report fails t once per problem on the page, with every width, language
// and viewer it shows at and its details there.
func (fs findings) report(t *testing.T) {
	t.Helper()
	for _, g := range fs.group(func(f finding) string { return f.kind + "\x00" + f.what }) {
		var lines []string
		// An element that repeats (a tag on every thread in a list) is one
		// problem: its first place stands for the others.
		for _, same := range g.group(func(f finding) string { return f.at.String() }) {
			line := fmt.Sprintf("\n\tat %s: %s", same[0].at, same[0].detail)
			if len(same) > 1 {
				line += fmt.Sprintf(" (and %d more like it)", len(same)-1)
			}
			lines = append(lines, line)
		}
		msg := fmt.Sprintf("%s: %s %s%s%s", g[0].at.page, g[0].kind, g[0].what, g.texts(), strings.Join(lines, ""))
		if g[0].fails {
			t.Error(msg)
		} else {
			t.Log(msg)
		}
	}
}

// summary logs every failing problem once, across pages, languages and
// viewers, with where it shows: the list to work through.
func (fs findings) summary(t *testing.T) {
	t.Helper()
	var failing, reported findings
	for _, f := range fs {
		if f.fails {
			failing = append(failing, f)
		} else {
			reported = append(reported, f)
		}
	}
	var b strings.Builder
	failing.list(&b, "problems that fail the test")
	reported.list(&b, "small touch targets that are reported only")
	if b.Len() > 0 {
		t.Log(b.String())
	}
}

// list writes fs to b once per problem, with the places it shows at.
func (fs findings) list(b *strings.Builder, title string) {
	if len(fs) == 0 {
		return
	}
	groups := fs.group(func(f finding) string { return f.kind + "\x00" + f.what })
	fmt.Fprintf(b, "\n%d distinct %s:", len(groups), title)
	for _, g := range groups {
		places := map[string][]where{}
		for _, f := range g {
			places[f.at.page] = append(places[f.at.page], f.at)
		}
		// Pages where the problem shows in the same places share a line.
		var order []string
		pagesAt := map[string][]string{}
		for _, p := range sortedKeys(places) {
			at := compactPlaces(places[p])
			if _, ok := pagesAt[at]; !ok {
				order = append(order, at)
			}
			pagesAt[at] = append(pagesAt[at], p)
		}
		fmt.Fprintf(b, "\n%s %s%s", g[0].kind, g[0].what, g.texts())
		for _, at := range order {
			fmt.Fprintf(b, "\n\t%s: %s", strings.Join(pagesAt[at], ", "), at)
		}
	}
}

// compactPlaces writes places as widths × languages × viewers (× themes)
// where they are every combination of those, and one by one where not.
func compactPlaces(places []where) string {
	seen := map[where]bool{}
	dims := [4]map[string]bool{{}, {}, {}, {}}
	for _, w := range places {
		w.page = ""
		seen[w] = true
		for i, v := range []string{fmt.Sprint(w.width), w.lang, w.viewer, w.theme} {
			dims[i][v] = true
		}
	}
	if n := len(dims[0]) * len(dims[1]) * len(dims[2]) * len(dims[3]); n == len(seen) {
		widths := sortedKeys(dims[0])
		sort.Slice(widths, func(i, j int) bool {
			return len(widths[i]) < len(widths[j]) || len(widths[i]) == len(widths[j]) && widths[i] < widths[j]
		})
		parts := []string{strings.Join(widths, ",") + " px", strings.Join(sortedKeys(dims[1]), ","), strings.Join(sortedKeys(dims[2]), ",")}
		if themes := sortedKeys(dims[3]); len(themes) > 1 || themes[0] != "" {
			parts = append(parts, strings.Join(themes, ","))
		}
		return strings.Join(parts, " × ")
	}
	var each []string
	for w := range seen {
		each = append(each, fmt.Sprintf("%d/%s/%s", w.width, w.lang, w.viewer)+themeSuffix(w.theme))
	}
	sort.Strings(each)
	return strings.Join(each, " ")
}

func themeSuffix(theme string) string {
	if theme == "" {
		return ""
	}
	return "/" + theme
}

// texts lists the first few texts of the elements in fs, in each language.
func (fs findings) texts() string {
	var seen []string
	for _, f := range fs {
		if q := fmt.Sprintf("%q", f.text); f.text != "" && !slices.Contains(seen, q) && len(seen) < 4 {
			seen = append(seen, q)
		}
	}
	if len(seen) == 0 {
		return ""
	}
	return " (" + strings.Join(seen, ", ") + ")"
}

// group splits fs by key, in the order each key first appears.
func (fs findings) group(key func(finding) string) []findings {
	var order []string
	by := map[string]findings{}
	for _, f := range fs {
		k := key(f)
		if _, ok := by[k]; !ok {
			order = append(order, k)
		}
		by[k] = append(by[k], f)
	}
	out := make([]findings, len(order))
	for i, k := range order {
		out[i] = by[k]
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// layoutResult is what layoutScript measures.
type layoutResult struct {
	ScrollWidth int `json:"scrollWidth"`
	InnerWidth  int `json:"innerWidth"`
	ClientWidth int `json:"clientWidth"`
	// Wide are the outermost elements that reach past the right edge: those
	// that make the page wider than the screen.
	Wide  []layoutElement `json:"wide"`
	Found []layoutElement `json:"found"`
}

type layoutElement struct {
	Kind   string `json:"kind"` // offscreen, clipped, cut, small-control, small-link
	El     string `json:"el"`
	Where  string `json:"where"`
	Text   string `json:"text"`
	X      int    `json:"x"`
	Y      int    `json:"y"`
	W      int    `json:"w"`
	H      int    `json:"h"`
	Detail string `json:"detail"`
}

func (e layoutElement) name() string {
	s := e.El
	if e.Text != "" {
		s += fmt.Sprintf(" %q", e.Text)
	}
	if e.Where != "" {
		s += " in " + e.Where
	}
	return s
}

// shape is the element without what changes from row to row and from page
// to page (numbers, slugs, handles, tags), so that a problem of every thread
// in a list, or of every profile, is reported once.
func (e layoutElement) shape() string {
	s := e.El
	if e.Where != "" {
		s += " in " + e.Where
	}
	s = shapeDigits.ReplaceAllString(s, "N")
	s = shapeSlug.ReplaceAllString(s, "${1}…")
	return shapeQuery.ReplaceAllString(s, "${1}…")
}

var (
	shapeDigits = regexp.MustCompile(`\d+`)
	shapeSlug   = regexp.MustCompile(`(/(?:t/N|u|b|badges)/)[^"/?#]+`)
	shapeQuery  = regexp.MustCompile(`([?&](?:amp;)?(?:tag|next|q|lang|ask)=)[^"&#]*`)
)

func (e layoutElement) rect() string { return fmt.Sprintf("rect x=%d y=%d %d×%d", e.X, e.Y, e.W, e.H) }

// layoutFails says which of layoutScript's kinds fail the test: touch
// targets fail for controls (and menu links) only, and only where there is
// touch; a small link elsewhere is reported.
func layoutFails(kind string, w layoutWidth) bool {
	switch kind {
	case "small-control":
		return w.mobile()
	case "small-link":
		return false
	}
	return true
}

func checkLayout(b *tab, w layoutWidth, at where) findings {
	b.t.Helper()
	r := evaluate[layoutResult](b, fmt.Sprintf("(%s)(%d, %t)", layoutScript, w.width, w.mobile()))
	var out findings
	if limit := min(r.InnerWidth, r.ClientWidth, int(w.width)); r.ScrollWidth > limit {
		var wide []string
		for _, e := range r.Wide {
			wide = append(wide, fmt.Sprintf("%s (%s)", e.name(), e.rect()))
		}
		out = append(out, finding{at: at, kind: "overflow", fails: true, what: "the document is wider than the screen",
			detail: fmt.Sprintf("scrollWidth %d > %d (innerWidth %d, clientWidth %d); reaching past the edge: %s",
				r.ScrollWidth, w.width, r.InnerWidth, r.ClientWidth, strings.Join(wide, "; "))})
	}
	for _, e := range r.Found {
		if (e.Kind == "small-control" || e.Kind == "small-link") && !w.mobile() {
			continue
		}
		detail := strings.TrimPrefix(e.Detail+"; "+e.rect(), "; ")
		if e.Text != "" {
			detail = fmt.Sprintf("%q: %s", e.Text, detail)
		}
		out = append(out, finding{at: at, kind: e.Kind, fails: layoutFails(e.Kind, w), what: e.shape(), text: e.Text, detail: detail})
	}
	return out
}

// layoutScript runs in the page with the emulated width and whether touch
// targets count. It looks at every visible interactive element and reports
// one pushed out of the viewport (offscreen), cut off by an ancestor that
// hides overflow (clipped), whose own content is cut off (cut), and, with
// touch, one smaller than 44×44 CSS px: a control (button, input, select,
// textarea, summary, or a link in a navigation or menu) as small-control, any
// other link that is not an inline link in running text as small-link.
// Elements hidden on purpose are left out: 1 px ones (visually-hidden
// labels) and positioned ones wholly above or left of the page, as a skip
// link waits before it is focused.
const layoutScript = `function (width, touch) {
  const doc = document.documentElement, vw = doc.clientWidth, tol = 1, min = 44;
  const res = {scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, clientWidth: vw, wide: [], found: []};
  const tag = (el) => {
    let s = el.tagName.toLowerCase();
    // The attribute, not el.id: a form with a field named id hides its own id behind that field.
    const id = el.getAttribute('id');
    if (id) s += '#' + id;
    for (const c of el.classList) s += '.' + c;
    return s;
  };
  const name = (el) => {
    let s = tag(el);
    for (const a of ['type', 'name', 'href', 'action', 'role']) {
      const v = el.getAttribute(a);
      if (v) s += '[' + a + '="' + v.slice(0, 60) + '"]';
    }
    return s;
  };
  const context = (el) => {
    const up = [];
    for (let a = el.parentElement; a && a !== document.body && up.length < 3; a = a.parentElement) {
      if (a.getAttribute('id') || a.classList.length || ['HEADER', 'NAV', 'MAIN', 'FOOTER', 'FORM', 'ASIDE', 'ARTICLE', 'SECTION', 'DETAILS'].includes(a.tagName)) up.unshift(tag(a));
    }
    return up.join(' > ');
  };
  const text = (el) => (el.innerText || el.value || el.getAttribute('aria-label') || el.title || '').trim().replace(/\s+/g, ' ').slice(0, 50);
  const item = (kind, el, r, detail) => ({kind, el: name(el), where: context(el), text: text(el),
    x: Math.round(r.left), y: Math.round(r.top), w: Math.round(r.width), h: Math.round(r.height), detail: detail || ''});
  const positioned = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const p = getComputedStyle(e).position;
      if (p === 'absolute' || p === 'fixed') return true;
    }
    return false;
  };
  const hides = (v) => v === 'hidden' || v === 'clip';

  // The outermost elements past the right edge: whatever their parent, it does not reach that far.
  // What a box that scrolls or hides overflow holds does not widen the page.
  const contained = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  if (doc.scrollWidth > vw) {
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right <= vw + tol || r.width === 0 || contained(el)) continue;
      const p = el.parentElement.getBoundingClientRect();
      if (el.parentElement === document.body || p.right <= vw + tol) res.wide.push(item('wide', el, r));
      if (res.wide.length >= 5) break;
    }
  }

  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;
    if ((r.right <= 0 || r.bottom <= 0) && positioned(el)) continue;
    let skip = false, clip = null;
    for (let a = el.parentElement; a && a !== document.body && a !== doc; a = a.parentElement) {
      const cs = getComputedStyle(a), hx = hides(cs.overflowX), hy = hides(cs.overflowY);
      if (!hx && !hy) continue;
      const ar = a.getBoundingClientRect();
      if (ar.width <= 1 || ar.height <= 1) { skip = true; break; }
      const left = ar.left + a.clientLeft, top = ar.top + a.clientTop, right = left + a.clientWidth, bottom = top + a.clientHeight;
      if ((hx && (r.left < left - tol || r.right > right + tol)) || (hy && (r.top < top - tol || r.bottom > bottom + tol))) {
        clip = 'cut off by ' + name(a) + ' (overflow ' + cs.overflowX + ' ' + cs.overflowY + ', box x=' + Math.round(left) + ' y=' + Math.round(top) +
          ' ' + Math.round(right - left) + '×' + Math.round(bottom - top) + ')';
        break;
      }
    }
    if (skip) continue;
    if (r.left < -tol || r.right > vw + tol) {
      res.found.push(item('offscreen', el, r, 'beyond the ' + vw + ' px viewport'));
    } else if (clip) {
      res.found.push(item('clipped', el, r, clip));
    }
    const own = getComputedStyle(el);
    if (!['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName) && hides(own.overflowX) && el.scrollWidth > el.clientWidth + tol) {
      res.found.push(item('cut', el, r, 'its content is ' + el.scrollWidth + ' px wide in ' + el.clientWidth + ' px' +
        (own.textOverflow === 'ellipsis' ? ' (text-overflow: ellipsis)' : '')));
    }
    if (!touch) continue;
    let tr = r;
    if ((el.type === 'checkbox' || el.type === 'radio') && el.labels) {
      // The label is part of the target: a tap on it ticks the box.
      let l = r.left, t = r.top, rt = r.right, b = r.bottom;
      for (const lab of el.labels) {
        const lr = lab.getBoundingClientRect();
        l = Math.min(l, lr.left); t = Math.min(t, lr.top); rt = Math.max(rt, lr.right); b = Math.max(b, lr.bottom);
      }
      tr = {width: rt - l, height: b - t};
    }
    if (tr.width >= min - 0.5 && tr.height >= min - 0.5) continue;
    const size = Math.round(tr.width) + '×' + Math.round(tr.height) + ' px, under ' + min + '×' + min;
    if (el.tagName !== 'A' || el.closest('nav, [role=navigation], [role=menu], [role=menubar], [role=tablist]') ||
        ['tab', 'menuitem', 'button'].includes(el.getAttribute('role'))) {
      res.found.push(item('small-control', el, r, size));
      continue;
    }
    // An inline link in a sentence is exempt, as WCAG's target size exempts it.
    if (own.display === 'inline' && el.closest('p')) {
      let block = el.parentElement;
      while (block && ['inline', 'contents'].includes(getComputedStyle(block).display)) block = block.parentElement;
      if (block && block.textContent.trim().length > el.textContent.trim().length + 3) continue;
    }
    res.found.push(item('small-link', el, r, size));
  }
  return res;
}`
