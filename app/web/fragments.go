package web

import (
	"crypto/rand"
	"encoding/hex"
	"html/template"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// fragmentCache keeps the rendered HTML of post rows for signed-in pages, which
// the guest page cache cannot serve. A row is kept under everything it shows —
// its text, author, times, counts, and the viewer's permissions and marks — so
// a kept row is only ever used where the template would have written the same
// bytes: nothing needs invalidating, an edit or a kudos is simply another key.
// The viewer's CSRF token is the one part that differs between viewers with the
// same permissions; kept rows hold a random stand-in for it, and each page puts
// its own token in its place.
//
// The rows of thread lists are kept the same way (rowFragments): a row is the
// same for every viewer in a language.
type fragmentCache[K comparable] struct {
	token string // the stand-in: random per process, so no post can contain it

	mu       sync.Mutex
	cur, old map[K]fragment
	bytes    int // of cur

	hits, misses atomic.Int64
}

// fragmentCacheBytes bounds one generation: when it is full it becomes the old
// one and the one before is dropped, so the rows read most stay.
const fragmentCacheBytes = 4 << 20

// fragmentKey is a row as the template sees it. The labels are the same for
// every row of a page language, the flag form is never kept.
type fragmentKey struct {
	row    postRow // with L and Flag nil
	lang   string
	page   int
	member bool // forms are shown; guests get none
}

// fragment is a rendered row split where the CSRF token goes.
type fragment []string

// rowKey is a thread list's row with its labels, joined: the row holds a
// slice (its tags), so it cannot be a key itself.
type rowKey string

func newFragmentCache[K comparable]() *fragmentCache[K] {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return &fragmentCache[K]{token: "csrf" + hex.EncodeToString(b)}
}

func (f *fragmentCache[K]) get(k K) (fragment, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if v, ok := f.cur[k]; ok {
		return v, true
	}
	v, ok := f.old[k]
	if ok {
		f.putLocked(k, v, 0)
	}
	return v, ok
}

// put keeps v under k; keySize is what k holds beyond its fixed size.
func (f *fragmentCache[K]) put(k K, v fragment, keySize int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.putLocked(k, v, keySize)
}

func (f *fragmentCache[K]) putLocked(k K, v fragment, keySize int) {
	size := keySize + 256
	for _, s := range v {
		size += len(s)
	}
	if f.cur == nil || f.bytes+size > fragmentCacheBytes {
		f.old, f.cur, f.bytes = f.cur, make(map[K]fragment), 0
	}
	f.cur[k] = v
	f.bytes += size
}

func (v fragment) html(token string) template.HTML {
	if len(v) == 1 {
		return template.HTML(v[0])
	}
	return template.HTML(strings.Join(v, token))
}

// renderPost writes a thread page's row with the theme's "post" template, or
// takes it from the fragment cache.
func (s *Server) renderPost(r postRow) (template.HTML, error) {
	if r.Flag != nil || s.fragments == nil { // a flag form sent back carries what was typed
		var b strings.Builder
		err := s.Theme.Fragment(&b, "thread_show", "post", r)
		return template.HTML(b.String()), err
	}
	token := r.L.CSRF
	k := fragmentKey{row: r, lang: r.L.lang, page: r.L.Page, member: token != ""}
	k.row.L = nil
	if v, ok := s.fragments.get(k); ok {
		s.fragments.hits.Add(1)
		return v.html(token), nil
	}
	s.fragments.misses.Add(1)
	if token != "" {
		labels := *r.L
		labels.CSRF = s.fragments.token
		r.L = &labels
	}
	var b strings.Builder
	if err := s.Theme.Fragment(&b, "thread_show", "post", r); err != nil {
		return "", err
	}
	v := fragment(strings.Split(b.String(), s.fragments.token))
	s.fragments.put(k, v, len(k.row.HTML))
	return v.html(token), nil
}

// renderRow writes a thread list's row with the theme's "thread-row" template,
// or takes it from the row cache. Search results mark the query's words in
// theirs, and are kept under those marks: the same query shows them again.
func (s *Server) renderRow(r threadRow) (template.HTML, error) {
	r.render = nil
	if s.rowFragments == nil {
		var b strings.Builder
		err := s.Theme.Fragment(&b, "home", "thread-row", r)
		return template.HTML(b.String()), err
	}
	var kb strings.Builder
	for _, f := range []string{r.URL, r.Title, r.Language, strconv.FormatBool(r.Solved), strconv.FormatBool(r.Pinned),
		strconv.FormatBool(r.Locked), r.BoardURL, r.BoardName, r.AuthorHandle, r.AuthorName, r.AuthorRank, r.ActivityISO,
		r.ActivityExact, r.ActivityAgo, r.Answers, r.Views, r.Hidden, r.L.Pinned, r.L.Solved, r.L.Locked,
		string(r.TitleHTML), string(r.Snippet)} {
		kb.WriteString(f)
		kb.WriteByte(0)
	}
	for _, t := range r.Tags {
		kb.WriteString(t.Name)
		kb.WriteByte(1)
		kb.WriteString(t.URL)
		kb.WriteByte(0)
	}
	k := rowKey(kb.String())
	if v, ok := s.rowFragments.get(k); ok {
		s.rowFragments.hits.Add(1)
		return v.html(""), nil
	}
	s.rowFragments.misses.Add(1)
	var b strings.Builder
	if err := s.Theme.Fragment(&b, "home", "thread-row", r); err != nil {
		return "", err
	}
	v := fragment{b.String()}
	s.rowFragments.put(k, v, len(k))
	return v.html(""), nil
}

// Rendered is the row's HTML, as the thread page shows it.
func (r postRow) Rendered() (template.HTML, error) { return r.L.render(r) }

// Rendered is the row's HTML, as thread lists show it.
func (r threadRow) Rendered() (template.HTML, error) { return r.render(r) }
