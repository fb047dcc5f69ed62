package web

import (
	"encoding/csv"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

const (
	auditPerPage = 50
	// auditExportMax bounds one CSV export; narrower filters export the rest.
	auditExportMax = 100_000
)

// auditRow is one line of the audit log as the page shows it.
type auditRow struct {
	audit.Entry
	Actor, Member string // handles; "" when gone
}

type auditPage struct {
	Page
	Rows    []auditRow
	Actions []string
	// The filter as typed, for the form and the links.
	Actor, Member, Action, From, To string
	Errors                          validate.Errors
	Next                            int64
}

// Query is the filter as a query string, for the next page and the export.
func (p *auditPage) Query(before int64) string {
	q := url.Values{}
	for k, v := range map[string]string{"actor": p.Actor, "member": p.Member, "action": p.Action, "from": p.From, "to": p.To} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if before > 0 {
		q.Set("before", strconv.FormatInt(before, 10))
	}
	return q.Encode()
}

// auditFilter reads the filter of the page or the export from the query string.
// A handle nobody has or a date that is no date is a field error, shown on the
// form: the log is not read with half a filter.
func (s *Server) auditFilter(c *fiber.Ctx, p *auditPage) (audit.Filter, error) {
	p.Actor, p.Member = strings.TrimPrefix(strings.TrimSpace(c.Query("actor")), "@"), strings.TrimPrefix(strings.TrimSpace(c.Query("member")), "@")
	p.From, p.To = strings.TrimSpace(c.Query("from")), strings.TrimSpace(c.Query("to"))
	if a := c.Query("action"); slices.Contains(audit.Actions, a) {
		p.Action = a
	}
	f := audit.Filter{Action: p.Action}
	f.Before, _ = strconv.ParseInt(c.Query("before"), 10, 64)
	errs := validate.Errors{}
	for _, h := range []struct {
		field, handle string
		id            *int64
	}{{"actor", p.Actor, &f.ActorID}, {"member", p.Member, &f.MemberID}} {
		if h.handle == "" {
			continue
		}
		if len(h.handle) > 64 { // no handle is that long: not worth a query
			errs.Add(h.field, "audit.no_member")
			continue
		}
		u, err := s.Users.GetByHandle(c.UserContext(), h.handle)
		switch {
		case errors.Is(err, user.ErrNotFound):
			errs.Add(h.field, "audit.no_member")
		case err != nil:
			return f, err
		default:
			*h.id = u.ID
		}
	}
	for _, d := range []struct {
		field, text string
		at          *time.Time
		days        int
	}{{"from", p.From, &f.From, 0}, {"to", p.To, &f.To, 1}} {
		if d.text == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, d.text)
		if err != nil {
			errs.Add(d.field, "audit.bad_date")
			continue
		}
		*d.at = t.AddDate(0, 0, d.days) // "to" takes in its whole day
	}
	return f, errs.Err()
}

func (s *Server) modAudit(c *fiber.Ctx) error {
	p := &auditPage{Page: s.newPage(c, "audit.title"), Actions: audit.Actions}
	f, err := s.auditFilter(c, p)
	if errs, ok := validate.From(err); ok {
		p.Errors = errs
		c.Status(fiber.StatusUnprocessableEntity)
		return s.render(c, "mod_audit", p)
	}
	if err != nil {
		return err
	}
	page, err := s.Audit.List(c.UserContext(), f, auditPerPage)
	if err != nil {
		return err
	}
	if p.Rows, err = s.auditRows(c, page.Entries); err != nil {
		return err
	}
	p.Next = page.Next
	return s.render(c, "mod_audit", p)
}

// auditRows puts the handles of actors and members beside entries.
func (s *Server) auditRows(c *fiber.Ctx, entries []audit.Entry) ([]auditRow, error) {
	var ids []int64
	for _, e := range entries {
		ids = append(ids, e.ActorID)
		if e.MemberID != nil {
			ids = append(ids, *e.MemberID)
		}
	}
	handles, err := s.Users.Handles(c.UserContext(), ids)
	if err != nil {
		return nil, err
	}
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		rows[i] = auditRow{Entry: e, Actor: handles[e.ActorID]}
		if e.MemberID != nil {
			rows[i].Member = handles[*e.MemberID]
		}
	}
	return rows, nil
}

// modAuditExport answers the same filter as CSV, every matching row up to
// auditExportMax, newest first.
func (s *Server) modAuditExport(c *fiber.Ctx) error {
	p := &auditPage{Page: s.newPage(c, "audit.title")}
	f, err := s.auditFilter(c, p)
	if err != nil {
		return err // a field error is a 422 problem, in the viewer's language
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="schwarm-audit.csv"`)
	w := csv.NewWriter(c)
	if err := w.Write([]string{"id", "time", "actor", "action", "member", "thread", "post", "reason", "before", "after"}); err != nil {
		return err
	}
	for n := 0; n < auditExportMax; {
		page, err := s.Audit.List(c.UserContext(), f, min(1000, auditExportMax-n))
		if err != nil {
			return err
		}
		rows, err := s.auditRows(c, page.Entries)
		if err != nil {
			return err
		}
		for _, r := range rows {
			rec := []string{strconv.FormatInt(r.ID, 10), r.CreatedAt.UTC().Format(time.RFC3339), r.Actor, r.Action, r.Member,
				ref(r.ThreadID), ref(r.PostID), r.Reason, r.Before, r.After}
			for i := range rec {
				rec[i] = csvCell(rec[i])
			}
			if err := w.Write(rec); err != nil {
				return err
			}
		}
		n += len(rows)
		if page.Next == 0 {
			break
		}
		f.Before = page.Next
	}
	w.Flush()
	return w.Error()
}

func ref(id *int64) string {
	if id == nil {
		return ""
	}
	return strconv.FormatInt(*id, 10)
}

// csvCell keeps a spreadsheet from running a cell as a formula: a reason typed
// by a moderator, or a handle, may start with =, +, - or @.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
