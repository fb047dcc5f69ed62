package web_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/schwarm/schwarm/app/apptest"
)

// cspWatch collects what the browser says went wrong on a page: each
// securitypolicyviolation event the document fires (a listener DevTools adds
// before the page's own scripts, which the CSP does not govern), and the
// errors and exceptions of its console.
type cspWatch struct {
	mu     sync.Mutex
	errors []string
}

func watchCSP(t *testing.T, b *tab) *cspWatch {
	t.Helper()
	w := &cspWatch{}
	err := chromedp.Listen(b.ctx, func(ev any) {
		w.mu.Lock()
		defer w.mu.Unlock()
		switch e := ev.(type) {
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError || e.Entry.Source == "security" {
				w.errors = append(w.errors, fmt.Sprintf("log %s: %s", e.Entry.Source, e.Entry.Text))
			}
		case *runtime.EventExceptionThrown:
			w.errors = append(w.errors, "exception: "+e.ExceptionDetails.Text)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	b.do("listen for CSP violations", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`})
		return err
	}))
	return w
}

// check returns what went wrong on the page open in b since the last check.
func (w *cspWatch) check(b *tab) []string {
	b.t.Helper()
	got := evaluate[[]string](b, `window.__csp`)
	w.mu.Lock()
	defer w.mu.Unlock()
	got, w.errors = append(got, w.errors...), nil
	return got
}

// TestBrowserThreadPagesKeepTheCSP loads thread pages with their JSON-LD data
// block in Chromium under the strict Content-Security-Policy: the block is
// data, not script, and raises no violation, while an inline script does. A
// solved thread's share link offers a copy button with JavaScript, which
// copies the canonical address, and only the read-only address without.
func TestBrowserThreadPagesKeepTheCSP(t *testing.T) {
	ctx := newBrowser(t) // first: it may skip, see newBrowser
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	s := seedSEO(t, srv)
	b := &tab{t: t, ctx: ctx, base: srv.URL}
	w := watchCSP(t, b)
	solved := fmt.Sprintf("/t/%d/%s", s.solved.ID, s.solved.Slug)

	for _, path := range []string{solved, solved + "?page=2", fmt.Sprintf("/t/%d/%s", s.empty.ID, s.empty.Slug),
		fmt.Sprintf("/t/%d/%s", s.hidden.ID, s.hidden.Slug)} {
		b.open(path)
		if !strings.Contains(path, "page=2") {
			// The browser reads the block as the JSON it is.
			if got := b.eval(`JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent).mainEntity["@type"]`); got != "Question" {
				t.Errorf("%s: JSON-LD mainEntity is %q", path, got)
			}
		}
		if got := w.check(b); len(got) != 0 {
			t.Errorf("%s: the browser reports %q", path, got)
		}
	}

	// The watch sees a violation when there is one: an inline script the page
	// adds is refused.
	if evaluate[bool](b, `(() => { const s = document.createElement("script"); s.textContent = "window.__ran = true"; document.head.appendChild(s); return window.__ran === true })()`) {
		t.Fatal("an inline script ran: the page has no strict CSP")
	}
	b.do("wait for the violation", chromedp.Poll[chromedp.Void](`window.__csp.length > 0`))
	if got := w.check(b); len(got) == 0 || !strings.Contains(got[0], "script-src") {
		t.Errorf("an inline script was refused, but the watch reports %q", got)
	}

	// With JavaScript the copy button appears and copies the address.
	b.do("allow the clipboard", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		for _, name := range []string{"clipboard-write", "clipboard-read"} {
			_, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
				Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted, Origin: srv.URL})
			if err != nil {
				return err
			}
		}
		return nil
	}))
	b.open(solved)
	b.wantText("copy button", ".share-copy", "Copy link")
	b.do("copy the link", chromedp.Click(chromedp.CSS(".share-copy")))
	// The clipboard answers in its own time.
	b.do("wait for the copy to be confirmed", chromedp.Poll[chromedp.Void](`document.querySelector(".share-status").textContent === "Link copied."`))
	if got, want := b.eval(`document.querySelector(".share-url").value`), srv.URL+solved; got != want {
		t.Errorf("share address %q, want %q", got, want)
	}
	readCtx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	clip, err := chromedp.Run(readCtx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil || clip != srv.URL+solved {
		t.Errorf("clipboard holds %q (%v), want %q", clip, err, srv.URL+solved)
	}
	if got := w.check(b); len(got) != 0 {
		t.Errorf("sharing: the browser reports %q", got)
	}

	// Without JavaScript the address is there to select and copy, the
	// buttons are not.
	b.do("turn JavaScript off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	b.open(solved)
	b.do("share address visible", chromedp.WaitVisible(chromedp.CSS(".share-url")))
	b.do("copy button out of sight", chromedp.WaitNotVisible(chromedp.CSS(".share-copy")))
}
