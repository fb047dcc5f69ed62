package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/validate"
)

// avatarCaching lets browsers and proxies keep an avatar for five minutes and
// then ask again with its ETag: the address of a member's avatar never changes
// (posts rendered once keep it), so a new upload shows within that time.
const avatarCaching = "public, max-age=300"

// avatarShow serves /u/:handle/avatar: the member's uploaded image, or else a
// picture drawn from their handle — never one fetched from a third party.
func (s *Server) avatarShow(c *fiber.Ctx) error {
	u, err := s.Users.GetByHandle(c.UserContext(), c.Params("handle"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, avatarCaching)
	if u.Avatar != "" {
		return c.Redirect("/uploads/"+u.Avatar, fiber.StatusFound)
	}
	svg := drawnAvatar(u.Handle, u.DisplayName)
	sum := sha256.Sum256(svg)
	c.Set(fiber.HeaderETag, `"`+hex.EncodeToString(sum[:8])+`"`)
	c.Set(fiber.HeaderContentType, "image/svg+xml")
	if c.Fresh() {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.Send(svg)
}

// avatarSave makes an uploaded image the member's avatar. The upload service
// checks what the file really is (PNG, JPEG, GIF or WebP, within the size
// limit); the pages show it cropped to a circle whatever its shape.
func (s *Server) avatarSave(c *fiber.Ctx) error {
	me := currentUser(c)
	up, err := s.saveUpload(c, me.ID)
	if err != nil {
		if _, ok := validate.From(err); ok {
			return s.uploadError(c, err)
		}
		return err
	}
	if err := s.Users.SetAvatar(c.UserContext(), me.ID, up.Name()); err != nil {
		return err
	}
	return s.redirectWithNotice(c, "/settings/profile", "avatar.saved")
}

// avatarRemove goes back to the drawn avatar.
func (s *Server) avatarRemove(c *fiber.Ctx) error {
	if err := s.Users.SetAvatar(c.UserContext(), currentUser(c).ID, ""); err != nil {
		return err
	}
	return s.redirectWithNotice(c, "/settings/profile", "avatar.removed")
}

// drawnAvatar is an SVG of the initials of name (or of the handle) on a colour
// taken from the handle, dark enough for white text at 4.5:1 (WCAG AA).
func drawnAvatar(handle, name string) []byte {
	h := fnv.New32a()
	h.Write([]byte(handle))
	hue := float64(h.Sum32() % 360)
	r, g, b := avatarColour(hue)
	var text bytes.Buffer
	xml.EscapeText(&text, []byte(initials(name, handle)))
	return fmt.Appendf(nil, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64"><rect width="64" height="64" rx="32" fill="#%02x%02x%02x"/><text x="32" y="32" dy=".35em" text-anchor="middle" font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif" font-size="26" font-weight="600" fill="#ffffff">%s</text></svg>`, r, g, b, text.String())
}

// avatarColour is the colour of hue at a lightness lowered until white text
// on it reaches 4.5:1.
func avatarColour(hue float64) (r, g, b uint8) {
	for l := 0.42; ; l -= 0.02 {
		r, g, b = hsl(hue, 0.5, l)
		if contrast(luminance(r, g, b), 1) >= 4.6 || l < 0.1 {
			return r, g, b
		}
	}
}

// initials are the first letters of the first and last word of name, upper
// case; the handle's first letter when the name has none.
func initials(name, handle string) string {
	words := strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	first := func(s string) string {
		for _, r := range s {
			return string(unicode.ToUpper(r))
		}
		return ""
	}
	switch len(words) {
	case 0:
		if f := first(handle); f != "" {
			return f
		}
		return "?"
	case 1:
		return first(words[0])
	default:
		return first(words[0]) + first(words[len(words)-1])
	}
}

func hsl(h, s, l float64) (uint8, uint8, uint8) {
	c := (1 - math.Abs(2*l-1)) * s
	x := c * (1 - math.Abs(math.Mod(h/60, 2)-1))
	m := l - c/2
	var r, g, b float64
	switch {
	case h < 60:
		r, g = c, x
	case h < 120:
		r, g = x, c
	case h < 180:
		g, b = c, x
	case h < 240:
		g, b = x, c
	case h < 300:
		r, b = x, c
	default:
		r, b = c, x
	}
	to := func(v float64) uint8 { return uint8(math.Round((v + m) * 255)) }
	return to(r), to(g), to(b)
}

// luminance is the relative luminance of WCAG 2.
func luminance(r, g, b uint8) float64 {
	lin := func(v uint8) float64 {
		c := float64(v) / 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

func contrast(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	return (a + 0.05) / (b + 0.05)
}
