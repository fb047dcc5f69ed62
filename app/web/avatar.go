package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net/url"
	"strings"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/upload"
	"github.com/schwarm/schwarm/app/validate"
)

// avatarCaching lets browsers and proxies keep an avatar asked for by handle
// alone for five minutes and then ask again with its ETag: posts rendered once
// keep that address, so a new picture shows there within that time. Pages
// that know the member's picture add its version (avatarVersion), and that
// address is kept for good (avatarForGood): a new picture is a new address.
const (
	avatarCaching = "public, max-age=300"
	avatarForGood = "public, max-age=31536000, immutable"
)

// avatarShow serves /u/:handle/avatar: the member's uploaded picture, or else
// one drawn from their handle and name — never one fetched from a third party.
// The picture itself is sent, not a redirect to it: a page of posts asks for
// many avatars, and each redirect would be one more round trip.
func (s *Server) avatarShow(c *fiber.Ctx) error {
	u, err := s.Users.GetByHandle(c.UserContext(), c.Params("handle"))
	if err != nil {
		return err
	}
	version := avatarVersion(u.Handle, u.DisplayName, u.Avatar)
	caching := avatarCaching
	if c.Query("v") == version {
		caching = avatarForGood
	}
	if u.Avatar != "" {
		f, err := s.Uploads.Open(c.UserContext(), u.Avatar)
		if err != nil {
			return err
		}
		return sendUpload(c, f, version, caching)
	}
	c.Set(fiber.HeaderCacheControl, caching)
	c.Set(fiber.HeaderETag, `"`+version+`"`)
	c.Set(fiber.HeaderContentType, "image/svg+xml")
	// Opened on its own an SVG is a document that could run scripts; the name in
	// it is escaped, and this makes sure nothing in it runs regardless.
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; sandbox")
	if c.Fresh() {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.Send(drawnAvatar(u.Handle, u.DisplayName))
}

// avatarVersion names the picture a member's avatar address serves now: the
// upload's hash, or a hash of the drawing (which changes with the name).
func avatarVersion(handle, name, avatar string) string {
	if len(avatar) >= 16 {
		return avatar[:16]
	}
	sum := sha256.Sum256(drawnAvatar(handle, name))
	return hex.EncodeToString(sum[:8])
}

// avatarSave makes an uploaded picture the member's avatar: cropped square,
// scaled down and stored anew by the upload service, which also checks what
// the file really is. No kept page can show the old picture: the pages that
// carry the picture's version (profile, leaderboard, badges) are not kept, the
// thread pages that are kept link avatars by handle alone, and the upload, a
// successful POST, counts as a write that empties the page caches anyway.
func (s *Server) avatarSave(c *fiber.Ctx) error {
	me := currentUser(c)
	up, err := s.receiveFile(c, func(r io.Reader) (*upload.Upload, error) {
		return s.Uploads.SaveAvatar(c.UserContext(), me.ID, r)
	})
	if fields, ok := validate.From(err); ok {
		// The form again, with the problem beside the file field.
		page, perr := s.profilePage(c, me.DisplayName, me.Locale)
		if perr != nil {
			return perr
		}
		page.Errors = fields
		status := fiber.StatusUnprocessableEntity
		if fields["file"] == "upload.too_large" {
			status = fiber.StatusRequestEntityTooLarge
		}
		c.Status(status)
		return s.render(c, "profile_edit", page)
	}
	if err != nil {
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

// avatarView is what the "avatar" template draws: one member's picture.
type avatarView struct {
	URL  string
	Alt  string // "" when the member's name is beside the picture
	Size int    // CSS pixels, one of avatarSizes
}

// avatarSizes are the sizes app.css has a class for (avatar-<size>): the
// page's stylesheet, not an inline style, sets the size, as the CSP wants.
var avatarSizes = []int{24, 32, 40, 48, 64, 96, 128}

// Avatar is the picture of the member with handle and display name beside
// their name, size pixels wide; avatar is their upload's public name as the
// page loaded it ("" = none), which makes the address one kept for good.
// In a template: {{template "avatar" ($.Avatar .Handle .DisplayName .Avatar 40)}}.
func (p Page) Avatar(handle, name, avatar string, size int) avatarView {
	v := avatarView{URL: "/u/" + url.PathEscape(handle) + "/avatar?v=" + avatarVersion(handle, name, avatar), Size: avatarSizes[0]}
	for _, sz := range avatarSizes {
		if sz <= size {
			v.Size = sz
		}
	}
	return v
}

// AvatarAlt is Avatar for a picture shown without the name beside it: its
// alternative text names the member.
func (p Page) AvatarAlt(handle, name, avatar string, size int) avatarView {
	v := p.Avatar(handle, name, avatar, size)
	v.Alt = p.T("avatar.alt", name)
	return v
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
