package web_test

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/thread"
)

// submit runs actions that send a form and checks the status of the page they
// lead to; navigate wants 200, a refused form answers 422.
func (b *tab) submit(step string, status int64, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
	if resp == nil || resp.Status != status {
		b.t.Fatalf("%s: response %+v, want status %d", step, resp, status)
	}
}

// wantAbove checks that the element upper ends, on the page, above where lower
// begins.
func (b *tab) wantAbove(what, upper, lower string) {
	b.t.Helper()
	expr := fmt.Sprintf(`(() => {
  const u = document.querySelector(%s), l = document.querySelector(%s);
  if (!u || !l) return "missing";
  const ub = u.getBoundingClientRect().bottom, lt = l.getBoundingClientRect().top;
  return ub <= lt ? "" : "bottom " + ub + " below top " + lt;
})()`, jsString(upper), jsString(lower))
	if got := b.eval(expr); got != "" {
		b.t.Errorf("%s: %s above %s: %s", what, upper, lower, got)
	}
}

// wantAskErrors checks the page after an invalid ask: each field's message, what
// was typed still there, and no "Before you post".
func (b *tab) wantAskErrors(title string) {
	b.t.Helper()
	b.wantText("board error", "#board-error", "Please fill in this field.")
	b.wantText("title error", "#title-error", "Please describe your question in at least 10 characters.")
	b.wantText("body error", "#body-error", "Please fill in this field.")
	if got := b.eval(`document.getElementById('title').value`); got != title {
		b.t.Errorf("title field = %q after the errors, want %q", got, title)
	}
	if got := b.eval(`document.getElementById('title').getAttribute('aria-invalid')`); got != "true" {
		b.t.Errorf("title aria-invalid = %q, want true", got)
	}
	b.wantAbsent("before you post with errors", "section.before-you-post")
	b.wantAbsent("suggestions with errors", "[data-suggestion]")
}

// TestBrowserAskErrorsBeforeSuggestions asks without JavaScript and with it. An
// invalid question comes back with its errors and no "Before you post", although
// a thread like it exists; corrected, it goes on to the step. The image upload
// sits under the body, above the Post button, and with JavaScript puts the image
// into the body.
func TestBrowserAskErrorsBeforeSuggestions(t *testing.T) {
	ctx := newBrowser(t) // first: it may skip, see newBrowser
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	brd, _ := newSuggestThread(t, srv)
	const (
		shortTitle = "wifi"
		body       = "Since Monday the laptop loses the network every hour."
	)

	// Without JavaScript.
	b := &tab{t: t, ctx: ctx, base: srv.URL}
	b.do("turn JavaScript off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	b.open("/login")
	b.signIn(srv.Fixtures.Other.Handle, "/")
	b.open("/ask")
	b.wantAbove("body above the upload", "#body", "#upload-file")
	b.wantAbove("upload above the Post button", "#upload-file", askSubmit)
	b.wantAbove("upload button above the Post button", `button[form="upload-form"]`, askSubmit)
	b.do("upload button shown without JavaScript", chromedp.WaitVisible(chromedp.CSS(`button[form="upload-form"]`)))

	b.do("type a title too short", chromedp.SendKeys(chromedp.ID("title"), shortTitle))
	b.submit("post the invalid question", 422, chromedp.Click(chromedp.CSS(askSubmit)))
	b.wantAskErrors(shortTitle)
	b.wantAbove("upload above the Post button, with errors", "#upload-file", askSubmit)

	b.do("correct the question",
		chromedp.SendKeys(chromedp.ID("board"), "n"),
		chromedp.Clear(chromedp.ID("title")),
		chromedp.SendKeys(chromedp.ID("title"), "My wifi keeps dropping every day"),
		chromedp.SendKeys(chromedp.ID("body"), body),
	)
	b.navigate("post the corrected question", "/ask", chromedp.Click(chromedp.CSS(askSubmit)))
	b.wantText("before-you-post heading", "section.before-you-post h2", "Before you post — do these answer your question?")
	b.wantAbsent("errors on the step", ".field-error")
	b.wantText("post-anyway button", askSubmit, "No, post my question")

	// With JavaScript, in a second tab of the same browser (signed in too).
	jctx, cancel := chromedp.NewContext(ctx)
	defer cancel()
	if err := chromedp.Do(jctx); err != nil {
		t.Fatalf("open a second tab: %v", err)
	}
	j := &tab{t: t, ctx: jctx, base: srv.URL}
	j.open("/ask")
	j.do("upload button hidden by app.js", chromedp.WaitNotVisible(chromedp.CSS(`button[form="upload-form"]`)))
	j.wantAbove("upload above the Post button", "#upload-file", askSubmit)

	// The script inserts the image's markdown into the body, from beside it.
	img := filepath.Join(t.TempDir(), "screenshot.png")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	f.Close()
	j.do("choose an image", chromedp.SetUploadFiles(chromedp.ID("upload-file"), []string{img}))
	j.do("wait for the image in the body", chromedp.Poll[chromedp.Void](`/^!\[\]\(\/uploads\/[0-9a-f]+\.png\)\n$/.test(document.getElementById('body').value)`))
	if got := j.path(); got != "/ask" {
		t.Errorf("the upload left the page for %s", got)
	}
	j.do("empty the body again", chromedp.Evaluate[chromedp.Void](`document.getElementById('body').value = ''`))

	j.do("type a title too short", chromedp.SendKeys(chromedp.ID("title"), shortTitle))
	j.submit("post the invalid question", 422, chromedp.Click(chromedp.CSS(askSubmit)))
	j.wantAskErrors(shortTitle)

	// Two words: too few for the live suggestions, so the step is still to come.
	j.do("correct the question",
		chromedp.SendKeys(chromedp.ID("board"), "n"),
		chromedp.Clear(chromedp.ID("title")),
		chromedp.SendKeys(chromedp.ID("title"), "wifi dropping"),
		chromedp.SendKeys(chromedp.ID("body"), body),
	)
	if got, want := j.eval(`document.getElementById('board').value`), fmt.Sprint(brd.ID); got != want {
		t.Fatalf("board select = %q, want %q", got, want)
	}
	j.navigate("post the corrected question", "/ask", chromedp.Click(chromedp.CSS(askSubmit)))
	j.wantText("before-you-post heading", "section.before-you-post h2", "Before you post — do these answer your question?")
	j.wantAbsent("errors on the step", ".field-error")
	if list, err := srv.App.Threads.List(context.Background(), thread.Query{}); err != nil {
		t.Fatal(err)
	} else if len(list.Threads) != 1 {
		t.Errorf("%d threads, want only the one from before: a question was posted before its step", len(list.Threads))
	}
}

// TestBrowserHistoryDiffLines edits an answer that was written in the browser
// (CRLF line ends) once without it (LF, as the API and the demo write) and once
// more in the browser: each diff shows the changed line alone, and each line of
// the history takes one line on the screen, with no blank line between two.
func TestBrowserHistoryDiffLines(t *testing.T) {
	ctx := newBrowser(t) // first: it may skip, see newBrowser
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	bg := context.Background()
	brd := newBoard(t, srv, "network", nil)
	th, err := srv.App.Threads.Create(bg, srv.Fixtures.Member, thread.Ask{BoardID: brd.ID, Title: "Router drops Wi-Fi", Body: "Every evening."})
	if err != nil {
		t.Fatal(err)
	}
	threadPath := fmt.Sprintf("/t/%d/%s", th.ID, th.Slug)

	b := &tab{t: t, ctx: ctx, base: srv.URL}
	b.open("/login")
	b.signIn(srv.Fixtures.Other.Handle, "/")
	b.open(threadPath)
	b.do("write the answer", chromedp.SendKeys(chromedp.CSS(`form[action$="/reply"] #body`), "Open the settings.\n\nChoose channel 6.\nSave it."))
	b.navigate("post the answer", threadPath, chromedp.Click(chromedp.CSS(replySubmit)))
	id := strings.TrimPrefix(b.eval(`location.hash`), "#p")
	if !regexp.MustCompile(`^\d+$`).MatchString(id) {
		t.Fatalf("no answer id after posting: %q", id)
	}
	var postID int64
	fmt.Sscan(id, &postID)
	if _, err := srv.App.Threads.Edit(bg, srv.Fixtures.Other, postID, thread.Edit{Body: "Open the settings.\n\nChoose channel 11.\nSave it.\n", Reason: "channel"}); err != nil {
		t.Fatal(err)
	}
	b.open("/p/" + id + "/edit")
	b.do("change the last line",
		chromedp.Evaluate[chromedp.Void](`document.getElementById('body').select()`), // typing replaces it all
		chromedp.SendKeys(chromedp.ID("body"), "Open the settings.\n\nChoose channel 11.\nSave it and restart."),
	)
	b.navigate("save the edit", threadPath, chromedp.Click(chromedp.CSS(editSubmit)))

	b.open("/p/" + id + "/history")
	if n := evaluate[int](b, `document.querySelectorAll('section.revision').length`); n != 3 {
		t.Fatalf("%d versions, want 3", n)
	}
	for i, want := range []struct{ removed, added string }{
		{"- Save it.", "+ Save it and restart."},        // version 3, LF to CRLF
		{"- Choose channel 6.", "+ Choose channel 11."}, // version 2, CRLF to LF
	} {
		sel := fmt.Sprintf("section.revision:nth-of-type(%d) pre.diff", i+1)
		b.wantText("removed line", sel+" del", want.removed)
		b.wantText("added line", sel+" ins", want.added)
		if n := evaluate[int](b, `document.querySelectorAll('`+sel+` del, `+sel+` ins').length`); n != 2 {
			t.Errorf("%s: %d changed lines, want 2", sel, n)
		}
		if n := evaluate[int](b, `document.querySelectorAll('`+sel+` span').length`); n != 3 {
			t.Errorf("%s: %d unchanged lines, want 3", sel, n)
		}
		// Every line as high as the first, each right under the one before.
		gaps := b.eval(`(() => {
  const rows = Array.from(document.querySelectorAll('` + sel + ` > *')).map((e) => e.getBoundingClientRect());
  const out = [];
  rows.forEach((r, i) => {
    if (Math.abs(r.height - rows[0].height) > 0.5) out.push("line " + i + " is " + r.height + " high, the first " + rows[0].height);
    if (i > 0 && Math.abs(r.top - rows[i - 1].bottom) > 0.5) out.push("gap of " + (r.top - rows[i - 1].bottom) + " before line " + i);
  });
  return out.join("; ");
})()`)
		if gaps != "" {
			t.Errorf("%s: %s", sel, gaps)
		}
	}
	// The first version, typed in the browser, shows its text as many lines high as
	// the same text with LF alone.
	extra := b.eval(`(() => {
  const pre = document.querySelector('section.revision:last-of-type pre.diff');
  const lf = pre.cloneNode(true);
  lf.textContent = pre.textContent.replace(/\r/g, "");
  pre.after(lf);
  const d = pre.getBoundingClientRect().height - lf.getBoundingClientRect().height;
  lf.remove();
  return d > 0.5 ? "taller by " + d : "";
})()`)
	if extra != "" {
		t.Errorf("version 1: %s", extra)
	}
}
