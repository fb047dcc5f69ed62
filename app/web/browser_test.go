package web_test

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/schwarm/schwarm/app/apptest"
)

// Browser tests drive the real site in headless Chromium. They need Debian's
// chromium package; without it they skip, unless SCHWARM_REQUIRE_BROWSER is set.

const (
	defaultChromium   = "/usr/bin/chromium"
	envChromium       = "SCHWARM_CHROMIUM"
	envRequireBrowser = "SCHWARM_REQUIRE_BROWSER"
	// browserTimeout only stops a browser that hangs as a whole; stepTimeout names
	// a stuck step. Neither is a speed limit: speed is for benchmarks, and a busy
	// CI machine took over 60 s for a browser that needs about 50 s here.
	browserTimeout = 5 * time.Minute
	stepTimeout    = 20 * time.Second
)

// newBrowser starts a fresh headless Chromium with its own profile and returns the
// context of one tab. The browser, and every action on it, ends after
// browserTimeout or when the test ends. Chromium is kept off the internet: no
// background networking, updates, sync or QUIC, and every host name other than
// the loopback address resolves to nothing.
//
// Call it before apptest.NewServer. It skips the test when there is no Chromium,
// and a server that is shut down right after it started can miss the shutdown
// and keep the test from ending: its Serve goroutine may not have registered the
// listener yet, so Shutdown finds nothing to close.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	exe := defaultChromium
	if p := os.Getenv(envChromium); p != "" {
		exe = p
	}
	if _, err := os.Stat(exe); err != nil {
		if os.Getenv(envRequireBrowser) != "" {
			t.Fatalf("%s is set but there is no Chromium at %s: %v", envRequireBrowser, exe, err)
		}
		t.Skipf("no Chromium at %s; install Debian's chromium package to run browser tests", exe)
	}

	profile := t.TempDir() // removed after the browser has exited (cleanups run last-in first-out)
	output := &lockedBuffer{}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(profile),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests may run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.Flag("lang", "en-US"),
		chromedp.Flag("accept-lang", "en-US,en"),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(output),
	)
	timeout, cancelTimeout := context.WithTimeout(context.Background(), browserTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(timeout, opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		closeCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_ = chromedp.Cancel(closeCtx) // close the browser gracefully when possible
		cancel()
		cancelTab()
		cancelAlloc() // waits for the browser process to exit
		cancelTimeout()
		if t.Failed() && output.Len() > 0 {
			t.Logf("chromium output:\n%s", output.String())
		}
	})
	if err := chromedp.Do(ctx); err != nil { // start the browser now, so a broken install fails here
		t.Fatalf("start chromium %s: %v", exe, err)
	}
	return ctx
}

// lockedBuffer collects Chromium's output, which arrives from another goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tab wraps a browser tab with the few steps the tests need; each fails the test.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func (b *tab) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
}

// open navigates to path and checks that the page answered 200.
func (b *tab) open(path string) *network.Response {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	if resp.Status != 200 {
		b.t.Fatalf("open %s: status %d", path, resp.Status)
	}
	return resp
}

// navigate runs actions that cause a page load (a click on a submit button, a
// change of an auto-submitting select), waits for the new page, and checks that
// it answered 200 at path, after any redirect.
func (b *tab) navigate(step, path string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.navigateTo(step, regexp.MustCompile("^"+regexp.QuoteMeta(path)+"$"), actions...)
}

// navigateTo is navigate for a page whose path is known only by its shape, such as
// a new thread's: it checks the status and the path and returns the path.
func (b *tab) navigateTo(step string, path *regexp.Regexp, actions ...chromedp.Action[chromedp.Void]) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
	if resp == nil {
		b.t.Fatalf("%s: no response", step)
	}
	if resp.Status != 200 {
		b.t.Fatalf("%s: status %d at %s", step, resp.Status, resp.URL)
	}
	got := b.path()
	if !path.MatchString(got) {
		b.t.Fatalf("%s: ended at %s, want a path like %s", step, got, path)
	}
	return got
}

func (b *tab) eval(expr string) string {
	b.t.Helper()
	return evaluate[string](b, expr)
}

// evaluate runs a JavaScript expression in the page, as DevTools does; it works
// with the page's own scripts turned off.
func evaluate[T any](b *tab, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func (b *tab) path() string {
	b.t.Helper()
	u, err := url.Parse(b.eval(`document.location.href`))
	if err != nil {
		b.t.Fatal(err)
	}
	return u.Path
}

// text returns the visible text of the first element that sel matches, once it is
// visible.
func (b *tab) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// wantText checks the visible text of sel.
func (b *tab) wantText(what, sel, want string) {
	b.t.Helper()
	if got := b.text(sel); got != want {
		b.t.Errorf("%s (%s) = %q, want %q", what, sel, got, want)
	}
}

// wantLang checks <html lang> and the home heading or other h1.
func (b *tab) wantLang(lang, heading string) {
	b.t.Helper()
	if got := b.eval(`document.documentElement.lang`); got != lang {
		b.t.Errorf("<html lang> = %q, want %q", got, lang)
	}
	b.wantText("page heading", "main h1", heading)
}

// wantSignedIn checks the header: the user's name links to the profile and the
// sign-out button is there.
func (b *tab) wantSignedIn(handle, displayName, signOut string) {
	b.t.Helper()
	b.do("open the account menu", openMenu)
	b.wantText("header user link", `.site-header .account a[href="/u/`+handle+`"]`, displayName)
	b.wantText("sign-out button", `.site-header form[action="/logout"] button[type=submit]`, signOut)
	b.wantAbsent("sign-in link", `.site-header a[href="/login"]`)
}

// wantSignedOut checks the header: a sign-in link, no user and no sign-out button.
func (b *tab) wantSignedOut(signIn string) {
	b.t.Helper()
	b.wantText("header sign-in link", `.site-header .account a[href="/login"]`, signIn)
	b.wantAbsent("sign-out form", `.site-header form[action="/logout"]`)
	b.wantAbsent("user link", `.site-header .account a[href^="/u/"]`)
}

// openMenu opens the header's menu (a <details>) with a click on its summary,
// unless it is open already: the account links are inside it.
var openMenu = chromedp.Evaluate[chromedp.Void](`(d => d.open || d.querySelector('summary').click())(document.querySelector(` + jsString(`.site-header details.menu`) + `))`)

func (b *tab) wantAbsent(what, sel string) {
	b.t.Helper()
	if n := evaluate[int](b, `document.querySelectorAll(`+jsString(sel)+`).length`); n != 0 {
		b.t.Errorf("%s (%s): %d on the page, want none", what, sel, n)
	}
}

func (b *tab) wantNotice(want string) {
	b.t.Helper()
	b.wantText("notice", "main .notice", want)
}

// header returns the response header name, whatever its case on the wire.
func header(resp *network.Response, name string) string {
	for k, v := range resp.Headers {
		if s, ok := v.(string); ok && strings.EqualFold(k, name) {
			return s
		}
	}
	return ""
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

const (
	signupSubmit   = `form[action="/signup"] button[type=submit]`
	loginSubmit    = `form[action="/login"] button[type=submit]`
	logoutButton   = `.site-header form[action="/logout"] button[type=submit]`
	queueCount     = `.site-header a[href="/mod/queue"] .count` // in the menu: open it first
	languageSelect = `#lang-select`
	languageSubmit = `footer form[action="/language"] button[type=submit]`
)

// TestBrowserSignupLoginLanguage walks a new member through the site in a real
// browser with JavaScript: sign up, sign out, sign in, switch to German with the
// footer select (which app.js submits on change), and find German again after
// signing in with the language cookie gone, because the choice is in the profile.
func TestBrowserSignupLoginLanguage(t *testing.T) {
	ctx := newBrowser(t) // first: it may skip, see newBrowser
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	b := &tab{t: t, ctx: ctx, base: srv.URL}
	const (
		handle   = "ada_lovelace"
		name     = "Ada Lovelace"
		email    = "ada@example.com"
		password = "analytical engine 1843"
	)

	// Sign up.
	b.open("/signup")
	b.wantLang("en", "Create your account")
	b.wantSignedOut("Sign in")
	b.do("fill in the sign-up form",
		chromedp.SendKeys(chromedp.ID("handle"), handle),
		chromedp.SendKeys(chromedp.ID("display_name"), name),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
	)
	b.wantText("sign-up button", signupSubmit, "Create account")
	b.navigate("sign up", "/", chromedp.Click(chromedp.CSS(signupSubmit)))
	b.wantLang("en", "How can we help?")
	b.wantNotice("Welcome to the community!")
	b.wantSignedIn(handle, name, "Sign out")

	// With JavaScript on, app.js (allowed by the CSP as script-src 'self') hides
	// the footer's submit button, because the select submits itself; the
	// stylesheet (style-src 'self') must let [hidden] win over its button styles.
	if !evaluate[bool](b, `document.querySelector(`+jsString(languageSubmit)+`).hidden`) {
		t.Errorf("footer language button has no hidden attribute; app.js did not run (blocked by the CSP?)")
	}
	b.do("language button out of sight", chromedp.WaitNotVisible(chromedp.CSS(languageSubmit)))

	// Sign out.
	b.navigate("sign out", "/", openMenu, chromedp.Click(chromedp.CSS(logoutButton)))
	b.wantLang("en", "How can we help?")
	b.wantNotice("You have been signed out.")
	b.wantSignedOut("Sign in")

	// Sign in again, from the header link, with the handle.
	b.navigate("follow the sign-in link", "/login", chromedp.Click(chromedp.CSS(`.site-header a[href="/login"]`)))
	b.wantLang("en", "Sign in")
	b.do("fill in the sign-in form",
		chromedp.SendKeys(chromedp.ID("login"), handle),
		chromedp.SendKeys(chromedp.ID("password"), password),
	)
	b.navigate("sign in", "/", chromedp.Click(chromedp.CSS(loginSubmit)))
	b.wantLang("en", "How can we help?")
	b.wantSignedIn(handle, name, "Sign out")

	// Switch to German: pick "Deutsch" with the keyboard, as a person would; the
	// change event makes app.js submit the form, and the server sends us back here.
	b.navigate("switch to German", "/", chromedp.SendKeys(chromedp.CSS(languageSelect), "d"))
	b.wantLang("de", "Wie können wir helfen?")
	b.wantSignedIn(handle, name, "Abmelden")
	if got := b.eval(`document.querySelector('#lang-select').value`); got != "de" {
		t.Errorf("language select = %q after the switch, want de", got)
	}
	if u, err := srv.App.Users.GetByHandle(context.Background(), handle); err != nil {
		t.Fatalf("load %s: %v", handle, err)
	} else if u.Locale != "de" {
		t.Errorf("profile locale = %q after the switch, want de", u.Locale)
	}

	// Sign out: the language cookie keeps the page German.
	b.navigate("sign out in German", "/", openMenu, chromedp.Click(chromedp.CSS(logoutButton)))
	b.wantLang("de", "Wie können wir helfen?")
	b.wantNotice("Sie wurden abgemeldet.")
	b.wantSignedOut("Anmelden")

	// Forget the cookie: a guest gets English (the browser asks for en-US) ...
	b.do("delete the language cookie", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "schwarm_lang", URL: srv.URL + "/"})
		return err
	}))
	b.open("/login")
	b.wantLang("en", "Sign in")
	b.wantSignedOut("Sign in")

	// ... and signing in, this time with the e-mail address, brings back German
	// from the profile.
	b.do("fill in the sign-in form",
		chromedp.SendKeys(chromedp.ID("login"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
	)
	b.navigate("sign in with German in the profile", "/", chromedp.Click(chromedp.CSS(loginSubmit)))
	b.wantLang("de", "Wie können wir helfen?")
	b.wantSignedIn(handle, name, "Abmelden")
}

// TestBrowserLanguageSwitchWithoutJavaScript checks that the site needs no
// JavaScript: with scripts off, the footer's language form shows its submit
// button, and choosing a language and pressing it switches the page, which stays
// where it was. It also checks the Content-Security-Policy the pages are served with.
func TestBrowserLanguageSwitchWithoutJavaScript(t *testing.T) {
	ctx := newBrowser(t) // first: it may skip, see newBrowser
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	b := &tab{t: t, ctx: ctx, base: srv.URL}

	b.do("turn JavaScript off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))

	resp := b.open("/login")
	csp := header(resp, "Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "form-action 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("Content-Security-Policy %q allows inline or eval'd script", csp)
	}
	b.wantLang("en", "Sign in")
	b.wantSignedOut("Sign in")

	// A guest switches with the footer's links: they need no script and no form.
	b.wantAbsent("language form for a guest", `footer form[action="/language"]`)
	b.navigate("follow the Deutsch link", "/login", chromedp.Click(chromedp.CSS(`footer a[hreflang="de"]`)))
	b.wantLang("de", "Anmelden")
	b.wantSignedOut("Anmelden")
	b.wantText("sign-in button", loginSubmit, "Anmelden")

	// The choice is remembered: another page is German too.
	b.open("/")
	b.wantLang("de", "Wie können wir helfen?")

	// Signed in, the footer is a form whose Switch button works without app.js (which
	// would hide it and submit on change). Otto's profile says English.
	b.open("/login")
	b.do("fill in the sign-in form",
		chromedp.SendKeys(chromedp.ID("login"), srv.Fixtures.Other.Handle),
		chromedp.SendKeys(chromedp.ID("password"), apptest.Password),
	)
	b.navigate("sign in", "/", chromedp.Click(chromedp.CSS(loginSubmit)))
	b.wantLang("en", "How can we help?")
	if evaluate[bool](b, `document.querySelector(`+jsString(languageSubmit)+`).hidden`) {
		t.Fatal("the language button is hidden, so app.js ran: JavaScript is not off")
	}
	b.wantText("language button", languageSubmit, "Switch")
	b.do("choose Deutsch", chromedp.SendKeys(chromedp.CSS(languageSelect), "d"))
	if got := b.eval(`document.documentElement.lang`); got != "en" {
		t.Fatalf("the page changed to %q without the button; is JavaScript really off?", got)
	}
	b.navigate("press Switch", "/", chromedp.Click(chromedp.CSS(languageSubmit)))
	b.wantLang("de", "Wie können wir helfen?")
	b.wantText("language button", languageSubmit, "Wechseln")
	if u, err := srv.App.Users.Get(context.Background(), srv.Fixtures.Other.ID); err != nil || u.Locale != "de" {
		t.Errorf("profile language after the switch: %v, %v", u, err)
	}
}
