package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/config"
)

// envLoad turns TestMixedLoad into the load campaign of the README: each run lasts
// this long (e.g. "10m") on the 1M-post forum. Unset, the test runs a few seconds
// on a small forum, as a check that the workload works and nothing fails.
const envLoad = "SCHWARM_LOAD"

// envLoadClients lists the concurrent clients of each run ("50,200" for the
// campaign, "8" for the check).
const envLoadClients = "SCHWARM_LOAD_CLIENTS"

// envLoadProfiles names a directory for the server's CPU profile of each run
// (taken over the run) and its heap profile after it.
const envLoadProfiles = "SCHWARM_LOAD_PROFILES"

// envLoadMix picks the workload from loadMixes ("mixed" if unset).
const envLoadMix = "SCHWARM_LOAD_MIX"

type mixEntry struct {
	kind   string
	weight int // per mille of all requests
}

// loadMixes are the workloads: the mixed one of the campaign, and the write runs
// of the issue on speed, where every client only asks or only answers.
var loadMixes = map[string][]mixEntry{
	"mixed":     mixedLoad,
	"questions": {{"question", 1000}},
	"answers":   {{"answer", 1000}},
	"search":    {{"search", 500}, {"suggest", 500}},
}

// envLoadForum "realistic" runs the campaign on apptest.RealisticMillion, whose
// text is drawn Zipf-like from a lexicon of real size, and draws the queries the
// same way; else it runs on the worst case, apptest.Million.
const envLoadForum = "SCHWARM_LOAD_FORUM"

// mixedLoad: 80 % page reads, 10 % search and suggest, 10 % writes.
var mixedLoad = []mixEntry{
	{"thread page, guest", 300},
	{"thread page, member", 250},
	{"board list, guest", 80},
	{"board list, member", 70},
	{"front page, guest", 50},
	{"front page, member", 50},
	{"search", 50},
	{"suggest", 50},
	{"question", 20},
	{"answer", 40},
	{"kudos", 30},
	{"accept", 10},
}

// TestMixedLoad runs "schwarm serve" as a child process on a forum and drives it
// with concurrent clients, each a signed-in member who also reads as a guest,
// drawing every request from a mix of loadMixes; it reports throughput, p50/p99 per kind,
// the status classes and the server's resident memory over time, and fails on any
// 5xx or failed connection.
func TestMixedLoad(t *testing.T) {
	duration, clientCounts := 4*time.Second, []int{8}
	forum := apptest.BigDB{Threads: 400, Answers: 3, LongThreads: 50, LongAnswers: 12, Queued: 10, AuditRows: 10}
	mixName := cmp.Or(os.Getenv(envLoadMix), "mixed")
	mix := loadMixes[mixName]
	if mix == nil {
		t.Fatalf("%s: %q is none of %v", envLoadMix, mixName, slices.Sorted(maps.Keys(loadMixes)))
	}
	campaign := os.Getenv(envLoad) != ""
	if campaign {
		d, err := time.ParseDuration(os.Getenv(envLoad))
		if err != nil {
			t.Fatalf("%s: %v", envLoad, err)
		}
		duration, clientCounts, forum = d, []int{50, 200}, apptest.Million
		if os.Getenv(envLoadForum) == "realistic" {
			forum = apptest.RealisticMillion
		}
		if mixName == "search" {
			clientCounts = []int{50} // the figures for search: 50 connections
		} else if mixName != "mixed" {
			clientCounts = []int{16} // the write runs: 16 members posting at once
		}
	}
	if v := os.Getenv(envLoadClients); v != "" {
		clientCounts = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				t.Fatalf("%s: %q is not a number of clients", envLoadClients, f)
			}
			clientCounts = append(clientCounts, n)
		}
	}

	dir, dbURL := t.TempDir(), apptest.DatabaseURL(t)
	start := time.Now()
	if campaign && dbURL == "" {
		// The benchmarks' cached forum, copied: the load writes, they only read.
		if err := copyTree(forum.DataDir(t), dir); err != nil {
			t.Fatal(err)
		}
	} else if err := forum.Build(dir, dbURL); err != nil {
		t.Fatal(err)
	}
	t.Logf("forum of %d threads ready in %s", forum.Threads, time.Since(start).Round(time.Second))

	// Sessions and the threads' addresses, read in process before the server runs.
	ctx := context.Background()
	a := apptest.NewApp(t, apptest.Config(t, func(c *config.Config) { c.DataDir, c.DatabaseURL = dir, dbURL }))
	w := &workload{mix: mix, threads: []string{""}, boards: 12, realistic: forum.Realistic}
	var rows []struct {
		ID   int64
		Slug string
	}
	if err := a.DB.Reader(ctx).Table("threads").Select("id, slug").Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		w.threads = append(w.threads, fmt.Sprintf("/t/%d/%s", r.ID, r.Slug))
	}
	if err := a.DB.Reader(ctx).Table("posts").Select("max(id)").Scan(&w.maxPost).Error; err != nil {
		t.Fatal(err)
	}
	sessions := make([]string, slices.Max(clientCounts))
	for i := range sessions {
		u, err := a.Users.GetByHandle(ctx, fmt.Sprintf("user%d", i))
		if err != nil {
			t.Fatal(err)
		}
		if sessions[i], err = a.Sessions.Create(ctx, u.ID, "127.0.0.1", "load"); err != nil {
			t.Fatal(err)
		}
	}

	for _, n := range clientCounts {
		var pprofAddr string
		if os.Getenv(envLoadProfiles) != "" {
			pprofAddr = freeAddr(t)
			t.Setenv(envChildPprof, pprofAddr)
		}
		child, base, stop := serveChild(t, dir, dbURL, 10*time.Minute)
		w.base = base
		transport := &http.Transport{MaxIdleConnsPerHost: 2 * n, MaxConnsPerHost: 2 * n}
		clients := make([]*loadClient, n)
		for i := range clients {
			clients[i] = newLoadClient(t, w, transport, sessions[i], uint64(i))
		}
		rss := sampleRSS(child.Process.Pid, 10*time.Second)
		profiled := profileRun(t, pprofAddr, duration, fmt.Sprintf("%s-%d", mixName, n))
		w.probes = newLagProber(t, w.base, sessions[0])
		deadline := time.Now().Add(duration)
		began := time.Now()
		var wg sync.WaitGroup
		for _, c := range clients {
			wg.Go(func() {
				for time.Now().Before(deadline) {
					c.step()
				}
			})
		}
		wg.Wait()
		elapsed := time.Since(began)
		lags, unfound := w.probes.stop(10 * time.Second)
		memory := rss.stop()
		profiled()
		stop()
		transport.CloseIdleConnections()

		report := mergeLoad(clients)
		slices.Sort(lags)
		t.Logf("%d clients, %s, %s, %s mix:\n%s\nindex lag of every 10th write, acknowledged → found by search: p50 %s, p99 %s, max %s (%d probed)\nresident memory of the server, every 10 s (MB): %v",
			n, elapsed.Round(time.Second), a.DB.Dialect, mixName, report.table(mix, elapsed),
			quantile(lags, 0.5), quantile(lags, 0.99), quantile(lags, 1), len(lags), memory)
		if unfound > 0 {
			t.Errorf("%d clients: %d acknowledged writes were not found by search 10 s after the run", n, unfound)
		}
		for _, m := range mix {
			s := report[m.kind]
			if s == nil || s.tried+s.skipped == 0 {
				t.Errorf("%d clients: no %s was tried", n, m.kind)
				continue
			}
			if s.server > 0 || s.failed > 0 {
				t.Errorf("%d clients: %s: %d 5xx, %d failed connections", n, m.kind, s.server, s.failed)
			}
			if m.kind != "accept" && m.kind != "kudos" && s.ok == 0 {
				t.Errorf("%d clients: no %s succeeded (%d refused)", n, m.kind, s.refused)
			}
		}
	}
}

// workload is what the clients share: the forum's thread addresses, the newest
// questions asked during the run (answered more often, as new questions are).
type workload struct {
	mix     []mixEntry
	probes  *lagProber
	base    string
	threads []string // by id; [0] unused
	maxPost int64
	boards  int
	// realistic: the forum is written from apptest.ZipfWords, and so are the
	// queries; else from apptest.Sentence.
	realistic bool

	mu    sync.Mutex
	fresh []string // the last 500 questions asked during the run
}

func (w *workload) freshThread(r *rand.Rand) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.fresh) == 0 {
		return ""
	}
	return w.fresh[r.IntN(len(w.fresh))]
}

func (w *workload) asked(path string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fresh = append(w.fresh, path); len(w.fresh) > 500 {
		w.fresh = w.fresh[1:]
	}
}

// loadClient is one member with a browser: a session, its CSRF token, the
// questions it asked, and its own tally.
type loadClient struct {
	t      *testing.T
	w      *workload
	r      *rand.Rand
	zipf   *rand.Zipf
	member *http.Client
	guest  *http.Client
	csrf   string
	mine   []string
	n      int
	stats  loadReport
}

var acceptForm = regexp.MustCompile(`action="/p/(\d+)/accept"`)

func newLoadClient(t *testing.T, w *workload, transport *http.Transport, session string, seed uint64) *loadClient {
	noFollow := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(w.base)
	jar.SetCookies(u, []*http.Cookie{{Name: "schwarm_session", Value: session}})
	r := rand.New(rand.NewPCG(seed, 7))
	c := &loadClient{t: t, w: w, r: r, stats: loadReport{},
		// Recent threads are read most: thread id Threads-k with k Zipf-distributed.
		zipf:   rand.NewZipf(r, 1.1, 8, uint64(len(w.threads)-2)),
		member: &http.Client{Transport: transport, Jar: jar, Timeout: 30 * time.Second, CheckRedirect: noFollow},
		guest:  &http.Client{Transport: transport, Timeout: 30 * time.Second, CheckRedirect: noFollow},
	}
	resp, err := c.member.Get(w.base + "/ask")
	c.csrf = csrfOf(t, resp, err)
	return c
}

func (c *loadClient) thread() string {
	return c.w.threads[len(c.w.threads)-1-int(c.zipf.Uint64())]
}

// words is a unique tail for a written text: the spam rules hold the same text
// posted twice.
func (c *loadClient) words(n int) string {
	c.n++
	return fmt.Sprintf("%s, case %d-%d", apptest.Sentence(c.r, n), c.r.Uint32(), c.n)
}

// query is n words as a reader would search the forum for them.
func (c *loadClient) query(n int) string {
	if c.w.realistic {
		lang := "en"
		if c.r.IntN(3) == 0 {
			lang = "de"
		}
		return apptest.ZipfWords(c.r, lang, n)
	}
	return strings.ToLower(apptest.Sentence(c.r, n))
}

// probeWord is, for every 10th write, a word of its own that only that write
// holds, so that the lag prober can tell when search finds it; else "".
func (c *loadClient) probeWord() string {
	if c.r.IntN(10) != 0 {
		return ""
	}
	w := []byte(" zq")
	for range 9 {
		w = append(w, byte('a'+c.r.IntN(26)))
	}
	return string(w)
}

func (c *loadClient) step() {
	pick := c.r.IntN(1000)
	kind := c.w.mix[len(c.w.mix)-1].kind
	for _, m := range c.w.mix {
		if pick < m.weight {
			kind = m.kind
			break
		}
		pick -= m.weight
	}
	board := fmt.Sprintf("/b/board-%d", 1+c.r.IntN(c.w.boards))
	switch kind {
	case "thread page, guest":
		c.do(kind, c.guest, http.MethodGet, c.thread(), nil)
	case "thread page, member":
		c.do(kind, c.member, http.MethodGet, c.thread(), nil)
	case "board list, guest":
		c.do(kind, c.guest, http.MethodGet, board, nil)
	case "board list, member":
		c.do(kind, c.member, http.MethodGet, board, nil)
	case "front page, guest":
		c.do(kind, c.guest, http.MethodGet, "/", nil)
	case "front page, member":
		c.do(kind, c.member, http.MethodGet, "/", nil)
	case "search":
		c.do(kind, c.member, http.MethodGet, "/search?q="+url.QueryEscape(c.query(2+c.r.IntN(2))), nil) // as a member: guests may be served a cached page
	case "suggest":
		c.do(kind, c.member, http.MethodGet, "/suggest?q="+url.QueryEscape(c.query(3+c.r.IntN(4))), nil)
	case "question":
		probe := c.probeWord()
		resp := c.do(kind, c.member, http.MethodPost, "/ask", url.Values{"board": {strconv.Itoa(1 + c.r.IntN(c.w.boards))},
			"title": {c.words(6) + "?"}, "body": {c.words(30) + probe + "."}, "confirm": {"1"}})
		if resp.status == http.StatusSeeOther {
			if path := strings.SplitN(resp.location, "?", 2)[0]; strings.HasPrefix(path, "/t/") {
				c.w.asked(path)
				c.mine = append(c.mine, path)
				c.w.probes.add(probe, path)
			}
		}
	case "answer":
		path := c.w.freshThread(c.r)
		if path == "" || c.r.IntN(2) == 0 {
			path = c.thread()
		}
		id := strings.Split(path, "/")[2] // /t/<id>/<slug>
		probe := c.probeWord()
		if resp := c.do(kind, c.member, http.MethodPost, "/t/"+id+"/reply", url.Values{"body": {c.words(25) + probe + "."}}); resp.status == http.StatusSeeOther {
			c.w.probes.add(probe, "/t/"+id+"/")
		}
	case "kudos":
		c.do(kind, c.member, http.MethodPost, fmt.Sprintf("/p/%d/kudos", 1+c.r.Int64N(c.w.maxPost)), url.Values{})
	case "accept":
		// The asker reads one of their questions and accepts its first answer.
		if len(c.mine) == 0 {
			c.stats.kind(kind).skipped++
			return
		}
		i := c.r.IntN(len(c.mine))
		page := c.do("thread page, member", c.member, http.MethodGet, c.mine[i], nil)
		m := acceptForm.FindSubmatch(page.body)
		if m == nil {
			c.stats.kind(kind).skipped++
			return
		}
		if resp := c.do(kind, c.member, http.MethodPost, "/p/"+string(m[1])+"/accept", url.Values{}); resp.status == http.StatusSeeOther {
			c.mine = slices.Delete(c.mine, i, i+1)
		}
	}
}

type loadResponse struct {
	status   int
	location string
	body     []byte
}

// do sends one request and counts it under kind. Forms get the CSRF token.
func (c *loadClient) do(kind string, client *http.Client, method, path string, form url.Values) loadResponse {
	var req *http.Request
	if form != nil {
		form.Set("_csrf", c.csrf)
		req, _ = http.NewRequest(method, c.w.base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req, _ = http.NewRequest(method, c.w.base+path, nil)
	}
	if kind == "suggest" {
		req.Header.Set("Accept", "application/json")
	}
	s := c.stats.kind(kind)
	s.tried++
	began := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		s.failed++
		return loadResponse{}
	}
	var body []byte
	if kind == "thread page, member" {
		body, _ = io.ReadAll(resp.Body)
	} else {
		io.Copy(io.Discard, resp.Body)
	}
	resp.Body.Close()
	took := time.Since(began)
	switch {
	case resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "" && (kind == "search" || kind == "suggest"):
		s.shed++ // the search limit turned it away at once, as it should under a flood
		s.shedLatencies = append(s.shedLatencies, took)
		return loadResponse{status: resp.StatusCode}
	}
	s.latencies = append(s.latencies, took)
	switch {
	case resp.StatusCode >= 500:
		s.server++
		c.t.Errorf("%s %s: %d", method, path, resp.StatusCode)
	case resp.StatusCode >= 400:
		s.refused++
		if s.codes == nil {
			s.codes = map[int]int{}
		}
		s.codes[resp.StatusCode]++
	default:
		s.ok++
	}
	return loadResponse{status: resp.StatusCode, location: resp.Header.Get("Location"), body: body}
}

type loadStats struct {
	tried, ok, refused, server, failed, skipped int
	shed                                        int             // searches refused by the search limit (503 + Retry-After)
	latencies                                   []time.Duration // of the requests served, shed ones apart
	shedLatencies                               []time.Duration
	codes                                       map[int]int // of the 4xx
}

type loadReport map[string]*loadStats

func (r loadReport) kind(k string) *loadStats {
	if r[k] == nil {
		r[k] = &loadStats{}
	}
	return r[k]
}

func mergeLoad(clients []*loadClient) loadReport {
	all := loadReport{}
	for _, c := range clients {
		for k, s := range c.stats {
			a := all.kind(k)
			a.tried += s.tried
			a.ok += s.ok
			a.refused += s.refused
			a.server += s.server
			a.failed += s.failed
			a.skipped += s.skipped
			a.shed += s.shed
			a.latencies = append(a.latencies, s.latencies...)
			a.shedLatencies = append(a.shedLatencies, s.shedLatencies...)
			for code, n := range s.codes {
				if a.codes == nil {
					a.codes = map[int]int{}
				}
				a.codes[code] += n
			}
		}
	}
	return all
}

// table is the report as the README shows it.
func (r loadReport) table(mix []mixEntry, elapsed time.Duration) string {
	var b strings.Builder
	b.WriteString("| kind | requests | req/s | p50 (served) | p99 (served) | 2xx/3xx | 4xx | 5xx |\n|---|---|---|---|---|---|---|---|\n")
	var total, totalOK int
	for _, m := range mix {
		s := r[m.kind]
		if s == nil {
			continue
		}
		slices.Sort(s.latencies)
		slices.Sort(s.shedLatencies)
		n := len(s.latencies) + len(s.shedLatencies)
		total += n
		totalOK += s.ok
		refused := strconv.Itoa(s.refused)
		if s.shed > 0 {
			refused += fmt.Sprintf(" + %d shed (503, p99 %s)", s.shed, quantile(s.shedLatencies, 0.99))
		}
		if len(s.codes) > 0 {
			refused += fmt.Sprintf(" %v", s.codes)
		}
		fmt.Fprintf(&b, "| %s | %d | %.0f | %s | %s | %d | %s | %d |\n", m.kind, n,
			float64(n)/elapsed.Seconds(), quantile(s.latencies, 0.50), quantile(s.latencies, 0.99), s.ok, refused, s.server)
	}
	fmt.Fprintf(&b, "| all | %d | %.0f | | | %d | | |\n", total, float64(total)/elapsed.Seconds(), totalOK)
	return b.String()
}

func quantile(sorted []time.Duration, q float64) string {
	if len(sorted) == 0 {
		return "–"
	}
	d := sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
	if d < 10*time.Millisecond {
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
}

// lagProber measures index lag as a reader sees it: for each probed write it
// searches for the write's own word until the thread is among the hits, and
// keeps the time from the write's acknowledgement to that.
type lagProber struct {
	t      *testing.T
	base   string
	client *http.Client
	in     chan lagProbe
	done   chan time.Duration // the grace period after the run
	result chan lagResult
}

type lagProbe struct {
	word, path string // path: what a hit's link starts with
	acked      time.Time
}

type lagResult struct {
	lags    []time.Duration
	unfound int
}

func newLagProber(t *testing.T, base, session string) *lagProber {
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(base)
	jar.SetCookies(u, []*http.Cookie{{Name: "schwarm_session", Value: session}})
	p := &lagProber{t: t, base: base, client: &http.Client{Jar: jar, Timeout: 30 * time.Second},
		in: make(chan lagProbe, 10000), done: make(chan time.Duration), result: make(chan lagResult)}
	go p.run()
	return p
}

func (p *lagProber) add(word, path string) {
	if word == "" {
		return
	}
	select {
	case p.in <- lagProbe{word: strings.TrimSpace(word), path: path, acked: time.Now()}:
	default: // the prober is behind; fewer probes, not a blocked writer
	}
}

// stop waits up to grace for the writes not found yet and returns the lags and
// how many were never found.
func (p *lagProber) stop(grace time.Duration) ([]time.Duration, int) {
	p.done <- grace
	r := <-p.result
	return r.lags, r.unfound
}

func (p *lagProber) run() {
	var pending []lagProbe
	var r lagResult
	var giveUp time.Time
	for {
		select {
		case q := <-p.in:
			pending = append(pending, q)
		case grace := <-p.done:
			giveUp = time.Now().Add(grace)
			p.done = nil
		default:
			if len(pending) == 0 && !giveUp.IsZero() && len(p.in) == 0 {
				p.result <- r
				return
			}
			if !giveUp.IsZero() && time.Now().After(giveUp) {
				r.unfound += len(pending) + len(p.in)
				p.result <- r
				return
			}
			if len(pending) == 0 {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			// One search for up to 8 probes, one at a time at most 20 a second,
			// so that the prober's own searches stay a small part of the load.
			batch := pending[:min(8, len(pending))]
			found := p.finds(batch)
			kept := pending[:0]
			for i, q := range pending {
				if i < len(batch) && found[i] {
					r.lags = append(r.lags, time.Since(q.acked))
				} else {
					kept = append(kept, q)
				}
			}
			pending = kept
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// finds reports which of the probes' threads are among the hits of one search
// for all their words: each thread holds one of the words, no other thread any.
func (p *lagProber) finds(batch []lagProbe) []bool {
	words := make([]string, len(batch))
	for i, q := range batch {
		words[i] = q.word
	}
	found := make([]bool, len(batch))
	resp, err := p.client.Get(p.base + "/search?q=" + strings.Join(words, "+"))
	if err != nil {
		return found
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for i, q := range batch {
		found[i] = resp.StatusCode == http.StatusOK && bytes.Contains(body, []byte(`href="`+q.path))
	}
	return found
}

// profileRun takes the server's CPU profile over most of the run in the
// background; the function it returns waits for it and then takes the heap
// profile. Without a pprof address both are no-ops.
func profileRun(t *testing.T, addr string, run time.Duration, name string) func() {
	if addr == "" {
		return func() {}
	}
	dir := os.Getenv(envLoadProfiles)
	fetch := func(path, file string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Errorf("profile %s: %v", path, err)
			return
		}
		defer resp.Body.Close()
		out, err := os.Create(filepath.Join(dir, file))
		if err != nil {
			t.Error(err)
			return
		}
		defer out.Close()
		io.Copy(out, resp.Body)
	}
	seconds := max(1, int(run.Seconds())-2)
	var wg sync.WaitGroup
	wg.Go(func() { fetch(fmt.Sprintf("/debug/pprof/profile?seconds=%d", seconds), "cpu-"+name+".pprof") })
	return func() {
		wg.Wait()
		fetch("/debug/pprof/heap?gc=1", "heap-"+name+".pprof")
		t.Logf("profiles of the server in %s: cpu-%s.pprof, heap-%s.pprof", dir, name, name)
	}
}

// rssSampler reads a process's resident memory from /proc at an interval.
type rssSampler struct {
	done    chan struct{}
	wg      sync.WaitGroup
	samples []int
}

func sampleRSS(pid int, every time.Duration) *rssSampler {
	s := &rssSampler{done: make(chan struct{})}
	read := func() {
		if mb := residentMB(pid); mb > 0 {
			s.samples = append(s.samples, mb)
		}
	}
	s.wg.Go(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		read()
		for {
			select {
			case <-s.done:
				read()
				return
			case <-tick.C:
				read()
			}
		}
	})
	return s
}

func (s *rssSampler) stop() []int {
	close(s.done)
	s.wg.Wait()
	return s.samples
}

// residentMB is VmRSS of /proc/pid/status in MB, 0 where there is no /proc.
func residentMB(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.Atoi(f[1])
			return kb / 1024
		}
	}
	return 0
}

// residentParts splits the resident memory of pid into its anonymous part
// (heap, stacks) and its file-backed part (the binary, mapped files), in MB.
func residentParts(pid int) (anon, file int) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.Atoi(f[1])
		switch f[0] {
		case "RssAnon:":
			anon = kb / 1024
		case "RssFile:", "RssShmem:":
			file += kb / 1024
		}
	}
	return anon, file
}

// copyTree copies the files under src to dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}
