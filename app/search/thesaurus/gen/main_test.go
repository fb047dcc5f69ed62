package main

import (
	"slices"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	in := `UTF-8
rechner|2
-|Computer|Rechner|Elektronengehirn (ugs., veraltet)|Rechenknecht (ugs.)|elektrisches Gerät (Oberbegriff)
-|PC (Abkürzung, engl.)|Personal Computer (engl.)|Rechner (ugs.)
computer|1
-|Computer|Rechner|Elektronengehirn (ugs., veraltet)|Rechenknecht (ugs.)|elektrisches Gerät (Oberbegriff)
blau|1
-|blau|(sehr) betrunken (ugs.)
`
	got, err := read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Computer Rechner Rechenknecht", // once, though under two headwords; no broader terms, none out of use
		"PC Rechner",                    // no entries of several words
		"blau betrunken",                // an optional word in parentheses left out
	}
	if !slices.Equal(got, want) {
		t.Errorf("read = %q, want %q", got, want)
	}
}
