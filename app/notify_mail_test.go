package app_test

import (
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/notify"
)

// TestNotificationMailsInEveryKindAndLanguage renders the theme's notification
// and digest mails for every kind in both languages: each says what happened,
// with no untranslated key or formatting error, and links where it should.
func TestNotificationMailsInEveryKindAndLanguage(t *testing.T) {
	a := apptest.NewApp(t, apptest.Config(t, nil))
	var items []notify.MailData
	for _, kind := range notify.Kinds {
		d := notify.MailData{Kind: kind, Actor: "Otto", Actors: 1, Title: "Router <drops> Wi-Fi", Excerpt: "Switch off the night mode.",
			Link: "https://forum.example/t/1/router#p2", Unsubscribe: "https://forum.example/unsubscribe/1/" + kind + "/mac", Detail: "Advertising"}
		if kind == notify.KindBadge {
			d.Detail = "first_answer"
		}
		items = append(items, d)
		for _, lang := range []string{"en", "de"} {
			subject, text, html, err := a.MailViews.Render(lang, "notification", d)
			if err != nil {
				t.Fatalf("%s/%s: %v", kind, lang, err)
			}
			for what, s := range map[string]string{"subject": subject, "text": text, "html": html} {
				if strings.Contains(s, "notify.") || strings.Contains(s, "mail.") || strings.Contains(s, "%!") || strings.Contains(s, "badge.") {
					t.Errorf("%s/%s %s: %q", kind, lang, what, s)
				}
			}
			if subject == "" || strings.Contains(subject, "&lt;") || !strings.Contains(text, d.Link) || !strings.Contains(html, `href="`+d.Link+`"`) ||
				!strings.Contains(text, d.Unsubscribe) || (kind != notify.KindBadge && !strings.Contains(html, "Router &lt;drops&gt; Wi-Fi")) {
				t.Errorf("%s/%s:\nsubject %q\n%s\n%s", kind, lang, subject, text, html)
			}
		}
	}
	items[5].Actors = 3 // kudos from three
	for _, lang := range []string{"en", "de"} {
		subject, text, html, err := a.MailViews.Render(lang, "digest", notify.MailData{Kind: "digest", Items: items, Unsubscribe: "https://forum.example/unsubscribe/1/digest/mac"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(subject, "11") || strings.Count(text, "https://forum.example/t/1/router#p2") != len(items) || strings.Contains(text+html, "%!") ||
			!strings.Contains(text+html, map[string]string{"en": "3 people gave kudos", "de": "3 Personen haben"}[lang]) {
			t.Errorf("digest %s:\n%s\n%s\n%s", lang, subject, text, html)
		}
	}
}
