package sso

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/markbates/goth"
	"github.com/markbates/goth/providers/github"
	"github.com/markbates/goth/providers/google"
	"github.com/markbates/goth/providers/openidConnect"
	"golang.org/x/oauth2"

	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/user"
)

// Errors of a sign-in at a provider, each with a message a person can act on;
// the provider's own words only go to the log.
var (
	ErrUnknown     = problem.New(http.StatusNotFound, "error.not_found", "sso: no such provider")
	ErrUnavailable = problem.New(http.StatusServiceUnavailable, "sso.unavailable", "sso: provider unavailable")
	ErrFailed      = problem.New(http.StatusBadRequest, "sso.failed", "sso: sign-in failed")
	ErrDenied      = problem.New(http.StatusForbidden, "sso.denied", "sso: access denied")
	ErrState       = problem.New(http.StatusBadRequest, "sso.state", "sso: state mismatch")
	ErrNoEmail     = problem.New(http.StatusBadRequest, "sso.no_email", "sso: no e-mail address")
)

// Names of the providers: the path segment of their URLs and identities.provider.
const (
	OIDC   = "oidc"
	GitHub = "github"
	Google = "google"
)

// Profile is who signed in at a provider.
type Profile struct {
	Provider      string    `json:"p"`
	Subject       string    `json:"s"`
	Email         string    `json:"e"`
	EmailVerified bool      `json:"v"`
	Handle        string    `json:"h"` // the provider's user name, a hint for the handle
	Name          string    `json:"n"`
	Role          user.Role `json:"r"` // the role the claims map to; empty for none
}

// Flow is what one sign-in must remember between sending the browser to the
// provider and its return: the state it comes back with, the PKCE verifier
// whose challenge the authorization URL carried, and the nonce the ID token
// must repeat.
type Flow struct {
	State    string `json:"s"`
	Verifier string `json:"v"`
	Nonce    string `json:"n"`
}

// Button is a configured provider as the sign-in page shows it.
type Button struct{ Name, Label string }

// Providers holds the configured providers.
type Providers struct {
	list   []*provider
	client *http.Client
	now    func() time.Time
}

// timeout bounds each request to a provider: a provider that hangs must not
// hold a sign-in, or a start-up, for long.
const timeout = 10 * time.Second

// New returns the providers cfg configures. The OpenID Connect provider is
// discovered on its first use, not here, so that a forum whose provider is
// down starts and serves, and signs in once the provider is back. client nil
// means one with a timeout.
func New(cfg config.Config, client *http.Client, now func() time.Time) *Providers {
	if client == nil {
		client = &http.Client{Timeout: timeout}
	}
	ps := &Providers{client: client, now: now}
	callback := func(name string) string { return cfg.BaseURL + "/auth/" + name + "/callback" }
	if cfg.OIDCIssuer != "" {
		ps.list = append(ps.list, &provider{name: OIDC, label: cfg.OIDCName, client: client, now: now,
			issuer: strings.TrimRight(cfg.OIDCIssuer, "/"), roleClaim: cfg.OIDCRoleClaim, roles: cfg.OIDCRoles,
			oauth: oauth2.Config{ClientID: cfg.OIDCClientID, ClientSecret: cfg.OIDCClientSecret, RedirectURL: callback(OIDC),
				Scopes: []string{"openid", "profile", "email"}}})
	}
	if cfg.GitHubClientID != "" {
		g := github.New(cfg.GitHubClientID, cfg.GitHubClientSecret, callback(GitHub), "read:user", "user:email")
		g.HTTPClient = client
		ps.list = append(ps.list, &provider{name: GitHub, label: "GitHub", client: client, now: now, goth: g,
			oauth: oauth2.Config{ClientID: cfg.GitHubClientID, ClientSecret: cfg.GitHubClientSecret, RedirectURL: callback(GitHub),
				Endpoint: oauth2.Endpoint{AuthURL: github.AuthURL, TokenURL: github.TokenURL}, Scopes: []string{"read:user", "user:email"}}})
	}
	if cfg.GoogleClientID != "" {
		g := google.New(cfg.GoogleClientID, cfg.GoogleClientSecret, callback(Google), "openid", "email", "profile")
		g.HTTPClient = client
		ps.list = append(ps.list, &provider{name: Google, label: "Google", client: client, now: now, goth: g,
			oauth: oauth2.Config{ClientID: cfg.GoogleClientID, ClientSecret: cfg.GoogleClientSecret, RedirectURL: callback(Google),
				Endpoint: google.Endpoint, Scopes: []string{"openid", "email", "profile"}}})
	}
	return ps
}

// Buttons lists the configured providers in a fixed order.
func (ps *Providers) Buttons() []Button {
	out := make([]Button, 0, len(ps.list))
	for _, p := range ps.list {
		out = append(out, Button{Name: p.name, Label: p.label})
	}
	return out
}

// Label returns the button label of the provider name, or name itself.
func (ps *Providers) Label(name string) string {
	if p, ok := ps.get(name); ok {
		return p.label
	}
	return name
}

func (ps *Providers) get(name string) (*provider, bool) {
	i := slices.IndexFunc(ps.list, func(p *provider) bool { return p.name == name })
	if i < 0 {
		return nil, false
	}
	return ps.list[i], true
}

// Begin starts a sign-in at the provider name: the URL to send the browser to
// and the Flow to keep until it comes back.
func (ps *Providers) Begin(ctx context.Context, name string) (string, Flow, error) {
	p, ok := ps.get(name)
	if !ok {
		return "", Flow{}, ErrUnknown
	}
	if err := p.ready(ctx); err != nil {
		return "", Flow{}, err
	}
	f := Flow{State: oauth2.GenerateVerifier(), Verifier: oauth2.GenerateVerifier(), Nonce: oauth2.GenerateVerifier()}
	sess, err := p.goth.BeginAuth(f.State)
	if err != nil {
		return "", Flow{}, fmt.Errorf("sso: %s: begin: %w", name, err)
	}
	raw, err := sess.GetAuthURL()
	if err != nil {
		return "", Flow{}, fmt.Errorf("sso: %s: begin: %w", name, err)
	}
	// goth's BeginAuth takes only the state: SetAuthCodeOptions is one list
	// for all requests of a provider, no place for a challenge per sign-in.
	u, err := url.Parse(raw)
	if err != nil {
		return "", Flow{}, fmt.Errorf("sso: %s: begin: %w", name, err)
	}
	q := u.Query()
	q.Set("code_challenge", oauth2.S256ChallengeFromVerifier(f.Verifier))
	q.Set("code_challenge_method", "S256")
	if p.name == OIDC {
		q.Set("nonce", f.Nonce)
	}
	u.RawQuery = q.Encode()
	return u.String(), f, nil
}

// Complete redeems the code the browser came back with (callback holds its
// query: code, state, or error) for the Profile of who signed in.
func (ps *Providers) Complete(ctx context.Context, name string, f Flow, callback url.Values) (Profile, error) {
	p, ok := ps.get(name)
	if !ok {
		return Profile{}, ErrUnknown
	}
	switch e := callback.Get("error"); {
	case e == "access_denied":
		return Profile{}, ErrDenied
	case e != "":
		return Profile{}, fmt.Errorf("sso: %s answered %q: %w", name, e, ErrFailed)
	case f.State == "" || callback.Get("state") != f.State:
		return Profile{}, ErrState
	case callback.Get("code") == "":
		return Profile{}, fmt.Errorf("sso: %s: no code: %w", name, ErrFailed)
	}
	if err := p.ready(ctx); err != nil {
		return Profile{}, err
	}
	// The exchange is ours, not goth's Session.Authorize: goth's GitHub and
	// Google sessions drop the code_verifier, and none of them takes the
	// request's context.
	tok, err := p.oauth.Exchange(context.WithValue(ctx, oauth2.HTTPClient, p.client), callback.Get("code"), oauth2.VerifierOption(f.Verifier))
	if err != nil {
		if _, refused := errors.AsType[*oauth2.RetrieveError](err); refused {
			return Profile{}, fmt.Errorf("sso: %s: token: %v: %w", name, err, ErrFailed)
		}
		return Profile{}, fmt.Errorf("sso: %s: token: %v: %w", name, err, ErrUnavailable)
	}
	idToken, _ := tok.Extra("id_token").(string)
	if p.name == OIDC {
		if err := p.verifyIDToken(ctx, idToken, f.Nonce); err != nil {
			return Profile{}, fmt.Errorf("sso: %s: id token: %v: %w", name, err, ErrFailed)
		}
	}
	sessJSON, _ := json.Marshal(map[string]any{"AccessToken": tok.AccessToken, "RefreshToken": tok.RefreshToken, "ExpiresAt": tok.Expiry, "IDToken": idToken})
	sess, err := p.goth.UnmarshalSession(string(sessJSON))
	if err != nil {
		return Profile{}, fmt.Errorf("sso: %s: session: %w", name, err)
	}
	gu, err := p.goth.FetchUser(sess)
	if err != nil {
		return Profile{}, fmt.Errorf("sso: %s: user: %v: %w", name, err, ErrUnavailable)
	}
	return p.profile(gu)
}

// profile makes a Profile from what goth fetched.
func (p *provider) profile(gu goth.User) (Profile, error) {
	pr := Profile{Provider: p.name, Subject: gu.UserID, Email: strings.ToLower(strings.TrimSpace(gu.Email)), Name: gu.Name, Handle: gu.NickName}
	if pr.Subject == "" {
		return Profile{}, fmt.Errorf("sso: %s: no subject: %w", p.name, ErrFailed)
	}
	if pr.Email == "" {
		return Profile{}, ErrNoEmail
	}
	switch p.name {
	case OIDC:
		pr.EmailVerified = truthy(gu.RawData["email_verified"])
		if h, ok := gu.RawData["preferred_username"].(string); ok && h != "" {
			pr.Handle = h
		}
		pr.Role = p.mappedRole(gu.RawData[p.roleClaim])
	case Google:
		pr.EmailVerified = truthy(gu.RawData["verified_email"]) || truthy(gu.RawData["email_verified"])
		pr.Handle = ""
	case GitHub:
		// GitHub shows only a verified address as the profile's, and goth
		// takes from the address list only the primary, verified one.
		pr.EmailVerified = true
	}
	return pr, nil
}

// mappedRole is the highest role the claim's values map to.
func (p *provider) mappedRole(claim any) user.Role {
	if p.roleClaim == "" || len(p.roles) == 0 {
		return ""
	}
	var values []string
	switch v := claim.(type) {
	case string:
		values = strings.Fields(v)
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				values = append(values, s)
			}
		}
	}
	var best user.Role
	for _, v := range values {
		if r := user.Role(p.roles[v]); r.Valid() && (best == "" || !best.AtLeast(r)) {
			best = r
		}
	}
	return best
}

func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string: // some providers send "true"
		return v == "true"
	}
	return false
}

// provider is one configured provider.
type provider struct {
	name, label string
	client      *http.Client
	now         func() time.Time
	oauth       oauth2.Config

	// OpenID Connect: discovered on first use (ready).
	issuer      string
	tokenIssuer string // as the metadata spells it, which ID tokens must repeat
	roleClaim   string
	roles       config.RoleMap

	mu     sync.Mutex
	goth   goth.Provider
	keys   *keySet
	failed time.Time // when discovery last failed
}

// retryDiscovery is how long after a failed discovery sign-ins are answered
// "unavailable" at once: each try may wait the whole timeout, and sign-ins
// would queue behind it.
const retryDiscovery = 15 * time.Second

// ready discovers an OpenID Connect provider the first time it is needed,
// and again after a failed try; GitHub and Google are always ready.
func (p *provider) ready(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.goth != nil {
		return nil
	}
	if since := p.now().Sub(p.failed); since >= 0 && since < retryDiscovery {
		return fmt.Errorf("sso: discover %s: failed %s ago: %w", p.issuer, since.Round(time.Second), ErrUnavailable)
	}
	d, err := discover(ctx, p.client, p.issuer)
	if err != nil {
		p.failed = p.now()
		return fmt.Errorf("sso: discover %s: %v: %w", p.issuer, err, ErrUnavailable)
	}
	g, err := openidConnect.NewCustomisedURL(p.oauth.ClientID, p.oauth.ClientSecret, p.oauth.RedirectURL,
		d.AuthEndpoint, d.TokenEndpoint, d.Issuer, d.UserInfoEndpoint, "", p.oauth.Scopes...)
	if err != nil {
		return fmt.Errorf("sso: %s: %w", p.issuer, err)
	}
	g.HTTPClient = p.client
	g.SetName(OIDC)
	p.oauth.Endpoint = oauth2.Endpoint{AuthURL: d.AuthEndpoint, TokenURL: d.TokenEndpoint}
	p.keys = &keySet{url: d.JWKSURI, client: p.client}
	p.tokenIssuer = d.Issuer
	p.goth = g
	return nil
}

// discovery is what Schwarm reads of an OpenID Provider's metadata.
type discovery struct {
	Issuer           string `json:"issuer"`
	AuthEndpoint     string `json:"authorization_endpoint"`
	TokenEndpoint    string `json:"token_endpoint"`
	UserInfoEndpoint string `json:"userinfo_endpoint"`
	JWKSURI          string `json:"jwks_uri"`
}

// discover fetches the provider's metadata. Its issuer must be the one
// configured, as OpenID Connect Discovery 1.0 §4.3 asks: the ID tokens are
// checked against it.
func discover(ctx context.Context, client *http.Client, issuer string) (discovery, error) {
	var d discovery
	if err := getJSON(ctx, client, issuer+"/.well-known/openid-configuration", &d); err != nil {
		return d, err
	}
	if strings.TrimRight(d.Issuer, "/") != issuer {
		return d, fmt.Errorf("issuer %q in the metadata is not %q", d.Issuer, issuer)
	}
	if d.AuthEndpoint == "" || d.TokenEndpoint == "" || d.JWKSURI == "" {
		return d, errors.New("metadata lacks authorization_endpoint, token_endpoint or jwks_uri")
	}
	return d, nil
}

func getJSON(ctx context.Context, client *http.Client, u string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(into) // metadata and key sets are small
}
