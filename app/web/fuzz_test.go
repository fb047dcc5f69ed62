package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/thread"
)

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// FuzzPostBodies sends any body, urlencoded or multipart with any boundary, to
// the forms a signed-in member posts, on one real server for the whole run: no
// status is ever 5xx. The CSRF token travels in its header, so every body
// reaches the form parsing behind the check.
func FuzzPostBodies(f *testing.F) {
	unlimited := config.Rate{N: 1 << 30, Window: time.Hour}
	srv := apptest.NewServer(f, apptest.ServerOptions{Config: func(c *config.Config) {
		c.WriteRate, c.WriteAddressRate, c.FlagRate = unlimited, unlimited, unlimited
	}})
	ctx := context.Background()
	b := &board.Board{Slug: "internet", NameEN: "Internet", NameDE: "Internet"}
	if err := srv.App.Boards.Create(ctx, b); err != nil {
		f.Fatal(err)
	}
	th, err := srv.App.Threads.Create(ctx, srv.Fixtures.Member, thread.Ask{BoardID: b.ID,
		Title: "Router drops Wi-Fi every evening", Body: "Since **Monday**.", Tags: "router, wifi", Language: "en"})
	if err != nil {
		f.Fatal(err)
	}
	answer, err := srv.App.Threads.Reply(ctx, srv.Fixtures.Other, th.ID, "Update the firmware.")
	if err != nil {
		f.Fatal(err)
	}
	own, err := srv.App.Threads.Reply(ctx, srv.Fixtures.Member, th.ID, "It helped to restart it.")
	if err != nil {
		f.Fatal(err)
	}
	routes := []string{"/preview", "/ask", fmt.Sprintf("/t/%d/reply", th.ID), fmt.Sprintf("/p/%d/flag", answer.ID),
		fmt.Sprintf("/p/%d/edit", own.ID), "/settings/profile", "/uploads", "/language"}

	c := srv.Client(f)
	c.Login(srv.Fixtures.Member.Handle, apptest.Password)
	m := csrfField.FindStringSubmatch(c.Get("/ask").Body)
	if m == nil {
		f.Fatal("no CSRF field on /ask")
	}
	token, cookies := m[1], c.Cookies(srv.URL)
	client := &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	fields := url.Values{"board": {fmt.Sprint(b.ID)}, "title": {"Question number one here"}, "body": {"[x](javascript:alert(1)) **b**"},
		"tags": {"router, wifi"}, "language": {"en"}, "kind": {"spam"}, "text": {"why"}, "display_name": {"Mara"},
		"locale": {"de"}, "action": {"preview"}, "next": {"//evil.example"}}
	for i := range routes {
		f.Add(uint8(i), false, "", []byte(fields.Encode()))
		f.Add(uint8(i), false, "", []byte("body=%zz&title=%&&=&board=-1&board=99999999999999999999&_csrf=x"))
		for _, boundary := range []string{"x", "----WebKitFormBoundary7MA4YWxkTrZu0gW", `"quoted boundary"`, strings.Repeat("b", 70)} {
			f.Add(uint8(i), true, boundary, multipartBody(boundary, fields, []byte("\x89PNG\r\n\x1a\n")))
		}
		f.Add(uint8(i), true, "x", []byte("--x\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nunterminated"))
		f.Add(uint8(i), true, "x", []byte("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../etc/passwd\"\r\nContent-Type: text/html\r\n\r\n<script>\r\n--x--\r\n"))
		f.Add(uint8(i), true, "", []byte("--\r\n\r\n--"))
	}

	f.Fuzz(func(t *testing.T, route uint8, isMultipart bool, boundary string, body []byte) {
		contentType := "application/x-www-form-urlencoded"
		if isMultipart {
			contentType = "multipart/form-data; boundary=" + boundary
		}
		for _, r := range contentType {
			if r < ' ' && r != '\t' || r == 0x7f {
				return // no client can send it: net/http refuses the header
			}
		}
		req, err := http.NewRequest(http.MethodPost, srv.URL+routes[int(route)%len(routes)], bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Accept", "text/html")
		req.Header.Set("X-CSRF-Token", token)
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", req.URL.Path, err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("POST %s (%s, %d bytes): status %d\n%.500s", req.URL.Path, contentType, len(body), resp.StatusCode, page)
		}
	})
}

// multipartBody encodes fields and a file part with boundary, which may be one
// mime/multipart refuses to write: then the parts are written by hand.
func multipartBody(boundary string, fields url.Values, file []byte) []byte {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if w.SetBoundary(boundary) != nil {
		for k, vs := range fields {
			fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", boundary, k, vs[0])
		}
		fmt.Fprintf(&b, "--%s--\r\n", boundary)
		return b.Bytes()
	}
	for k, vs := range fields {
		_ = w.WriteField(k, vs[0])
	}
	part, _ := w.CreateFormFile("file", "screenshot.png")
	_, _ = part.Write(file)
	_ = w.Close()
	return b.Bytes()
}
