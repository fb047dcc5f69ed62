package sso

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// idTokenAlgorithms are the signatures an ID token may carry; none, and the
// HMAC ones keyed with the client secret, are not among them.
var idTokenAlgorithms = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.ES256, jose.ES384}

// leeway is the clock difference to the provider that exp and iat may show.
const leeway = time.Minute

// verifyIDToken checks an ID token as OpenID Connect Core §3.1.3.7 asks:
// signed by a key of the provider's JWKS, issued by the provider for this
// client, not expired, and carrying the nonce of this sign-in. goth only
// decodes the token, so this is the check.
func (p *provider) verifyIDToken(ctx context.Context, raw, nonce string) error {
	if raw == "" {
		return errors.New("the token response has no id_token")
	}
	tok, err := jwt.ParseSigned(raw, idTokenAlgorithms)
	if err != nil {
		return err
	}
	if len(tok.Headers) != 1 {
		return errors.New("not one signature")
	}
	key, err := p.keys.key(ctx, tok.Headers[0].KeyID)
	if err != nil {
		return err
	}
	var std jwt.Claims
	var extra struct {
		Nonce string `json:"nonce"`
	}
	if err := tok.Claims(key, &std, &extra); err != nil {
		return err
	}
	if std.Expiry == nil {
		return errors.New("no exp")
	}
	err = std.ValidateWithLeeway(jwt.Expected{Issuer: p.tokenIssuer, AnyAudience: jwt.Audience{p.oauth.ClientID}, Time: p.now()}, leeway)
	if err != nil {
		return err
	}
	if extra.Nonce != nonce {
		return errors.New("nonce is not this sign-in's")
	}
	return nil
}

// keySet is a provider's JWKS, fetched when a token names a key not yet
// known: providers rotate keys and publish the new one before they sign with it.
type keySet struct {
	url    string
	client *http.Client

	mu      sync.Mutex
	keys    jose.JSONWebKeySet
	fetched time.Time
}

// refetchEvery keeps tokens naming unknown keys from making Schwarm fetch
// the key set on every sign-in.
const refetchEvery = 10 * time.Second

func (ks *keySet) key(ctx context.Context, kid string) (any, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	find := func() (any, bool) {
		for _, k := range ks.keys.Keys {
			if (kid == "" || k.KeyID == kid) && k.Use != "enc" {
				return k.Key, true
			}
		}
		return nil, false
	}
	if k, ok := find(); ok {
		return k, nil
	}
	if time.Since(ks.fetched) < refetchEvery {
		return nil, fmt.Errorf("no key %q in the provider's key set", kid)
	}
	var set jose.JSONWebKeySet
	if err := getJSON(ctx, ks.client, ks.url, &set); err != nil {
		return nil, fmt.Errorf("key set: %w", err)
	}
	ks.keys, ks.fetched = set, time.Now()
	if k, ok := find(); ok {
		return k, nil
	}
	return nil, fmt.Errorf("no key %q in the provider's key set", kid)
}
