package reputation

import (
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/user"
)

// Rank is where a member stands: a name from the rank table, and how far it is
// to the next.
type Rank struct {
	Name     string
	Level    int   // 0 for the first rank
	Min      int64 // reputation this rank starts at
	Next     int64 // reputation the next rank starts at; 0 at the top
	NextName string
}

// Progress is the share of the way from this rank to the next, 0–100; 100 at the top.
func (r Rank) Progress(reputation int64) int {
	if r.Next == 0 {
		return 100
	}
	return int(100 * (reputation - r.Min) / (r.Next - r.Min))
}

// RankOf returns the rank for a reputation. Reputation below zero is the first rank.
func RankOf(ranks config.Ranks, reputation int64) Rank {
	r := Rank{Name: ranks[0].Name}
	for i, rk := range ranks {
		if reputation >= rk.Min {
			r = Rank{Name: rk.Name, Level: i, Min: rk.Min}
		}
	}
	if r.Level+1 < len(ranks) {
		r.Next, r.NextName = ranks[r.Level+1].Min, ranks[r.Level+1].Name
	}
	return r
}

// StaffLabel is the i18n key of the label staff carry instead of a rank
// ("Official" for agents), or "" for members.
func StaffLabel(role user.Role) string {
	switch role {
	case user.RoleAgent:
		return "rank.official"
	case user.RoleModerator:
		return "rank.moderator"
	case user.RoleAdmin:
		return "rank.admin"
	}
	return ""
}
