package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/validate"
)

// userReport records the viewer's report on a member, from their profile.
func (s *Server) userReport(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u, err := s.Users.GetByHandle(ctx, c.Params("handle"))
	if err != nil {
		return err
	}
	in := moderation.ReportInput{Kind: c.FormValue("kind"), Text: c.FormValue("text")}
	if err := s.Moderation.Report(ctx, currentUser(c), u.ID, in); err != nil {
		if _, ok := validate.From(err); ok {
			p, perr := s.newUserPage(c, u)
			if perr != nil {
				return perr
			}
			p.ReportKind, p.ReportText = in.Kind, in.Text
			return s.formError(c, "user_show", p, &p.ReportErrors, err)
		}
		return err
	}
	return s.redirectWithNotice(c, "/u/"+u.Handle, "report.thanks")
}

// userReportsDismiss closes the open reports on a member, from the review
// queue.
func (s *Server) userReportsDismiss(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u, err := s.Users.GetByHandle(ctx, c.Params("handle"))
	if err != nil {
		return err
	}
	if err := s.Moderation.DismissReports(ctx, currentUser(c), u.ID); err != nil {
		return err
	}
	return s.redirectWithNotice(c, "/mod/queue", "queue.dismissed_notice")
}
