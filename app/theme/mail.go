package theme

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"strings"
	texttemplate "text/template"
)

// Mails holds a theme's mail templates: for each mail NAME, mail/NAME.txt (the
// plain text, which also defines "subject") with mail/layout.txt, and
// mail/NAME.html with mail/layout.html, each parsed into a set of its own as
// pages are. A mail without its HTML half is a start-up error: every mail
// goes out in both.
type Mails struct {
	text map[string]*texttemplate.Template
	html map[string]*htmltemplate.Template
}

// LoadMails parses the theme's mail templates.
func LoadMails(files *Files) (*Mails, error) {
	name, root := files.Name, files.Templates
	m := &Mails{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	texts, err := fs.Glob(root, "mail/*.txt")
	if err != nil {
		return nil, err
	}
	for _, p := range texts {
		n := strings.TrimSuffix(path.Base(p), ".txt")
		if n == "layout" {
			continue
		}
		t, err := texttemplate.New(path.Base(p)).ParseFS(root, "mail/layout.txt", p)
		if err != nil {
			return nil, fmt.Errorf("theme %s: %w", name, err)
		}
		if t.Lookup("subject") == nil {
			return nil, fmt.Errorf("theme %s: %s defines no subject", name, p)
		}
		h, err := htmltemplate.New(n+".html").ParseFS(root, "mail/layout.html", "mail/"+n+".html")
		if err != nil {
			return nil, fmt.Errorf("theme %s: mail %s: %w", name, n, err)
		}
		m.text[n], m.html[n] = t, h
	}
	return m, nil
}

// Names lists the mails, in no particular order.
func (m *Mails) Names() []string {
	out := make([]string, 0, len(m.text))
	for n := range m.text {
		out = append(out, n)
	}
	return out
}

// Render executes mail name with data: its subject (one line), plain text and
// HTML.
func (m *Mails) Render(name string, data any) (subject, text, html string, err error) {
	t, ok := m.text[name]
	if !ok {
		return "", "", "", fmt.Errorf("theme: no mail %q", name)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "subject", data); err != nil {
		return "", "", "", fmt.Errorf("theme: mail %s: %w", name, err)
	}
	subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err := t.ExecuteTemplate(&b, "layout", data); err != nil {
		return "", "", "", fmt.Errorf("theme: mail %s: %w", name, err)
	}
	text = b.String()
	b.Reset()
	if err := m.html[name].ExecuteTemplate(&b, "layout", data); err != nil {
		return "", "", "", fmt.Errorf("theme: mail %s: %w", name, err)
	}
	return subject, text, b.String(), nil
}
