package web

import (
	"fmt"
	"io"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/upload"
	"github.com/schwarm/schwarm/app/validate"
)

type uploadResult struct {
	URL      string `json:"url"`
	Markdown string `json:"markdown"`
}

// uploadCreate stores an image a member attaches to a post. The composer's script
// asks for JSON and gets the address and the markdown to insert; a plain form post
// goes back to next with the upload's name in the query, so the page can show it.
func (s *Server) uploadCreate(c *fiber.Ctx) error {
	up, err := s.saveUpload(c, currentUser(c).ID)
	if err != nil {
		return s.uploadError(c, err)
	}
	if wantsJSON(c) {
		return c.Status(fiber.StatusCreated).JSON(uploadResult{URL: up.URL(), Markdown: "![](" + up.URL() + ")"})
	}
	return s.redirectWithNotice(c, withUpload(safeNext(c.FormValue("next")), up.Name()), "upload.saved")
}

func (s *Server) saveUpload(c *fiber.Ctx, ownerID int64) (*upload.Upload, error) {
	return s.receiveFile(c, func(r io.Reader) (*upload.Upload, error) { return s.Uploads.Save(c.UserContext(), ownerID, r) })
}

// receiveFile hands the form's file to save.
func (s *Server) receiveFile(c *fiber.Ctx, save func(io.Reader) (*upload.Upload, error)) (*upload.Upload, error) {
	fh, err := c.FormFile("file")
	if err != nil { // no multipart body, or no file in it
		return nil, validate.Errors{"file": "form.required"}
	}
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("web: open uploaded file: %w", err)
	}
	defer f.Close()
	return save(f)
}

// uploadError answers a refused file with its own message: 413 when it is too
// large, 422 otherwise. Other errors go on to the central handler.
func (s *Server) uploadError(c *fiber.Ctx, err error) error {
	fields, ok := validate.From(err)
	if !ok {
		return err
	}
	key := fields["file"]
	status := fiber.StatusUnprocessableEntity
	if key == "upload.too_large" {
		status = fiber.StatusRequestEntityTooLarge
	}
	lang := language(c)
	msg := s.I18n.Translate(lang, key)
	if wantsJSON(c) { // the shape formError gives, plus detail for a script's alert
		c.Set(fiber.HeaderContentLanguage, lang)
		return c.Status(status).JSON(fiber.Map{
			"type":   "about:blank",
			"title":  s.I18n.Translate(lang, fmt.Sprintf("status.%d", status)),
			"status": status,
			"detail": msg,
			"errors": map[string]string{"file": msg},
		}, "application/problem+json")
	}
	c.Status(status)
	return s.render(c, "error", &errorPage{Page: s.newPage(c, fmt.Sprintf("status.%d", status)), Status: status, Message: msg})
}

// withUpload adds upload=<name> to the query of the local address next.
func withUpload(next, name string) string {
	u, err := url.Parse(next)
	if err != nil {
		return "/"
	}
	q := u.Query()
	q.Set("upload", name)
	u.RawQuery = q.Encode()
	return safeNext(u.String())
}
