package thread

import "strings"

// DiffOp says what happened to a line between two versions.
type DiffOp int

// The diff operations.
const (
	Same DiffOp = iota
	Added
	Removed
)

// DiffLine is one line of a line diff.
type DiffLine struct {
	Op   DiffOp
	Text string
}

// maxDiffCells bounds the work of one diff; beyond it the changed middle is shown
// as removed then added, which is still correct, only less precise.
const maxDiffCells = 250_000

// Diff returns a line diff from a to b: common lines as Same, the rest as Removed
// (from a) and Added (from b), in order, via the longest common subsequence.
// Only what a reader sees counts: see lines.
func Diff(a, b string) []DiffLine {
	x, y := lines(a), lines(b)
	var out []DiffLine
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		out = append(out, DiffLine{Same, x[pre]})
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	xm, ym := x[pre:len(x)-suf], y[pre:len(y)-suf]
	out = append(out, diffMiddle(xm, ym)...)
	for _, l := range x[len(x)-suf:] {
		out = append(out, DiffLine{Same, l})
	}
	return out
}

// lines splits text into the lines a reader sees. A browser sends a textarea's
// lines ended by CRLF while the API, the demo and older posts have LF, so CRLF and
// a lone CR end a line as LF does: otherwise an edit in a browser would show every
// line of a post as removed and added again, and the CR left on each would draw a
// blank line after it. A final line break ends the last line rather than starting
// an empty one, so adding or dropping it changes no line.
func lines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func diffMiddle(x, y []string) []DiffLine {
	var out []DiffLine
	if len(x)*len(y) > maxDiffCells {
		for _, l := range x {
			out = append(out, DiffLine{Removed, l})
		}
		for _, l := range y {
			out = append(out, DiffLine{Added, l})
		}
		return out
	}
	// lcs[i][j] = length of the LCS of x[i:] and y[j:].
	w := len(y) + 1
	lcs := make([]int32, (len(x)+1)*w)
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] == y[j]:
			out = append(out, DiffLine{Same, x[i]})
			i, j = i+1, j+1
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			out = append(out, DiffLine{Removed, x[i]})
			i++
		default:
			out = append(out, DiffLine{Added, y[j]})
			j++
		}
	}
	for ; i < len(x); i++ {
		out = append(out, DiffLine{Removed, x[i]})
	}
	for ; j < len(y); j++ {
		out = append(out, DiffLine{Added, y[j]})
	}
	return out
}
