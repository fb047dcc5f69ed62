package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/auth/sso"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

type signupForm struct {
	Handle      string
	DisplayName string
	Email       string
}

type signupPage struct {
	Page
	Form      signupForm
	Errors    validate.Errors
	Next      string
	Started   string       // when the form was shown, signed (see signupStarted)
	Passwords bool         // whether the password form is there
	SSO       []sso.Button // the configured single sign-on providers
}

func (s *Server) signupForm(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return s.render(c, "auth_signup", &signupPage{Page: s.newPage(c, "auth.signup"), Next: safeNext(c.Query("next")), Started: s.signupStarted(s.Now()),
		Passwords: s.Auth.PasswordSignIn(), SSO: s.Auth.Providers().Buttons()})
}

// signupStarted signs the time a sign-up form was shown: a form sent back
// sooner than SCHWARM_SIGNUP_MIN_FILL after it was filled by a script, not a
// person. The signature keeps a script from sending an old time of its own.
func (s *Server) signupStarted(at time.Time) string {
	ts := strconv.FormatInt(at.UnixMilli(), 10)
	m := hmac.New(sha256.New, s.CSRFKey)
	m.Write([]byte("signup-started:" + ts))
	return ts + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// signupBot says whether a sign-up looks sent by a script: the field hidden from
// people filled in, or the form sent back too soon or with a time not ours.
func (s *Server) signupBot(c *fiber.Ctx) bool {
	if c.FormValue("website") != "" {
		return true
	}
	least := s.Config.SignupMinFill.Duration
	if least <= 0 {
		return false
	}
	ts, _, _ := strings.Cut(c.FormValue("started"), ".")
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || !hmac.Equal([]byte(s.signupStarted(time.UnixMilli(ms))), []byte(c.FormValue("started"))) {
		return true
	}
	return s.Now().Sub(time.UnixMilli(ms)) < least
}

func (s *Server) signup(c *fiber.Ctx) error {
	f := signupForm{Handle: c.FormValue("handle"), DisplayName: c.FormValue("display_name"), Email: c.FormValue("email")}
	page := &signupPage{Page: s.newPage(c, "auth.signup"), Form: f, Next: safeNext(c.FormValue("next")), Started: s.signupStarted(s.Now()),
		Passwords: s.Auth.PasswordSignIn(), SSO: s.Auth.Providers().Buttons()}
	if s.signupBot(c) {
		return s.formError(c, "auth_signup", page, &page.Errors, validate.Errors{"": "auth.signup_too_fast"})
	}
	_, token, err := s.Auth.SignUp(c.UserContext(), user.Registration{
		Handle: f.Handle, DisplayName: f.DisplayName, Email: f.Email,
		Password: c.FormValue("password"), Locale: page.Lang,
	}, s.client(c))
	if err != nil {
		return s.formError(c, "auth_signup", page, &page.Errors, err)
	}
	if token == "" { // mail is on: the mailed link finishes the sign-up
		return s.render(c, "auth_check_mail", &checkMailPage{Page: s.newPage(c, "auth.check_mail"), Email: validate.Cut(f.Email, user.MaxLoginLen)})
	}
	s.setCookie(c, sessionCookie, token, s.Config.SessionTTL.Duration)
	return s.redirectWithNotice(c, page.Next, "auth.welcome")
}

func (s *Server) client(c *fiber.Ctx) auth.Client {
	return auth.Client{IP: s.clientIP(c), UserAgent: c.Get(fiber.HeaderUserAgent)}
}

// formError shows a form again with the user's input and the problems next to the
// fields, or passes err on to the error handler when it is not about the input.
// Form-wide problems (rate limits, wrong password) are shown under the field "".
func (s *Server) formError(c *fiber.Ctx, page string, data any, errs *validate.Errors, err error) error {
	fields, ok := validate.From(err)
	if !ok {
		status, key := errorInfo(err)
		if status >= 500 {
			return err
		}
		if status == fiber.StatusTooManyRequests {
			s.setRetryAfter(c, err)
		}
		fields = validate.Errors{"": key}
		c.Status(status)
	} else {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	*errs = fields
	if wantsJSON(c) {
		lang := language(c)
		problem := fiber.Map{
			"type":   "about:blank",
			"title":  s.I18n.Translate(lang, "status."+strconv.Itoa(c.Response().StatusCode())),
			"status": c.Response().StatusCode(),
		}
		perField := make(map[string]string, len(fields))
		for f, key := range fields {
			if f == "" {
				problem["detail"] = s.I18n.Translate(lang, key)
			} else {
				perField[f] = s.I18n.Translate(lang, key)
			}
		}
		if len(perField) > 0 {
			problem["errors"] = perField
		}
		return c.JSON(problem, "application/problem+json")
	}
	return s.render(c, page, data)
}
