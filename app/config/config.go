package config

import (
	"encoding"
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config holds every setting of a Schwarm node. Each field names its environment
// variable, its default and a one-line help text; Load reads them, Table prints them.
type Config struct {
	Addr        string `env:"SCHWARM_ADDR" default:":8080" help:"Address the HTTP server listens on."`
	BaseURL     string `env:"SCHWARM_BASE_URL" default:"http://localhost:8080" help:"Public URL of the forum (scheme, host, optional port); https turns on Secure cookies."`
	DataDir     string `env:"SCHWARM_DATA_DIR" default:"./data" help:"Directory for the SQLite database, the search index and uploaded images."`
	DatabaseURL string `env:"SCHWARM_DATABASE_URL" default:"" help:"PostgreSQL URL (postgres://user:pass@host/db); empty means SQLite in the data directory."`
	DBMaxConns  int    `env:"SCHWARM_DB_MAX_CONNS" default:"8" help:"Size of the database reader pool (SQLite) or connection pool (PostgreSQL); SQLite always has one writer."`

	Theme string `env:"SCHWARM_THEME" default:"default" help:"Look of the forum: default, a built-in theme (harbour) or the path of a theme directory whose files replace the default's (see themes/README.md)."`

	LogLevel  string `env:"SCHWARM_LOG_LEVEL" default:"info" help:"Log level: debug, info, warn or error."`
	LogFormat string `env:"SCHWARM_LOG_FORMAT" default:"text" help:"Log format: text or json."`

	DefaultLocale    string   `env:"SCHWARM_DEFAULT_LOCALE" default:"en" help:"Language for visitors whose browser asks for none we have: en or de."`
	SessionTTL       Duration `env:"SCHWARM_SESSION_TTL" default:"720h" help:"How long a sign-in lasts without activity."`
	LoginRate        Rate     `env:"SCHWARM_RATE_LOGIN" default:"10/15m" help:"Failed sign-ins (a wrong password, or a name without an account) allowed per account in the window, from any address (N/duration); sign-ins that succeed do not count."`
	LoginAddressRate Rate     `env:"SCHWARM_RATE_LOGIN_ADDRESS" default:"300/15m" help:"Failed password sign-ins and single sign-on callbacks allowed from one client address in the window, all accounts together (N/duration); password sign-ins that succeed do not count, so an office or a carrier's NAT is not locked out."`
	SignupMinFill    Duration `env:"SCHWARM_SIGNUP_MIN_FILL" default:"3s" help:"A sign-up form sent back sooner than this after it was shown is refused as a script's."`
	SignupRate       Rate     `env:"SCHWARM_RATE_SIGNUP" default:"5/1h" help:"Sign-ups allowed per client address in the window (N/duration)."`
	WriteRate        Rate     `env:"SCHWARM_RATE_WRITE" default:"30/10m" help:"Questions, answers and edits allowed per member in the window (N/duration); staff are not limited."`
	WriteAddressRate Rate     `env:"SCHWARM_RATE_WRITE_ADDRESS" default:"120/10m" help:"Questions, answers, edits and kudos allowed from one client address in the window, all its members together (N/duration); staff are not limited."`
	FlagRate         Rate     `env:"SCHWARM_RATE_FLAG" default:"20/1h" help:"Flags and reports allowed per member, and per client address, in the window (N/duration); staff are not limited."`
	DeleteWindow     Duration `env:"SCHWARM_DELETE_WINDOW" default:"24h" help:"How long authors may delete (and undelete) their own posts; moderators always may."`
	TrustedProxies   []string `env:"SCHWARM_TRUSTED_PROXIES" default:"" help:"Comma-separated proxy addresses or CIDRs whose X-Forwarded-For is believed for the client address."`

	UploadMaxBytes int      `env:"SCHWARM_UPLOAD_MAX_BYTES" default:"5242880" help:"Largest image a member may upload, in bytes (at most 64 MiB)."`
	ImageHosts     []string `env:"SCHWARM_IMAGE_HOSTS" default:"" help:"Comma-separated hosts (host or host:port) whose https images posts may show; images uploaded to the forum are always shown."`

	Points               Points   `env:"SCHWARM_REPUTATION_POINTS" default:"kudos=10,solution=15,unanswered_answer=2,accept=2,hidden=-10" help:"Reputation points per ledger event: kudos received, answer accepted as solution, answering an unanswered question, accepting an answer to one's own question, post hidden by a moderator."`
	Ranks                Ranks    `env:"SCHWARM_RANKS" default:"Newcomer:0,Helper:50,Expert:250,Guru:1000,Legend:5000" help:"Member ranks as name:reputation from the lowest up; the first must start at 0."`
	TrustReputation      int      `env:"SCHWARM_TRUST_REPUTATION" default:"20" help:"Reputation from which a member is no longer a newcomer; newcomers' first posts and posts with links wait for review, and their posts per day are limited (0 = nobody is a newcomer)."`
	ReviewFirstPosts     int      `env:"SCHWARM_REVIEW_FIRST_POSTS" default:"1" help:"How many of a newcomer's first posts wait for a moderator's approval (0 = none)."`
	NewcomerPostsPerDay  int      `env:"SCHWARM_NEWCOMER_POSTS_PER_DAY" default:"10" help:"Questions and answers a newcomer may post per 24 hours (0 = no limit)."`
	SpamMaxLinks         int      `env:"SCHWARM_SPAM_MAX_LINKS" default:"3" help:"A post by a member with more links than this waits for review (0 = any number)."`
	SpamNewAccount       Duration `env:"SCHWARM_SPAM_NEW_ACCOUNT" default:"24h" help:"A post with a link from an account younger than this waits for review."`
	SpamRepeat           Duration `env:"SCHWARM_SPAM_REPEAT" default:"24h" help:"A member's post with the same text as one of theirs within this waits for review."`
	SpamBlockWords       []string `env:"SCHWARM_SPAM_BLOCK_WORDS" default:"" help:"Comma-separated words or phrases (any case) that send a member's post to the review queue."`
	EditOthersReputation int      `env:"SCHWARM_EDIT_OTHERS_REPUTATION" default:"1000" help:"Reputation from which a member may edit other members' posts, every edit kept as a revision (0 = moderators only)."`
	FlagsToHide          int      `env:"SCHWARM_FLAGS_TO_HIDE" default:"3" help:"Flags from distinct members that hide a post at once until a moderator reviews it (0 = flags never hide)."`
	FlagTrustReputation  int      `env:"SCHWARM_FLAG_TRUST_REPUTATION" default:"500" help:"Reputation from which one member's flag hides a post at once (0 = nobody's alone)."`

	SMTPURL            string  `env:"SCHWARM_SMTP_URL" default:"" help:"Mail server as smtp://user:pass@host:port (STARTTLS when the server offers it) or smtps://… (TLS from the start); empty means mail is off: no verification or reset mails."`
	MailFrom           string  `env:"SCHWARM_MAIL_FROM" default:"" help:"Sender of the forum's mails, such as Schwarm <forum@example.com>; required with SCHWARM_SMTP_URL."`
	AccountMailRate    Rate    `env:"SCHWARM_RATE_ACCOUNT_MAIL" default:"3/1h" help:"Password-reset and verification mails allowed per e-mail address and per account, and ten times that per client address, in the window (N/duration)."`
	PasswordLogin      string  `env:"SCHWARM_PASSWORD_LOGIN" default:"on" help:"on or off: off leaves single sign-on as the only way in (the password forms are gone and refused); needs a provider configured."`
	OIDCIssuer         string  `env:"SCHWARM_OIDC_ISSUER" default:"" help:"Issuer URL of an OpenID Connect provider (Keycloak realm, Entra ID tenant, Okta); its endpoints are discovered from ISSUER/.well-known/openid-configuration. Empty: no such button."`
	OIDCClientID       string  `env:"SCHWARM_OIDC_CLIENT_ID" default:"" help:"Client ID the forum is registered with at the OpenID Connect provider."`
	OIDCClientSecret   string  `env:"SCHWARM_OIDC_CLIENT_SECRET" default:"" help:"Client secret for SCHWARM_OIDC_CLIENT_ID."`
	OIDCName           string  `env:"SCHWARM_OIDC_NAME" default:"Company account" help:"Label of the OpenID Connect sign-in button."`
	OIDCRoleClaim      string  `env:"SCHWARM_OIDC_ROLE_CLAIM" default:"" help:"ID token or userinfo claim (e.g. groups) whose values SCHWARM_OIDC_ROLES maps to roles on every sign-in; empty: no mapping."`
	OIDCRoles          RoleMap `env:"SCHWARM_OIDC_ROLES" default:"" help:"Claim values and the role each gives, as value=role,… with roles agent or moderator (e.g. support-agents=agent,community-mods=moderator); roles are only raised, never lowered, and admins are left alone."`
	GitHubClientID     string  `env:"SCHWARM_GITHUB_CLIENT_ID" default:"" help:"Client ID of a GitHub OAuth app; empty: no GitHub button."`
	GitHubClientSecret string  `env:"SCHWARM_GITHUB_CLIENT_SECRET" default:"" help:"Client secret of the GitHub OAuth app."`
	GoogleClientID     string  `env:"SCHWARM_GOOGLE_CLIENT_ID" default:"" help:"OAuth client ID from the Google Cloud console; empty: no Google button."`
	GoogleClientSecret string  `env:"SCHWARM_GOOGLE_CLIENT_SECRET" default:"" help:"Client secret of the Google OAuth client."`

	SearchConcurrency int `env:"SCHWARM_SEARCH_CONCURRENCY" default:"0" help:"Searches and suggestions one node runs at once (an answer kept from before, until the index changes, needs no place); past it a request waits up to 50 ms, then gets 503 with Retry-After, so a flood of searches cannot slow the other pages (0 = two per CPU core)."`

	ShutdownTimeout Duration `env:"SCHWARM_SHUTDOWN_TIMEOUT" default:"15s" help:"How long a stopping server waits for requests in flight to finish."`
	OutboxRetention Duration `env:"SCHWARM_OUTBOX_RETENTION" default:"168h" help:"How long the record of each change stays for search indexes to apply (at least 1h); a node whose index is further behind rebuilds it while serving."`
}

// Duration is a time.Duration read from strings such as "15s" or "720h".
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration; it must be positive.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration such as 30s, 15m or 720h", b)
	}
	if v <= 0 {
		return fmt.Errorf("%q must be more than zero", b)
	}
	d.Duration = v
	return nil
}

// Rate is a budget of N events per window, written "N/duration" (e.g. "10/15m").
type Rate struct {
	N      int
	Window time.Duration
}

// UnmarshalText parses "N/duration".
func (r *Rate) UnmarshalText(b []byte) error {
	n, w, ok := strings.Cut(string(b), "/")
	if !ok {
		return fmt.Errorf("%q is not a rate such as 10/15m", b)
	}
	count, err := strconv.Atoi(strings.TrimSpace(n))
	if err != nil || count < 1 {
		return fmt.Errorf("%q: the count before / must be a whole number of at least 1", b)
	}
	win, err := time.ParseDuration(strings.TrimSpace(w))
	if err != nil || win < time.Second {
		return fmt.Errorf("%q: the window after / must be a duration of at least 1s", b)
	}
	r.N, r.Window = count, win
	return nil
}

// String formats the rate as it is written in the environment.
func (r Rate) String() string { return fmt.Sprintf("%d/%s", r.N, r.Window) }

// Points are reputation points per ledger event, written "kind=N,kind=N".
type Points map[string]int

// UnmarshalText parses "kind=N,…"; app/reputation checks the kinds.
func (p *Points) UnmarshalText(b []byte) error {
	*p = Points{}
	for _, item := range strings.Split(string(b), ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		k, v, ok := strings.Cut(item, "=")
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if !ok || err != nil || n < -1000 || n > 1000 {
			return fmt.Errorf("%q is not kind=N with N between -1000 and 1000", item)
		}
		(*p)[strings.TrimSpace(k)] = n
	}
	return nil
}

// Rank is a name members carry from a reputation on.
type Rank struct {
	Name string
	Min  int64
}

// Ranks are the ranks from the lowest up.
type Ranks []Rank

// UnmarshalText parses "Name:0,Name:50,…": rising thresholds, the first at 0.
func (r *Ranks) UnmarshalText(b []byte) error {
	*r = nil
	for _, item := range strings.Split(string(b), ",") {
		name, v, ok := strings.Cut(strings.TrimSpace(item), ":")
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		name = strings.TrimSpace(name)
		if !ok || err != nil || name == "" || len(name) > 40 {
			return fmt.Errorf("%q is not name:reputation such as Helper:50", item)
		}
		if len(*r) == 0 && n != 0 {
			return fmt.Errorf("the first rank must start at 0, not %d", n)
		}
		if len(*r) > 0 && n <= (*r)[len(*r)-1].Min {
			return fmt.Errorf("%q must need more reputation than the rank before it", item)
		}
		*r = append(*r, Rank{Name: name, Min: n})
	}
	return nil
}

// RoleMap maps values of an OpenID Connect claim to roles, written "value=role,…".
type RoleMap map[string]string

// UnmarshalText parses "value=role,…"; only agent and moderator may be given,
// so that no claim makes an admin.
func (m *RoleMap) UnmarshalText(b []byte) error {
	*m = RoleMap{}
	for _, item := range strings.Split(string(b), ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		k, v, ok := strings.Cut(item, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || (v != "agent" && v != "moderator") {
			return fmt.Errorf("%q is not value=role with role agent or moderator", item)
		}
		(*m)[k] = v
	}
	return nil
}

// Load reads the configuration from getenv (os.Getenv in production), fills in
// defaults and validates it. All problems are reported at once, one per line.
func Load(getenv func(string) string) (Config, error) {
	var c Config
	var errs []error
	v := reflect.ValueOf(&c).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		raw, set := getenv(f.Tag.Get("env")), true
		if raw == "" {
			raw, set = f.Tag.Get("default"), false
		}
		if err := setField(v.Field(i), raw); err != nil {
			if set {
				errs = append(errs, fmt.Errorf("%s: %w", f.Tag.Get("env"), err))
			} else {
				panic(fmt.Sprintf("config: bad default for %s: %v", f.Name, err))
			}
		}
	}
	if err := c.validate(); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

func setField(f reflect.Value, raw string) error {
	if f.Addr().Type().Implements(textUnmarshaler) {
		return f.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(raw))
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(strings.TrimSpace(raw))
	case reflect.Int:
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("%q is not a whole number", raw)
		}
		f.SetInt(int64(n))
	case reflect.Slice:
		var items []string
		for _, s := range strings.Split(raw, ",") {
			if s = strings.TrimSpace(s); s != "" {
				items = append(items, s)
			}
		}
		f.Set(reflect.ValueOf(items))
	default:
		panic("config: unsupported field kind " + f.Kind().String())
	}
	return nil
}

func (c *Config) validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add("SCHWARM_BASE_URL: %q must be an absolute http or https URL such as https://community.example.com", c.BaseURL)
	} else {
		c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		add("SCHWARM_DATABASE_URL: must start with postgres:// (leave it empty for SQLite)")
	}
	if c.DataDir == "" {
		add("SCHWARM_DATA_DIR: must not be empty")
	}
	if c.OutboxRetention.Duration < time.Hour {
		// Shorter, and a node that restarts or a long transaction would make
		// indexes rebuild for no reason.
		add("SCHWARM_OUTBOX_RETENTION: %v must be at least 1h", c.OutboxRetention.Duration)
	}
	if c.DBMaxConns < 1 || c.DBMaxConns > 1000 {
		add("SCHWARM_DB_MAX_CONNS: %d must be between 1 and 1000", c.DBMaxConns)
	}
	if !oneOf(c.LogLevel, "debug", "info", "warn", "error") {
		add("SCHWARM_LOG_LEVEL: %q must be debug, info, warn or error", c.LogLevel)
	}
	if !oneOf(c.LogFormat, "text", "json") {
		add("SCHWARM_LOG_FORMAT: %q must be text or json", c.LogFormat)
	}
	if c.UploadMaxBytes < 1 || c.UploadMaxBytes > 64<<20 {
		add("SCHWARM_UPLOAD_MAX_BYTES: %d must be between 1 and 67108864 (64 MiB)", c.UploadMaxBytes)
	}
	for i, h := range c.ImageHosts {
		c.ImageHosts[i] = strings.ToLower(h)
		if !imageHost.MatchString(c.ImageHosts[i]) {
			add("SCHWARM_IMAGE_HOSTS: %q must be a host name, optionally with :port, such as images.example.com", h)
		}
	}
	for _, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				add("SCHWARM_TRUSTED_PROXIES: %q is neither an IP address nor a CIDR such as 10.0.0.0/8", p)
			}
		}
	}
	for name, v := range map[string]int{"SCHWARM_TRUST_REPUTATION": c.TrustReputation, "SCHWARM_REVIEW_FIRST_POSTS": c.ReviewFirstPosts,
		"SCHWARM_NEWCOMER_POSTS_PER_DAY": c.NewcomerPostsPerDay, "SCHWARM_EDIT_OTHERS_REPUTATION": c.EditOthersReputation,
		"SCHWARM_SEARCH_CONCURRENCY": c.SearchConcurrency} {
		if v < 0 {
			add("%s: %d must not be negative", name, v)
		}
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			add("SCHWARM_SMTP_URL: must be smtp://user:pass@host:port or smtps://user:pass@host:port (leave it empty to turn mail off)")
		}
		if _, err := mail.ParseAddress(c.MailFrom); err != nil {
			add("SCHWARM_MAIL_FROM: %q must be an address such as Schwarm <forum@example.com> when SCHWARM_SMTP_URL is set", c.MailFrom)
		}
	}
	if !oneOf(c.PasswordLogin, "on", "off") {
		add("SCHWARM_PASSWORD_LOGIN: %q must be on or off", c.PasswordLogin)
	} else if !c.PasswordSignIn() && c.OIDCIssuer == "" && c.GitHubClientID == "" && c.GoogleClientID == "" {
		add("SCHWARM_PASSWORD_LOGIN: off needs a single sign-on provider (SCHWARM_OIDC_ISSUER, SCHWARM_GITHUB_CLIENT_ID or SCHWARM_GOOGLE_CLIENT_ID), or nobody could sign in")
	}
	if c.OIDCIssuer != "" {
		if u, err := url.Parse(c.OIDCIssuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			add("SCHWARM_OIDC_ISSUER: %q must be an absolute https URL such as https://login.example.com/realms/customers", c.OIDCIssuer)
		}
	}
	for _, p := range []struct{ id, secret, idName, secretName string }{
		{c.OIDCIssuer, c.OIDCClientID, "SCHWARM_OIDC_ISSUER", "SCHWARM_OIDC_CLIENT_ID"},
		{c.OIDCIssuer, c.OIDCClientSecret, "SCHWARM_OIDC_ISSUER", "SCHWARM_OIDC_CLIENT_SECRET"},
		{c.GitHubClientID, c.GitHubClientSecret, "SCHWARM_GITHUB_CLIENT_ID", "SCHWARM_GITHUB_CLIENT_SECRET"},
		{c.GoogleClientID, c.GoogleClientSecret, "SCHWARM_GOOGLE_CLIENT_ID", "SCHWARM_GOOGLE_CLIENT_SECRET"},
	} {
		if (p.id == "") != (p.secret == "") {
			add("%s and %s must be set together", p.idName, p.secretName)
		}
	}
	if len(c.OIDCRoles) > 0 && c.OIDCRoleClaim == "" {
		add("SCHWARM_OIDC_ROLES: needs SCHWARM_OIDC_ROLE_CLAIM, the claim whose values it maps")
	}
	if !oneOf(c.DefaultLocale, "en", "de") {
		add("SCHWARM_DEFAULT_LOCALE: %q must be en or de", c.DefaultLocale)
	}
	return errors.Join(errs...)
}

// imageHost is a DNS name with an optional port: nothing that could end a CSP directive.
var imageHost = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$`)

func oneOf(s string, options ...string) bool {
	for _, o := range options {
		if s == o {
			return true
		}
	}
	return false
}

// PasswordSignIn reports whether members may sign in and sign up with a password.
func (c Config) PasswordSignIn() bool { return c.PasswordLogin != "off" }

// SecureCookies reports whether cookies must carry the Secure flag.
func (c Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Setting describes one environment variable for help texts and the README.
type Setting struct{ Env, Default, Help string }

// Settings lists every setting in declaration order.
func Settings() []Setting {
	t := reflect.TypeFor[Config]()
	out := make([]Setting, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		out = append(out, Setting{f.Tag.Get("env"), f.Tag.Get("default"), f.Tag.Get("help")})
	}
	return out
}

// Table renders the settings as the Markdown table in README.md.
func Table() string {
	var b strings.Builder
	b.WriteString("| variable | default | meaning |\n|---|---|---|\n")
	for _, s := range Settings() {
		def := "`" + s.Default + "`"
		if s.Default == "" {
			def = "(empty)"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", s.Env, def, s.Help)
	}
	return b.String()
}
