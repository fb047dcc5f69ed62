package config_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/schwarm/schwarm/app/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatalf("defaults do not load: %v", err)
	}
	if c.Addr != ":8080" || c.DataDir != "./data" || c.DatabaseURL != "" || c.BaseURL != "http://localhost:8080" {
		t.Errorf("got %+v", c)
	}
	if got, want := c.LoginRate, (config.Rate{N: 10, Window: 15 * time.Minute}); got != want {
		t.Errorf("LoginRate = %v, want %v", got, want)
	}
	if got, want := c.LoginAddressRate, (config.Rate{N: 300, Window: 15 * time.Minute}); got != want {
		t.Errorf("LoginAddressRate = %v, want %v", got, want)
	}
	if c.SecureCookies() {
		t.Error("http base URL must not set Secure cookies")
	}
}

func TestLoadValues(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"SCHWARM_ADDR":            "127.0.0.1:9000",
		"SCHWARM_BASE_URL":        "https://community.example.com/",
		"SCHWARM_DATABASE_URL":    "postgres://u:p@db/schwarm",
		"SCHWARM_RATE_LOGIN":      "3/1m",
		"SCHWARM_SESSION_TTL":     "2h",
		"SCHWARM_TRUSTED_PROXIES": "10.0.0.1, 10.1.0.0/16",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "https://community.example.com" || !c.SecureCookies() {
		t.Errorf("BaseURL = %q, secure %v", c.BaseURL, c.SecureCookies())
	}
	if c.LoginRate.N != 3 || c.LoginRate.Window != time.Minute || c.SessionTTL.Duration != 2*time.Hour {
		t.Errorf("got rate %v ttl %v", c.LoginRate, c.SessionTTL)
	}
	if diff := cmp.Diff([]string{"10.0.0.1", "10.1.0.0/16"}, c.TrustedProxies); diff != "" {
		t.Errorf("TrustedProxies (-want +got):\n%s", diff)
	}
}

func TestLoadRejectsBadValues(t *testing.T) {
	tests := []struct {
		env, value, want string
	}{
		{"SCHWARM_BASE_URL", "localhost:8080", "SCHWARM_BASE_URL"},
		{"SCHWARM_BASE_URL", "ftp://x", "SCHWARM_BASE_URL"},
		{"SCHWARM_DATABASE_URL", "mysql://x", "must start with postgres://"},
		{"SCHWARM_DB_MAX_CONNS", "many", "not a whole number"},
		{"SCHWARM_DB_MAX_CONNS", "0", "between 1 and 1000"},
		{"SCHWARM_LOG_LEVEL", "loud", "debug, info, warn or error"},
		{"SCHWARM_LOG_FORMAT", "xml", "text or json"},
		{"SCHWARM_DEFAULT_LOCALE", "fr", "en or de"},
		{"SCHWARM_SESSION_TTL", "forever", "not a duration"},
		{"SCHWARM_SESSION_TTL", "-5m", "more than zero"},
		{"SCHWARM_RATE_LOGIN", "10", "not a rate"},
		{"SCHWARM_RATE_LOGIN", "0/1m", "at least 1"},
		{"SCHWARM_RATE_SIGNUP", "5/soon", "duration of at least 1s"},
		{"SCHWARM_OUTBOX_RETENTION", "30m", "at least 1h"},
		{"SCHWARM_SMTP_URL", "mail.example.com:25", "smtp://user:pass@host:port"},
		{"SCHWARM_SMTP_URL", "smtp://mail.example.com", "SCHWARM_MAIL_FROM"}, // a server without a sender
		{"SCHWARM_RATE_ACCOUNT_MAIL", "3", "not a rate"},
		{"SCHWARM_PASSWORD_LOGIN", "maybe", "on or off"},
		{"SCHWARM_PASSWORD_LOGIN", "off", "needs a single sign-on provider"},
		{"SCHWARM_OIDC_ISSUER", "login.example.com", "absolute https URL"},
		{"SCHWARM_OIDC_ISSUER", "https://login.example.com", "SCHWARM_OIDC_CLIENT_ID"},
		{"SCHWARM_GITHUB_CLIENT_ID", "abc", "SCHWARM_GITHUB_CLIENT_SECRET"},
		{"SCHWARM_OIDC_ROLES", "admins=admin", "agent or moderator"},
		{"SCHWARM_OIDC_ROLES", "support=agent", "needs SCHWARM_OIDC_ROLE_CLAIM"},
	}
	for _, tt := range tests {
		t.Run(tt.env+"="+tt.value, func(t *testing.T) {
			_, err := config.Load(env(map[string]string{tt.env: tt.value}))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.env) {
				t.Errorf("error %q should name %s and say %q", err, tt.env, tt.want)
			}
		})
	}
}

func TestLoadSingleSignOn(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"SCHWARM_OIDC_ISSUER": "https://sso.example.com/realms/customers", "SCHWARM_OIDC_CLIENT_ID": "forum", "SCHWARM_OIDC_CLIENT_SECRET": "s",
		"SCHWARM_OIDC_ROLE_CLAIM": "groups", "SCHWARM_OIDC_ROLES": "support-agents=agent, community-mods = moderator",
		"SCHWARM_PASSWORD_LOGIN": "off",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(config.RoleMap{"support-agents": "agent", "community-mods": "moderator"}, c.OIDCRoles); diff != "" {
		t.Errorf("OIDCRoles (-want +got):\n%s", diff)
	}
	if c.PasswordSignIn() || c.OIDCName != "Company account" {
		t.Errorf("PasswordSignIn = %v, OIDCName = %q", c.PasswordSignIn(), c.OIDCName)
	}
}

func TestLoadReportsAllProblems(t *testing.T) {
	_, err := config.Load(env(map[string]string{"SCHWARM_LOG_LEVEL": "x", "SCHWARM_LOG_FORMAT": "y"}))
	if err == nil || !strings.Contains(err.Error(), "SCHWARM_LOG_LEVEL") || !strings.Contains(err.Error(), "SCHWARM_LOG_FORMAT") {
		t.Errorf("want both problems in one error, got %v", err)
	}
}

// TestReadmeListsEverySetting keeps the README's configuration table true.
func TestReadmeListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), config.Table()) {
		t.Errorf("README.md must contain the settings table exactly as printed by `schwarm help`:\n%s", config.Table())
	}
}
