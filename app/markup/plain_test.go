package markup

import "testing"

func TestPlainText(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"<p>Restart the <strong>router</strong>.</p><p>Then wait.</p>", 100, "Restart the router. Then wait."},
		{"<p>a &lt;/script&gt; &amp; b</p>", 100, "a </script> & b"},
		{"<pre><code>x := 1\n\ty := 2</code></pre>", 100, "x := 1 y := 2"},
		{"<p>one two three four five</p>", 12, "one two…"},
		{"<p>Ümlaute überall</p>", 7, "Ümlaute…"},
	} {
		if got := PlainText(tc.in, tc.n); got != tc.want {
			t.Errorf("PlainText(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
