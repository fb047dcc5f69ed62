package search_test

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/schwarm/schwarm/app/search"
)

func TestMarker(t *testing.T) {
	ix, err := search.Open(filepath.Join(t.TempDir(), "index"))
	if err != nil && err != search.ErrRebuild {
		t.Fatal(err)
	}
	defer ix.Close()
	tests := []struct {
		query, text, want string
	}{
		{"router password", "How do I reset the Router's password?", "How do I reset the <mark>Router</mark>&#39;s <mark>password</mark>?"},
		{"connecting", "The connection drops when I connect.", "The <mark>connection</mark> drops when I <mark>connect</mark>."},
		{"Rueckruf", "Wann kommt der Rückruf?", "Wann kommt der <mark>Rückruf</mark>?"},
		{"Router Passwort", "Routerpasswort vergessen", "<mark>Routerpasswort</mark> vergessen"},
		{"script", "<script>alert(1)</script>", "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"},
		{"the", "the and a", "the and a"}, // stop words say nothing
		{"", "plain text", "plain text"},
	}
	for _, tt := range tests {
		if got := string(ix.Marker(tt.query).Mark(tt.text)); got != tt.want {
			t.Errorf("Mark(%q, %q) = %q, want %q", tt.query, tt.text, got, tt.want)
		}
	}
}

func TestSnippet(t *testing.T) {
	ix, err := search.Open(filepath.Join(t.TempDir(), "index"))
	if err != nil && err != search.ErrRebuild {
		t.Fatal(err)
	}
	defer ix.Close()
	filler := strings.Repeat("lorem ipsum dolor sit amet ", 20)
	text := filler + "the modem firmware update failed twice " + filler
	got := string(ix.Marker("firmware update").Snippet(text, 120))
	if !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") {
		t.Errorf("cut snippet without ellipses: %q", got)
	}
	if !strings.Contains(got, "<mark>firmware</mark> <mark>update</mark>") {
		t.Errorf("snippet misses the matching stretch: %q", got)
	}
	if n := len(strings.NewReplacer("<mark>", "", "</mark>", "", "…", "").Replace(got)); n > 120 {
		t.Errorf("snippet of %d bytes, want at most 120", n)
	}
	short := string(ix.Marker("firmware").Snippet("no match here", 120))
	if short != "no match here" {
		t.Errorf("short text: %q", short)
	}
	for _, text := range []string{
		strings.Repeat("🙂", 40) + " firmware " + strings.Repeat("🙂", 40),            // cut between characters
		strings.Repeat("x", 50) + " " + strings.Repeat("firmware", 30) + " the end", // one word longer than the snippet
	} {
		got := string(ix.Marker("firmware").Snippet(text, 60))
		if !utf8.ValidString(got) || strings.Trim(got, "…") == "" {
			t.Errorf("Snippet(%.30q…) = %q", text, got)
		}
	}
	none := string(ix.Marker("firmware").Snippet(filler, 40))
	if !strings.HasPrefix(none, "lorem") || !strings.HasSuffix(none, "…") {
		t.Errorf("without a match the snippet is the start: %q", none)
	}
}
