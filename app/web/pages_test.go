package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/thread"
)

// seedThread adds a board and a thread with an official answer.
func seedThread(t *testing.T, srv *apptest.Server) *thread.Thread {
	t.Helper()
	ctx := context.Background()
	b := &board.Board{Slug: "internet", NameEN: "Internet & Router", NameDE: "Internet und Router", DescriptionEN: "Broadband", DescriptionDE: "Festnetz"}
	if err := srv.App.Boards.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	th, err := srv.App.Threads.Create(ctx, srv.Fixtures.Member, thread.Ask{BoardID: b.ID,
		Title: "Router drops Wi-Fi every evening", Body: "Since **Monday**.", Tags: "router, wifi", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.App.Threads.Reply(ctx, srv.Fixtures.Agent, th.ID, "Update the firmware."); err != nil {
		t.Fatal(err)
	}
	return th
}

// TestEveryPageInBothLanguages renders each page for a guest and a signed-in admin
// in English and German and checks the language and a text of that language.
func TestEveryPageInBothLanguages(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	th := seedThread(t, srv)
	threadURL := fmt.Sprintf("/t/%d/%s", th.ID, th.Slug)
	pages := []struct {
		path   string
		admin  bool
		status int
		en, de string
	}{
		{"/", false, 200, "Latest questions", "Neueste Fragen"},
		{"/b/internet", false, 200, "Internet &amp; Router", "Internet und Router"},
		{threadURL, false, 200, "Official answer", "Offizielle Antwort"},
		{"/u/mara", false, 200, "Member since", "Mitglied seit"},
		{"/u/sam_agent", false, 200, "Recent activity", "Letzte Aktivität"},
		{"/badges", false, 200, "Badges are earned by helping others", "Abzeichen verdient man"},
		{"/badges/first_answer", false, 200, "Answered someone else", "Die Frage einer anderen Person"},
		{"/leaderboard", false, 200, "This month", "Dieser Monat"},
		{"/?tab=unsolved", false, 200, "Unsolved", "Ungelöst"},
		{"/login", false, 200, "Username or e-mail", "Benutzername oder E-Mail"},
		{"/signup", false, 200, "Create your account", "Konto erstellen"},
		{"/password/forgot", false, 200, "This forum sends no e-mail", "Dieses Forum versendet keine E-Mails"},
		{"/password/reset?token=x", false, 410, "This link has expired or was already used.", "Dieser Link ist abgelaufen"},
		{"/verify?token=x", false, 200, "Confirm the address to finish", "Bestätigen Sie die Adresse"},
		{"/settings/profile", true, 200, "Your profile", "Ihr Profil"},
		{"/admin/users", true, 200, "Users", "Benutzer"},
		{"/admin/moderation", true, 200, "Spam checks", "Spam-Prüfungen"},
		{"/mod/audit", true, 200, "Every moderator action", "Jede Moderationsaktion"},
		{"/mod/queue", true, 200, "Nothing waits for review.", "Nichts wartet auf Prüfung."},
		{"/notifications", true, 200, "No notifications yet", "Noch keine Benachrichtigungen"},
		{"/settings/notifications", true, 200, "An answer to my question", "Eine Antwort auf meine Frage"},
		{"/no/such/page", false, 404, "We could not find that page", "Diese Seite gibt es nicht"},
		{"/t/424242/x", false, 404, "Page not found", "Seite nicht gefunden"},
		{"/b/nope", false, 404, "Page not found", "Seite nicht gefunden"},
		{"/u/nobody", false, 404, "Page not found", "Seite nicht gefunden"},
	}
	for _, lang := range []string{"en", "de"} {
		guest, admin := srv.Client(t), srv.Client(t)
		guest.Language, admin.Language = lang, lang
		admin.Login("root_admin", apptest.Password)
		// The admin's profile says English; the German run switches it first.
		admin.Post("/language", form("lang", lang, "next", "/"))
		for _, p := range pages {
			t.Run(lang+p.path, func(t *testing.T) {
				c := guest
				if p.admin {
					c = admin
				}
				r := c.Get(p.path)
				if r.StatusCode != p.status {
					t.Errorf("status %d, want %d", r.StatusCode, p.status)
				}
				want := map[string]string{"en": p.en, "de": p.de}[lang]
				mustContain(t, r, `<html lang="`+lang+`">`, want)
				if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
					t.Errorf("content type %q", r.Header.Get("Content-Type"))
				}
			})
		}
	}
}

func TestThreadCanonicalURL(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	th := seedThread(t, srv)
	c := srv.Client(t).NoRedirects()
	for _, path := range []string{fmt.Sprintf("/t/%d", th.ID), fmt.Sprintf("/t/%d/old-title", th.ID)} {
		r := c.Get(path)
		if want := fmt.Sprintf("/t/%d/%s", th.ID, th.Slug); r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != want {
			t.Errorf("%s: %d to %q, want 301 to %q", path, r.StatusCode, r.Header.Get("Location"), want)
		}
	}
	r := c.Get(fmt.Sprintf("/t/%d/%s", th.ID, th.Slug))
	mustContain(t, r, "<strong>Monday</strong>", "Update the firmware.")
}

func TestHostileDisplayNameIsEscaped(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	c := srv.Client(t)
	c.Get("/signup")
	r := c.Post("/signup", form("handle", "hostile", "display_name", `<script>window.__xss=1</script>"><img src=x onerror=alert(1)>`,
		"email", "h@example.com", "password", "longenough"))
	mustContain(t, r, "&lt;script&gt;window.__xss=1&lt;/script&gt;")
	mustNotContain(t, r, "<script>window.__xss", "<img src=x")
}

func TestErrorsNeverShowInternals(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{Hook: func(a *fiber.App) {
		a.Get("/test/panic", func(*fiber.Ctx) error { panic("secret internal detail") })
		a.Get("/test/fail", func(*fiber.Ctx) error { return fmt.Errorf("db password=hunter2 failed") })
	}})
	for _, path := range []string{"/test/panic", "/test/fail"} {
		c := srv.Client(t)
		c.Language = "de"
		r := c.Get(path)
		if r.StatusCode != http.StatusInternalServerError {
			t.Errorf("%s: status %d", path, r.StatusCode)
		}
		mustContain(t, r, "Bei uns ist etwas schiefgelaufen", `<html lang="de">`)
		mustNotContain(t, r, "secret internal detail", "hunter2", "goroutine", ".go:")
		if r.Header.Get("X-Request-Id") == "" {
			t.Errorf("%s: no request id", path)
		}
	}
	// JSON clients and the API get RFC 9457 problem details.
	c := srv.Client(t)
	for _, tt := range []struct {
		path, accept string
		status       int
	}{
		{"/api/v1/nothing", "", 404},
		{"/test/panic", "application/json", 500},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+tt.path, nil)
		if tt.accept != "" {
			req.Header.Set("Accept", tt.accept)
		}
		r := c.Do(req)
		if r.StatusCode != tt.status || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %q", tt.path, r.StatusCode, r.Header.Get("Content-Type"))
		}
		mustContain(t, r, fmt.Sprintf(`"status":%d`, tt.status), `"title":`, `"detail":`)
		mustNotContain(t, r, "secret internal detail")
	}
}

func TestSecurityAndCacheHeaders(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	c := srv.Client(t)
	r := c.Get("/")
	csp := r.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows unsafe code: %q", csp)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("headers: %v", r.Header)
	}
	mustNotContain(t, r, "<script>", " style=", " onclick=")
	// The page links its assets with a content hash; those are cached for a year.
	i := strings.Index(r.Body, "/static/css/app.css?v=")
	if i < 0 {
		t.Fatal("stylesheet link with version not found")
	}
	link := r.Body[i : i+strings.IndexByte(r.Body[i:], '"')]
	a := c.Get(link)
	if a.StatusCode != 200 || a.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || !strings.HasPrefix(a.Header.Get("Content-Type"), "text/css") {
		t.Errorf("%s: %d %q %q", link, a.StatusCode, a.Header.Get("Cache-Control"), a.Header.Get("Content-Type"))
	}
	// Text assets go gzipped to clients that take it (Go's client asks, and
	// unpacks), and whole to those that do not.
	if !a.Uncompressed || a.Header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("%s: gzipped %v, Vary %q", link, a.Uncompressed, a.Header.Get("Vary"))
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+link, nil)
	req.Header.Set("Accept-Encoding", "identity")
	if whole := c.Do(req); whole.Header.Get("Content-Encoding") != "" || whole.Body != a.Body {
		t.Errorf("%s without gzip: encoding %q, %d bytes, want the %d bytes unpacked", link, whole.Header.Get("Content-Encoding"), len(whole.Body), len(a.Body))
	}
	if r := c.Get("/static/nope.css"); r.StatusCode != 404 {
		t.Errorf("missing asset: %d", r.StatusCode)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	c := srv.Client(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		if r := c.Get(p); r.StatusCode != 200 {
			t.Errorf("%s: %d %s", p, r.StatusCode, r.Body)
		}
	}
	srv.App.DB.Close()
	if r := c.Get("/readyz"); r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz with the database gone: %d", r.StatusCode)
	}
	if r := c.Get("/healthz"); r.StatusCode != 200 {
		t.Errorf("healthz must not depend on the database: %d", r.StatusCode)
	}
}
