package web_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/apptest"
)

func TestAvatarUploadAndRemove(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	guest := srv.Client(t).NoRedirects()

	r := guest.Get("/u/mara/avatar")
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/svg+xml" || r.Header.Get("ETag") == "" {
		t.Fatalf("drawn avatar: %d %q %q", r.StatusCode, r.Header.Get("Content-Type"), r.Header.Get("ETag"))
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/u/mara/avatar", nil)
	req.Header.Set("If-None-Match", r.Header.Get("ETag"))
	if again := guest.Do(req); again.StatusCode != http.StatusNotModified {
		t.Errorf("the same avatar again: %d, want 304", again.StatusCode)
	}
	if r := guest.Get("/u/nobody-here/avatar"); r.StatusCode != http.StatusNotFound {
		t.Errorf("avatar of no one: %d", r.StatusCode)
	}

	member := srv.Client(t)
	member.Login("mara", apptest.Password)
	member.NoRedirects()
	token := csrfIn(member.Get("/settings/profile").Body)
	img := testPNG(t, 8, 8)
	if r := postUpload(t, srv, member, uploadRequest{path: "/settings/avatar", file: img}); r.StatusCode != http.StatusForbidden {
		t.Errorf("avatar without CSRF token: %d", r.StatusCode)
	}
	if r := postUpload(t, srv, guest, uploadRequest{path: "/settings/avatar", file: img, csrf: csrfIn(guest.Get("/login").Body)}); r.StatusCode != http.StatusForbidden {
		t.Errorf("a guest's avatar: %d", r.StatusCode)
	}
	r = postUpload(t, srv, member, uploadRequest{path: "/settings/avatar", file: []byte("GIF89a not really"), csrf: token})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a file that is no image: %d", r.StatusCode)
	}
	mustContain(t, r, "Only PNG, JPEG, GIF and WebP images can be uploaded.")
	if r := postUpload(t, srv, member, uploadRequest{path: "/settings/avatar", file: img, csrf: token}); r.StatusCode != http.StatusSeeOther && r.StatusCode != http.StatusFound {
		t.Fatalf("avatar upload: %d %s", r.StatusCode, r.Body)
	}

	r = guest.Get("/u/mara/avatar")
	loc := r.Header.Get("Location")
	if r.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "/uploads/") {
		t.Fatalf("avatar after the upload: %d to %q", r.StatusCode, loc)
	}
	resp, err := http.Get(srv.URL + loc)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, img) {
		t.Errorf("the avatar served is not the image uploaded (%d bytes, want %d)", len(got), len(img))
	}
	name := strings.TrimPrefix(loc, "/uploads/")
	mustContain(t, guest.Get("/u/mara"), `src="/u/mara/avatar?v=`+name+`"`)
	mustContain(t, member.Get("/settings/profile"), `action="/settings/avatar/remove"`)

	if r := member.Post("/settings/avatar/remove", url.Values{}); r.StatusCode >= 400 {
		t.Fatalf("remove: %d", r.StatusCode)
	}
	if r := guest.Get("/u/mara/avatar"); r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("avatar after removing it: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
	}
}
