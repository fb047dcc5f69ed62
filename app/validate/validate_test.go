package validate_test

import (
	"testing"

	"github.com/schwarm/schwarm/app/validate"
)

func TestCut(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "abc"},
		{"aäb", 2, "a"}, // ä is two bytes: not cut in half
		{"aäb", 3, "aä"},
		{"äöü", 0, ""},
	} {
		if got := validate.Cut(c.in, c.n); got != c.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
