package web

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

func TestDrawnAvatar(t *testing.T) {
	fill := regexp.MustCompile(`<rect [^>]*fill="#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})"`)
	tests := []struct{ handle, name, initials string }{
		{"ben", "Ben Carter", "BC"},
		{"anna", "Anna Maria Schmidt", "AS"},
		{"lukas", "Lukas", "L"},
		{"x", "", "X"},
		{"evil", `<script>alert(1)</script> & "Co"`, "SC"},
		{"dots", "...", "D"},
	}
	for _, tt := range tests {
		svg := drawnAvatar(tt.handle, tt.name)
		if !bytes.Equal(svg, drawnAvatar(tt.handle, tt.name)) {
			t.Errorf("%s: two drawings differ", tt.handle)
		}
		var doc struct {
			XMLName xml.Name `xml:"svg"`
			Text    string   `xml:"text"`
		}
		if err := xml.Unmarshal(svg, &doc); err != nil {
			t.Errorf("%s: not valid SVG: %v\n%s", tt.handle, err, svg)
			continue
		}
		if doc.Text != tt.initials {
			t.Errorf("%s (%q): initials %q, want %q", tt.handle, tt.name, doc.Text, tt.initials)
		}
		if strings.Contains(string(svg), "<script") {
			t.Errorf("%s: markup of the name reached the SVG: %s", tt.handle, svg)
		}
	}
	// Every colour carries white text at AA, whatever the handle.
	for i := range 2000 {
		svg := drawnAvatar(fmt.Sprintf("member%d", i), "M N")
		m := fill.FindSubmatch(svg)
		if m == nil {
			t.Fatalf("no fill in %s", svg)
		}
		var r, g, b uint8
		fmt.Sscanf(string(m[1])+" "+string(m[2])+" "+string(m[3]), "%x %x %x", &r, &g, &b)
		if c := contrast(luminance(r, g, b), 1); c < 4.5 {
			t.Fatalf("member%d: #%s%s%s has contrast %.2f with white, want 4.5", i, m[1], m[2], m[3], c)
		}
	}
}

func TestAvatarView(t *testing.T) {
	var p Page
	for _, tt := range []struct{ ask, want int }{{10, 24}, {24, 24}, {40, 40}, {50, 48}, {96, 96}, {500, 128}} {
		if got := p.Avatar("ben", "Ben", "", tt.ask).Size; got != tt.want {
			t.Errorf("size %d: got %d, want %d", tt.ask, got, tt.want)
		}
	}
	drawn := p.Avatar("ben", "Ben Carter", "", 40)
	if want := "/u/ben/avatar?v=" + avatarVersion("ben", "Ben Carter", ""); drawn.URL != want || drawn.Alt != "" {
		t.Errorf("drawn: %+v, want %s without alt text", drawn, want)
	}
	if avatarVersion("ben", "Ben Carter", "") == avatarVersion("ben", "Anna Weber", "") {
		t.Error("a new name draws new initials at the same address")
	}
	uploaded := p.Avatar("ben", "Ben Carter", strings.Repeat("ab", 32)+".png", 40)
	if uploaded.URL != "/u/ben/avatar?v=abababababababab" {
		t.Errorf("uploaded: %s", uploaded.URL)
	}
}
