// Command gen writes de.txt, the German synonym sets that search expands a
// query with, from OpenThesaurus in the MyThes format that Debian's mythes-de
// package installs:
//
//	apt-get install mythes-de
//	go run ./app/search/thesaurus/gen /usr/share/mythes/th_de_DE_v2.dat > app/search/thesaurus/de.txt
//
// Each line of the output is one synonym set, its words separated by spaces.
// It keeps what a query word can stand for and nothing else: words marked as
// broader or narrower terms ("Oberbegriff", "Unterbegriff") are left out of a
// set, as are words out of use ("veraltet", "historisch") and every entry of
// more than one word, which a query would split into words anyway; an
// annotation or optional word in parentheses is dropped from an entry. A set
// needs two words left; sets named under several headwords are written once.
// See ../README.md for the source and licence.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode"
)

// dropped are the annotations that mark an entry as no synonym of its set:
// broader and narrower terms, and words nobody writes any more.
var dropped = []string{"Oberbegriff", "Unterbegriff", "veraltet", "historisch"}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen th_de_DE_v2.dat > de.txt")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	sets, err := read(f)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	for _, s := range sets {
		fmt.Fprintln(w, s)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// read returns the distinct synonym sets of a MyThes file, sorted: a headword
// line ("rechner|3") is followed by its senses, one per line, each a part of
// speech and the set's entries ("-|Computer|Rechner|Kiste (ugs.)").
func read(r io.Reader) ([]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	seen := map[string]bool{}
	var sets []string
	first := true
	for sc.Scan() {
		line := sc.Text()
		if first { // the encoding
			first = false
			continue
		}
		entries := strings.Split(line, "|")
		if entries[0] != "-" {
			continue // a headword line
		}
		var words []string
		for _, e := range entries[1:] {
			if w, ok := word(e); ok && !slices.Contains(words, w) {
				words = append(words, w)
			}
		}
		if len(words) < 2 {
			continue
		}
		set := strings.Join(words, " ")
		if !seen[set] {
			seen[set] = true
			sets = append(sets, set)
		}
	}
	slices.Sort(sets)
	return sets, sc.Err()
}

// word returns an entry without its annotations, if it is one word that none of
// them rules out.
func word(entry string) (string, bool) {
	var w strings.Builder
	depth := 0
	var note strings.Builder
	for _, r := range entry {
		switch {
		case r == '(':
			depth++
		case r == ')':
			if depth > 0 {
				depth--
			}
			if depth == 0 {
				for _, d := range dropped {
					if strings.Contains(note.String(), d) {
						return "", false
					}
				}
				note.Reset()
			}
		case depth > 0:
			note.WriteRune(r)
		default:
			w.WriteRune(r)
		}
	}
	s := strings.TrimSpace(w.String())
	if s == "" || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) >= 0 {
		return "", false
	}
	return s, true
}
