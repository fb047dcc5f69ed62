package web

import (
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/user"
)

// connection is one row of the "Connected accounts" section.
type connection struct {
	Name, Label string
	Email       string // the provider's address when connected
	Connected   bool
	Configured  bool // false for a provider the forum no longer offers: it can only be removed
}

// connections lists the configured providers, and any provider no longer
// configured that u still has an identity at, so that it can be removed.
func (s *Server) connections(c *fiber.Ctx, u *user.User) ([]connection, error) {
	ids, err := s.Users.Identities(c.UserContext(), u.ID)
	if err != nil {
		return nil, err
	}
	var out []connection
	for _, b := range s.Auth.Providers().Buttons() {
		out = append(out, connection{Name: b.Name, Label: b.Label, Configured: true})
	}
	for _, id := range ids {
		i := slices.IndexFunc(out, func(x connection) bool { return x.Name == id.Provider })
		if i < 0 {
			out = append(out, connection{Name: id.Provider, Label: id.Provider})
			i = len(out) - 1
		}
		out[i].Connected, out[i].Email = true, id.Email
	}
	return out, nil
}

// ssoConnect starts connecting a provider to the signed-in member's account.
func (s *Server) ssoConnect(c *fiber.Ctx) error {
	return s.ssoStart(c, ssoFlow{Provider: c.Params("provider"), Next: "/settings/profile", Connect: currentUser(c).ID})
}

// confirmedCookie says, signed, which member just signed in again at a
// provider to confirm who they are, for confirmedTTL: what the password is
// for others when they delete their account.
const (
	confirmedCookie = "schwarm_confirmed"
	confirmedTTL    = 5 * time.Minute
)

// ssoConfirm sends a member without a password to sign in again at a
// provider of theirs, before they delete their account.
func (s *Server) ssoConfirm(c *fiber.Ctx) error {
	return s.ssoStart(c, ssoFlow{Provider: c.Params("provider"), Next: "/settings/profile", Connect: currentUser(c).ID, Confirm: true})
}

// confirmed reports whether the signed-in member confirmed who they are at a
// provider within confirmedTTL.
func (s *Server) confirmed(c *fiber.Ctx) bool {
	var id int64
	u := currentUser(c)
	return u != nil && s.openCookie(c, confirmedCookie, &id) && id == u.ID
}

func (s *Server) ssoDisconnect(c *fiber.Ctx) error {
	u := currentUser(c)
	if err := s.Auth.Disconnect(c.UserContext(), u.ID, c.Params("provider")); err != nil {
		page, perr := s.profilePage(c, u.DisplayName, u.Locale)
		if perr != nil {
			return perr
		}
		return s.formError(c, "profile_edit", page, &page.Errors, err)
	}
	return s.redirectWithNotice(c, "/settings/profile", "sso.disconnected")
}
