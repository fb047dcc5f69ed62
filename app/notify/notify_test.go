package notify_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/schwarm/schwarm/app"
	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/notify"
	"github.com/schwarm/schwarm/app/outbox"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// recorder is the mail queue of these tests: it writes each mail to a table in
// the notification's transaction, as app/mail's queue does, so a mail exists
// exactly when its notification committed. failAt makes the nth Queue fail
// (the mail server's database is gone, the node dies), once.
type recorder struct {
	db     *database.DB
	calls  atomic.Int64
	failAt int64
}

func (r *recorder) Enabled() bool { return true }

func (r *recorder) Queue(ctx context.Context, m notify.Mail) error {
	if n := r.calls.Add(1); n == r.failAt {
		return errors.New("the queue is down")
	}
	return r.db.Writer(ctx).Exec("INSERT INTO test_mails (mail_key, recipient, subject, body, unsubscribe) VALUES (?, ?, ?, ?, ?)",
		m.Key, m.To, m.Subject, m.Text, m.Unsubscribe).Error
}

// compose is the templates' stand-in: a subject and text that say what the
// mail is about, so tests can tell mails apart.
func compose(locale, name string, data any) (string, string, string, error) {
	d := data.(notify.MailData)
	if name == "digest" {
		var b strings.Builder
		for _, it := range d.Items {
			fmt.Fprintf(&b, "%s: %s\n", it.Kind, it.Title)
		}
		return locale + " digest", b.String(), "<p>digest</p>", nil
	}
	return locale + " " + d.Kind + ": " + d.Title, d.Actor + " | " + d.Excerpt + " | " + d.Link, "<p>" + d.Kind + "</p>", nil
}

type forum struct {
	t     testing.TB
	a     *app.App
	svc   *notify.Service
	mail  *recorder
	board *board.Board
	fx    apptest.Fixtures
	ctx   context.Context
}

func newForum(t testing.TB, opts notify.Options) *forum {
	t.Helper()
	a := apptest.NewApp(t, apptest.Config(t, func(c *config.Config) { c.TrustReputation = 0 }))
	ctx := context.Background()
	f := &forum{t: t, a: a, ctx: ctx, fx: apptest.Seed(t, a.Users)}
	if err := a.DB.Writer(ctx).Exec("CREATE TABLE test_mails (mail_key TEXT PRIMARY KEY, recipient TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, unsubscribe TEXT NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	f.mail = &recorder{db: a.DB}
	opts.BaseURL, opts.Mailer, opts.Compose = "https://forum.example", f.mail, compose
	opts.Secret = func(context.Context) (string, error) { return "test-key", nil }
	f.svc = notify.NewService(a.DB, a.Threads, opts, a.Now)
	f.board = &board.Board{Slug: "internet", NameEN: "Internet", NameDE: "Internet"}
	if err := a.Boards.Create(ctx, f.board); err != nil {
		t.Fatal(err)
	}
	// Every fixture has a confirmed address: mail goes only to those.
	if err := a.DB.Writer(ctx).Exec("UPDATE users SET email_verified_at = created_at").Error; err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *forum) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// member registers a member with a confirmed address.
func (f *forum) member(handle string) *user.User {
	f.t.Helper()
	u, err := f.a.Users.Register(f.ctx, user.Registration{Handle: handle, Email: handle + "@example.com", Password: apptest.Password, Locale: "de"})
	f.must(err)
	f.must(f.a.DB.Writer(f.ctx).Exec("UPDATE users SET email_verified_at = created_at WHERE id = ?", u.ID).Error)
	return u
}

func (f *forum) ask(u *user.User, title, body string) *thread.Thread {
	f.t.Helper()
	th, err := f.a.Threads.Create(f.ctx, u, thread.Ask{BoardID: f.board.ID, Title: title, Body: body})
	f.must(err)
	return th
}

func (f *forum) answer(u *user.User, th *thread.Thread, body string) *thread.Post {
	f.t.Helper()
	p, err := f.a.Threads.Reply(f.ctx, u, th.ID, body)
	f.must(err)
	return p
}

// deliver hands the consumer every record it has not been handed, as the
// stream would, and returns Handle's error.
func (f *forum) deliver() error {
	var records []outbox.Entry
	f.must(f.a.DB.Reader(f.ctx).Order("id").Find(&records).Error)
	return f.svc.Handle(f.ctx, records)
}

// told lists each member's notifications as "handle kind", oldest first,
// but the badges that first posts earn.
func (f *forum) told() []string {
	f.t.Helper()
	var rows []struct{ Handle, Kind string }
	f.must(f.a.DB.Reader(f.ctx).Raw("SELECT u.handle, n.kind FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.kind <> 'badge' ORDER BY n.id").Scan(&rows).Error)
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Handle + " " + r.Kind
	}
	return out
}

func (f *forum) mails() []string {
	f.t.Helper()
	var rows []struct{ Recipient, Subject string }
	f.must(f.a.DB.Reader(f.ctx).Raw("SELECT recipient, subject FROM test_mails ORDER BY mail_key").Scan(&rows).Error)
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Recipient + " " + r.Subject
	}
	return out
}

func TestAnswersTellTheAskerAndWhoWatches(t *testing.T) {
	f := newForum(t, notify.Options{})
	ben, cleo := f.member("ben"), f.member("cleo")
	th := f.ask(f.fx.Member, "Router drops Wi-Fi at night", "Every night at 2 the Wi-Fi goes.")
	f.answer(ben, th, "Switch off the night mode.")
	f.answer(cleo, th, "Or update the firmware.")
	f.answer(f.fx.Agent, th, "We have a fix rolling out.")
	f.must(f.deliver())
	want := []string{
		"mara answer",              // ben's answer, to the asker
		"mara answer", "ben reply", // cleo's: ben watches since he answered
		"mara official", "ben official", "cleo official", // the agent's, to everyone in the thread
	}
	if diff := cmp.Diff(want, f.told()); diff != "" {
		t.Errorf("notifications (-want +got):\n%s", diff)
	}
	// Mail at once is the default for an answer to one's question and for
	// official answers, not for answers in watched threads.
	wantMail := []string{
		"mara@example.com en answer: Router drops Wi-Fi at night",
		"mara@example.com en answer: Router drops Wi-Fi at night",
		"mara@example.com en official: Router drops Wi-Fi at night",
		"ben@example.com de official: Router drops Wi-Fi at night",
		"cleo@example.com de official: Router drops Wi-Fi at night",
	}
	if diff := cmp.Diff(sortedCopy(wantMail), sortedCopy(f.mails())); diff != "" {
		t.Errorf("mails (-want +got):\n%s", diff)
	}

	// Handing the same records again (the node died before the stream saved
	// its position) tells nobody twice.
	f.must(f.deliver())
	if got := len(f.told()); got != len(want) {
		t.Errorf("after a second delivery: %d notifications, want %d", got, len(want))
	}
	if got := len(f.mails()); got != len(wantMail) {
		t.Errorf("after a second delivery: %d mails, want %d", got, len(wantMail))
	}
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// TestAFailedBatchResumesWithoutTellingTwice: a record that tells many watchers
// is written in transactions of Batch recipients; when one fails, the next
// delivery goes on from the last one that committed.
func TestAFailedBatchResumesWithoutTellingTwice(t *testing.T) {
	f := newForum(t, notify.Options{Batch: 2})
	th := f.ask(f.fx.Member, "Router drops Wi-Fi at night", "Every night at 2 the Wi-Fi goes.")
	for i := range 7 {
		u := f.member(fmt.Sprintf("watcher%d", i))
		f.must(f.svc.Watch(f.ctx, u.ID, notify.TargetThread, th.ID))
		f.must(f.svc.SetPreferences(f.ctx, u.ID, map[string]string{notify.KindReply: notify.DeliverEmail}))
	}
	f.answer(f.fx.Other, th, "Switch off the night mode.")
	f.mail.failAt = 4 // in the second or third transaction of the answer's recipients
	if err := f.deliver(); err == nil {
		t.Fatal("the delivery with a failing mail queue succeeded")
	}
	partial := len(f.told())
	if partial == 0 || partial >= 8 {
		t.Fatalf("%d notifications after the failure, want some but not all of 8", partial)
	}
	f.must(f.deliver())
	told := f.told()
	if len(told) != 8 { // the asker and seven watchers
		t.Fatalf("notifications: %v, want 8", told)
	}
	seen := map[string]int{}
	for _, n := range told {
		seen[n]++
	}
	for n, c := range seen {
		if c != 1 {
			t.Errorf("%s told %d times", n, c)
		}
	}
	if got := len(f.mails()); got != 8 {
		t.Errorf("%d mails, want 8 (one a recipient)", got)
	}
}

func TestKudosOnAPostAddUpWhileUnread(t *testing.T) {
	f := newForum(t, notify.Options{})
	th := f.ask(f.fx.Member, "Router drops Wi-Fi at night", "Every night at 2 the Wi-Fi goes.")
	ans := f.answer(f.fx.Other, th, "Switch off the night mode.")
	for _, h := range []string{"ben", "cleo", "dora"} {
		_, _, err := f.a.Threads.GiveKudos(f.ctx, f.member(h), ans.ID)
		f.must(err)
	}
	f.must(f.deliver())
	page, err := f.svc.List(f.ctx, f.fx.Other, "", 10)
	f.must(err)
	var kudos []notify.Item
	for _, it := range page.Items {
		if it.Kind == notify.KindKudos {
			kudos = append(kudos, it)
		}
	}
	if len(kudos) != 1 || kudos[0].Actors != 3 {
		t.Fatalf("kudos notifications: %+v, want one of 3 people", kudos)
	}
	f.must(f.svc.MarkRead(f.ctx, f.fx.Other.ID, 0))
	_, _, err = f.a.Threads.GiveKudos(f.ctx, f.member("emil"), ans.ID)
	f.must(err)
	f.must(f.deliver())
	page, err = f.svc.List(f.ctx, f.fx.Other, "", 10)
	f.must(err)
	if it := page.Items[0]; it.Kind != notify.KindKudos || it.Actors != 1 || it.Read {
		t.Errorf("newest after reading: %+v, want a new unread kudos of one", it)
	}
	if n, _ := f.svc.Unread(f.ctx, f.fx.Other.ID); n != 1 { // badges of the first answer were read too
		t.Errorf("unread after a new kudos: %d, want 1", n)
	}
}

func TestMentions(t *testing.T) {
	for _, c := range []struct {
		src  string
		want []string
	}{
		{"Ask @ben or @Cleo.", []string{"ben", "cleo"}},
		{"mail me at anna@example.com", nil},
		{"`@ben` is how you mention, and\n```\n@cleo\n```\nbut @dora counts", []string{"dora"}},
		{"@ben @ben @BEN", []string{"ben"}},
		{"@ab is too short, @a_b.c- ends clean", []string{"a_b.c"}},
		{"see /u/@ben and x@ben", nil},
	} {
		if got := notify.Mentions(c.src, 10); !cmp.Equal(got, c.want) {
			t.Errorf("Mentions(%q) = %q, want %q", c.src, got, c.want)
		}
	}
	if got := notify.Mentions("@aaa @bbb @ccc", 2); len(got) != 2 {
		t.Errorf("Mentions with limit 2: %q", got)
	}
}

func TestMentionsTellWhoIsNamed(t *testing.T) {
	f := newForum(t, notify.Options{MentionsPerDay: 1})
	f.member("ben")
	cleo := f.member("cleo")
	f.member("dora")
	th := f.ask(f.fx.Member, "Router drops Wi-Fi at night", "Every night. @ben, you had this once?")
	f.answer(cleo, th, "Same here, @dora and @cleo: `@ben` knows.")
	f.answer(cleo, th, "And @ben again.") // cleo's mentions today are used up
	f.must(f.deliver())
	want := []string{"ben mention", "mara answer", "dora mention", "mara answer"}
	if diff := cmp.Diff(want, f.told()); diff != "" {
		t.Errorf("notifications (-want +got):\n%s", diff)
	}
}

func TestPreferencesAndUnsubscribe(t *testing.T) {
	f := newForum(t, notify.Options{})
	th := f.ask(f.fx.Member, "Router drops Wi-Fi at night", "Every night at 2 the Wi-Fi goes.")
	f.must(f.svc.SetPreferences(f.ctx, f.fx.Member.ID, map[string]string{notify.KindAnswer: notify.DeliverOff}))
	if err := f.svc.SetPreferences(f.ctx, f.fx.Member.ID, map[string]string{"answer": "pigeon"}); !errors.Is(err, notify.ErrInvalid) {
		t.Errorf("an unknown delivery: %v, want ErrInvalid", err)
	}
	f.answer(f.fx.Other, th, "Switch off the night mode.")
	f.must(f.deliver())
	if got := f.told(); len(got) != 0 {
		t.Errorf("told %v, want nobody: the asker switched answers off", got)
	}

	f.must(f.svc.SetPreferences(f.ctx, f.fx.Member.ID, map[string]string{notify.KindAnswer: notify.DeliverEmail}))
	// An address not confirmed gets no mail, but the notification.
	f.must(f.a.DB.Writer(f.ctx).Exec("UPDATE users SET email_verified_at = NULL WHERE id = ?", f.fx.Member.ID).Error)
	f.answer(f.member("ben"), th, "Try the other channel.")
	f.must(f.deliver())
	if got := f.mails(); len(got) != 0 {
		t.Errorf("mails %v to an address not confirmed", got)
	}
	f.must(f.a.DB.Writer(f.ctx).Exec("UPDATE users SET email_verified_at = created_at WHERE id = ?", f.fx.Member.ID).Error)
	f.answer(f.member("cleo"), th, "Reset it.")
	f.must(f.deliver())
	var unsub string
	f.must(f.a.DB.Reader(f.ctx).Raw("SELECT unsubscribe FROM test_mails").Scan(&unsub).Error)
	prefix := "https://forum.example/unsubscribe/"
	if !strings.HasPrefix(unsub, prefix) {
		t.Fatalf("unsubscribe link %q", unsub)
	}
	parts := strings.Split(strings.TrimPrefix(unsub, prefix), "/")
	if len(parts) != 3 || parts[1] != notify.KindAnswer {
		t.Fatalf("unsubscribe link %q", unsub)
	}
	if err := f.svc.Unsubscribe(f.ctx, f.fx.Member.ID, notify.KindAnswer, parts[2]+"x"); !errors.Is(err, notify.ErrBadLink) {
		t.Errorf("a forged link: %v, want ErrBadLink", err)
	}
	if err := f.svc.Unsubscribe(f.ctx, f.fx.Other.ID, notify.KindAnswer, parts[2]); !errors.Is(err, notify.ErrBadLink) {
		t.Errorf("another member's link: %v, want ErrBadLink", err)
	}
	f.must(f.svc.Unsubscribe(f.ctx, f.fx.Member.ID, notify.KindAnswer, parts[2]))
	prefs, err := f.svc.Preferences(f.ctx, f.fx.Member.ID)
	f.must(err)
	if prefs[notify.KindAnswer] != notify.DeliverApp {
		t.Errorf("after unsubscribing: answers %q, want told in the forum only", prefs[notify.KindAnswer])
	}
}

func TestUnwatchedThreadsAndHiddenOnesTellNobody(t *testing.T) {
	f := newForum(t, notify.Options{})
	ben := f.member("ben")
	th := f.ask(f.fx.Member, "Router drops Wi-Fi at night", "Every night at 2 the Wi-Fi goes.")
	f.answer(ben, th, "Switch off the night mode.")
	f.must(f.deliver())
	f.must(f.svc.Unwatch(f.ctx, ben.ID, notify.TargetThread, th.ID))
	f.answer(f.fx.Other, th, "Or update it.")
	f.must(f.deliver())
	if diff := cmp.Diff([]string{"mara answer", "mara answer"}, f.told()); diff != "" {
		t.Errorf("after ben unwatched (-want +got):\n%s", diff)
	}
	// Answering again does not watch a thread its author unwatched.
	f.answer(ben, th, "Me again.")
	f.must(f.deliver())
	if on, _ := f.svc.Watching(f.ctx, ben.ID, notify.TargetThread, th.ID); on {
		t.Error("ben watches the thread again after answering in it")
	}
}

func TestBoardAndTagWatchersHearOfNewQuestions(t *testing.T) {
	f := newForum(t, notify.Options{})
	ben, cleo := f.member("ben"), f.member("cleo")
	f.must(f.svc.Watch(f.ctx, ben.ID, notify.TargetBoard, f.board.ID))
	_, err := f.a.Threads.Create(f.ctx, f.fx.Member, thread.Ask{BoardID: f.board.ID, Title: "eSIM will not activate", Body: "It says pending.", Tags: "esim"})
	f.must(err)
	f.must(f.deliver())
	tag, err := f.svc.TagID(f.ctx, "esim")
	f.must(err)
	f.must(f.svc.Watch(f.ctx, cleo.ID, notify.TargetTag, tag))
	f.must(f.svc.Watch(f.ctx, ben.ID, notify.TargetTag, tag)) // once, though by board and tag
	_, err = f.a.Threads.Create(f.ctx, f.fx.Other, thread.Ask{BoardID: f.board.ID, Title: "eSIM on a second phone", Body: "How?", Tags: "esim"})
	f.must(err)
	f.must(f.deliver())
	if diff := cmp.Diff([]string{"ben question", "ben question", "cleo question"}, f.told()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	w, err := f.svc.Watches(f.ctx, ben.ID, "de")
	f.must(err)
	if len(w) < 2 || w[0].Target != notify.TargetBoard || w[0].Name != "Internet" || w[1].Target != notify.TargetTag || w[1].Name != "esim" {
		t.Errorf("ben's watches: %+v", w)
	}
}

func TestModeratorsDecisionsAndBadgesAreTold(t *testing.T) {
	f := newForum(t, notify.Options{})
	f.must(f.a.DB.Writer(f.ctx).Exec("UPDATE users SET silenced_until = ? WHERE id = ?", user.NoEnd, f.fx.Other.ID).Error)
	other, err := f.a.Users.Get(f.ctx, f.fx.Other.ID)
	f.must(err)
	th := f.ask(f.fx.Member, "Router drops Wi-Fi at night", "Every night at 2 the Wi-Fi goes.")
	held1 := f.answer(other, th, "Buy a new router from my shop.")
	held2 := f.answer(other, th, "Switch off the night mode.")
	_, err = f.a.Moderation.Reject(f.ctx, f.fx.Moderator, held1.ID, "Advertising")
	f.must(err)
	_, err = f.a.Moderation.Approve(f.ctx, f.fx.Moderator, held2.ID)
	f.must(err)
	f.must(f.deliver())
	var rows []struct{ Kind, Detail string }
	f.must(f.a.DB.Reader(f.ctx).Raw("SELECT kind, detail FROM notifications WHERE user_id = ? ORDER BY id", other.ID).Scan(&rows).Error)
	want := []struct{ Kind, Detail string }{{"rejected", "Advertising"}, {"badge", "first_answer"}, {"badge", "welcome"}, {"approved", ""}}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("otto's notifications (-want +got):\n%s", diff)
	}
}

func TestDailyDigest(t *testing.T) {
	f := newForum(t, notify.Options{})
	ben := f.member("ben")
	f.must(f.svc.SetPreferences(f.ctx, f.fx.Member.ID, map[string]string{notify.KindAnswer: notify.DeliverDigest}))
	th := f.ask(f.fx.Member, "Router drops Wi-Fi at night", "Every night at 2 the Wi-Fi goes.")
	f.answer(ben, th, "Switch off the night mode.")
	f.answer(f.fx.Other, th, "Update it.")
	f.must(f.deliver())
	if got := f.mails(); len(got) != 0 {
		t.Fatalf("mails at once %v, want the digest only", got)
	}
	n, err := f.svc.Digest(f.ctx)
	f.must(err)
	if n != 1 {
		t.Fatalf("digests: %d, want 1", n)
	}
	var body string
	f.must(f.a.DB.Reader(f.ctx).Raw("SELECT body FROM test_mails").Scan(&body).Error)
	if strings.Count(body, "answer: Router drops Wi-Fi at night") != 2 {
		t.Errorf("digest body %q, want both answers", body)
	}
	f.answer(f.fx.Agent, th, "Official: fixed.") // official: mail at once
	f.answer(f.fx.Admin, th, "Another.")
	f.must(f.deliver())
	if n, _ := f.svc.Digest(f.ctx); n != 0 {
		t.Errorf("a second digest within a day: %d", n)
	}
}
