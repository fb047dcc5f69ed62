// Package demo fills an empty forum with sample boards, threads and one user of every
// role, in English and German, through the same services real users go through.
// It is for trying Schwarm out and for tests, never for production data.
package demo

import (
	"context"
	"fmt"

	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// Password is every demo account's password; the README and the log say so.
const Password = "schwarm-demo"

// Services are what the demo content is written through.
type Services struct {
	Users      *user.Service
	Boards     *board.Service
	Threads    *thread.Service
	Moderation *moderation.Service // approves the newcomers' posts that wait for review
}

// Users are the demo accounts: one per role, members in both languages.
var Users = []user.Registration{
	{Handle: "admin", DisplayName: "Alex Admin", Email: "admin@demo.schwarm.invalid", Role: user.RoleAdmin, Locale: "en"},
	{Handle: "moderator", DisplayName: "Mona Moderator", Email: "moderator@demo.schwarm.invalid", Role: user.RoleModerator, Locale: "de"},
	{Handle: "agent", DisplayName: "Sam from Support", Email: "agent@demo.schwarm.invalid", Role: user.RoleAgent, Locale: "en"},
	{Handle: "anna", DisplayName: "Anna Schmidt", Email: "anna@demo.schwarm.invalid", Locale: "de"},
	{Handle: "ben", DisplayName: "Ben Carter", Email: "ben@demo.schwarm.invalid", Locale: "en"},
	{Handle: "lukas", DisplayName: "Lukas", Email: "lukas@demo.schwarm.invalid", Locale: "de"},
}

var boards = []board.Board{
	{Slug: "mobile", NameEN: "Mobile & Tariffs", NameDE: "Mobilfunk & Tarife", DescriptionEN: "SIM cards, plans, roaming and your phone.", DescriptionDE: "SIM-Karten, Tarife, Roaming und Ihr Handy.", Position: 1},
	{Slug: "internet", NameEN: "Internet & Router", NameDE: "Internet & Router", DescriptionEN: "Broadband, Wi-Fi and router settings.", DescriptionDE: "Festnetz-Internet, WLAN und Router-Einstellungen.", Position: 2},
	{Slug: "billing", NameEN: "Billing & Contract", NameDE: "Rechnung & Vertrag", DescriptionEN: "Invoices, payments and contract changes.", DescriptionDE: "Rechnungen, Zahlungen und Vertragsänderungen.", Position: 3},
	{Slug: "announcements", NameEN: "Announcements", NameDE: "Ankündigungen", DescriptionEN: "News from the team.", DescriptionDE: "Neuigkeiten vom Team.", Position: 4, PostRole: user.RoleAgent},
}

type demoThread struct {
	board, author, lang, title, body, tags string
	answers                                []demoAnswer
}

// demoAnswer is an answer; those by staff are marked official automatically. The
// asker accepts the one marked solution; kudos come from the handles listed.
type demoAnswer struct {
	author, body string
	solution     bool
	kudos        []string
}

var threads = []demoThread{
	{board: "internet", author: "ben", lang: "en", tags: "wifi router", title: "Router keeps dropping Wi-Fi every evening",
		body: "Since last week my **Wi-Fi drops** around 8 pm every day. Cable connection is fine.\n\nRouter model: HomeBox 3. Any ideas?",
		answers: []demoAnswer{
			{author: "anna", body: "Sounds like interference from neighbours in the evening. Switch the 2.4 GHz channel to 1, 6 or 11 under *Wi-Fi → Channel*, or use 5 GHz.",
				solution: true, kudos: []string{"ben", "lukas"}},
			{author: "agent", body: "Hi Ben, Anna is right. If changing the channel does not help, please update the firmware under **System → Update**. Version 7.2 fixes a known Wi-Fi drop."},
		}},
	{board: "internet", author: "anna", lang: "de", tags: "router passwort", title: "Routerpasswort vergessen – wie zurücksetzen?",
		body: "Ich habe das Passwort für die Benutzeroberfläche meines Routers vergessen. Wie kann ich es zurücksetzen, ohne die Internet-Zugangsdaten zu verlieren?",
		answers: []demoAnswer{
			{author: "lukas", body: "Halte den Reset-Knopf auf der Rückseite **10 Sekunden** gedrückt. Die Zugangsdaten werden danach automatisch neu geladen, wenn der Router am Anschluss hängt.",
				solution: true, kudos: []string{"anna"}},
		}},
	{board: "mobile", author: "ben", lang: "en", tags: "roaming", title: "Does my plan include roaming in Switzerland?",
		body: "Travelling to Zurich next month. My plan says *EU roaming included* — Switzerland is not in the EU. Will I be charged?",
		answers: []demoAnswer{
			{author: "agent", body: "Good question! Switzerland is **not** included in EU roaming. You can add the *Travel Europe+* option for 5 € per week in the app under **Options**.",
				solution: true, kudos: []string{"ben"}},
		}},
	{board: "mobile", author: "lukas", lang: "de", tags: "esim", title: "eSIM auf neues Handy übertragen",
		body: "Ich habe ein neues Smartphone. Wie bekomme ich meine eSIM vom alten Gerät auf das neue?\n\n- altes Gerät: Pixel 6\n- neues Gerät: Pixel 9",
		answers: []demoAnswer{
			{author: "anna", body: "Im Kundenportal unter *Meine SIM-Karten → eSIM neu anfordern* bekommst du einen neuen QR-Code. Den scannst du mit dem neuen Handy.",
				kudos: []string{"lukas"}},
			{author: "moderator", body: "Ergänzung: Der alte eSIM-Code wird dabei ungültig. Bitte erst wechseln, wenn das neue Gerät bereitliegt."},
		}},
	{board: "billing", author: "ben", lang: "en", tags: "invoice refund", title: "Charged twice for the same month",
		body: "My bank statement shows two debits of 29.99 € for October. How do I get one refunded?"},
	{board: "billing", author: "anna", lang: "de", tags: "rechnung rückruf", title: "Rückruf wegen Rechnungskorrektur angefordert",
		body: "Ich habe vor einer Woche einen Rückruf wegen einer falschen Rechnung angefordert, aber noch nichts gehört. Wie lange dauert das normalerweise?",
		answers: []demoAnswer{
			{author: "agent", body: "Hallo Anna, Rückrufe erfolgen in der Regel innerhalb von **3 Werktagen**. Ich habe Ihren Fall an die Rechnungsabteilung weitergegeben."},
		}},
	{board: "announcements", author: "agent", lang: "en", title: "Welcome to the community!",
		body: "This is where customers help customers. Ask a question, share what worked for you, and mark the answer that solved your problem.\n\n| Board | For |\n|---|---|\n| Mobile | plans, SIMs, roaming |\n| Internet | broadband, Wi-Fi |\n| Billing | invoices, contracts |"},
}

// Load writes the demo content. It does nothing when the forum already has users,
// so it is safe to call on every start with --demo; it reports whether it loaded.
func Load(ctx context.Context, s Services) (bool, error) {
	n, err := s.Users.Count(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	if err := Write(ctx, s); err != nil {
		return false, err
	}
	return true, nil
}

// Write writes the demo content whatever the forum holds already, for tests
// whose forum starts with fixture users (whose handles the demo's do not
// share); on a forum that has the demo's users or boards it fails.
func Write(ctx context.Context, s Services) error {
	users := map[string]*user.User{}
	for _, r := range Users {
		r.Password, r.Verified = Password, true // demo addresses are no one's inbox
		u, err := s.Users.Register(ctx, r)
		if err != nil {
			return fmt.Errorf("demo: user %s: %w", r.Handle, err)
		}
		users[r.Handle] = u
	}
	boardIDs := map[string]int64{}
	for _, b := range boards {
		if err := s.Boards.Create(ctx, &b); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		boardIDs[b.Slug] = b.ID
	}
	for _, t := range threads {
		created, err := s.Threads.Create(ctx, users[t.author], thread.Ask{BoardID: boardIDs[t.board],
			Title: t.title, Body: t.body, Tags: t.tags, Language: t.lang})
		if err != nil {
			return fmt.Errorf("demo: thread %q: %w", t.title, err)
		}
		// New members' first posts wait for review: the demo moderator approves them.
		if err := approveAll(ctx, s.Moderation, users["moderator"]); err != nil {
			return err
		}
		for _, a := range t.answers {
			p, err := s.Threads.Reply(ctx, users[a.author], created.ID, a.body)
			if err != nil {
				return fmt.Errorf("demo: answer in %q: %w", t.title, err)
			}
			if err := approveAll(ctx, s.Moderation, users["moderator"]); err != nil {
				return err
			}
			for _, h := range a.kudos {
				if _, _, err := s.Threads.GiveKudos(ctx, users[h], p.ID); err != nil {
					return fmt.Errorf("demo: kudos in %q: %w", t.title, err)
				}
			}
			if a.solution {
				if _, err := s.Threads.Accept(ctx, users[t.author], p.ID); err != nil {
					return fmt.Errorf("demo: solution in %q: %w", t.title, err)
				}
			}
		}
	}
	return nil
}

func approveAll(ctx context.Context, mod *moderation.Service, moderator *user.User) error {
	ids, err := mod.Pending(ctx, 100)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := mod.Approve(ctx, moderator, id); err != nil {
			return fmt.Errorf("demo: approve post %d: %w", id, err)
		}
	}
	return nil
}
