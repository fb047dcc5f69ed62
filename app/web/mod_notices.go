package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/notice"
	"github.com/schwarm/schwarm/app/validate"
)

// noticeTimeLayout is what an <input type="datetime-local"> sends; the form
// says its times are UTC.
const noticeTimeLayout = "2006-01-02T15:04"

type noticesPage struct {
	Page
	Levels  []string
	Notices []siteNoticeRow
	Errors  validate.Errors
	// The form, as sent back with its errors.
	Level, TextEN, TextDE, Thread, StartsAt, EndsAt string
}

type siteNoticeRow struct {
	notice.Notice
	Live, Over bool
}

func (s *Server) modNotices(c *fiber.Ctx) error {
	p := &noticesPage{Page: s.newPage(c, "notice.title"), Level: notice.LevelInfo}
	return s.renderNotices(c, p)
}

func (s *Server) renderNotices(c *fiber.Ctx, p *noticesPage) error {
	p.Levels = notice.Levels
	recent, err := s.Notices.Recent(c.UserContext(), 30)
	if err != nil {
		return err
	}
	now := s.Now()
	for _, n := range recent {
		p.Notices = append(p.Notices, siteNoticeRow{Notice: n, Live: n.LiveAt(now), Over: !n.LiveAt(now) && n.StartsAt.Before(now)})
	}
	if p.StartsAt == "" {
		p.StartsAt = now.Format(noticeTimeLayout)
	}
	return s.render(c, "mod_notices", p)
}

func (s *Server) modNoticePublish(c *fiber.Ctx) error {
	p := &noticesPage{Page: s.newPage(c, "notice.title"), Level: c.FormValue("level"),
		TextEN: validate.Cut(c.FormValue("text_en"), 4*notice.MaxText), TextDE: validate.Cut(c.FormValue("text_de"), 4*notice.MaxText),
		Thread: validate.Cut(c.FormValue("thread"), 2048), StartsAt: c.FormValue("starts_at"), EndsAt: c.FormValue("ends_at")}
	d := notice.Draft{Level: p.Level, TextEN: p.TextEN, TextDE: p.TextDE, Thread: p.Thread}
	errs := validate.Errors{}
	if v := strings.TrimSpace(p.StartsAt); v != "" {
		t, err := time.ParseInLocation(noticeTimeLayout, v, time.UTC)
		if err != nil {
			errs.Add("starts_at", "notice.time_invalid")
		}
		d.StartsAt = t
	}
	if v := strings.TrimSpace(p.EndsAt); v != "" {
		t, err := time.ParseInLocation(noticeTimeLayout, v, time.UTC)
		if err != nil {
			errs.Add("ends_at", "notice.time_invalid")
		}
		d.EndsAt = &t
	}
	if len(errs) == 0 {
		_, err := s.Notices.Publish(c.UserContext(), currentUser(c), d)
		if err == nil {
			return s.redirectWithNotice(c, "/mod/notices", "notice.published")
		}
		fields, ok := validate.From(err)
		if !ok {
			return err
		}
		errs = fields
	}
	p.Errors = errs
	c.Status(fiber.StatusUnprocessableEntity)
	return s.renderNotices(c, p)
}

func (s *Server) modNoticeEnd(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	if err := s.Notices.End(c.UserContext(), currentUser(c), id); err != nil {
		return err
	}
	return s.redirectWithNotice(c, "/mod/notices", "notice.ended")
}
