package moderation

import (
	"cmp"
	"encoding/base64"
	"strconv"
	"testing"
	"time"
)

// FuzzParseThreadRef checks what a moderator types as a duplicate's original:
// any id found is positive, and a thread's own number and address find it.
func FuzzParseThreadRef(f *testing.F) {
	for _, s := range []string{"42", "#42", " 42 ", "/t/42", "/t/42/some-slug?page=2#p7", "https://forum.example/t/42/x",
		"0", "-1", "#", "/t/", "999999999999999999", "9999999999999999999", "http://a/t/1\n", "/t/1 /t/2", "٤٢", "https:///t/1"} {
		f.Add(s, int64(42))
	}
	f.Fuzz(func(t *testing.T, ref string, id int64) {
		if got, ok := ParseThreadRef(ref); ok && got <= 0 {
			t.Fatalf("ParseThreadRef(%q) = %d, %v", ref, got, ok)
		}
		if id <= 0 {
			return
		}
		for _, s := range []string{strconv.FormatInt(id, 10), "#" + strconv.FormatInt(id, 10), "https://forum.example/t/" + strconv.FormatInt(id, 10) + "/slug"} {
			got, ok := ParseThreadRef(s)
			// Ids past 18 digits are refused, not misread.
			if want := id < 1e18; ok != want || ok && got != id {
				t.Fatalf("ParseThreadRef(%q) = %d, %v", s, got, ok)
			}
		}
	})
}

// FuzzParseQueueCursor checks the cursor of a queue page link, which anyone may
// tamper with: it never panics, a cursor it accepts makes itself again, and
// keys from any cursor order as (time, kind, id).
func FuzzParseQueueCursor(f *testing.F) {
	at := time.Date(2026, 5, 1, 12, 0, 0, 123, time.UTC)
	for _, k := range []queueKey{{at, 0, 7}, {at, 1, 3}, {time.Time{}, 0, 0}} {
		f.Add(k.cursor())
	}
	for _, s := range []string{"", "bogus!", "====", base64.RawURLEncoding.EncodeToString([]byte("x|y|z")),
		base64.RawURLEncoding.EncodeToString([]byte("2026-05-01T12:00:00.000000123Z|0|-9223372036854775808")),
		base64.RawURLEncoding.EncodeToString([]byte("2026-05-01T12:00:00.000000123Z|-9223372036854775808|1")),
		base64.RawURLEncoding.EncodeToString([]byte("2026-05-01T12:00:00+14:00|1|1|1"))} {
		f.Add(s)
	}
	ref := queueKey{at, 0, 7}
	f.Fuzz(func(t *testing.T, c string) {
		k, ok := parseQueueCursor(c)
		if !ok {
			return
		}
		again, ok := parseQueueCursor(k.cursor())
		if !ok || !again.since.Equal(k.since) || again.kind != k.kind || again.id != k.id {
			t.Fatalf("cursor %q: %+v, made again %+v, %v", c, k, again, ok)
		}
		want := cmp.Or(k.since.Compare(ref.since), cmp.Compare(k.kind, ref.kind), cmp.Compare(k.id, ref.id))
		if got := k.compare(ref); cmp.Compare(got, 0) != want {
			t.Fatalf("%+v compared to %+v: %d, want the sign of %d", k, ref, got, want)
		}
	})
}
