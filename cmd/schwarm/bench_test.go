package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/config"
)

// envBench turns TestBenchTable into the README's table of pages and searches
// under load: each wrk run lasts this long (e.g. "10s") on the 1M-post
// forums. Unset, it runs for a second on small forums, as a check that the
// table can be made.
const envBench = "SCHWARM_BENCH"

// envBenchRounds is how often each row is run, each time right after the bare
// Fiber reference (3 by default with envBench, 1 without).
const envBenchRounds = "SCHWARM_BENCH_ROUNDS"

// envRequireWrk makes TestBenchTable fail, not skip, without wrk (CI sets it).
const envRequireWrk = "SCHWARM_REQUIRE_WRK"

// envBenchRows, a regular expression, runs only the rows whose names match.
const envBenchRows = "SCHWARM_BENCH_ROWS"

// envBareChild makes the test binary the bare Fiber reference: a fixed 20 KB
// page at this address.
const envBareChild = "SCHWARM_TEST_BARE_FIBER"

// serveBareFiber is the reference every row is measured against: what Fiber
// alone does on this machine for a page of the size of a thread list.
func serveBareFiber(addr string) error {
	page := bytes.Repeat([]byte("<p>Schwarm benchmark filler text.</p>\n"), 20*1024/39)
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/*", func(c *fiber.Ctx) error { c.Type("html"); return c.Send(page) })
	return app.Listen(addr)
}

// benchRow is one line of the table: a request, on one of the two forums.
type benchRow struct {
	name      string
	realistic bool   // the forum written like real text, else the worst case of 57 words
	path      string // or, with script, the script's
	script    string // a wrk script making the requests
	cookie    string // a signed-in viewer
	want      string // the page must hold this (checked once, before the runs)
}

// TestBenchTable serves the worst-case and the realistic benchmark forum with
// "schwarm serve" and a bare Fiber handler beside them, and runs wrk against
// each row of the table in turn, each run right after one against the
// reference: "SCHWARM_BENCH=10s go test ./cmd/schwarm -run BenchTable -v
// -timeout 2h" prints the README's table. Members' rows rotate through 2,000
// members' sessions; SCHWARM_LOAD_PROFILES=dir saves CPU and heap profiles of
// the realistic forum's server over its rows. Needs wrk on the PATH (skipped without, unless
// envRequireWrk is set).
func TestBenchTable(t *testing.T) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		if os.Getenv(envRequireWrk) == "" {
			t.Skip("wrk is not installed (Debian: apt-get install wrk); set " + envRequireWrk + " to fail instead")
		}
		t.Fatal("wrk is not installed (Debian: apt-get install wrk)")
	}
	run, rounds, conns := time.Second, 1, 10
	worst := apptest.BigDB{Threads: 400, Answers: 3, LongThreads: 50, LongAnswers: 12, Queued: 10, AuditRows: 10}
	realistic := worst
	realistic.Realistic = true
	dirs := [2]string{t.TempDir(), t.TempDir()}
	if v := os.Getenv(envBench); v != "" {
		if run, err = time.ParseDuration(v); err != nil {
			t.Fatalf("%s: %v", envBench, err)
		}
		rounds, conns, worst, realistic = 3, 50, apptest.Million, apptest.RealisticMillion
		// The benchmarks' cached forums, served as they are: the runs only read
		// (and count views).
		dirs = [2]string{worst.DataDir(t), realistic.DataDir(t)}
	} else {
		for i, f := range []apptest.BigDB{worst, realistic} {
			if err := f.Build(dirs[i], ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	if v := os.Getenv(envBenchRounds); v != "" {
		if rounds, err = strconv.Atoi(v); err != nil || rounds < 1 {
			t.Fatalf("%s: %q is not a number of rounds", envBenchRounds, v)
		}
	}

	scripts := t.TempDir()
	ctx := context.Background()
	a := apptest.NewApp(t, apptest.Config(t, func(c *config.Config) { c.DataDir, c.DatabaseURL = dirs[0], "" }))
	long := int64(worst.LongThreads * (worst.Threads / worst.LongThreads / 2)) // one of the threads with LongAnswers
	var slug string
	if err := a.DB.Reader(ctx).Raw("SELECT slug FROM threads WHERE id = ?", long).Scan(&slug).Error; err != nil || slug == "" {
		t.Fatalf("thread %d: %q, %v", long, slug, err)
	}
	threadPath := fmt.Sprintf("/t/%d/%s", long, slug)
	var members []string
	var ids []int64
	if err := a.DB.Reader(ctx).Raw("SELECT id FROM users WHERE handle LIKE 'user%' ORDER BY id LIMIT 2000").Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		token, err := a.Sessions.Create(ctx, id, "127.0.0.1", "bench")
		if err != nil {
			t.Fatal(err)
		}
		members = append(members, "schwarm_session="+token)
	}
	mod, err := a.Users.GetByHandle(ctx, apptest.Moderator)
	if err != nil {
		t.Fatal(err)
	}
	modToken, err := a.Sessions.Create(ctx, mod.ID, "127.0.0.1", "bench")
	if err != nil {
		t.Fatal(err)
	}
	ra := apptest.NewApp(t, apptest.Config(t, func(c *config.Config) { c.DataDir, c.DatabaseURL = dirs[1], "" }))
	var titles []string
	if err := ra.DB.Reader(ctx).Raw("SELECT title FROM threads ORDER BY id LIMIT 400").Scan(&titles).Error; err != nil {
		t.Fatal(err)
	}

	rows := []benchRow{
		{name: "guest thread page (cached)", path: threadPath, want: `class="post-body"`},
		{name: "member thread page", path: threadPath, script: membersScript(t, scripts, threadPath, members), want: `action="/logout"`, cookie: members[0]},
		{name: "member board list", path: "/b/board-1", script: membersScript(t, scripts, "/b/board-1", members), want: `action="/logout"`, cookie: members[0]},
		{name: "moderator thread page", path: threadPath, cookie: "schwarm_session=" + modToken, want: `href="/mod/queue"`},
		{name: "`/search?q=router+wifi+slow`", path: "/search?q=router+wifi+slow", want: `class="thread-item`},
		{name: "`/suggest`, `app/web/testdata/suggest.lua`", path: "/suggest?q=router+wifi", script: filepath.Join("..", "..", "app", "web", "testdata", "suggest.lua"), want: `"url"`},
		{name: "realistic forum: `/suggest`, 400 titles' words", realistic: true, path: "/suggest?q=router", script: queriesScript(t, scripts, "suggest", titles), want: "["},
		{name: "realistic forum: `/search`, 400 titles' words", realistic: true, path: "/search?q=router", script: queriesScript(t, scripts, "search", titles), want: "<main"},
		{name: "realistic forum: `/suggest`, words never asked together before", realistic: true, path: "/suggest?q=router", script: freshQueriesScript(t, scripts, "suggest", titles), want: "["},
		{name: "realistic forum: `/search`, words never asked together before", realistic: true, path: "/search?q=router", script: freshQueriesScript(t, scripts, "search", titles), want: "<main"},
	}
	if v := os.Getenv(envBenchRows); v != "" {
		re, err := regexp.Compile(v)
		if err != nil {
			t.Fatalf("%s: %v", envBenchRows, err)
		}
		rows = slices.DeleteFunc(rows, func(r benchRow) bool { return !re.MatchString(r.name) })
	}

	bareAddr := freeAddr(t)
	bare := exec.Command(os.Args[0], "-test.run=^$")
	bare.Env = append(os.Environ(), envBareChild+"="+bareAddr)
	if err := bare.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bare.Process.Kill(); bare.Wait() })
	bareURL := "http://" + bareAddr
	if !apptest.Eventually(10*time.Second, func() bool {
		resp, err := http.Get(bareURL)
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	}) {
		t.Fatal("the bare Fiber reference did not start")
	}
	var children [2]*exec.Cmd
	var bases [2]string
	// With envLoadProfiles, the realistic forum's server is profiled over each
	// of its rows (the worst-case one has its own figures in the README).
	var pprofAddr string
	if os.Getenv(envLoadProfiles) != "" {
		pprofAddr = freeAddr(t)
	}
	for i, dir := range dirs {
		if i == 0 {
			t.Setenv(envChildPprof, "")
		} else {
			t.Setenv(envChildPprof, pprofAddr)
		}
		var stop func()
		children[i], bases[i], stop = serveChild(t, dir, "", 15*time.Minute) // a first start indexes the forum
		t.Cleanup(stop)
	}
	for _, r := range rows {
		base := bases[0]
		if r.realistic {
			base = bases[1]
		}
		req, _ := http.NewRequest(http.MethodGet, base+r.path, nil)
		req.Header.Set("Accept-Language", "en")
		if strings.HasPrefix(r.path, "/suggest") {
			req.Header.Set("Accept", "application/json")
		}
		if r.cookie != "" {
			req.Header.Set("Cookie", r.cookie)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		body.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(body.String(), r.want) {
			t.Fatalf("%s: GET %s: %d, %d bytes, lacks %q", r.name, r.path, resp.StatusCode, body.Len(), r.want)
		}
	}

	results := make([][]wrkResult, len(rows))
	var bareRuns []wrkResult
	for round := range rounds {
		for i, r := range rows {
			bareRuns = append(bareRuns, runWrk(t, wrk, bareURL+"/", "", "", conns, run))
			base := bases[0]
			if r.realistic {
				base = bases[1]
			}
			profiled := func() {}
			if r.realistic {
				profiled = profileRun(t, pprofAddr, run, fmt.Sprintf("bench-row%d-round%d", i, round))
			}
			res := runWrk(t, wrk, base+r.path, r.script, r.cookie, conns, run)
			profiled()
			if res.requests == 0 || res.connectErrors > 0 {
				t.Errorf("round %d, %s: %.0f requests, %.0f failed connections", round, r.name, res.requests, res.connectErrors)
			}
			results[i] = append(results[i], res)
		}
	}
	bareRate := medianOf(bareRuns, func(r wrkResult) float64 { return r.rate })
	var table strings.Builder
	fmt.Fprintf(&table, "wrk -t2 -c%d -d%s --latency, medians of %d runs; bare Fiber 20 KB page: %.0f req/s, p50 %s, p99 %s\n\n",
		conns, run, rounds, bareRate, ms(medianOf(bareRuns, func(r wrkResult) float64 { return r.p50 })),
		ms(medianOf(bareRuns, func(r wrkResult) float64 { return r.p99 })))
	table.WriteString("| page | req/s | p50 | p99 | not 2xx (shed) | timeouts | share of bare Fiber |\n|---|---|---|---|---|---|---|\n")
	for i, r := range rows {
		rate := medianOf(results[i], func(r wrkResult) float64 { return r.rate })
		shed := medianOf(results[i], func(r wrkResult) float64 { return r.non2xx / max(1, r.requests) })
		fmt.Fprintf(&table, "| %s | %.0f | %s | %s | %.0f %% | %.0f | %.2f |\n", r.name, rate,
			ms(medianOf(results[i], func(r wrkResult) float64 { return r.p50 })),
			ms(medianOf(results[i], func(r wrkResult) float64 { return r.p99 })), 100*shed,
			medianOf(results[i], func(r wrkResult) float64 { return r.otherErrors }), rate/bareRate)
	}
	for i, name := range []string{"worst-case", "realistic"} {
		anon, file := residentParts(children[i].Process.Pid)
		fmt.Fprintf(&table, "\nresident memory of the %s forum's server after the runs: %d MB (%d MB anonymous: heap and stacks; %d MB file-backed: the binary and the search index's mapped segments)",
			name, residentMB(children[i].Process.Pid), anon, file)
	}
	t.Log("\n" + table.String())
}

// membersScript writes a wrk script that requests path as each member in turn.
func membersScript(t *testing.T, dir, path string, cookies []string) string {
	var b strings.Builder
	b.WriteString("local cookies = {\n")
	for _, c := range cookies {
		fmt.Fprintf(&b, "%q,\n", c)
	}
	fmt.Fprintf(&b, "}\nlocal i = 0\nrequest = function()\n  i = i %% #cookies + 1\n  return wrk.format(\"GET\", %q, {[\"Cookie\"] = cookies[i], [\"Accept-Language\"] = \"en\"})\nend\n", path)
	return writeScript(t, dir, "members", b.String())
}

// queriesScript writes a wrk script cycling through queries of 3–6 words of
// the titles, for /suggest (as JSON) or /search.
func queriesScript(t *testing.T, dir, endpoint string, titles []string) string {
	r := rand.New(rand.NewPCG(42, 1))
	var b strings.Builder
	b.WriteString("local paths = {\n")
	for _, title := range titles {
		words := strings.Fields(title)
		n := min(len(words), 3+r.IntN(4))
		if n == 0 {
			continue
		}
		fmt.Fprintf(&b, "%q,\n", "/"+endpoint+"?q="+url.QueryEscape(strings.Join(words[:n], " ")))
	}
	accept := "text/html"
	if endpoint == "suggest" {
		accept = "application/json"
	}
	fmt.Fprintf(&b, "}\nlocal i = 0\nrequest = function()\n  i = i %% #paths + 1\n  return wrk.format(\"GET\", paths[i], {[\"Accept\"] = %q, [\"Accept-Language\"] = \"en\"})\nend\n", accept)
	return writeScript(t, dir, endpoint, b.String())
}

// freshQueriesScript is queriesScript with each query drawn anew from all the
// titles' words, so that wrk hardly ever asks the same thing twice: what a
// query costs when no kept answer helps.
func freshQueriesScript(t *testing.T, dir, endpoint string, titles []string) string {
	seen := map[string]bool{}
	var b strings.Builder
	b.WriteString("local words = {\n")
	for _, title := range titles {
		for _, w := range strings.Fields(title) {
			if w = strings.ToLower(strings.Trim(w, ".,?!:;\"'()")); w != "" && !seen[w] {
				seen[w] = true
				fmt.Fprintf(&b, "%q,\n", url.QueryEscape(w))
			}
		}
	}
	accept := "text/html"
	if endpoint == "suggest" {
		accept = "application/json"
	}
	fmt.Fprintf(&b, `}
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  local n = 3 + math.random(0, 3)
  local q = {}
  for j = 1, n do q[j] = words[math.random(#words)] end
  return wrk.format("GET", "/%s?q=" .. table.concat(q, "+"), {["Accept"] = %q, ["Accept-Language"] = "en"})
end
`, endpoint, accept)
	return writeScript(t, dir, "fresh-"+endpoint, b.String())
}

func writeScript(t *testing.T, dir, name, text string) string {
	p := filepath.Join(dir, name+"-"+strconv.Itoa(len(text))+".lua")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// wrkResult is what one wrk run reports; latencies in milliseconds.
type wrkResult struct {
	rate, p50, p99                  float64
	requests, non2xx, connectErrors float64
	otherErrors                     float64 // read, write, timeout
}

var (
	wrkLatency  = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$`)
	wrkRate     = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	wrkRequests = regexp.MustCompile(`(\d+) requests in`)
	wrkNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkErrors   = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

func runWrk(t *testing.T, wrk, target, script, cookie string, conns int, run time.Duration) wrkResult {
	t.Helper()
	args := []string{"-t2", "-c" + strconv.Itoa(conns), "-d" + strconv.Itoa(int(run.Seconds())) + "s", "--latency", "-H", "Accept-Language: en"}
	if script != "" {
		args = append(args, "-s", script)
	}
	if cookie != "" && script == "" {
		args = append(args, "-H", "Cookie: "+cookie)
	}
	out, err := exec.Command(wrk, append(args, target)...).CombinedOutput()
	if err != nil {
		t.Fatalf("wrk %s: %v\n%s", target, err, out)
	}
	var r wrkResult
	for _, m := range wrkLatency.FindAllStringSubmatch(string(out), -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		switch m[3] {
		case "us":
			v /= 1000
		case "s":
			v *= 1000
		}
		if m[1] == "50" {
			r.p50 = v
		} else {
			r.p99 = v
		}
	}
	num := func(re *regexp.Regexp) float64 {
		m := re.FindStringSubmatch(string(out))
		if m == nil {
			return 0
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		return v
	}
	r.rate, r.requests, r.non2xx = num(wrkRate), num(wrkRequests), num(wrkNon2xx)
	if m := wrkErrors.FindStringSubmatch(string(out)); m != nil {
		for i, f := range m[1:] {
			n, _ := strconv.ParseFloat(f, 64)
			if i == 0 {
				r.connectErrors = n
			} else {
				r.otherErrors += n
			}
		}
	}
	if r.rate == 0 || r.p99 == 0 {
		t.Fatalf("wrk %s: no figures in\n%s", target, out)
	}
	return r
}

func medianOf(rs []wrkResult, f func(wrkResult) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	if len(v) == 0 {
		return 0
	}
	return v[len(v)/2]
}

func ms(v float64) string {
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 2, 64) + " ms"
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " ms"
}
