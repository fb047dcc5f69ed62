package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/config"
)

// uploadRequest is a multipart POST /uploads as the composer's script or a plain
// form sends it.
type uploadRequest struct {
	file   []byte
	noFile bool
	csrf   string // as the X-CSRF-Token header
	json   bool   // Accept: application/json
	next   string
	path   string // "" is /uploads
}

func postUpload(t *testing.T, srv *apptest.Server, c *apptest.Client, u uploadRequest) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if u.next != "" {
		w.WriteField("next", u.next)
	}
	if !u.noFile {
		part, err := w.CreateFormFile("file", "screenshot.png") // the name is never trusted
		if err != nil {
			t.Fatal(err)
		}
		part.Write(u.file)
	}
	w.Close()
	path := u.path
	if path == "" {
		path = "/uploads"
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	if u.csrf != "" {
		req.Header.Set("X-CSRF-Token", u.csrf)
	}
	if u.json {
		req.Header.Set("Accept", "application/json")
	} else {
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
	}
	return c.Do(req)
}

func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	noise := rand.New(rand.NewPCG(uint64(w), uint64(h))) // incompressible, so sizes are predictable
	for i := range img.Pix {
		img.Pix[i] = uint8(noise.Uint32())
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type problem struct {
	Status int               `json:"status"`
	Title  string            `json:"title"`
	Detail string            `json:"detail"`
	Errors map[string]string `json:"errors"`
}

func decodeJSON[T any](t *testing.T, r *apptest.Response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		t.Fatalf("%d %s: %v", r.StatusCode, r.Body, err)
	}
	return v
}

func TestUploadAndServe(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) { c.UploadMaxBytes = 32 << 10 }})
	img := testPNG(t, 6, 4)

	guest := srv.Client(t).NoRedirects()
	token := csrfIn(guest.Get("/login").Body)
	for _, asJSON := range []bool{false, true} {
		r := postUpload(t, srv, guest, uploadRequest{file: img, csrf: token, json: asJSON})
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("guest upload (json %t): %d", asJSON, r.StatusCode)
		}
		mustContain(t, r, "Please sign in first")
	}

	member := srv.Client(t)
	member.Login("mara", apptest.Password)
	member.NoRedirects()
	token = csrfIn(member.Get("/").Body)
	if r := postUpload(t, srv, member, uploadRequest{file: img, json: true}); r.StatusCode != http.StatusForbidden {
		t.Errorf("upload without CSRF token: %d", r.StatusCode)
	}

	r := postUpload(t, srv, member, uploadRequest{file: img, csrf: token, json: true})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("member upload: %d %s", r.StatusCode, r.Body)
	}
	got := decodeJSON[struct{ URL, Markdown string }](t, r)
	if !strings.HasPrefix(got.URL, "/uploads/") || !strings.HasSuffix(got.URL, ".png") || got.Markdown != "![]("+got.URL+")" {
		t.Errorf("created %+v", got)
	}
	if again := decodeJSON[struct{ URL string }](t, postUpload(t, srv, member, uploadRequest{file: img, csrf: token, json: true})); again.URL != got.URL {
		t.Errorf("same image again: %s, first %s", again.URL, got.URL)
	}

	// Anyone may fetch it, as the image it is and nothing else.
	fetch := srv.Client(t)
	r = fetch.Get(got.URL)
	if r.StatusCode != http.StatusOK || r.Body != string(img) {
		t.Fatalf("GET %s: %d, %d bytes", got.URL, r.StatusCode, len(r.Body))
	}
	for k, want := range map[string]string{
		"Content-Type":            "image/png",
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'none'; sandbox",
		"Content-Disposition":     "inline",
		"Cache-Control":           "public, max-age=31536000, immutable",
	} {
		if v := r.Header.Get(k); v != want {
			t.Errorf("%s: %q, want %q", k, v, want)
		}
	}
	if c := r.Header.Values("Set-Cookie"); len(c) > 0 { // a shared cache must not keep one
		t.Errorf("public image sets cookies: %q", c)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+got.URL, nil)
	req.Header.Set("If-None-Match", r.Header.Get("ETag"))
	if r := fetch.Do(req); r.StatusCode != http.StatusNotModified || r.Body != "" {
		t.Errorf("revalidation: %d, %d bytes", r.StatusCode, len(r.Body))
	}

	name := strings.TrimPrefix(got.URL, "/uploads/")
	sha := strings.TrimSuffix(name, ".png")
	for _, path := range []string{
		"/uploads/" + strings.Repeat("0", 64) + ".png",
		"/uploads/" + sha + ".gif",
		"/uploads/" + sha,
		"/uploads/" + strings.ToUpper(sha) + ".png",
		"/uploads/" + sha[:2] + "/" + name,
		"/uploads/..%2fschwarm.db",
		"/uploads/..%2F..%2Fschwarm.db",
		"/uploads/%2e%2e%2fuploads%2f" + sha[:2] + "%2f" + name,
		"/uploads/",
	} {
		if r := fetch.Get(path); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.StatusCode)
		}
	}
}

func TestUploadRefusals(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) { c.UploadMaxBytes = 4 << 10 }})
	member := srv.Client(t)
	member.Login("mara", apptest.Password)
	member.NoRedirects()
	token := csrfIn(member.Get("/").Body)
	htmlAsPNG := []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>")
	gifWithHTML := append([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00"), htmlAsPNG...)
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)
	tests := []struct {
		name   string
		req    uploadRequest
		status int
		detail string
	}{
		{"html named png", uploadRequest{file: htmlAsPNG}, http.StatusUnprocessableEntity, "Only PNG, JPEG, GIF and WebP"},
		{"gif header with html", uploadRequest{file: gifWithHTML}, http.StatusUnprocessableEntity, "Only PNG, JPEG, GIF and WebP"},
		{"svg", uploadRequest{file: svg}, http.StatusUnprocessableEntity, "Only PNG, JPEG, GIF and WebP"},
		{"too large", uploadRequest{file: testPNG(t, 64, 64)}, http.StatusRequestEntityTooLarge, "This image is too large"},
		{"empty file", uploadRequest{file: nil}, http.StatusUnprocessableEntity, "Please fill in this field"},
		{"no file", uploadRequest{noFile: true}, http.StatusUnprocessableEntity, "Please fill in this field"},
	}
	for _, tt := range tests {
		for _, asJSON := range []bool{true, false} {
			req := tt.req
			req.csrf, req.json = token, asJSON
			r := postUpload(t, srv, member, req)
			if r.StatusCode != tt.status {
				t.Errorf("%s (json %t): %d, want %d", tt.name, asJSON, r.StatusCode, tt.status)
				continue
			}
			if !asJSON {
				mustContain(t, r, tt.detail)
				continue
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("%s: content type %q", tt.name, ct)
			}
			if p := decodeJSON[problem](t, r); p.Status != tt.status || !strings.Contains(p.Detail, tt.detail) || p.Errors["file"] != p.Detail {
				t.Errorf("%s: problem %+v", tt.name, p)
			}
		}
	}
	if files := srv.Client(t).Get("/uploads/"); files.StatusCode != http.StatusNotFound {
		t.Errorf("directory listing: %d", files.StatusCode)
	}
}

func TestUploadFormPostReturnsToPage(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	member := srv.Client(t)
	member.Login("mara", apptest.Password)
	member.NoRedirects()
	token := csrfIn(member.Get("/").Body)
	img := testPNG(t, 3, 3)
	for _, tt := range []struct{ next, wantPrefix string }{
		{"/settings/profile?tab=x", "/settings/profile?tab=x&upload="},
		{"//evil.example/", "/?upload="},
		{"https://evil.example/", "/?upload="},
		{"", "/?upload="},
	} {
		r := postUpload(t, srv, member, uploadRequest{file: img, csrf: token, next: tt.next})
		loc := r.Header.Get("Location")
		if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, tt.wantPrefix) || !strings.HasSuffix(loc, ".png") {
			t.Errorf("next %q: %d to %q", tt.next, r.StatusCode, loc)
		}
	}
}

func TestUploadedImageInAPost(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) { c.ImageHosts = []string{"img.example.net"} }})
	b := newBoard(t, srv, "internet", nil)
	member := srv.Client(t)
	member.Login("mara", apptest.Password)
	token := csrfIn(member.Get("/").Body)
	up := decodeJSON[struct{ URL, Markdown string }](t, postUpload(t, srv, member, uploadRequest{file: testPNG(t, 5, 5), csrf: token, json: true}))

	body := up.Markdown + "\n\n![chart](https://img.example.net/c.png) ![pixel](https://tracker.example/p.gif)"
	r := member.Post("/ask", form("board", fmt.Sprint(b.ID), "title", "Router shows a strange error", "body", body))
	if !threadPath.MatchString(r.Request.URL.Path) {
		t.Fatalf("ask: %d at %s", r.StatusCode, r.Request.URL.Path)
	}
	mustContain(t, r, `<img src="`+up.URL+`"`, `<img src="https://img.example.net/c.png" alt="chart"`,
		`<a href="https://tracker.example/p.gif" rel="nofollow ugc noopener">pixel</a>`)
	mustNotContain(t, r, `<img src="https://tracker.example`)
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: https://img.example.net;") {
		t.Errorf("page CSP %q does not allow the image host", csp)
	}
}
