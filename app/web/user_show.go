package web

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/reputation"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

type userPage struct {
	Page
	Profile  *user.User
	Rep      *reputation.Standing
	Activity []thread.Activity
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

// ActivityURL links one post of the activity list.
func (p *userPage) ActivityURL(a thread.Activity) string {
	return fmt.Sprintf("/t/%d/%s#p%d", a.ThreadID, a.Slug, a.PostID)
}

func (s *Server) userShow(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u, err := s.Users.GetByHandle(ctx, c.Params("handle"))
	if err != nil {
		return err
	}
	st, err := s.Rep.Standing(ctx, u)
	if err != nil {
		return err
	}
	activity, err := s.Threads.RecentActivity(ctx, u.ID, 10)
	if err != nil {
		return err
	}
	p := s.newPage(c, "")
	p.Title = u.DisplayName
	return s.render(c, "user_show", &userPage{Page: p, Profile: u, Rep: st, Activity: activity})
}
