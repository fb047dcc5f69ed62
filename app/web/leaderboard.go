package web

import (
	"net/url"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/reputation"
)

type leaderboardPage struct {
	Page
	Boards  []board.Board
	BoardID int64
	Period  string
	Periods []string
	Leaders []reputation.Leader
}

// Place is the 1-based place of the i-th leader.
func (p *leaderboardPage) Place(i int) int { return i + 1 }

// Medal is the medal of the first three places, "" for the others.
func (p *leaderboardPage) Medal(i int) string {
	if i < 3 {
		return [...]string{"gold", "silver", "bronze"}[i]
	}
	return ""
}

// Caption says what the table ranks: the period, and the board if one is chosen.
func (p *leaderboardPage) Caption() string {
	period := p.T("leaderboard.period." + p.Period)
	for _, b := range p.Boards {
		if b.ID == p.BoardID {
			return p.T("leaderboard.caption_board", period, b.Name(p.Lang))
		}
	}
	return p.T("leaderboard.caption", period)
}

// PeriodURL links the leaderboard of period, keeping the board.
func (p *leaderboardPage) PeriodURL(period string) string {
	v := url.Values{"period": {period}}
	if p.BoardID != 0 {
		v.Set("board", strconv.FormatInt(p.BoardID, 10))
	}
	return "/leaderboard?" + v.Encode()
}

// leaderboard ranks members by the reputation they earned in a period and board.
func (s *Server) leaderboard(c *fiber.Ctx) error {
	ctx := c.UserContext()
	period := c.Query("period", reputation.PeriodMonth)
	if !slices.Contains(reputation.Periods, period) {
		period = reputation.PeriodMonth
	}
	boards, err := s.Boards.List(ctx)
	if err != nil {
		return err
	}
	boardID := int64(c.QueryInt("board"))
	if !slices.ContainsFunc(boards, func(b board.Board) bool { return b.ID == boardID }) {
		boardID = 0
	}
	leaders, err := s.Rep.Leaderboard(ctx, boardID, period, 50)
	if err != nil {
		return err
	}
	p := &leaderboardPage{Page: s.newPage(c, "leaderboard.title"), Boards: boards,
		BoardID: boardID, Period: period, Periods: reputation.Periods, Leaders: leaders}
	p.Head.Index = true
	if period != reputation.PeriodMonth || boardID != 0 {
		p.Head.Canonical = p.PeriodURL(period)
	}
	return s.render(c, "leaderboard", p)
}
