package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/schwarm/schwarm/app/auth/oidctest"
)

const (
	ssoButton       = `.sso a[href^="/auth/oidc"]`
	ssoSignupSubmit = `form[action="/signup/sso"] button[type=submit]`
)

// TestBrowserSingleSignOn signs in through the test OpenID Connect provider in
// Chromium: a new member clicks the button on the sign-in page, comes back
// from the provider to the handle page, picks a handle and is signed in; then
// a member whose group claim makes them an agent does the same and their
// settings show the role.
func TestBrowserSingleSignOn(t *testing.T) {
	ctx := newBrowser(t) // first: it may skip, see newBrowser
	srv, idp := newSSOServer(t, nil)
	b := &tab{t: t, ctx: ctx, base: srv.URL}

	idp.SignIn(oidctest.Person{Subject: "kim-1", Email: "kim@example.com", EmailVerified: true, PreferredUsername: "kim.b", Name: "Kim Berg"})
	b.open("/login")
	b.wantText("provider button", ssoButton, "Continue with Company account")
	b.navigate("sign in at the provider", "/signup/sso", chromedp.Click(chromedp.CSS(ssoButton)))
	b.wantLang("en", "Choose your handle")
	if got := b.eval(`document.getElementById('handle').value`); got != "kim.b" {
		t.Errorf("proposed handle = %q, want kim.b", got)
	}
	b.eval(`document.getElementById('handle').value = ''`) // as a person deletes the proposal
	b.do("pick a handle", chromedp.SendKeys(chromedp.ID("handle"), "kim_berg"))
	b.navigate("create the account", "/", chromedp.Click(chromedp.CSS(ssoSignupSubmit)))
	b.wantNotice("Welcome to the community!")
	b.wantSignedIn("kim_berg", "Kim Berg", "Sign out")
	b.navigate("sign out", "/", openMenu, chromedp.Click(chromedp.CSS(logoutButton)))

	idp.SignIn(oidctest.Person{Subject: "sam-2", Email: "sam.support@example.com", EmailVerified: true, PreferredUsername: "sam.support",
		Name: "Sam Support", Groups: []string{"support-agents"}})
	b.open("/login")
	b.navigate("sign in as an agent", "/signup/sso", chromedp.Click(chromedp.CSS(ssoButton)))
	b.navigate("create the agent's account", "/", chromedp.Click(chromedp.CSS(ssoSignupSubmit)))
	b.wantSignedIn("sam.support", "Sam Support", "Sign out")
	b.open("/settings/profile")
	role := b.eval(`(() => { const dt = [...document.querySelectorAll('dl.facts dt')].find(d => d.textContent === 'Role'); return dt ? dt.nextElementSibling.textContent : ''; })()`)
	if role != "Official" {
		t.Errorf("role on the settings page = %q, want Official (agent)", role)
	}
	b.wantText("connected account", ".connections li span", "Company account: connected (sam.support@example.com)")
}
