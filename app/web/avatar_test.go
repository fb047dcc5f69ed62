package web_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/apptest"
)

// avatarSrc finds the address of the avatar the page shows for handle.
func avatarSrc(t *testing.T, r *apptest.Response, handle string) string {
	t.Helper()
	m := regexp.MustCompile(`<img class="avatar avatar-\d+" src="(/u/` + regexp.QuoteMeta(handle) + `/avatar\?v=[0-9a-f]+)"`).FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("%s: no avatar of %s in\n%s", r.Request.URL.Path, handle, r.Body)
	}
	return strings.ReplaceAll(m[1], "&amp;", "&")
}

func TestAvatarUploadAndRemove(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	guest := srv.Client(t).NoRedirects()

	// Without an upload: a drawing, by the address the profile gives, kept for good.
	drawn := avatarSrc(t, guest.Get("/u/mara"), "mara")
	r := guest.Get(drawn)
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/svg+xml" || r.Header.Get("ETag") == "" ||
		!strings.Contains(r.Header.Get("Cache-Control"), "immutable") || !strings.Contains(r.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("drawn avatar: %d %v", r.StatusCode, r.Header)
	}
	if r.Header.Get("Set-Cookie") != "" {
		t.Errorf("an avatar sets a cookie: %q", r.Header.Get("Set-Cookie"))
	}
	// By handle alone, as posts link it: asked again after five minutes.
	r = guest.Get("/u/mara/avatar")
	if r.StatusCode != http.StatusOK || r.Header.Get("Cache-Control") != "public, max-age=300" {
		t.Errorf("avatar by handle: %d %q", r.StatusCode, r.Header.Get("Cache-Control"))
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
	settings := member.Get("/settings/profile")
	mustContain(t, settings, `action="/settings/avatar"`, `enctype="multipart/form-data"`, `alt="Picture of mara"`)
	mustNotContain(t, settings, `action="/settings/avatar/remove"`)
	token := csrfIn(settings.Body)
	img := testPNG(t, 300, 200)

	if r := postUpload(t, srv, member, uploadRequest{path: "/settings/avatar", file: img}); r.StatusCode != http.StatusForbidden {
		t.Errorf("avatar without CSRF token: %d", r.StatusCode)
	}
	if r := postUpload(t, srv, guest, uploadRequest{path: "/settings/avatar", file: img, csrf: csrfIn(guest.Get("/login").Body)}); r.StatusCode != http.StatusForbidden {
		t.Errorf("a guest's avatar: %d", r.StatusCode)
	}
	for _, bad := range []struct {
		name string
		file []byte
		msg  string
	}{
		{"a file that is no image", []byte("GIF89a not really"), "Only PNG, JPEG, GIF and WebP images can be uploaded."},
		{"a page named png", []byte("<html><script>alert(1)</script></html>"), "Only PNG, JPEG, GIF and WebP images can be uploaded."},
		{"webp", webpFile(4, 4), "Only PNG, JPEG and GIF pictures can be used as a profile picture."},
	} {
		r := postUpload(t, srv, member, uploadRequest{path: "/settings/avatar", file: bad.file, csrf: token})
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", bad.name, r.StatusCode)
		}
		// The form again, the problem beside its field.
		mustContain(t, r, `<p class="field-error" id="avatar-file-error">`+bad.msg+`</p>`, `aria-invalid="true"`)
	}

	tt := seedThread(t, srv) // asked by mara
	th := fmt.Sprintf("/t/%d/%s", tt.ID, tt.Slug)
	mustContain(t, guest.Get(th), `src="/u/mara/avatar"`) // kept for guests now
	r = postUpload(t, srv, member, uploadRequest{path: "/settings/avatar", file: img, csrf: token})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/settings/profile" {
		t.Fatalf("avatar upload: %d %q %s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	settings = member.Get("/settings/profile")
	mustContain(t, settings, "Your picture is saved.", `action="/settings/avatar/remove"`)

	// The kept thread page links the avatar by handle, which now serves the upload.
	mustContain(t, guest.Get(th), `src="/u/mara/avatar"`)
	if r := guest.Get("/u/mara/avatar"); r.Header.Get("Content-Type") != "image/png" {
		t.Errorf("the avatar by handle after the upload: %q", r.Header.Get("Content-Type"))
	}
	uploaded := avatarSrc(t, guest.Get("/u/mara"), "mara")
	if uploaded == drawn {
		t.Fatalf("the profile still shows the drawn avatar %s after the upload", drawn)
	}
	if got := avatarSrc(t, settings, "mara"); got != uploaded {
		t.Errorf("settings show %s, the profile %s", got, uploaded)
	}
	r = guest.Get(uploaded)
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/png" || r.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(r.Header.Get("Content-Security-Policy"), "sandbox") || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("uploaded avatar: %d %v", r.StatusCode, r.Header)
	}
	got, err := png.Decode(strings.NewReader(r.Body))
	if err != nil {
		t.Fatalf("the avatar served is no PNG: %v", err)
	}
	if got.Bounds() != image.Rect(0, 0, 200, 200) {
		t.Errorf("a 300 × 200 picture is served as %v, want the 200 × 200 square of its middle", got.Bounds())
	}
	if bytes.Equal([]byte(r.Body), img) {
		t.Error("the avatar is the uploaded file itself, not a new encoding")
	}
	req, _ = http.NewRequest(http.MethodGet, srv.URL+uploaded, nil)
	req.Header.Set("If-None-Match", r.Header.Get("ETag"))
	if again := guest.Do(req); again.StatusCode != http.StatusNotModified {
		t.Errorf("the uploaded avatar again: %d, want 304", again.StatusCode)
	}
	// An address with the drawing's version no longer is kept for good.
	if r := guest.Get(drawn); r.Header.Get("Content-Type") != "image/png" || strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("the drawing's address after the upload: %q %q", r.Header.Get("Content-Type"), r.Header.Get("Cache-Control"))
	}

	if r := member.Post("/settings/avatar/remove", url.Values{}); r.StatusCode >= 400 {
		t.Fatalf("remove: %d", r.StatusCode)
	}
	if got := avatarSrc(t, guest.Get("/u/mara"), "mara"); got != drawn {
		t.Errorf("after removing it the profile shows %s, want the drawing %s again", got, drawn)
	}
	if r := guest.Get("/u/mara/avatar"); r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("avatar after removing it: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
	}
}

// webpFile is a lossless WebP container of w × h whose pixels are not looked at.
func webpFile(w, h int) []byte {
	data := []byte{0x2f, 0, 0, 0, 0, 1, 2, 3, 4, 5}
	v := uint32(w-1) | uint32(h-1)<<14
	data[1], data[2], data[3], data[4] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	chunk := append([]byte("VP8L"), byte(len(data)), 0, 0, 0)
	chunk = append(chunk, data...)
	body := append([]byte("WEBP"), chunk...)
	n := len(body)
	return append([]byte{'R', 'I', 'F', 'F', byte(n), byte(n >> 8), 0, 0}, body...)
}
