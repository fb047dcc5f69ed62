package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	_ "net/http/pprof"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// envServeChild makes the test binary the server the crash test kills: it runs
// "schwarm serve" with the settings of its environment.
const envServeChild = "SCHWARM_TEST_SERVE_CHILD"

// envChildPprof, set by the load test when it takes profiles, is where that
// server serves net/http/pprof.
const envChildPprof = "SCHWARM_TEST_CHILD_PPROF"

// envCrashRounds sets how often TestKill9KeepsAcknowledgedAnswers kills the
// server (3 by default; the campaign of the README runs 20).
const envCrashRounds = "SCHWARM_CRASH_ROUNDS"

func TestMain(m *testing.M) {
	if addr := os.Getenv(envBareChild); addr != "" {
		if err := serveBareFiber(addr); err != nil {
			fmt.Fprintln(os.Stderr, "bare fiber:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if os.Getenv(envServeChild) != "" {
		if addr := os.Getenv(envChildPprof); addr != "" {
			go http.ListenAndServe(addr, nil) // net/http/pprof's handlers, for the load campaign's profiles
		}
		if err := run(context.Background(), []string{"serve"}, io.Discard); err != nil {
			fmt.Fprintln(os.Stderr, "schwarm serve:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// TestKill9KeepsAcknowledgedAnswers kills the server with SIGKILL at a random
// moment while two members post answers over HTTP, again and again; after the
// last restart every answer the server acknowledged (303 to the thread) is in
// the database and found by search. Answers in flight when it died may or may
// not be there: nobody was told they were.
func TestKill9KeepsAcknowledgedAnswers(t *testing.T) {
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv(envCrashRounds)); err == nil && n > 0 {
		rounds = n
	}
	ctx := context.Background()
	dir, dbURL := t.TempDir(), apptest.DatabaseURL(t)
	cfg := apptest.Config(t, func(c *config.Config) { c.DataDir, c.DatabaseURL = dir, dbURL })
	a := apptest.NewApp(t, cfg)
	b := &board.Board{Slug: "internet", NameEN: "Internet", NameDE: "Internet"}
	if err := a.Boards.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	var writers []*user.User
	for _, h := range []string{"wanda", "walter"} {
		u, err := a.Users.Register(ctx, user.Registration{Handle: h, Email: h + "@example.com", Password: apptest.Password})
		if err != nil {
			t.Fatal(err)
		}
		writers = append(writers, u)
	}
	th, err := a.Threads.Create(ctx, writers[0], thread.Ask{BoardID: b.ID, Title: "Router drops the line every night", Body: "Since the update."})
	if err != nil {
		t.Fatal(err)
	}
	tokens := make([]string, len(writers))
	for i, u := range writers {
		if tokens[i], err = a.Sessions.Create(ctx, u.ID, "127.0.0.1", "crash test"); err != nil {
			t.Fatal(err)
		}
	}

	var acked []string // the unique word of every acknowledged answer
	var mu sync.Mutex
	for round := range rounds {
		base, stop := startServer(t, dir, dbURL)
		clients := make([]*poster, len(writers))
		for i := range writers {
			clients[i] = newPoster(t, base, tokens[i], th.ID)
		}
		var wg sync.WaitGroup
		done := make(chan struct{})
		for i, p := range clients {
			wg.Go(func() {
				for n := 0; ; n++ {
					select {
					case <-done:
						return
					default:
					}
					word := crashWord(round, i, n)
					if p.answer("The router said " + word + " before it restarted.") {
						mu.Lock()
						acked = append(acked, word)
						mu.Unlock()
					}
				}
			})
		}
		time.Sleep(time.Duration(100+rand.IntN(400)) * time.Millisecond)
		stop() // SIGKILL, mid-write
		close(done)
		wg.Wait()
	}
	if len(acked) == 0 {
		t.Fatal("no answer was acknowledged in any round")
	}

	// After the last kill: every acknowledged answer is stored, and searchable
	// once the restarted node's index has caught up.
	base, stop := startServer(t, dir, dbURL)
	defer stop()
	stored := map[string]bool{}
	var sources []string
	if err := a.DB.Reader(ctx).Table("posts").Where("thread_id = ? AND NOT is_question", th.ID).Pluck("source", &sources).Error; err != nil {
		t.Fatal(err)
	}
	for _, s := range sources {
		stored[strings.Fields(s)[3]] = true
	}
	for _, w := range acked {
		if !stored[w] {
			t.Errorf("acknowledged answer %s is not in the database", w)
		}
	}
	last := acked[len(acked)-1]
	if !apptest.Eventually(30*time.Second, func() bool { return searchFinds(t, base, last, th.ID) }) {
		t.Fatalf("the restarted node's search does not find the last acknowledged answer (%s)", last)
	}
	for _, w := range acked {
		if !searchFinds(t, base, w, th.ID) {
			t.Errorf("acknowledged answer %s is not found by search", w)
		}
	}
	t.Logf("%d rounds, %d answers acknowledged, all stored and found", rounds, len(acked))
}

// crashWord is a word found only in one answer: letters, which search keeps
// whole, spelling out the round, the writer and the answer's number.
func crashWord(round, writer, n int) string {
	const letters = "bcdfghjklmnpqrstvwxz"
	var b strings.Builder
	b.WriteString("qy")
	for _, v := range []int{round, writer, n} {
		for {
			b.WriteByte(letters[v%len(letters)])
			if v /= len(letters); v == 0 {
				break
			}
		}
		b.WriteByte('y')
	}
	return b.String()
}

// startServer runs "schwarm serve" as a child process on a free loopback port
// and waits until it is ready; stop kills it with SIGKILL and waits for it.
func startServer(t *testing.T, dir, dbURL string) (base string, stop func()) {
	t.Helper()
	_, base, stop = serveChild(t, dir, dbURL, 30*time.Second)
	return base, stop
}

// serveChild is startServer for a forum that may take a while to open (a big
// forum's first start builds its search index), returning the child process too.
func serveChild(t *testing.T, dir, dbURL string, readyWithin time.Duration) (child *exec.Cmd, base string, stop func()) {
	t.Helper()
	addr := freeAddr(t)
	child = exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), envServeChild+"=1", "SCHWARM_ADDR="+addr, "SCHWARM_DATA_DIR="+dir,
		"SCHWARM_DATABASE_URL="+dbURL, "SCHWARM_LOG_LEVEL=error", "SCHWARM_TRUST_REPUTATION=0",
		"SCHWARM_RATE_WRITE=1000000/1m", "SCHWARM_RATE_WRITE_ADDRESS=1000000/1m")
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			child.Process.Kill()
			child.Wait()
		})
	}
	base = "http://" + addr
	ready := apptest.Eventually(readyWithin, func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	if !ready {
		stop()
		t.Fatalf("the server did not become ready in %s", readyWithin)
	}
	return child, base, stop
}

// freeAddr returns a loopback address no one listens on now.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// poster answers a thread as a signed-in member, as a browser would.
type poster struct {
	t        *testing.T
	http     *http.Client
	base     string
	threadID int64
	csrf     string
}

func newPoster(t *testing.T, base, session string, threadID int64) *poster {
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(base)
	jar.SetCookies(u, []*http.Cookie{{Name: "schwarm_session", Value: session}})
	p := &poster{t: t, base: base, threadID: threadID, http: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	resp, err := p.http.Get(fmt.Sprintf("%s/t/%d", base, threadID))
	if err == nil && resp.StatusCode == http.StatusMovedPermanently {
		resp.Body.Close()
		resp, err = p.http.Get(base + resp.Header.Get("Location"))
	}
	p.csrf = csrfOf(t, resp, err)
	return p
}

// csrfOf reads the form token from a page a signed-in member fetched.
func csrfOf(t *testing.T, resp *http.Response, err error) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token on %s (%d)", resp.Request.URL.Path, resp.StatusCode)
	}
	return string(m[1])
}

// answer posts body and reports whether the server acknowledged it: a 303 to
// the thread, sent after the answer's transaction committed.
func (p *poster) answer(body string) bool {
	form := url.Values{"_csrf": {p.csrf}, "body": {body}}
	resp, err := p.http.PostForm(fmt.Sprintf("%s/t/%d/reply", p.base, p.threadID), form)
	if err != nil {
		return false // the server died under it: not acknowledged
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		p.t.Errorf("an answer got %d", resp.StatusCode)
	}
	return resp.StatusCode == http.StatusSeeOther
}

func searchFinds(t *testing.T, base, word string, threadID int64) bool {
	resp, err := http.Get(base + "/search?q=" + word)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return strings.Contains(string(body), fmt.Sprintf("/t/%d/", threadID))
}
