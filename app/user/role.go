package user

// Role is what a user may do. Roles are ordered: each includes the ones below it.
type Role string

// The roles, lowest first.
const (
	RoleMember    Role = "member"
	RoleAgent     Role = "agent"
	RoleModerator Role = "moderator"
	RoleAdmin     Role = "admin"
)

// Roles lists every role, lowest first.
var Roles = []Role{RoleMember, RoleAgent, RoleModerator, RoleAdmin}

func (r Role) level() int {
	for i, x := range Roles {
		if x == r {
			return i
		}
	}
	return -1
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.level() >= 0 }

// AtLeast reports whether r includes min. An unknown role includes nothing.
func (r Role) AtLeast(min Role) bool { return r.Valid() && r.level() >= min.level() }

// IsStaff reports whether r is an agent, moderator or admin.
func (r Role) IsStaff() bool { return r.AtLeast(RoleAgent) }
