package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/reputation"
)

type badgeListPage struct {
	Page
	Badges []reputation.Badge
	Counts map[string]int
}

type badgeShowPage struct {
	Page
	Badge   reputation.Badge
	Holders []reputation.Holder
	Total   int
}

// badgeList shows every badge with how many members hold it.
func (s *Server) badgeList(c *fiber.Ctx) error {
	counts, err := s.Rep.HolderCounts(c.UserContext())
	if err != nil {
		return err
	}
	p := &badgeListPage{Page: s.newPage(c, "badges.title"), Badges: reputation.Badges, Counts: counts}
	p.Head.Index = true
	return s.render(c, "badge_list", p)
}

// badgeShow lists a badge's holders, newest first.
func (s *Server) badgeShow(c *fiber.Ctx) error {
	b, ok := reputation.BadgeByID(c.Params("id"))
	if !ok {
		return fiber.ErrNotFound
	}
	holders, total, err := s.Rep.Holders(c.UserContext(), b.ID, 100)
	if err != nil {
		return err
	}
	p := s.newPage(c, "")
	p.Title = p.T("badge." + b.ID + ".name")
	p.Head.Index, p.Head.Description = true, p.T("badge."+b.ID+".desc")
	return s.render(c, "badge_show", &badgeShowPage{Page: p, Badge: b, Holders: holders, Total: total})
}
