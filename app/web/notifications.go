package web

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/notify"
	"github.com/schwarm/schwarm/app/reputation"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

type notificationsPage struct {
	Page
	Items []notify.Item
	Next  string
}

// Text says what notification n is about, in the page's language.
func (p *notificationsPage) Text(n notify.Item) string {
	actor := n.ActorName
	if actor == "" {
		actor = p.T("notify.someone")
	}
	title := n.ThreadTitle
	if title == "" {
		title = p.T("notify.gone")
	}
	detail := n.Detail
	switch {
	case n.Kind == notify.KindKudos && n.Actors > 1:
		return p.T("notify.text.kudos_many", n.Actors, title)
	case n.Kind == notify.KindBadge:
		if _, ok := reputation.BadgeByID(detail); ok {
			detail = p.T("badge." + detail + ".name")
		}
	}
	return p.T("notify.text."+n.Kind, actor, title, detail)
}

func (s *Server) notificationList(c *fiber.Ctx) error {
	list, err := s.Notify.List(c.UserContext(), currentUser(c), c.Query("after"), 30)
	if errors.Is(err, thread.ErrBadCursor) {
		return fiber.ErrBadRequest
	}
	if err != nil {
		return err
	}
	return s.render(c, "notifications", &notificationsPage{Page: s.newPage(c, "notify.title"), Items: list.Items, Next: list.Next})
}

// notificationOpen marks the notification read and goes where it leads: the
// list links each notification here, so that reading it is opening it.
func (s *Server) notificationOpen(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	to, err := s.Notify.Open(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// notificationsRead marks one notification (form field id) or all read.
func (s *Server) notificationsRead(c *fiber.Ctx) error {
	var id int64
	if v := c.FormValue("id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return fiber.ErrBadRequest
		}
		id = n
	}
	if err := s.Notify.MarkRead(c.UserContext(), currentUser(c).ID, id); err != nil {
		return err
	}
	return s.redirectWithNotice(c, "/notifications", "notify.marked_read")
}

type notificationSettingsPage struct {
	Page
	Kinds      []string
	Deliveries []string
	Chosen     map[string]string
	Watches    []notify.Watched
	MailOn     bool
}

func (s *Server) notificationSettings(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.UserContext()
	p := &notificationSettingsPage{Page: s.newPage(c, "notify.settings_title"), Kinds: notify.Kinds, Deliveries: notify.Deliveries, MailOn: s.Notify.MailOn()}
	var err error
	if p.Chosen, err = s.Notify.Preferences(ctx, u.ID); err != nil {
		return err
	}
	if p.Watches, err = s.Notify.Watches(ctx, u.ID, p.Lang); err != nil {
		return err
	}
	return s.render(c, "notification_settings", p)
}

func (s *Server) notificationSettingsSave(c *fiber.Ctx) error {
	choices := make(map[string]string, len(notify.Kinds))
	for _, k := range notify.Kinds {
		if d := c.FormValue("delivery_" + k); d != "" {
			choices[k] = d
		}
	}
	if err := s.Notify.SetPreferences(c.UserContext(), currentUser(c).ID, choices); err != nil {
		return err
	}
	return s.redirectWithNotice(c, "/settings/notifications", "notify.settings_saved")
}

// watch and unwatch take the form fields target (thread, board or tag) and id
// (a tag by its name), and go back to the page the form was on.
func (s *Server) watch(c *fiber.Ctx) error   { return s.setWatch(c, true) }
func (s *Server) unwatch(c *fiber.Ctx) error { return s.setWatch(c, false) }

func (s *Server) setWatch(c *fiber.Ctx, on bool) error {
	ctx := c.UserContext()
	u := currentUser(c)
	target := c.FormValue("target")
	var id int64
	back := "/settings/notifications"
	switch target {
	case notify.TargetThread:
		tid, err := strconv.ParseInt(c.FormValue("id"), 10, 64)
		if err != nil {
			return fiber.ErrBadRequest
		}
		t, err := s.Threads.View(ctx, u, tid)
		if err != nil {
			return err
		}
		id, back = t.ID, threadURL(t)
	case notify.TargetBoard:
		b, err := s.Boards.GetBySlug(ctx, c.FormValue("id"))
		if err != nil {
			return err
		}
		id, back = b.ID, "/b/"+b.Slug
	case notify.TargetTag:
		name := c.FormValue("id")
		tid, err := s.Notify.TagID(ctx, name)
		if err != nil {
			return err
		}
		if tid == 0 {
			return fiber.ErrNotFound
		}
		id, back = tid, "/?tag="+url.QueryEscape(name)
	default:
		return fiber.ErrBadRequest
	}
	if c.FormValue("back") == "settings" {
		back = "/settings/notifications"
	}
	if on {
		if err := s.Notify.Watch(ctx, u.ID, target, id); err != nil {
			return err
		}
		return s.redirectWithNotice(c, back, "notify.watching_now")
	}
	if err := s.Notify.Unwatch(ctx, u.ID, target, id); err != nil {
		return err
	}
	return s.redirectWithNotice(c, back, "notify.unwatched")
}

type unsubscribePage struct {
	Page
	Action string
	Kind   string
	Done   bool
}

// unsubscribeForm asks before it stops the mails: a link scanner that opens
// every link of a mail must not unsubscribe anyone.
func (s *Server) unsubscribeForm(c *fiber.Ctx) error {
	return s.render(c, "unsubscribe", &unsubscribePage{Page: s.newPage(c, "notify.unsubscribe_title"),
		Action: c.Path(), Kind: c.Params("kind")})
}

// unsubscribe stops mail of a kind. It is what a mail client's one-click
// unsubscribe (RFC 8058) posts, with no session and no CSRF token: the signed
// link is the authority, so the CSRF check lets this path through.
func (s *Server) unsubscribe(c *fiber.Ctx) error {
	uid, err := strconv.ParseInt(c.Params("uid"), 10, 64)
	if err != nil {
		return notify.ErrBadLink
	}
	if err := s.Notify.Unsubscribe(c.UserContext(), uid, c.Params("kind"), c.Params("mac")); err != nil {
		return err
	}
	if strings.Contains(c.Get(fiber.HeaderAccept), "text/html") || c.FormValue("List-Unsubscribe") == "" {
		return s.render(c, "unsubscribe", &unsubscribePage{Page: s.newPage(c, "notify.unsubscribe_title"), Kind: c.Params("kind"), Done: true})
	}
	return c.SendStatus(fiber.StatusOK)
}

// handleSuggest answers the @mention autocomplete.
func (s *Server) handleSuggest(c *fiber.Ctx) error {
	found, err := s.Users.SuggestHandles(c.UserContext(), c.Query("q"), 8)
	if err != nil {
		return err
	}
	if found == nil {
		found = []user.HandleMatch{}
	}
	return c.JSON(found)
}
