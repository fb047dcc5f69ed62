package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/notify"
)

// TestNotificationsEndToEnd: an answer posted over HTTP reaches the asker
// through the event stream: the header counts it on every page, the list says
// who answered what, opening it marks it read and lands on the answer, and
// "mark all read" empties the count. The answerer watches the thread from then
// on, and unwatching it from the thread page stops what they are told.
func TestNotificationsEndToEnd(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) { c.TrustReputation = 0 }})
	th := seedThread(t, srv) // mara asks; the agent answers
	mara, otto := srv.Client(t), srv.Client(t)
	mara.Login("mara", apptest.Password)
	otto.Login("otto", apptest.Password)
	threadPath := fmt.Sprintf("/t/%d/%s", th.ID, th.Slug)

	unread := regexp.MustCompile(`href="/notifications" class="notifications-link">.*?<span class="label">Notifications</span> <span class="count"[^>]*>(\d+)</span>`)
	count := func(c *apptest.Client) string {
		m := unread.FindStringSubmatch(c.Get("/").Body)
		if m == nil {
			return "0"
		}
		return m[1]
	}
	if !apptest.Eventually(5*time.Second, func() bool {
		return strings.Contains(mara.Get("/notifications").Body, "Official answer from sam_agent")
	}) {
		var rows []struct {
			UserID   int64
			Kind     string
			ThreadID int64
		}
		srv.App.DB.Reader(context.Background()).Raw("SELECT user_id, kind, thread_id FROM notifications").Scan(&rows)
		var recs []struct {
			ID    int64
			Topic string
		}
		srv.App.DB.Reader(context.Background()).Raw("SELECT id, topic FROM outbox").Scan(&recs)
		t.Fatalf("mara was not told of the agent's answer: %+v %+v", rows, recs)
	}
	mustContain(t, mara.Get("/notifications"), "You earned the badge “Curious”") // her first question
	mustContain(t, mara.Post("/notifications/read", url.Values{}), "Marked as read.")
	if got := count(mara); got != "0" {
		t.Errorf("after marking all read: %s unread", got)
	}
	mustContain(t, otto.Post(fmt.Sprintf("/t/%d/reply", th.ID), form("body", "Switch off the night mode in the router menu.")), "Switch off the night mode")
	if !apptest.Eventually(5*time.Second, func() bool { return count(mara) == "1" }) {
		t.Fatalf("mara's unread count: %s, want 1 (otto's answer)", count(mara))
	}
	list := mara.Get("/notifications")
	mustContain(t, list, "otto answered your question “Router drops Wi-Fi every evening”")
	id := regexp.MustCompile(`href="/notifications/(\d+)">otto answered`).FindStringSubmatch(list.Body)
	if id == nil {
		t.Fatalf("no link to open otto's notification in %s", list.Body)
	}
	open := mara.NoRedirects().Get("/notifications/" + id[1])
	if open.StatusCode != http.StatusSeeOther || !strings.HasPrefix(open.Header.Get("Location"), threadPath+"#p") {
		t.Fatalf("opening: %d to %q, want the answer in %s", open.StatusCode, open.Header.Get("Location"), threadPath)
	}
	if got := count(mara); got != "0" {
		t.Errorf("after opening it: %s unread, want 0", got)
	}
	// Someone else's notification is not theirs to open.
	if r := otto.Get("/notifications/" + id[1]); r.StatusCode != http.StatusNotFound {
		t.Errorf("otto opening mara's notification: %d, want 404", r.StatusCode)
	}

	// otto answered, so he watches; the thread page offers to stop.
	page := otto.Get(threadPath)
	mustContain(t, page, `action="/unwatch"`, "Stop watching")
	ctx := context.Background()
	if on, _ := srv.App.Notify.Watching(ctx, srv.Fixtures.Other.ID, notify.TargetThread, th.ID); !on {
		t.Fatal("otto does not watch the thread he answered in")
	}
	mustContain(t, otto.Post("/unwatch", form("target", "thread", "id", fmt.Sprint(th.ID))), "You no longer watch it.", `action="/watch"`)
	mustContain(t, otto.Post("/watch", form("target", "board", "id", "internet")), "You are watching it now")
	mustContain(t, otto.Get("/settings/notifications"), "Internet &amp; Router", `name="delivery_answer"`)
	if r := otto.Post("/watch", form("target", "planet", "id", "1")); r.StatusCode != http.StatusBadRequest {
		t.Errorf("watching a planet: %d, want 400", r.StatusCode)
	}
	if r := otto.Post("/watch", form("target", "thread", "id", "999999")); r.StatusCode != http.StatusNotFound {
		t.Errorf("watching no thread: %d, want 404", r.StatusCode)
	}
}

// TestNotificationSettingsAndUnsubscribe: the settings form stores a choice
// per kind, refuses one it does not offer in the member's language, and the
// unsubscribe link works without a session, by a mail client's one-click POST
// too, but not when forged.
func TestNotificationSettingsAndUnsubscribe(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	c := srv.Client(t)
	c.Language = "de"
	c.Login("mara", apptest.Password)
	c.Post("/language", form("lang", "de", "next", "/"))
	c.Get("/settings/notifications")
	mustContain(t, c.Post("/settings/notifications", form("delivery_kudos", "off", "delivery_answer", "digest")), "Ihre Benachrichtigungseinstellungen sind gespeichert.")
	ctx := context.Background()
	prefs, err := srv.App.Notify.Preferences(ctx, srv.Fixtures.Member.ID)
	if err != nil || prefs["kudos"] != "off" || prefs["answer"] != "digest" {
		t.Fatalf("preferences %v, %v", prefs, err)
	}
	r := c.Post("/settings/notifications", form("delivery_kudos", "pigeon"))
	if r.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown delivery: %d, want 400", r.StatusCode)
	}
	mustContain(t, r, "Diese Auswahl gehört nicht zu den angebotenen.")

	path, err := srv.App.Notify.UnsubscribePath(ctx, srv.Fixtures.Member.ID, "digest")
	if err != nil {
		t.Fatal(err)
	}
	guest := srv.Client(t)
	mustContain(t, guest.Get(path), "Stop the daily digest e-mail?", `method="post"`)
	// What a mail client sends for List-Unsubscribe-Post: no cookie, no token.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("one-click unsubscribe: %d, want 200", resp.StatusCode)
	}
	if prefs, _ := srv.App.Notify.Preferences(ctx, srv.Fixtures.Member.ID); prefs["answer"] != "app" {
		t.Errorf("after unsubscribing from the digest: answers %q, want app", prefs["answer"])
	}
	forged := strings.Replace(path, fmt.Sprintf("/%d/", srv.Fixtures.Member.ID), fmt.Sprintf("/%d/", srv.Fixtures.Other.ID), 1)
	r = guest.Post(forged, url.Values{})
	if r.StatusCode != http.StatusBadRequest {
		t.Errorf("a forged link: %d, want 400", r.StatusCode)
	}
	mustContain(t, r, "This unsubscribe link is not valid.")
}

// TestMentionAutocomplete: the handle suggestions for @mentions, to members.
func TestMentionAutocomplete(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	c := srv.Client(t)
	c.Login("otto", apptest.Password)
	r := c.Get("/users/suggest?q=%40ma")
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"handle":"mara"`) {
		t.Errorf("suggest @ma: %d %s", r.StatusCode, r.Body)
	}
	for _, q := range []string{"", "%25", "_", "a%27%20OR%201=1"} {
		if r := c.Get("/users/suggest?q=" + q); r.Body != "[]" {
			t.Errorf("suggest %q: %s, want nobody", q, r.Body)
		}
	}
}
