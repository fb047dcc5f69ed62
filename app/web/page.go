package web

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/i18n"
	"github.com/schwarm/schwarm/app/reputation"
	"github.com/schwarm/schwarm/app/upload"
	"github.com/schwarm/schwarm/app/user"
)

// Page is what every template gets: the viewer, the language and the CSRF token.
// Page structs of single pages embed it.
type Page struct {
	Lang         string
	Languages    []string
	TitleKey     string
	Title        string // used instead of TitleKey for user-written titles
	User         *user.User
	csrf         func() string
	waiting      func() int64
	unread       func() int
	notices      func() []siteNotice
	Path         string
	Head         Head   // what search engines and link previews read (seo.go)
	Notice       string // i18n key of a one-time message from the previous request
	Uploaded     string // markdown for an image just uploaded without JavaScript
	bundle       *i18n.Bundle
	now          time.Time
	deleteWindow time.Duration
	ranks        config.Ranks
	members      *memberCache // set while the page renders to be kept: holes get stand-ins
}

// Waiting is the number of posts in the review queue, for moderators' header;
// it is counted only when a page shows it.
func (p Page) Waiting() int64 {
	if p.waiting == nil {
		return 0
	}
	return p.waiting()
}

// Unread is the number of the member's unread notifications for the header,
// at most 100; it is counted only when a page shows it.
func (p Page) Unread() int {
	if p.unread == nil {
		return 0
	}
	return p.unread()
}

// siteNotice is a live site notice as the top of a page shows it.
type siteNotice struct {
	Level, Text, Link string
}

// SiteNotices are the live site notices in the page's language, the most
// severe first.
func (p Page) SiteNotices() []siteNotice {
	if p.notices == nil {
		return nil
	}
	return p.notices()
}

// Restriction tells a suspended or silenced member, on every page they see, what
// they may not do, until when and why: the write forms are still there, and
// this says beforehand what sending one would be told.
func (p Page) Restriction() string {
	switch u := p.User; {
	case u.Suspended(p.now):
		return p.T("member.suspended", p.untilText(*u.SuspendedUntil), u.SuspendReason)
	case u.Silenced(p.now):
		return p.T("member.silenced", p.untilText(*u.SilencedUntil), u.SuspendReason)
	}
	return ""
}

// CSRF is the form token; asking for it gives the browser a CSRF cookie if needed.
func (p Page) CSRF() string {
	if h := p.standIn(holeCSRF); h != "" {
		return h
	}
	return p.csrf()
}

// T translates key into the page's language.
func (p Page) T(key string, args ...any) string { return p.bundle.Translate(p.Lang, key, args...) }

// TN translates a counted phrase: key.one for 1, key.other otherwise, with n.
func (p Page) TN(key string, n int) string {
	if n == 1 {
		return p.T(key+".one", n)
	}
	return p.T(key+".other", n)
}

// PageTitle is the text for <title>.
func (p Page) PageTitle() string {
	if p.Title != "" {
		return p.Title
	}
	return p.T(p.TitleKey)
}

// Ago says how long ago t was, in the page's language.
func (p Page) Ago(t time.Time) string {
	d := p.now.Sub(t)
	switch {
	case d < time.Minute:
		return p.T("time.just_now")
	case d < time.Hour:
		return p.TN("time.minutes_ago", int(d/time.Minute))
	case d < 24*time.Hour:
		return p.TN("time.hours_ago", int(d/time.Hour))
	case d < 30*24*time.Hour:
		return p.TN("time.days_ago", int(d/(24*time.Hour)))
	}
	return p.Date(t)
}

// Now is the time the page was made at.
func (p Page) Now() time.Time { return p.now }

// untilText says when a suspension or silence ends, in the page's language.
func (p Page) untilText(t time.Time) string {
	if t.Equal(user.NoEnd) {
		return p.T("restrict.no_end")
	}
	return p.Date(t)
}

// Date formats t as a date in the page's language.
func (p Page) Date(t time.Time) string {
	if p.Lang == "de" {
		return t.UTC().Format("02.01.2006")
	}
	return t.UTC().Format("2 Jan 2006")
}

// ExactTime formats t with minutes, UTC, for hover titles.
func (p Page) ExactTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// RoleLabel is the localized label of a role, empty for plain members.
func (p Page) RoleLabel(role user.Role) string {
	if role == user.RoleMember || role == "" {
		return ""
	}
	return p.T("role." + string(role))
}

// Standing is what an author card says of someone: staff their role ("Official"
// for agents), members their rank.
func (p Page) Standing(role user.Role, rep int64) string {
	if role != user.RoleMember && role != "" {
		return p.RoleLabel(role)
	}
	if p.ranks == nil {
		return ""
	}
	return p.RankName(rep)
}

// RankName is the localized name of the rank for reputation: a configured name
// without a translation is shown as it is written.
func (p Page) RankName(rep int64) string {
	name := reputation.RankOf(p.ranks, rep).Name
	key := "rank.name." + strings.ToLower(name)
	if msg := p.T(key); msg != key {
		return msg
	}
	return name
}

// editorView is what the "editor" template needs: a markdown textarea with its
// label, problem and preview, and the image upload beside it (whose form, the
// "upload" template, the page puts after its own).
type editorView struct {
	Label, Body, Hint, Error, PreviewLabel string
	Preview                                template.HTML
	UploadLabel, PasteHint, Uploaded       string
}

// Editor prepares the markdown editor; errKey is the field's problem, if any.
func (p Page) Editor(labelKey, body string, preview template.HTML, errKey string) editorView {
	e := editorView{Label: p.T(labelKey), Body: body, Hint: p.T("editor.hint"), PreviewLabel: p.T("editor.preview"), Preview: preview,
		UploadLabel: p.T("upload.button"), Uploaded: p.Uploaded}
	if p.Uploaded != "" {
		e.PasteHint = p.T("upload.paste_hint")
	}
	if errKey != "" {
		e.Error = p.T(errKey)
	}
	return e
}

const (
	noticeCookie   = "schwarm_notice"
	localThemePage = "theme_page" // the page a response was rendered from
)

func (s *Server) newPage(c *fiber.Ctx, titleKey string) Page {
	p := Page{
		Lang:         language(c),
		Languages:    s.I18n.Languages(),
		TitleKey:     titleKey,
		User:         currentUser(c),
		Path:         c.OriginalURL(),
		Head:         Head{Canonical: c.Path(), base: s.Config.BaseURL, logo: s.logo},
		bundle:       s.I18n,
		now:          s.Now(),
		deleteWindow: s.Config.DeleteWindow.Duration,
		ranks:        s.Config.Ranks,
	}
	if c.Locals(localForGuests) != nil {
		p.Path = coveredURL(c)
	}
	if c.Locals(localForMembers) != nil {
		p.Path, p.members = coveredURL(c), s.members
	}
	p.csrf = func() string { return s.csrfFor(c) }
	if p.User != nil && p.User.Role.AtLeast(user.RoleModerator) {
		p.waiting = func() int64 {
			n, err := s.Moderation.Waiting(c.UserContext())
			if err != nil {
				s.Log.Warn("count the review queue", "err", err, "request_id", requestID(c))
			}
			return n
		}
	}
	p.notices = func() []siteNotice {
		live, err := s.Notices.Live(c.UserContext())
		if err != nil {
			s.Log.Warn("read the site notices", "err", err, "request_id", requestID(c))
		}
		out := make([]siteNotice, 0, len(live))
		for _, n := range live {
			sn := siteNotice{Level: n.Level, Text: n.Text(p.Lang)}
			if n.ThreadID != nil {
				sn.Link = "/t/" + strconv.FormatInt(*n.ThreadID, 10)
			}
			out = append(out, sn)
		}
		return out
	}
	if p.User != nil {
		p.unread = func() int {
			n, err := s.Notify.Unread(c.UserContext(), p.User.ID)
			if err != nil {
				s.Log.Warn("count unread notifications", "err", err, "request_id", requestID(c))
			}
			return n
		}
	}
	if name := c.Query("upload"); name != "" && upload.ValidName(name) {
		p.Uploaded = "![](/uploads/" + name + ")"
	}
	if n := c.Cookies(noticeCookie); n != "" {
		if s.I18n.Translate(p.Lang, n) != n { // only known keys, never cookie text
			p.Notice = n
		}
		s.clearCookie(c, noticeCookie)
	}
	return p
}

// redirectWithNotice redirects after a successful POST and shows key once.
func (s *Server) redirectWithNotice(c *fiber.Ctx, to, key string) error {
	s.setCookie(c, noticeCookie, key, time.Minute)
	return c.Redirect(to, fiber.StatusSeeOther)
}

func (s *Server) render(c *fiber.Ctx, page string, data any) error {
	c.Type("html", "utf-8")
	c.Locals(localThemePage, page)
	return s.Theme.Render(c, page, data)
}
