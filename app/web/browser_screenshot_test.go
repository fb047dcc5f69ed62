package web_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// envScreenshots names the folder that TestScreenshots writes its pictures to;
// the README shows those in docs/screenshots:
//
//	SCHWARM_SCREENSHOTS=docs/screenshots go test ./app/web -run TestScreenshots -count=1
//
// A relative folder is taken from the repository's root, where that command
// is given, not from app/web, where go test runs the test.
const envScreenshots = "SCHWARM_SCREENSHOTS"

// screenshotPages are the pages the README shows, each as the visitor who
// sees it most: a guest arriving from a search engine, and a member asking.
var screenshotPages = []struct {
	name   string
	viewer viewer
	path   func(*demoForum) string
	// prepare brings the page into the state shown, once it is open.
	prepare func(b *tab, lang string)
}{
	{name: "front", viewer: viewerGuest, path: fixed("/")},
	{name: "thread", viewer: viewerGuest, path: func(f *demoForum) string { return f.thread }},
	{name: "ask", viewer: viewerMember, path: fixed("/ask"), prepare: typeAskTitle},
	{name: "profile", viewer: viewerGuest, path: fixed("/u/anna")},
	{name: "leaderboard", viewer: viewerGuest, path: fixed("/leaderboard")},
}

var screenshotWidths = []layoutWidth{layoutWidths[1], layoutWidths[3]} // 390 and 1280 px

// TestScreenshots takes full-page PNGs of the demo forum in English at a
// phone's and a desktop's width, and writes them as NAME-WIDTH.png to the
// folder that SCHWARM_SCREENSHOTS names. Without it the pictures are taken
// and checked to be PNGs, as a smoke test, and not written.
func TestScreenshots(t *testing.T) {
	ctx := newBrowser(t) // first: it may skip, see newBrowser
	dir := os.Getenv(envScreenshots)
	if dir != "" && !filepath.IsAbs(dir) {
		dir = filepath.Join("..", "..", dir)
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	f := newDemoForum(t)
	tabs := map[viewer]*tab{}
	for _, p := range screenshotPages {
		b := tabs[p.viewer]
		if b == nil {
			b = f.openAs(t, ctx, p.viewer)
			f.speak(b, p.viewer, "en")
			tabs[p.viewer] = b
		}
		for _, w := range screenshotWidths {
			// Each width loads the page afresh, so that it is laid out as a
			// visitor with that screen first sees it.
			b.emulate(w)
			b.open(p.path(f))
			if p.prepare != nil {
				p.prepare(b, "en")
			}
			b.settle()
			shot, cancel := context.WithTimeout(b.ctx, stepTimeout)
			png, err := chromedp.Run(shot, chromedp.FullScreenshot(100))
			cancel()
			if err != nil {
				t.Fatalf("screenshot of %s at %d px: %v", p.name, w.width, err)
			}
			if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
				t.Fatalf("screenshot of %s at %d px is no PNG", p.name, w.width)
			}
			if dir == "" {
				continue
			}
			name := filepath.Join(dir, p.name+"-"+fmt.Sprint(w.width)+".png")
			if err := os.WriteFile(name, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s", name)
		}
	}
}
