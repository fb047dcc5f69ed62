package mail

import (
	"github.com/schwarm/schwarm/app/i18n"
	"github.com/schwarm/schwarm/app/theme"
)

// PreferencesPath is the page where members choose which mails they get;
// every mail's footer links to it.
const PreferencesPath = "/settings/notifications"

// Renderer renders the theme's mails in a recipient's language.
type Renderer struct {
	mails   *theme.Mails
	bundle  *i18n.Bundle
	baseURL string
}

// NewRenderer returns a Renderer; baseURL is the forum's public URL, without
// a trailing slash, that links in mails start with.
func NewRenderer(mails *theme.Mails, bundle *i18n.Bundle, baseURL string) *Renderer {
	return &Renderer{mails: mails, bundle: bundle, baseURL: baseURL}
}

// View is what a mail template gets: Data is the caller's, T translates into
// the recipient's language, URL makes a path absolute.
type View struct {
	Lang           string
	BaseURL        string
	PreferencesURL string
	Data           any
	bundle         *i18n.Bundle
}

// T translates key into the mail's language.
func (v View) T(key string, args ...any) string { return v.bundle.Translate(v.Lang, key, args...) }

// URL is path on the forum, absolute.
func (v View) URL(path string) string { return v.BaseURL + path }

// Render renders mail name for a reader of locale ("" or one we lack: the
// default language) with data: its subject, plain text and HTML.
func (r *Renderer) Render(locale, name string, data any) (subject, text, html string, err error) {
	if !r.bundle.Has(locale) {
		locale = r.bundle.Languages()[0]
	}
	return r.mails.Render(name, View{Lang: locale, BaseURL: r.baseURL, PreferencesURL: r.baseURL + PreferencesPath, Data: data, bundle: r.bundle})
}

// Message renders mail name as a Message to to under key (see Message.Key),
// without an unsubscribe link: set one for mail that is not transactional.
func (r *Renderer) Message(key, locale, name, to string, data any) (Message, error) {
	subject, text, html, err := r.Render(locale, name, data)
	return Message{Key: key, To: to, Subject: subject, Text: text, HTML: html}, err
}
