package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/config"
)

// TestSignupLimitSeesThroughForgedForwardedFor: behind a trusted proxy the limit
// keys on the address the proxy saw, not on what the client wrote into the header.
func TestSignupLimitSeesThroughForgedForwardedFor(t *testing.T) {
	for _, tt := range []struct {
		name    string
		proxies []string
	}{{"no proxy configured", nil}, {"loopback is our proxy", []string{"127.0.0.0/8"}}} {
		t.Run(tt.name, func(t *testing.T) {
			srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) {
				c.TrustedProxies = tt.proxies
				c.SignupRate = config.Rate{N: 1, Window: time.Hour}
			}})
			for i, forged := range []string{"203.0.113.1", "203.0.113.2"} {
				c := srv.Client(t)
				r := c.Get("/signup")
				body := form("_csrf", csrfIn(r.Body), "handle", "user"+forged[len(forged)-1:], "email", "u"+forged[len(forged)-1:]+"@example.com", "password", "longenough").Encode()
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/signup", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				// A proxy appends the address it saw; the client made up the rest.
				req.Header.Set("X-Forwarded-For", forged+", 198.51.100.7")
				got := c.Do(req)
				if want := i == 0; (got.StatusCode == http.StatusOK) != want {
					t.Errorf("sign-up %d with forged %s: status %d", i, forged, got.StatusCode)
				}
			}
		})
	}
}
