package web

import (
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/reputation"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

type userPage struct {
	Page
	Profile     *user.User
	Rep         *reputation.Standing
	Activity    []thread.Activity
	CanRestrict bool // the viewer may suspend or silence this member
	Errors      validate.Errors

	CanReport              bool // the viewer may report this member
	ReportKind, ReportText string
	ReportErrors           validate.Errors
}

// ReportKinds are the kinds of the report form's radio buttons.
func (p *userPage) ReportKinds() []kindLabel {
	kinds := make([]kindLabel, len(moderation.ReportKinds))
	for i, k := range moderation.ReportKinds {
		kinds[i] = kindLabel{Value: k, Label: p.T("flag.kind." + k)}
	}
	return kinds
}

// Restricted says whether the member is suspended or silenced now; only staff
// and the member see it.
func (p *userPage) Restricted() bool {
	return p.Profile.Suspended(p.now) || p.Profile.Silenced(p.now)
}

// Until says when a restriction ends, "until further notice" for none.
func (p *userPage) Until(t *time.Time) string { return p.untilText(*t) }

// SeesRestriction says whether the viewer may see the member's restrictions.
func (p *userPage) SeesRestriction() bool {
	return p.User != nil && (p.User.ID == p.Profile.ID || thread.CanModerate(p.User))
}

// StandingLabel is the profile's rank, or staff label.
func (p *userPage) StandingLabel() string {
	return p.Page.Standing(p.Profile.Role, p.Profile.Reputation)
}

// NextRank names the next rank, "" at the top or for staff.
func (p *userPage) NextRank() string {
	if p.Profile.Role != user.RoleMember || p.Rep.Rank.Next == 0 {
		return ""
	}
	return p.RankName(p.Rep.Rank.Next)
}

// Progress is the way to the next rank in percent.
func (p *userPage) Progress() int { return p.Rep.Rank.Progress(p.Profile.Reputation) }

// ProgressStep is Progress rounded to the 5 % steps app.css has widths for
// (w-0 … w-100): the CSP allows no inline style to give the bar its exact width.
func (p *userPage) ProgressStep() int { return min(100, max(0, (p.Progress()+2)/5*5)) }

// TopRank says whether the member holds the highest rank there is.
func (p *userPage) TopRank() bool {
	return p.Profile.Role == user.RoleMember && p.Rep.Rank.Next == 0
}

// ActivityURL links one post of the activity list.
func (p *userPage) ActivityURL(a thread.Activity) string {
	return fmt.Sprintf("/t/%d/%s#p%d", a.ThreadID, a.Slug, a.PostID)
}

func (s *Server) userShow(c *fiber.Ctx) error {
	u, err := s.Users.GetByHandle(c.UserContext(), c.Params("handle"))
	if err != nil {
		return err
	}
	p, err := s.newUserPage(c, u)
	if err != nil {
		return err
	}
	p.Head.Index, p.Head.Canonical = true, "/u/"+u.Handle
	return s.render(c, "user_show", p)
}

// newUserPage loads what u's profile shows.
func (s *Server) newUserPage(c *fiber.Ctx, u *user.User) (*userPage, error) {
	ctx := c.UserContext()
	st, err := s.Rep.Standing(ctx, u)
	if err != nil {
		return nil, err
	}
	activity, err := s.Threads.RecentActivity(ctx, u.ID, 10)
	if err != nil {
		return nil, err
	}
	p := s.newPage(c, "")
	p.Title = u.DisplayName
	return &userPage{Page: p, Profile: u, Rep: st, Activity: activity, CanRestrict: moderation.CanActOn(p.User, u),
		CanReport: p.User != nil && p.User.ID != u.ID && !p.User.Suspended(p.now)}, nil
}
