package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/mail/mailtest"
)

// mailServer is the forum with mail on, sending to a real SMTP server on
// loopback.
func mailServer(t *testing.T) (*apptest.Server, *mailtest.Server) {
	t.Helper()
	smtp := mailtest.Start(t)
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) {
		c.SMTPURL, c.MailFrom = smtp.URL(), "Schwarm <forum@example.com>"
	}})
	return srv, smtp
}

// linkPath is the path and query of a mailed link to path, which must be on
// the forum's public URL.
func linkPath(t *testing.T, srv *apptest.Server, m mailtest.Received, path string) string {
	t.Helper()
	link := m.Link(path + "?token=")
	if !strings.HasPrefix(link, srv.App.Config.BaseURL+path) {
		t.Fatalf("no link to %s in the mail %q:\n%s", path, m.Subject, m.Text)
	}
	if !strings.Contains(m.HTML, `href="`+strings.ReplaceAll(link, "&", "&amp;")+`"`) {
		t.Errorf("the HTML part lacks the link %s:\n%s", link, m.HTML)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

func isSignedIn(r *apptest.Response) bool { return strings.Contains(r.Body, `action="/logout"`) }

// TestSignupVerifiesTheAddress: with mail on, a sign-up signs nobody in but
// mails a link in the visitor's language; signing in before following it is
// refused with the offer of a new link; following it confirms the address and
// signs in, once. An address that has an account gets the same page, and its
// owner a note.
func TestSignupVerifiesTheAddress(t *testing.T) {
	srv, smtp := mailServer(t)
	ctx := context.Background()
	c := srv.Client(t)
	c.Language = "de"
	c.Get("/signup")
	r := c.Post("/signup", form("handle", "neu", "email", "Neu@example.com", "password", "longenough"))
	mustContain(t, r, "Wir haben einen Link an Neu@example.com gesendet")
	if isSignedIn(r) {
		t.Fatal("signed in before the address was confirmed")
	}

	r = c.Post("/login", form("login", "neu", "password", "longenough"))
	if r.StatusCode != http.StatusForbidden || isSignedIn(r) {
		t.Fatalf("sign-in before confirming: %d", r.StatusCode)
	}
	mustContain(t, r, "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse", `action="/verify/resend"`)
	mustContain(t, c.Post("/verify/resend", form("login", "neu")), "haben wir einen neuen Link dorthin gesendet")

	first := smtp.WaitTo(t, "neu@example.com", 0, 10*time.Second)
	again := smtp.WaitTo(t, "neu@example.com", 1, 10*time.Second)
	if first.Subject != "E-Mail-Adresse bestätigen" || !strings.Contains(first.Text, "/settings/notifications") {
		t.Errorf("the verification mail: %q\n%s", first.Subject, first.Text)
	}
	// The newer link works; the first was spent with it.
	page := c.Get(linkPath(t, srv, again, "/verify"))
	mustContain(t, page, `action="/verify"`)
	token := strings.TrimPrefix(again.Link("/verify?token="), srv.App.Config.BaseURL+"/verify?token=")
	r = c.Post("/verify", form("token", token))
	if r.StatusCode != http.StatusOK || !isSignedIn(r) {
		t.Fatalf("after following the link: %d, signed in %v", r.StatusCode, isSignedIn(r))
	}
	mustContain(t, r, "Ihre E-Mail-Adresse ist bestätigt")
	u, err := srv.App.Users.GetByHandle(ctx, "neu")
	if err != nil || u.EmailVerifiedAt == nil {
		t.Fatalf("the account after verifying: %+v, %v", u, err)
	}
	other := srv.Client(t)
	other.Language = "de"
	other.Get("/login")
	if r := other.Post("/verify", form("token", token)); r.StatusCode != http.StatusGone || isSignedIn(r) {
		t.Errorf("the link used a second time: %d, signed in %v", r.StatusCode, isSignedIn(r))
	}
	firstToken := strings.TrimPrefix(first.Link("/verify?token="), srv.App.Config.BaseURL+"/verify?token=")
	mustContain(t, other.Post("/verify", form("token", firstToken)), "Dieser Link ist abgelaufen oder wurde schon benutzt.")
	other.Login("neu", "longenough") // verified now

	// Someone signs up with mara's address: the same page; mara is told.
	taker := srv.Client(t)
	taker.Get("/signup")
	r = taker.Post("/signup", form("handle", "mara2", "email", "mara@example.com", "password", "longenough"))
	mustContain(t, r, "We sent a link to mara@example.com. Follow it to finish")
	mustNotContain(t, r, "already")
	note := smtp.WaitTo(t, "mara@example.com", 0, 10*time.Second)
	if note.Subject != "Someone tried to sign up with your address" || !strings.Contains(note.Text, "/password/forgot") {
		t.Errorf("the note to the owner: %q\n%s", note.Subject, note.Text)
	}
	if _, err := srv.App.Users.GetByHandle(ctx, "mara2"); err == nil {
		t.Error("a second account got mara's address")
	}
}

// TestPasswordReset: the sign-in page links to the reset; an address with and
// one without an account get the same answer, and only the first a mail; the
// link sets a new password (held to the sign-up rules, a refused one leaves
// the link usable), ends the member's other sign-ins and signs in; the old
// password is refused, the new one works and the link works once.
func TestPasswordReset(t *testing.T) {
	srv, smtp := mailServer(t)
	mustContain(t, srv.Client(t).Get("/login"), `href="/password/forgot"`)
	elsewhere := srv.Client(t)
	elsewhere.Login("mara", apptest.Password)

	c := srv.Client(t)
	c.Get("/password/forgot")
	known := c.Post("/password/forgot", form("email", "MARA@example.com"))
	unknown := c.Post("/password/forgot", form("email", "nobody@example.com"))
	mustContain(t, known, "If an account exists for that address, we sent a link to it.")
	if known.StatusCode != unknown.StatusCode || strings.ReplaceAll(known.Body, "MARA@example.com", "") != strings.ReplaceAll(unknown.Body, "nobody@example.com", "") {
		t.Errorf("the answers differ: %d and %d", known.StatusCode, unknown.StatusCode)
	}

	m := smtp.WaitTo(t, "mara@example.com", 0, 10*time.Second)
	if m.Subject != "Reset your password" || m.Headers.Get("List-Unsubscribe") != "" {
		t.Errorf("the reset mail: %q, List-Unsubscribe %q", m.Subject, m.Headers.Get("List-Unsubscribe"))
	}
	path := linkPath(t, srv, m, "/password/reset")
	token, _ := url.ParseQuery(strings.TrimPrefix(path, "/password/reset?"))
	mustContain(t, c.Get(path), `action="/password/reset"`)
	r := c.Post("/password/reset", form("token", token.Get("token"), "password", "short"))
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a short password: %d, want 422", r.StatusCode)
	}
	r = c.Post("/password/reset", form("token", token.Get("token"), "password", "a new secret"))
	if !isSignedIn(r) {
		t.Fatalf("after the reset: %d, not signed in", r.StatusCode)
	}
	mustContain(t, r, "Your password has been changed.")
	if isSignedIn(elsewhere.Get("/")) {
		t.Error("the member's other sign-in survived the reset")
	}

	fresh := srv.Client(t)
	fresh.Get("/login")
	if r := fresh.Post("/login", form("login", "mara", "password", apptest.Password)); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("the old password: %d, want 401", r.StatusCode)
	}
	fresh.Login("mara", "a new secret")

	if r := c.Get(path); r.StatusCode != http.StatusGone {
		t.Errorf("the used link opened: %d, want 410", r.StatusCode)
	}
	r = fresh.Post("/password/reset", form("token", token.Get("token"), "password", "yet another one"))
	if r.StatusCode != http.StatusGone {
		t.Errorf("the link used again: %d, want 410", r.StatusCode)
	}
	mustContain(t, r, "This link has expired or was already used.")

	time.Sleep(300 * time.Millisecond) // the poll after the last enqueue
	if got := smtp.To("nobody@example.com"); len(got) != 0 {
		t.Errorf("%d mails to an address without an account", len(got))
	}
}

// TestResetRateLimit: the fourth request for one address in the window is
// refused, alike for an address with an account and one without.
func TestResetRateLimit(t *testing.T) {
	srv, _ := mailServer(t)
	for _, addr := range []string{"otto@example.com", "nobody@example.com"} {
		c := srv.Client(t)
		c.Get("/password/forgot")
		for i := 1; i <= 4; i++ {
			r := c.Post("/password/forgot", form("email", addr))
			if want := map[bool]int{true: http.StatusOK, false: http.StatusTooManyRequests}[i <= 3]; r.StatusCode != want {
				t.Errorf("%s, request %d: %d, want %d", addr, i, r.StatusCode, want)
			}
		}
	}
}

// TestMailOffPages: without mail, the reset page says so, sign-in offers no
// reset, and the admin is told.
func TestMailOffPages(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	c := srv.Client(t)
	mustNotContain(t, c.Get("/login"), `href="/password/forgot"`)
	mustContain(t, c.Get("/password/forgot"), "This forum sends no e-mail")
	admin := srv.Client(t)
	admin.Login("root_admin", apptest.Password)
	mustContain(t, admin.Get("/admin/users"), "E-mail is off (SCHWARM_SMTP_URL is not set)")
}

// TestMailWaitsForTheServer: three members ask for a reset while the SMTP
// server is down; when it is back, each mail arrives exactly once.
func TestMailWaitsForTheServer(t *testing.T) {
	srv, smtp := mailServer(t)
	smtp.Stop()
	c := srv.Client(t)
	c.Get("/password/forgot")
	members := []string{"mara@example.com", "otto@example.com", "sam_agent@example.com"}
	for _, addr := range members {
		mustContain(t, c.Post("/password/forgot", form("email", addr)), "If an account exists for that address")
	}
	if !apptest.Eventually(10*time.Second, func() bool {
		var tried int64
		srv.App.DB.Reader(context.Background()).Table("mail_queue").Where("last_error <> ''").Count(&tried)
		return tried == 3
	}) {
		t.Fatal("the sender did not try while the server was down")
	}
	smtp.Start()
	smtp.Wait(t, 3, 10*time.Second)
	time.Sleep(300 * time.Millisecond)
	got := smtp.Messages()
	if len(got) != 3 {
		t.Fatalf("%d mails, want 3", len(got))
	}
	for _, addr := range members {
		if n := len(smtp.To(addr)); n != 1 {
			t.Errorf("%d mails to %s, want 1", n, addr)
		}
	}
}
