package markup

import (
	"net/http"
	"strings"

	"github.com/schwarm/schwarm/app/problem"
)

// Bounds on the shapes of markdown whose rendering grows faster than its length.
// goldmark has no time budget to pass it, so the source is measured first, in one
// linear pass, and refused past these; no post a person writes comes near them.
const (
	// MaxNesting bounds block quotes and lists opened on one line ("> > > …",
	// "- - - …"): each level costs its own pass over the rest of the block, and
	// 64 KB of ">" rendered to 1.8 MB of HTML in 2 s.
	MaxNesting = 16
	// MaxContainers bounds the containers opened over the whole post, so that
	// nesting just below MaxNesting on every line (1,800 lines of 16 list
	// markers took 110 ms) is refused too; a long list of 3,000 items two deep
	// stays well within it.
	MaxContainers = 8192
	// MaxOpenLinks bounds "](" left unfinished, another "](" coming before its
	// ")": goldmark looks for each one's end through the rest of the paragraph,
	// so 16,384 of them took a second and 20,000 "[](" four. Finished links cost
	// nothing extra (4,000 in 30 ms).
	MaxOpenLinks = 64
	// maxOutput bounds the HTML of one post, as a last check behind the two above.
	maxOutput = 8 * MaxSource
)

// ErrTooComplex refuses markdown past the bounds above.
var ErrTooComplex = problem.New(http.StatusUnprocessableEntity, "markup.too_complex", "markup: too deeply nested or too many unfinished links")

// checkBounds reports whether src stays within MaxNesting, MaxContainers and
// MaxOpenLinks.
func checkBounds(src string) error {
	// Code is measured like text. goldmark does not parse it for links or
	// containers, but telling code from text takes all of CommonMark (a fence
	// indented four spaces is no fence; one inside an HTML block neither), and a
	// guess that skipped lines goldmark parses would let the slow shapes through.
	// Real code comes nowhere near the bounds.
	open, containers, pending := 0, 0, false
	for line := range strings.Lines(src) {
		n := nesting(line)
		if containers += n; n > MaxNesting || containers > MaxContainers {
			return ErrTooComplex
		}
		if open += unfinished(line, &pending); open > MaxOpenLinks {
			return ErrTooComplex
		}
	}
	return nil
}

// unfinished counts the "](" on line that another "](" follows before any ")":
// the destinations goldmark looks for in vain. pending carries a "](" still
// waiting for its ")" from line to line.
func unfinished(line string, pending *bool) int {
	n := 0
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == ')':
			*pending = false
		case line[i] == ']' && i+1 < len(line) && line[i+1] == '(':
			if *pending {
				n++
			}
			*pending = true
			i++
		}
	}
	return n
}

// nesting counts the containers a line opens before its text: quote markers,
// and list markers ("-", "*", "+", "1." or "1)" followed by a space).
func nesting(line string) int {
	n := 0
	for n <= MaxNesting { // past it the count no longer matters
		line = strings.TrimLeft(line, " \t")
		switch {
		case strings.HasPrefix(line, ">"):
			line = line[1:]
		case len(line) > 1 && strings.ContainsRune("-*+", rune(line[0])) && (line[1] == ' ' || line[1] == '\t'):
			line = line[2:]
		default:
			digits := len(line) - len(strings.TrimLeft(line, "0123456789"))
			if digits == 0 || digits > 9 || len(line) < digits+2 || (line[digits] != '.' && line[digits] != ')') || (line[digits+1] != ' ' && line[digits+1] != '\t') {
				return n
			}
			line = line[digits+2:]
		}
		n++
	}
	return n
}
