package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/thread"
)

// TestAskErrorsBeforeSuggestions: a question that could not be posted gets its
// errors, per field, in the member's language and with what was typed kept, even
// when threads like it exist; only a question that could be posted goes on to
// "Before you post".
func TestAskErrorsBeforeSuggestions(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	ctx := context.Background()
	b := newBoard(t, srv, "internet", nil)
	th, err := srv.App.Threads.Create(ctx, srv.Fixtures.Member, thread.Ask{BoardID: b.ID, Title: "Router keeps dropping the connection", Body: "Every evening.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	c := srv.Client(t)
	eventually(t, "the thread is found", func() bool {
		return strings.Contains(c.Get("/search?q=router").Body, fmt.Sprintf("/t/%d/", th.ID))
	})
	link := fmt.Sprintf(`href="/t/%d/`, th.ID)

	m := srv.Client(t)
	m.Login("otto", apptest.Password)
	for _, tt := range []struct {
		name, lang string
		form       []string
		want       []string // the messages, and the values kept
	}{
		{"no board, title too short, no body", "en",
			[]string{"board", "", "title", "router", "body", "  "},
			[]string{`id="board-error"`, `id="title-error"`, `id="body-error"`, "Please fill in this field.", "at least 10 characters", `value="router"`}},
		{"no board", "en",
			[]string{"board", "", "title", "My router drops the connection", "body", "Since Monday."},
			[]string{`id="board-error"`, `value="My router drops the connection"`, "Since Monday.</textarea>"}},
		{"bad tags, in German", "de",
			[]string{"board", fmt.Sprint(b.ID), "title", "Mein Router verliert die Verbindung", "body", "Seit Montag.", "tags", "a1 b2 c3 d4 e5 f6"},
			[]string{`id="tags-error"`, "höchstens 5 Schlagwörter", `value="Mein Router verliert die Verbindung"`, `value="a1 b2 c3 d4 e5 f6"`, fmt.Sprintf(`<option value="%d" selected>`, b.ID)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m.Get("/ask")
			m.Post("/language", form("lang", tt.lang))
			m.Get("/ask")
			r := m.Post("/ask", form(tt.form...))
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("status %d, want 422", r.StatusCode)
			}
			mustContain(t, r, tt.want...)
			mustContain(t, r, `name="confirm" value=""`) // the next submit still shows the step
			mustNotContain(t, r, "before-you-post", link)
		})
	}
	m.Post("/language", form("lang", "en"))
	if list, _ := srv.App.Threads.List(ctx, thread.Query{}); len(list.Threads) != 1 {
		t.Fatalf("%d threads: a refused question was posted", len(list.Threads))
	}

	// Corrected, it goes on to the step, which posts nothing yet.
	m.Get("/ask")
	r := m.Post("/ask", form("board", fmt.Sprint(b.ID), "title", "My router drops the connection", "body", "Since Monday."))
	if r.StatusCode != http.StatusOK {
		t.Errorf("valid ask: status %d", r.StatusCode)
	}
	mustContain(t, r, "Before you post", link, `name="confirm" value="1"`)
	mustNotContain(t, r, `class="field-error"`)
	if list, _ := srv.App.Threads.List(ctx, thread.Query{}); len(list.Threads) != 1 {
		t.Fatalf("%d threads: the question was posted before the step", len(list.Threads))
	}
}

// TestEditorUploadBesideBody: wherever the editor is, the image upload comes right
// after the body, inside the post's form and before its buttons, and joins its own
// form (with its CSRF token) by the form attribute.
func TestEditorUploadBesideBody(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	b := newBoard(t, srv, "internet", nil)
	th, err := srv.App.Threads.Create(context.Background(), srv.Fixtures.Member, thread.Ask{BoardID: b.ID, Title: "Router drops Wi-Fi", Body: "Every evening."})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := srv.App.Threads.Posts(context.Background(), nil, th, 1)
	m := srv.Client(t)
	m.Login("mara", apptest.Password)
	for _, path := range []string{"/ask", fmt.Sprintf("/t/%d/%s", th.ID, th.Slug), fmt.Sprintf("/p/%d/edit", page.Question.ID)} {
		t.Run(path, func(t *testing.T) {
			body := m.Get(path).Body
			order := []string{`<textarea id="body"`, `<input id="upload-file" name="file" type="file"`, `form="upload-form">`, `class="buttons"`, `</form>`,
				`<form method="post" action="/uploads" enctype="multipart/form-data" id="upload-form"`, `name="_csrf"`, `name="next"`}
			at := strings.Index(body, `<textarea id="body"`)
			for _, want := range order {
				i := strings.Index(body[max(at, 0):], want)
				if at < 0 || i < 0 {
					t.Fatalf("%s: %q missing, or out of order (want %q)", path, want, order)
				}
				at += i
			}
			if n := strings.Count(body, `id="upload-form"`); n != 1 {
				t.Errorf("%d upload forms, want 1", n)
			}
		})
	}
}
