package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/mail/mailtest"
	"github.com/schwarm/schwarm/app/notify"
	"github.com/schwarm/schwarm/app/user"
)

// TestNotificationMailsArriveOnceEach: answers reach the asker and a watcher by
// mail through a real SMTP server, each in the recipient's language, with both
// parts, the link to the answer and a one-click unsubscribe. With the SMTP
// server down three answers are posted; once it is back, each of their mails
// arrives exactly once. The one-click POST the List-Unsubscribe-Post header
// promises stops that kind of mail.
func TestNotificationMailsArriveOnceEach(t *testing.T) {
	smtp := mailtest.Start(t)
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) {
		c.SMTPURL, c.MailFrom, c.TrustReputation = smtp.URL(), "Schwarm <forum@example.com>", 0
	}})
	ctx := context.Background()
	jonas, err := srv.App.Users.Register(ctx, user.Registration{Handle: "jonas", Email: "jonas@example.com", Password: apptest.Password, Locale: "de", Verified: true})
	if err != nil {
		t.Fatal(err)
	}
	th := seedThread(t, srv) // mara asks; the agent answers, officially
	official := smtp.WaitTo(t, "mara@example.com", 0, 10*time.Second)
	if want := "Official answer from sam_agent in “Router drops Wi-Fi every evening”"; official.Subject != want {
		t.Errorf("subject %q, want %q", official.Subject, want)
	}
	if !strings.Contains(official.Text, "Update the firmware.") || !strings.Contains(official.HTML, "Update the firmware.") {
		t.Errorf("the mail does not quote the answer:\n%s\n%s", official.Text, official.HTML)
	}
	threadLink := fmt.Sprintf("%s/t/%d/%s#p", srv.App.Config.BaseURL, th.ID, th.Slug)
	if official.Link(threadLink) == "" || !strings.Contains(official.HTML, `href="`+threadLink) {
		t.Errorf("no link to the answer %s… in:\n%s", threadLink, official.Text)
	}
	unsub := strings.Trim(official.Headers.Get("List-Unsubscribe"), "<>")
	if !strings.HasPrefix(unsub, srv.App.Config.BaseURL+"/unsubscribe/") || official.Headers.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe %q, List-Unsubscribe-Post %q", official.Headers.Get("List-Unsubscribe"), official.Headers.Get("List-Unsubscribe-Post"))
	}
	if err := srv.App.Notify.Watch(ctx, jonas.ID, notify.TargetThread, th.ID); err != nil {
		t.Fatal(err)
	}
	if err := srv.App.Notify.SetPreferences(ctx, jonas.ID, map[string]string{notify.KindReply: notify.DeliverEmail}); err != nil {
		t.Fatal(err)
	}

	smtp.Stop()
	otto := srv.Client(t)
	otto.Login("otto", apptest.Password)
	for i := range 3 {
		mustContain(t, otto.Post(fmt.Sprintf("/t/%d/reply", th.ID), form("body", fmt.Sprintf("Idea number %d: restart it at night.", i+1))), "restart it at night")
	}
	time.Sleep(300 * time.Millisecond) // the sender tries and fails meanwhile
	smtp.Start()
	for i := range 3 {
		m := smtp.WaitTo(t, "mara@example.com", 1+i, 10*time.Second)
		if m.Subject != "otto answered your question “Router drops Wi-Fi every evening”" {
			t.Errorf("mara's mail %d: %q", i+1, m.Subject)
		}
		m = smtp.WaitTo(t, "jonas@example.com", i, 10*time.Second)
		if m.Subject != "otto hat in „Router drops Wi-Fi every evening“ geantwortet" || !strings.Contains(m.Text, "Abmelden") {
			t.Errorf("jonas's mail %d: %q\n%s", i+1, m.Subject, m.Text)
		}
	}
	time.Sleep(500 * time.Millisecond) // room for a duplicate to show
	seen := map[string]int{}
	for _, m := range append(smtp.To("mara@example.com"), smtp.To("jonas@example.com")...) {
		seen[m.To[0]+" "+m.Text]++
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%d copies of %.80q", n, k)
		}
	}
	if got := len(smtp.To("mara@example.com")) + len(smtp.To("jonas@example.com")); got != 7 {
		t.Errorf("%d mails, want 7 (mara: the official answer and three; jonas: three)", got)
	}

	// The mail client's one-click unsubscribe: a POST without cookies.
	req, _ := http.NewRequest(http.MethodPost, strings.Replace(unsub, srv.App.Config.BaseURL, srv.URL, 1), strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("one-click unsubscribe: %d", resp.StatusCode)
	}
	if prefs, _ := srv.App.Notify.Preferences(ctx, srv.Fixtures.Member.ID); prefs[notify.KindOfficial] != notify.DeliverApp {
		t.Errorf("after unsubscribing: official answers %q, want told in the forum only", prefs[notify.KindOfficial])
	}
}
