package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/markup"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func mustContain(t *testing.T, r *apptest.Response, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(r.Body, w) {
			t.Errorf("%s %s: body lacks %q", r.Request.Method, r.Request.URL.Path, w)
		}
	}
}

func mustNotContain(t *testing.T, r *apptest.Response, nots ...string) {
	t.Helper()
	for _, n := range nots {
		if strings.Contains(r.Body, n) {
			t.Errorf("%s %s: body contains %q", r.Request.Method, r.Request.URL.Path, n)
		}
	}
}

func TestSignupShowsProblemsInTheUsersLanguage(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	tests := []struct {
		lang   string
		fields url.Values
		want   []string
	}{
		{"en", form("handle", "x", "display_name", "Kim", "email", "not-an-email", "password", "short"),
			[]string{"Use 3–30 letters", "Please enter a valid e-mail address", "at least 8 characters", `value="x"`, `value="not-an-email"`, `value="Kim"`}},
		{"de-DE,de;q=0.9", form("handle", "mara", "email", "mara@example.com", "password", "longenough"),
			[]string{`<html lang="de">`, "Dieser Benutzername ist bereits vergeben.", "Es gibt bereits ein Konto mit dieser E-Mail-Adresse."}},
		{"de", form(),
			[]string{"Bitte füllen Sie dieses Feld aus."}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			c := srv.Client(t)
			c.Language = tt.lang
			c.Get("/signup")
			r := c.Post("/signup", tt.fields)
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("status %d, want 422", r.StatusCode)
			}
			mustContain(t, r, tt.want...)
			mustNotContain(t, r, `value="short"`, `value="longenough"`) // passwords are never sent back
			mustContain(t, r, `aria-invalid="true"`)
		})
	}
}

func TestSignupSignsIn(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	c := srv.Client(t)
	c.Get("/signup")
	r := c.Post("/signup", form("handle", "neo", "display_name", "Neo N.", "email", "neo@example.com", "password", "longenough"))
	if r.StatusCode != http.StatusOK || r.Request.URL.Path != "/" {
		t.Fatalf("after sign-up: %d at %s", r.StatusCode, r.Request.URL.Path)
	}
	mustContain(t, r, "Neo N.", `action="/logout"`, "Welcome to the community!")
	var session *http.Cookie
	for _, ck := range r.Request.Response.Cookies() {
		if ck.Name == "schwarm_session" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax", session)
	}
	u, err := srv.App.Users.GetByHandle(context.Background(), "neo")
	if err != nil || u.Locale != "en" || u.Role != "member" {
		t.Errorf("stored user %+v, %v", u, err)
	}
}

func TestLoginAndLogout(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	c := srv.Client(t)
	c.Get("/login")
	r := c.Post("/login", form("login", "mara", "password", "wrong password"))
	if r.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: status %d", r.StatusCode)
	}
	mustContain(t, r, "do not match", `value="mara"`)

	r = c.Post("/login", form("login", "MARA@example.com", "password", apptest.Password, "next", "/u/otto"))
	if r.Request.URL.Path != "/u/otto" {
		t.Errorf("login did not return to next: at %s", r.Request.URL.Path)
	}
	mustContain(t, r, `action="/logout"`)
	before := sessionCookie(t, c, srv.URL)

	r = c.Post("/logout", url.Values{})
	mustContain(t, r, "You have been signed out.", `href="/login"`)
	mustNotContain(t, r, `action="/logout"`)

	// The old session token is dead on the server, not just forgotten by the browser.
	old := srv.Client(t).NoRedirects()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/settings/profile", nil)
	req.AddCookie(&http.Cookie{Name: "schwarm_session", Value: before})
	if r := old.Do(req); r.StatusCode != http.StatusSeeOther {
		t.Errorf("old session after logout: status %d, want redirect to sign in", r.StatusCode)
	}
}

func TestLoginRefusesOpenRedirect(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	for _, next := range []string{"https://evil.example/", "//evil.example/", `/\evil.example`} {
		c := srv.Client(t).NoRedirects()
		c.Get("/login")
		r := c.Post("/login", form("login", "mara", "password", apptest.Password, "next", next))
		if loc := r.Header.Get("Location"); loc != "/" {
			t.Errorf("next=%q redirected to %q", next, loc)
		}
	}
}

func TestLoginRotatesSession(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	c := srv.Client(t)
	c.Login("mara", apptest.Password)
	first := sessionCookie(t, c, srv.URL)
	c.Login("otto", apptest.Password)
	if second := sessionCookie(t, c, srv.URL); second == first {
		t.Error("signing in kept the old session id")
	}
}

func sessionCookie(t *testing.T, c *apptest.Client, base string) string {
	t.Helper()
	for _, ck := range c.Cookies(base) {
		if ck.Name == "schwarm_session" {
			return ck.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

func TestLoginRateLimit(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) {
		c.LoginRate = config.Rate{N: 3, Window: time.Hour}
	}})
	c := srv.Client(t)
	c.Language = "de"
	c.Get("/login")
	for i := 1; i <= 3; i++ {
		if r := c.Post("/login", form("login", "mara", "password", "guess")); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, r.StatusCode)
		}
	}
	r := c.Post("/login", form("login", "mara", "password", apptest.Password))
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("fourth attempt: status %d, Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	mustContain(t, r, "Zu viele fehlgeschlagene Anmeldungen")
	mustNotContain(t, r, `action="/logout"`)
}

// TestLoginLimitsPeopleBehindOneAddress: an office signs in through one address
// (the proxy passes on the same X-Forwarded-For for everyone). Thirty members
// signing in all get in; the eleventh wrong password for one account is refused
// from whichever address it comes, with a message in the member's language and
// Retry-After; wrong passwords from one address at many accounts run out the
// address's budget.
func TestLoginLimitsPeopleBehindOneAddress(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) {
		c.TrustedProxies = []string{"127.0.0.1", "::1"}
		c.LoginAddressRate = config.Rate{N: 20, Window: 15 * time.Minute} // fewer than the thirty who sign in
	}})
	ctx := context.Background()
	from := func(c *apptest.Client, ip, login, password string) *apptest.Response {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/login", strings.NewReader(form("login", login, "password", password, "_csrf", csrfIn(c.Get("/login").Body)).Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", ip)
		return c.Do(req)
	}
	const office = "198.51.100.20"
	var handles []string
	for i := range 30 {
		h := fmt.Sprintf("agent%02d", i)
		if _, err := srv.App.Users.Register(ctx, user.Registration{Handle: h, Email: h + "@example.com", Password: apptest.Password, Verified: true}); err != nil {
			t.Fatal(err)
		}
		handles = append(handles, h)
	}
	for _, h := range handles {
		if r := from(srv.Client(t), office, h, apptest.Password); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `action="/logout"`) {
			t.Fatalf("%s signing in from the office: status %d, not signed in", h, r.StatusCode)
		}
	}

	// mara's account, guessed from ten addresses; the eleventh attempt is refused,
	// with her right password too.
	guesser := srv.Client(t)
	for i := range 10 {
		if r := from(guesser, fmt.Sprintf("203.0.113.%d", i+1), "mara", "guess"); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d: status %d", i+1, r.StatusCode)
		}
	}
	mara := srv.Client(t)
	mara.Language = "de"
	r := from(mara, "203.0.113.99", "mara", apptest.Password)
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("the eleventh attempt: status %d, Retry-After %q, want 429 with Retry-After", r.StatusCode, r.Header.Get("Retry-After"))
	}
	mustContain(t, r, "Zu viele fehlgeschlagene Anmeldungen für dieses Konto oder aus Ihrem Netz.")
	mustNotContain(t, r, `action="/logout"`)

	// One address trying one wrong password at each account: the address's
	// budget of 20 runs out, while every account has seen a single guess.
	spray := srv.Client(t)
	for i, h := range handles[:20] {
		if r := from(spray, "192.0.2.66", h, "Summer2026!"); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d at %s: status %d", i+1, h, r.StatusCode)
		}
	}
	r = from(spray, "192.0.2.66", handles[20], "Summer2026!")
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("the 21st guess from one address: status %d, Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	mustContain(t, r, "Too many failed sign-ins")
	// The office is not that address: its members still get in.
	if r := from(srv.Client(t), office, handles[20], apptest.Password); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `action="/logout"`) {
		t.Errorf("a member from the office after the spray: status %d", r.StatusCode)
	}
}

// TestLoginDoesNotEchoAHugeLogin: 100 KB typed as the login (within a form's
// size) is refused and comes back cut to the longest login there can be.
func TestLoginDoesNotEchoAHugeLogin(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	c := srv.Client(t)
	c.Get("/login")
	r := c.Post("/login", form("login", strings.Repeat("m", 100<<10), "password", strings.Repeat("p", 100<<10)))
	if r.StatusCode != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", r.StatusCode)
	}
	if len(r.Body) > 64<<10 {
		t.Errorf("the page is %d bytes: the login was echoed back whole", len(r.Body))
	}
	mustContain(t, r, "do not match", `value="`+strings.Repeat("m", user.MaxLoginLen)+`"`)
}

// TestOversizedFormsAreRefused: a form body larger than any page sends is
// refused with 413 and a message, before anything reads it; nothing
// is stored and nothing of it comes back.
func TestOversizedFormsAreRefused(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	b := newBoard(t, srv, "internet", nil)
	th, err := srv.App.Threads.Create(context.Background(), srv.Fixtures.Member, thread.Ask{BoardID: b.ID,
		Title: "Router keeps restarting", Body: "Every night at three."})
	if err != nil {
		t.Fatal(err)
	}
	c := srv.Client(t)
	c.Login("otto", apptest.Password)
	huge := strings.Repeat("Spam ", 400_000) // 2 MB
	for _, path := range []string{fmt.Sprintf("/t/%d/reply", th.ID), "/ask", "/preview"} {
		r := c.Post(path, form("body", huge, "title", "Cheap routers for everyone", "board", strconv.FormatInt(b.ID, 10)))
		if r.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("POST %s: status %d, want 413", path, r.StatusCode)
		}
		mustContain(t, r, "What you sent is too large.")
		if len(r.Body) > 64<<10 {
			t.Errorf("POST %s: a %d-byte page for a refused form", path, len(r.Body))
		}
	}
	if got, err := srv.App.Threads.Get(context.Background(), th.ID); err != nil || got.AnswerCount != 0 {
		t.Errorf("the thread after the refused answer: %+v, %v", got, err)
	}
	// The longest post there may be still goes through.
	if r := c.Post(fmt.Sprintf("/t/%d/reply", th.ID), form("body", strings.Repeat("ü", markup.MaxSource/2))); r.StatusCode != http.StatusOK {
		t.Errorf("an answer of the longest length: status %d", r.StatusCode)
	}
}

// TestHostileMarkdownIsRefusedWithAMessage: markdown past the renderer's bounds
// is refused on the reply and in the preview with a message, and not stored.
func TestHostileMarkdownIsRefusedWithAMessage(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	th, err := srv.App.Threads.Create(context.Background(), srv.Fixtures.Member, thread.Ask{BoardID: newBoard(t, srv, "internet", nil).ID,
		Title: "Router keeps restarting", Body: "Every night at three."})
	if err != nil {
		t.Fatal(err)
	}
	c := srv.Client(t)
	c.Login("otto", apptest.Password)
	hostile := strings.Repeat("[x](", 16000)
	for _, path := range []string{fmt.Sprintf("/t/%d/reply", th.ID), "/preview"} {
		r := c.Post(path, form("body", hostile))
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("POST %s: status %d, want 422", path, r.StatusCode)
		}
		mustContain(t, r, "too many unfinished links")
	}
	if got, err := srv.App.Threads.Get(context.Background(), th.ID); err != nil || got.AnswerCount != 0 {
		t.Errorf("the thread after the refused answer: %+v, %v", got, err)
	}
}

func TestCSRF(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	post := func(c *apptest.Client, header map[string]string, fields url.Values) *apptest.Response {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/login", strings.NewReader(fields.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		return c.Do(req)
	}
	c := srv.Client(t)
	c.Get("/login")
	other := srv.Client(t)
	r := other.Get("/login")
	otherToken := csrfIn(r.Body)
	creds := form("login", "mara", "password", apptest.Password)

	tests := []struct {
		name   string
		header map[string]string
		token  string
	}{
		{"no token", nil, ""},
		{"token of another browser", nil, otherToken},
		{"cross-site fetch", map[string]string{"Sec-Fetch-Site": "cross-site"}, "own"},
		{"foreign origin", map[string]string{"Origin": "https://evil.example"}, "own"},
		{"null origin", map[string]string{"Origin": "null"}, "own"},
	}
	own := csrfIn(c.Get("/login").Body)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := url.Values{}
			for k, v := range creds {
				f[k] = v
			}
			switch tt.token {
			case "own":
				f.Set("_csrf", own)
			case "":
				f.Set("_csrf", "")
			default:
				f.Set("_csrf", tt.token)
			}
			r := post(c, tt.header, f)
			if r.StatusCode != http.StatusForbidden {
				t.Errorf("status %d, want 403", r.StatusCode)
			}
			mustContain(t, r, "This form has expired")
		})
	}
	f := url.Values{"_csrf": {own}}
	for k, v := range creds {
		f[k] = v
	}
	if r := post(c, map[string]string{"Origin": srv.URL, "Sec-Fetch-Site": "same-origin"}, f); !strings.Contains(r.Body, `action="/logout"`) {
		t.Errorf("a same-origin post with the right token failed: %d", r.StatusCode)
	}
}

func csrfIn(body string) string {
	const marker = `name="_csrf" value="`
	i := strings.Index(body, marker)
	if i < 0 {
		return ""
	}
	rest := body[i+len(marker):]
	return rest[:strings.IndexByte(rest, '"')]
}
