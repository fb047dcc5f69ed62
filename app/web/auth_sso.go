package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/auth/sso"
	"github.com/schwarm/schwarm/app/validate"
)

const (
	ssoFlowCookie   = "schwarm_sso"
	ssoSignupCookie = "schwarm_sso_signup"
	// ssoFlowTTL is how long a person may take at the provider.
	ssoFlowTTL = 10 * time.Minute
	// ssoSignupTTL is how long the handle page waits for its answer.
	ssoSignupTTL = 30 * time.Minute
)

// ssoFlow is what the browser carries, signed, from the start of a sign-in at
// a provider to its return: the browser that comes back must be the one that
// left, and the flow is used once (the cookie is cleared on return).
type ssoFlow struct {
	sso.Flow
	Provider string `json:"p"`
	Next     string `json:"x"`
	Connect  int64  `json:"c,omitempty"` // the member who connects the provider from the settings; 0: a sign-in
	Confirm  bool   `json:"k,omitempty"` // the member Connect only confirms who they are (see ssoConfirm)
}

// ssoBegin sends the browser to the provider. It is a link, not a form:
// form-action 'self' would stop a form's redirect to another site.
func (s *Server) ssoBegin(c *fiber.Ctx) error {
	next := safeNext(c.Query("next"))
	if currentUser(c) != nil {
		return c.Redirect(next, fiber.StatusSeeOther)
	}
	return s.ssoStart(c, ssoFlow{Provider: c.Params("provider"), Next: next})
}

func (s *Server) ssoStart(c *fiber.Ctx, f ssoFlow) error {
	to, flow, err := s.Auth.Providers().Begin(c.UserContext(), f.Provider)
	if err != nil {
		return err
	}
	f.Flow = flow
	s.sealCookie(c, ssoFlowCookie, f, ssoFlowTTL)
	return c.Redirect(to, fiber.StatusSeeOther)
}

// ssoCallback is where the provider sends the browser back.
func (s *Server) ssoCallback(c *fiber.Ctx) error {
	var f ssoFlow
	opened := s.openCookie(c, ssoFlowCookie, &f)
	s.clearCookie(c, ssoFlowCookie)
	if !opened || f.Provider != c.Params("provider") {
		return sso.ErrState
	}
	q, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return sso.ErrState
	}
	p, err := s.Auth.CompleteSSO(c.UserContext(), f.Provider, f.Flow, q, s.client(c))
	if err != nil {
		s.Log.Warn("single sign-on failed", "provider", f.Provider, "err", err, "request_id", requestID(c))
		return err
	}
	if f.Connect != 0 {
		if u := currentUser(c); u == nil || u.ID != f.Connect {
			return sso.ErrState
		}
		if f.Confirm {
			if err := s.Auth.Confirm(c.UserContext(), f.Connect, p); err != nil {
				return err
			}
			s.sealCookie(c, confirmedCookie, f.Connect, confirmedTTL)
			return s.redirectWithNotice(c, "/settings/profile#delete-heading", "sso.confirmed")
		}
		if err := s.Auth.Connect(c.UserContext(), f.Connect, p); err != nil {
			return err
		}
		return s.redirectWithNotice(c, "/settings/profile", "sso.connected")
	}
	_, token, err := s.Auth.SignInWith(c.UserContext(), p, s.client(c))
	if errors.Is(err, auth.ErrNewMember) {
		s.sealCookie(c, ssoSignupCookie, ssoSignup{Profile: p, Next: f.Next}, ssoSignupTTL)
		return c.Redirect("/signup/sso", fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	if err := s.startSession(c, token); err != nil {
		return err
	}
	return c.Redirect(f.Next, fiber.StatusSeeOther)
}

// ssoSignup is what the handle page of a new member keeps, signed, in the
// browser: who the provider says they are.
type ssoSignup struct {
	Profile sso.Profile `json:"p"`
	Next    string      `json:"x"`
}

type ssoSignupPage struct {
	Page
	Provider    string
	Handle      string
	DisplayName string
	Email       string
	Errors      validate.Errors
}

func (s *Server) ssoSignupForm(c *fiber.Ctx) error {
	var su ssoSignup
	if !s.openCookie(c, ssoSignupCookie, &su) {
		return sso.ErrState
	}
	p := su.Profile
	return s.render(c, "auth_sso_signup", &ssoSignupPage{Page: s.newPage(c, "sso.signup_title"), Provider: s.Auth.Providers().Label(p.Provider),
		Handle: s.Users.ProposeHandle(c.UserContext(), p.Handle, p.Email), DisplayName: p.Name, Email: p.Email})
}

func (s *Server) ssoSignupSave(c *fiber.Ctx) error {
	var su ssoSignup
	if !s.openCookie(c, ssoSignupCookie, &su) {
		return sso.ErrState
	}
	page := &ssoSignupPage{Page: s.newPage(c, "sso.signup_title"), Provider: s.Auth.Providers().Label(su.Profile.Provider),
		Handle: validate.Cut(c.FormValue("handle"), 64), DisplayName: validate.Cut(c.FormValue("display_name"), 256), Email: su.Profile.Email}
	_, token, err := s.Auth.SignUpWith(c.UserContext(), su.Profile, page.Handle, page.DisplayName, page.Lang, s.client(c))
	if err != nil {
		return s.formError(c, "auth_sso_signup", page, &page.Errors, err)
	}
	s.clearCookie(c, ssoSignupCookie)
	if err := s.startSession(c, token); err != nil {
		return err
	}
	return s.redirectWithNotice(c, su.Next, "auth.welcome")
}

// sealCookie stores v in the cookie name for ttl, signed with the server's
// key so that the browser can carry it but not change it.
func (s *Server) sealCookie(c *fiber.Ctx, name string, v any, ttl time.Duration) {
	body, err := json.Marshal(struct {
		V   any   `json:"v"`
		Exp int64 `json:"e"`
	}{v, s.Now().Add(ttl).Unix()})
	if err != nil {
		panic(err) // only plain structs are sealed
	}
	payload := base64.RawURLEncoding.EncodeToString(body)
	s.setCookie(c, name, payload+"."+s.cookieMAC(name, payload), ttl)
}

// openCookie reads into v what sealCookie stored in the cookie name, and
// reports whether it was there, unchanged and not expired.
func (s *Server) openCookie(c *fiber.Ctx, name string, v any) bool {
	payload, mac, ok := strings.Cut(c.Cookies(name), ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(s.cookieMAC(name, payload))) {
		return false
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return false
	}
	var sealed struct {
		V   json.RawMessage `json:"v"`
		Exp int64           `json:"e"`
	}
	if json.Unmarshal(body, &sealed) != nil || s.Now().Unix() > sealed.Exp {
		return false
	}
	return json.Unmarshal(sealed.V, v) == nil
}

func (s *Server) cookieMAC(name, payload string) string {
	m := hmac.New(sha256.New, s.CSRFKey)
	m.Write([]byte("sealed:" + name + ":" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
