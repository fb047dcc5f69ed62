// Package oidctest is a small OpenID Connect provider on a loopback port for
// tests: discovery, an authorization endpoint that approves the configured
// person at once, a token endpoint that checks the client, the redirect URI
// and the PKCE verifier, userinfo, and RS256-signed ID tokens from its JWKS.
// Only tests import it.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Person is whom the provider signs in next.
type Person struct {
	Subject           string
	Email             string
	EmailVerified     bool
	PreferredUsername string
	Name              string
	Groups            []string
}

// Provider is a running test provider.
type Provider struct {
	URL          string // the issuer
	ClientID     string
	ClientSecret string

	srv    *httptest.Server
	key    *rsa.PrivateKey
	forged *rsa.PrivateKey // signs tokens with the right key id but not the provider's key

	mu       sync.Mutex
	person   Person
	deny     bool
	swap     bool
	forge    bool
	tamper   func(claims map[string]any)
	codes    map[string]*grant
	tokens   map[string]Person
	requests []url.Values // the query of each authorization request
	refused  []string     // why each refused token request was refused
}

type grant struct {
	redirectURI, challenge, nonce string
	person                        Person
	used                          bool
}

// New starts a provider for one client; it stops when the test ends.
func New(t testing.TB, clientID, clientSecret string) *Provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{ClientID: clientID, ClientSecret: clientSecret, key: key, forged: forged,
		codes: map[string]*grant{}, tokens: map[string]Person{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /userinfo", p.userinfo)
	p.srv = httptest.NewServer(mux)
	p.URL = p.srv.URL
	t.Cleanup(p.srv.Close)
	return p
}

// SignIn sets whom the provider approves from now on.
func (p *Provider) SignIn(person Person) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.person = person
}

// Deny makes the person refuse consent: the browser returns with access_denied.
func (p *Provider) Deny(deny bool) { p.mu.Lock(); p.deny = deny; p.mu.Unlock() }

// SwapChallenge makes the provider bind each code to the challenge of another
// verifier, as if an attacker had started the sign-in: the client's own
// verifier must then be refused.
func (p *Provider) SwapChallenge(swap bool) { p.mu.Lock(); p.swap = swap; p.mu.Unlock() }

// ForgeSignature makes ID tokens carry a signature by a key not in the JWKS.
func (p *Provider) ForgeSignature(forge bool) { p.mu.Lock(); p.forge = forge; p.mu.Unlock() }

// TamperIDToken lets edit change the claims of each ID token before it is
// signed (nil: leave them).
func (p *Provider) TamperIDToken(edit func(claims map[string]any)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tamper = edit
}

// Stop shuts the provider down: the client finds it unreachable.
func (p *Provider) Stop() { p.srv.Close() }

// AuthorizeRequests returns the query of every authorization request so far.
func (p *Provider) AuthorizeRequests() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]url.Values(nil), p.requests...)
}

// Refused returns why each refused token request was refused.
func (p *Provider) Refused() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.refused...)
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.URL,
		"authorization_endpoint":                p.URL + "/authorize",
		"token_endpoint":                        p.URL + "/token",
		"userinfo_endpoint":                     p.URL + "/userinfo",
		"jwks_uri":                              p.URL + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests = append(p.requests, q)
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || q.Get("client_id") != p.ClientID || redirect.Scheme == "" {
		http.Error(w, "unknown client or redirect_uri", http.StatusBadRequest)
		return
	}
	back := redirect.Query()
	back.Set("state", q.Get("state"))
	switch {
	case p.deny:
		back.Set("error", "access_denied")
	case q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		back.Set("error", "invalid_request") // this provider insists on PKCE
	default:
		code := random()
		challenge := q.Get("code_challenge")
		if p.swap {
			challenge = s256(random())
		}
		p.codes[code] = &grant{redirectURI: q.Get("redirect_uri"), challenge: challenge, nonce: q.Get("nonce"), person: p.person}
		back.Set("code", code)
	}
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	refuse := func(status int, code, why string) {
		p.refused = append(p.refused, why)
		writeJSON(w, status, map[string]string{"error": code, "error_description": why})
	}
	if id != p.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.ClientSecret)) != 1 {
		refuse(http.StatusUnauthorized, "invalid_client", "wrong client credentials")
		return
	}
	g := p.codes[r.PostForm.Get("code")]
	switch {
	case r.PostForm.Get("grant_type") != "authorization_code":
		refuse(http.StatusBadRequest, "unsupported_grant_type", "not authorization_code")
		return
	case g == nil || g.used:
		refuse(http.StatusBadRequest, "invalid_grant", "unknown or used code")
		return
	case r.PostForm.Get("redirect_uri") != g.redirectURI:
		refuse(http.StatusBadRequest, "invalid_grant", "redirect_uri differs")
		return
	case r.PostForm.Get("code_verifier") == "":
		refuse(http.StatusBadRequest, "invalid_grant", "no code_verifier")
		return
	case s256(r.PostForm.Get("code_verifier")) != g.challenge:
		refuse(http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
		return
	}
	g.used = true
	idToken, err := p.idToken(g)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	access := random()
	p.tokens[access] = g.person
	writeJSON(w, http.StatusOK, map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": idToken})
}

func (p *Provider) idToken(g *grant) (string, error) {
	key := p.key
	if p.forge {
		key = p.forged
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	now := time.Now()
	c := claims(g.person, g.nonce)
	c["iss"], c["aud"], c["iat"], c["exp"] = p.URL, []string{p.ClientID}, now.Unix(), now.Add(5*time.Minute).Unix()
	if p.tamper != nil {
		p.tamper(c)
	}
	return jwt.Signed(signer).Claims(c).Serialize()
}

func claims(person Person, nonce string) map[string]any {
	c := map[string]any{"sub": person.Subject, "email": person.Email, "email_verified": person.EmailVerified,
		"preferred_username": person.PreferredUsername, "name": person.Name, "groups": person.Groups}
	if nonce != "" {
		c["nonce"] = nonce
	}
	return c
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
}

func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	person, ok := p.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	p.mu.Unlock()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, "invalid token", http.StatusUnauthorized)
		return
	}
	writeJSON(w, http.StatusOK, claims(person, ""))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
