package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/auth/oidctest"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/user"
)

// newSSOServer starts the forum with the test OpenID Connect provider
// configured, groups mapped to roles.
func newSSOServer(t *testing.T, edit func(*config.Config)) (*apptest.Server, *oidctest.Provider) {
	t.Helper()
	idp := oidctest.New(t, "schwarm-forum", "client-secret")
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) {
		c.OIDCIssuer, c.OIDCClientID, c.OIDCClientSecret = idp.URL, idp.ClientID, idp.ClientSecret
		c.OIDCRoleClaim = "groups"
		c.OIDCRoles = config.RoleMap{"support-agents": "agent", "community-mods": "moderator"}
		if edit != nil {
			edit(c)
		}
	}})
	return srv, idp
}

func signedInAs(t *testing.T, r *apptest.Response, handle string) {
	t.Helper()
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `action="/logout"`) || !strings.Contains(r.Body, `href="/u/`+handle+`"`) {
		t.Fatalf("%s %s: status %d, not signed in as %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, handle)
	}
}

func identities(t *testing.T, srv *apptest.Server, userID int64) []user.Identity {
	t.Helper()
	ids, err := srv.App.Users.Identities(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func verifyEmail(t *testing.T, srv *apptest.Server, u *user.User) {
	t.Helper()
	if err := srv.App.DB.Writer(context.Background()).Exec("UPDATE users SET email_verified_at = ? WHERE id = ?", srv.App.Now(), u.ID).Error; err != nil {
		t.Fatal(err)
	}
}

func TestSSONewMember(t *testing.T) {
	srv, idp := newSSOServer(t, nil)
	idp.SignIn(oidctest.Person{Subject: "u-100", Email: "Nora@Example.com", EmailVerified: true, PreferredUsername: "mara", Name: "Nora Kühn"})
	c := srv.Client(t)
	mustContain(t, c.Get("/login"), `href="/auth/oidc?next=%2f"`, "Continue with Company account", `action="/login"`)

	r := c.Get("/auth/oidc?next=/leaderboard")
	if r.StatusCode != http.StatusOK || r.Request.URL.Path != "/signup/sso" {
		t.Fatalf("after the provider: %d at %s, want the handle page", r.StatusCode, r.Request.URL.Path)
	}
	// mara is a fixture's: the proposal is free and editable.
	mustContain(t, r, `name="handle" value="mara2"`, `value="Nora Kühn"`, "nora@example.com", "Company account")
	q := idp.AuthorizeRequests()[0]
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || q.Get("nonce") == "" || len(q.Get("state")) < 32 {
		t.Errorf("authorization request %v: want PKCE S256, a nonce and a random state", q)
	}

	c.Language = "de"
	mustContain(t, c.Get("/signup/sso"), "Benutzernamen wählen", "zum ersten Mal mit Company account")
	c.Language = ""
	r = c.Post("/signup/sso", form("handle", "x", "display_name", "Nora"))
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an invalid handle: %d, want 422", r.StatusCode)
	}
	r = c.Post("/signup/sso", form("handle", "nora_k", "display_name", "Nora K."))
	signedInAs(t, r, "nora_k")
	if r.Request.URL.Path != "/leaderboard" {
		t.Errorf("signed up at %s, want the page the sign-in started from", r.Request.URL.Path)
	}
	u, err := srv.App.Users.GetByHandle(context.Background(), "nora_k")
	if err != nil {
		t.Fatal(err)
	}
	if u.PasswordHash != "" || u.EmailVerifiedAt == nil || u.Email != "nora@example.com" || u.DisplayName != "Nora K." || u.Role != user.RoleMember {
		t.Errorf("new member = %+v: want no password, the provider's verified address, member", u)
	}
	if ids := identities(t, srv, u.ID); len(ids) != 1 || ids[0].Provider != "oidc" || ids[0].Subject != "u-100" {
		t.Errorf("identities = %+v", ids)
	}

	// The second time the provider signs the member in at once; the handle
	// page's cookie was used up.
	c.Post("/logout", url.Values{})
	if r := c.Get("/signup/sso"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("the handle page after signing up: %d, want 400", r.StatusCode)
	}
	signedInAs(t, c.Get("/auth/oidc"), "nora_k")

	// No password signs an account without one in, not even an empty one.
	other := srv.Client(t)
	other.Get("/login")
	if r := other.Post("/login", form("login", "nora_k", "password", "")); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("password sign-in of an SSO-only member: %d, want 401", r.StatusCode)
	}
}

func TestSSOLinksOnlyVerifiedEmail(t *testing.T) {
	srv, idp := newSSOServer(t, nil)
	fx := srv.Fixtures
	verifyEmail(t, srv, fx.Other) // otto's address is verified, mara's is not
	if err := srv.App.DB.Writer(context.Background()).Exec("UPDATE users SET email_verified_at = NULL WHERE id = ?", fx.Member.ID).Error; err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		person   oidctest.Person
		wantUser *user.User // nil: refused, nothing linked
	}{
		{"provider unverified", oidctest.Person{Subject: "s-1", Email: fx.Other.Email, EmailVerified: false}, nil},
		{"account unverified", oidctest.Person{Subject: "s-2", Email: fx.Member.Email, EmailVerified: true}, nil},
		{"both verified", oidctest.Person{Subject: "s-3", Email: strings.ToUpper(fx.Other.Email), EmailVerified: true}, fx.Other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idp.SignIn(tt.person)
			r := srv.Client(t).Get("/auth/oidc")
			if tt.wantUser == nil {
				if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "Connected accounts") || strings.Contains(r.Body, `action="/logout"`) {
					t.Errorf("status %d, want 409 with what to do instead, not signed in", r.StatusCode)
				}
				for _, u := range []*user.User{fx.Member, fx.Other} {
					for _, id := range identities(t, srv, u.ID) {
						if id.Subject == tt.person.Subject {
							t.Errorf("%s got the identity %s", u.Handle, id.Subject)
						}
					}
				}
				return
			}
			signedInAs(t, r, tt.wantUser.Handle)
			if ids := identities(t, srv, tt.wantUser.ID); len(ids) != 1 || ids[0].Subject != tt.person.Subject {
				t.Errorf("identities of %s = %+v", tt.wantUser.Handle, ids)
			}
		})
	}
}

func TestSSORoleFromGroupClaim(t *testing.T) {
	srv, idp := newSSOServer(t, nil)
	ctx := context.Background()
	idp.SignIn(oidctest.Person{Subject: "agent-1", Email: "ana@example.com", EmailVerified: true, PreferredUsername: "ana", Groups: []string{"staff", "support-agents"}})
	c := srv.Client(t)
	c.Get("/auth/oidc")
	signedInAs(t, c.Post("/signup/sso", form("handle", "ana", "display_name", "Ana")), "ana")
	ana, _ := srv.App.Users.GetByHandle(ctx, "ana")
	if ana.Role != user.RoleAgent {
		t.Errorf("role of a new member in support-agents = %s, want agent", ana.Role)
	}

	// A later sign-in raises to what the groups then say, and only raises.
	idp.SignIn(oidctest.Person{Subject: "agent-1", Email: "ana@example.com", EmailVerified: true, Groups: []string{"community-mods"}})
	signedInAs(t, srv.Client(t).Get("/auth/oidc"), "ana")
	idp.SignIn(oidctest.Person{Subject: "agent-1", Email: "ana@example.com", EmailVerified: true})
	signedInAs(t, srv.Client(t).Get("/auth/oidc"), "ana")
	if ana, _ = srv.App.Users.GetByHandle(ctx, "ana"); ana.Role != user.RoleModerator {
		t.Errorf("role after community-mods, then no group = %s, want moderator", ana.Role)
	}

	// An admin stays an admin whatever the groups.
	verifyEmail(t, srv, srv.Fixtures.Admin)
	idp.SignIn(oidctest.Person{Subject: "admin-1", Email: srv.Fixtures.Admin.Email, EmailVerified: true, Groups: []string{"community-mods"}})
	signedInAs(t, srv.Client(t).Get("/auth/oidc"), "root_admin")
	if a, _ := srv.App.Users.Get(ctx, srv.Fixtures.Admin.ID); a.Role != user.RoleAdmin {
		t.Errorf("admin's role = %s", a.Role)
	}

	page, err := srv.App.Audit.List(ctx, audit.Filter{MemberID: ana.ID, Action: audit.ChangeRole}, 50)
	if err != nil {
		t.Fatal(err)
	}
	var changes []string
	for _, e := range page.Entries {
		if e.ActorID == ana.ID {
			changes = append(changes, e.Before+">"+e.After)
		}
	}
	slices.Sort(changes)
	if want := []string{"agent>moderator", "member>agent"}; !slices.Equal(changes, want) {
		t.Errorf("role changes in the audit log = %v, want %v", changes, want)
	}
}

func TestSSOFailuresShowAPage(t *testing.T) {
	srv, idp := newSSOServer(t, nil)
	idp.SignIn(oidctest.Person{Subject: "u-1", Email: "eve@example.com", EmailVerified: true})
	fails := func(t *testing.T, c *apptest.Client, path string, status int, want string) {
		t.Helper()
		r := c.Get(path)
		if r.StatusCode != status || !strings.Contains(r.Body, want) || strings.Contains(r.Body, `action="/logout"`) {
			t.Errorf("GET %s: %d, want %d with %q, not signed in", path, r.StatusCode, status, want)
		}
		mustNotContain(t, r, "goroutine", "oauth2:", "invalid_grant", "status.", "sso.") // no internals, no untranslated keys
	}

	t.Run("state mismatch", func(t *testing.T) {
		c := srv.Client(t).NoRedirects()
		r := c.Get("/auth/oidc")
		to, err := url.Parse(r.Header.Get("Location"))
		if r.StatusCode != http.StatusSeeOther || err != nil || !strings.HasPrefix(to.String(), idp.URL+"/authorize?") {
			t.Fatalf("start: %d to %q", r.StatusCode, r.Header.Get("Location"))
		}
		fails(t, c, "/auth/oidc/callback?code=abc&state=someone-elses", http.StatusBadRequest, "started in another browser")
		// The flow was used up by the failed return: the right state is late now too.
		fails(t, c, "/auth/oidc/callback?code=abc&state="+url.QueryEscape(to.Query().Get("state")), http.StatusBadRequest, "started in another browser")
		de := srv.Client(t)
		de.Language = "de"
		fails(t, de, "/auth/oidc/callback?code=abc&state=x", http.StatusBadRequest, "in einem anderen Browser")
	})
	t.Run("PKCE verifier of another sign-in", func(t *testing.T) {
		idp.SwapChallenge(true)
		defer idp.SwapChallenge(false)
		fails(t, srv.Client(t), "/auth/oidc", http.StatusBadRequest, "did not work")
		if got := idp.Refused(); len(got) == 0 || got[len(got)-1] != "code_verifier does not match the code_challenge" {
			t.Errorf("provider refused: %v", got)
		}
	})
	t.Run("forged ID token", func(t *testing.T) {
		idp.ForgeSignature(true)
		defer idp.ForgeSignature(false)
		fails(t, srv.Client(t), "/auth/oidc", http.StatusBadRequest, "did not work")
	})
	for name, edit := range map[string]func(map[string]any){
		"ID token for another client":  func(c map[string]any) { c["aud"] = []string{"another-client"} },
		"ID token from another issuer": func(c map[string]any) { c["iss"] = "https://evil.example.com" },
		"expired ID token":             func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() },
		"ID token of another sign-in":  func(c map[string]any) { c["nonce"] = "replayed" },
		"ID token without exp":         func(c map[string]any) { delete(c, "exp") },
	} {
		t.Run(name, func(t *testing.T) {
			idp.TamperIDToken(edit)
			defer idp.TamperIDToken(nil)
			fails(t, srv.Client(t), "/auth/oidc", http.StatusBadRequest, "did not work")
		})
	}
	t.Run("consent denied", func(t *testing.T) {
		idp.Deny(true)
		defer idp.Deny(false)
		fails(t, srv.Client(t), "/auth/oidc", http.StatusForbidden, "cancelled at the provider")
	})
	t.Run("unknown provider", func(t *testing.T) {
		fails(t, srv.Client(t), "/auth/github", http.StatusNotFound, "")
	})
}

// TestPKCEVerifierRequired asks the test provider itself: a code is redeemed
// only with the verifier of its challenge, so the passing sign-ins above
// prove that Schwarm sends it.
func TestPKCEVerifierRequired(t *testing.T) {
	idp := oidctest.New(t, "client", "secret")
	idp.SignIn(oidctest.Person{Subject: "u-1", Email: "x@example.com"})
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	code := func() string {
		q := url.Values{"client_id": {"client"}, "redirect_uri": {"http://127.0.0.1:1/cb"}, "response_type": {"code"}, "state": {"s"},
			"code_challenge_method": {"S256"}, "code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}} // RFC 7636's example
		resp, err := noFollow.Get(idp.URL + "/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		return loc.Query().Get("code")
	}
	for _, tt := range []struct {
		verifier string
		want     int
	}{
		{"", http.StatusBadRequest},
		{"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj", http.StatusBadRequest}, // one letter off
		{"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", http.StatusOK},
	} {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code()}, "redirect_uri": {"http://127.0.0.1:1/cb"},
			"client_id": {"client"}, "client_secret": {"secret"}}
		if tt.verifier != "" {
			form.Set("code_verifier", tt.verifier)
		}
		resp, err := http.PostForm(idp.URL+"/token", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("token with verifier %q: %d, want %d", tt.verifier, resp.StatusCode, tt.want)
		}
	}
}

func TestSSOProviderDown(t *testing.T) {
	srv, idp := newSSOServer(t, nil)
	idp.Stop()
	for i := range 2 { // the second at once, without waiting for the provider again
		r := srv.Client(t).Get("/auth/oidc")
		if r.StatusCode != http.StatusServiceUnavailable || !strings.Contains(r.Body, "cannot be reached right now") || !strings.Contains(r.Body, "Temporarily unavailable") {
			t.Errorf("provider down, try %d: %d, want 503 with a message", i+1, r.StatusCode)
		}
	}
	mustContain(t, srv.Client(t).Get("/login"), "Continue with Company account") // the forum serves on
}

func TestSSOConnectAndUnlink(t *testing.T) {
	srv, idp := newSSOServer(t, nil)
	fx := srv.Fixtures

	// mara connects the provider from her settings while signed in, though
	// her address is not verified.
	idp.SignIn(oidctest.Person{Subject: "m-1", Email: "mara.work@example.com", EmailVerified: true})
	mara := srv.Client(t)
	mara.Login("mara", apptest.Password)
	r := mara.Get("/settings/connections/oidc")
	mustContain(t, r, "Connected accounts", "has been connected", "mara.work@example.com", `action="/settings/connections/oidc/remove"`)
	if ids := identities(t, srv, fx.Member.ID); len(ids) != 1 || ids[0].Subject != "m-1" {
		t.Fatalf("mara's identities = %+v", ids)
	}
	// otto cannot take the same identity.
	otto := srv.Client(t)
	otto.Login("otto", apptest.Password)
	if r := otto.Get("/settings/connections/oidc"); r.StatusCode != http.StatusConflict {
		t.Errorf("connecting mara's identity as otto: %d, want 409", r.StatusCode)
	}
	// mara has a password: she may disconnect.
	mara.Get("/settings/profile")
	mustContain(t, mara.Post("/settings/connections/oidc/remove", url.Values{}), "has been disconnected", "Connect Company account")

	// A member who only signs in through the provider may not.
	idp.SignIn(oidctest.Person{Subject: "n-1", Email: "new@example.com", EmailVerified: true, PreferredUsername: "newbie"})
	n := srv.Client(t)
	n.Get("/auth/oidc")
	signedInAs(t, n.Post("/signup/sso", form("handle", "newbie")), "newbie")
	n.Get("/settings/profile")
	r = n.Post("/settings/connections/oidc/remove", url.Values{})
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "your only way to sign in") {
		t.Errorf("removing the only way in: %d, want 409 with the reason", r.StatusCode)
	}
	newbie, _ := srv.App.Users.GetByHandle(context.Background(), "newbie")
	if len(identities(t, srv, newbie.ID)) != 1 {
		t.Error("the only identity was removed")
	}
}

func TestPasswordLoginOff(t *testing.T) {
	srv, idp := newSSOServer(t, func(c *config.Config) { c.PasswordLogin = "off" })
	c := srv.Client(t)
	r := c.Get("/login")
	mustContain(t, r, "Continue with Company account")
	mustNotContain(t, r, `action="/login"`, `name="password"`)
	mustNotContain(t, c.Get("/signup"), `action="/signup"`, `name="password"`)

	// A guest's page has no form token now; a member's has, and the password
	// is refused all the same.
	idp.SignIn(oidctest.Person{Subject: "u-1", Email: "lee@example.com", EmailVerified: true, PreferredUsername: "lee"})
	c.Get("/auth/oidc")
	signedInAs(t, c.Post("/signup/sso", form("handle", "lee")), "lee")
	r = c.Post("/login", form("login", "mara", "password", apptest.Password))
	if r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "switched off") || strings.Contains(r.Body, `href="/u/mara"`) {
		t.Errorf("password sign-in while off: %d, want 403 and not signed in as mara", r.StatusCode)
	}
	c.Get("/")
	r = c.Post("/signup", form("handle", "pat", "email", "pat@example.com", "password", "longenough"))
	if r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "switched off") {
		t.Errorf("password sign-up while off: %d, want 403", r.StatusCode)
	}
	if _, err := srv.App.Users.GetByHandle(context.Background(), "pat"); err == nil {
		t.Error("an account was created")
	}
	if _, _, err := srv.App.Auth.SignIn(context.Background(), "mara", apptest.Password, auth.Client{IP: "192.0.2.1"}); !errors.Is(err, auth.ErrPasswordOff) {
		t.Errorf("SignIn while off: %v, want ErrPasswordOff", err)
	}
}

func TestSSOCallbackRateLimited(t *testing.T) {
	srv, idp := newSSOServer(t, func(c *config.Config) { c.LoginAddressRate = config.Rate{N: 2, Window: time.Hour} })
	verifyEmail(t, srv, srv.Fixtures.Other)
	idp.SignIn(oidctest.Person{Subject: "o-1", Email: srv.Fixtures.Other.Email, EmailVerified: true})
	for range 2 {
		signedInAs(t, srv.Client(t).Get("/auth/oidc"), "otto")
	}
	r := srv.Client(t).Get("/auth/oidc")
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("third sign-in from one address: %d, want 429 with Retry-After", r.StatusCode)
	}
}

// TestSSODeleteAccountWithoutPassword: a member without a password confirms
// at the provider, not with a password, before deleting their account; the
// provider signs the deleted account in no more.
func TestSSODeleteAccountWithoutPassword(t *testing.T) {
	srv, idp := newSSOServer(t, nil)
	idp.SignIn(oidctest.Person{Subject: "d-1", Email: "dana@example.com", EmailVerified: true, PreferredUsername: "dana"})
	c := srv.Client(t)
	c.Get("/auth/oidc")
	signedInAs(t, c.Post("/signup/sso", form("handle", "dana")), "dana")
	r := c.Get("/settings/profile")
	mustContain(t, r, `href="/settings/connections/oidc/confirm"`)
	mustNotContain(t, r, `id="delete-password"`)
	mustContain(t, c.Post("/settings/delete", form("confirm", "yes")), "confirm who you are by signing in again")

	// Another account at the provider does not confirm dana.
	idp.SignIn(oidctest.Person{Subject: "d-2", Email: "eve@example.com", EmailVerified: true})
	if r := c.Get("/settings/connections/oidc/confirm"); r.StatusCode != http.StatusForbidden {
		t.Errorf("confirming with someone else's account: %d, want 403", r.StatusCode)
	}
	idp.SignIn(oidctest.Person{Subject: "d-1", Email: "dana@example.com", EmailVerified: true, PreferredUsername: "dana"})
	mustContain(t, c.Get("/settings/connections/oidc/confirm"), "You confirmed who you are")
	r = c.Post("/settings/delete", form("confirm", "yes"))
	mustContain(t, r, "Your account has been deleted.")
	if r := c.Get("/auth/oidc"); r.Request.URL.Path != "/signup/sso" {
		t.Errorf("the provider's account after the deletion: at %s, want the handle page of a new member", r.Request.URL.Path)
	}
}

// TestSSOButtonsOnlyForConfiguredProviders also sends the browser to GitHub
// and Google (without following): their authorization URLs carry the
// challenge and the callback URL under SCHWARM_BASE_URL.
func TestSSOButtonsOnlyForConfiguredProviders(t *testing.T) {
	plain := apptest.NewServer(t, apptest.ServerOptions{})
	mustNotContain(t, plain.Client(t).Get("/login"), `href="/auth/`)

	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) {
		c.GitHubClientID, c.GitHubClientSecret = "gh-id", "gh-secret"
		c.GoogleClientID, c.GoogleClientSecret = "g-id", "g-secret"
	}})
	c := srv.Client(t).NoRedirects()
	r := c.Get("/signup")
	mustContain(t, r, "Continue with GitHub", "Continue with Google")
	mustNotContain(t, r, "/auth/oidc")
	for name, want := range map[string]string{"github": "https://github.com/login/oauth/authorize?", "google": "https://accounts.google.com/o/oauth2/auth?"} {
		r := c.Get("/auth/" + name)
		to, err := url.Parse(r.Header.Get("Location"))
		if r.StatusCode != http.StatusSeeOther || err != nil || !strings.HasPrefix(to.String(), want) {
			t.Errorf("GET /auth/%s: %d to %q, want %s…", name, r.StatusCode, r.Header.Get("Location"), want)
			continue
		}
		q := to.Query()
		if q.Get("redirect_uri") != srv.URL+"/auth/"+name+"/callback" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "" {
			t.Errorf("%s authorization URL %s: want the callback, PKCE and a state", name, to)
		}
	}
}
