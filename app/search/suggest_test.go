package search_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/search"
)

// TestSuggestOnlyWhatFits: a question the forum has no thread for gets no
// suggestion, not the threads that share a word with it; a thread in another
// language is suggested when it matches the question well, not when it
// shares a loan word or two; and every suggestion marks a word of the
// question, in its title or its excerpt.
func TestSuggestOnlyWhatFits(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	router := e.ask(t, "Router keeps dropping the wifi connection", "Every evening the wifi connection drops for a minute.", "en")
	roaming := e.ask(t, "Roaming charges in Switzerland", "Is roaming in Switzerland included in my plan?", "en")
	e.ask(t, "Invoice shows the same payment twice", "My invoice for March lists one payment two times.", "en")
	e.ask(t, "Voicemail greeting cannot be changed", "The app says error when I record a new greeting.", "en")
	esim := e.ask(t, "eSIM auf dem iPhone mit QR-Code aktivieren", "Der QR-Code für die eSIM wird vom iPhone nicht angenommen.", "de")
	password := e.ask(t, "Router Passwort vergessen", "Wie setze ich das Kennwort am Router zurück?", "de")
	callback := e.ask(t, "Rückruf wegen Rechnung angefordert", "Wann ruft mich jemand zurück?", "de")
	// Words the forum knows from other threads: a question holding them is
	// not answered by a thread that holds one other word of it.
	e.ask(t, "Printer ink runs out too fast", "The cartridge is empty after a month.", "en")
	e.ask(t, "Laptop battery drains overnight", "Even when it is switched off.", "en")
	e.ask(t, "Lüfter dreht hoch", "Die CPU wird dabei sehr heiß.", "de")
	e.ask(t, "Beim Telefonieren ist der Ton zu leise", "Seit dem Update.", "de")
	ix, _ := e.open(t)
	defer ix.Close()
	s := search.NewService(ix, e.threads)

	tests := []struct {
		query  string
		locale string
		want   []int64 // these, in this order, and no other
	}{
		{"router wifi", "en", []int64{router.ID}},
		{"router passwort", "de", []int64{password.ID}},
		{"My router drops the wifi connection every evening", "", []int64{router.ID}},
		{"roaming charges switzerland", "", []int64{roaming.ID}},
		{"Rueckruf Rechnung", "", []int64{callback.ID}},
		{"Routerpasswort vergessen", "", []int64{password.ID}},
		// No thread answers these, though each shares a word with one.
		{"Why is my tablet so slow after the update?", "", nil},
		{"Is there a discount for students on the plan?", "", nil},
		{"Warum ist meine Rechnung so hoch, obwohl ich nicht telefoniert habe?", "", nil},
		// Another language: a strong match, and a weak one (two loan words of
		// an English question that a German thread holds).
		{"How do I activate the eSIM on my iPhone with the QR code?", "", []int64{esim.ID}},
		{"How do I stop the roaming charges for the eSIM on my iPhone in Switzerland?", "", []int64{roaming.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got, err := s.Suggest(ctx, nil, search.Query{Text: tt.query, Size: 5, Locale: tt.locale})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, g := range got {
				ids = append(ids, g.ID)
				if !strings.Contains(string(g.TitleHTML), "<mark>") && !strings.Contains(string(g.ExcerptHTML), "<mark>") {
					t.Errorf("thread %d suggested with nothing marked: %s / %s", g.ID, g.TitleHTML, g.ExcerptHTML)
				}
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("suggested %v, want %v", ids, tt.want)
			}
		})
	}
}
