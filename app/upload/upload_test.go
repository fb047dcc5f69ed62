package upload_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/upload"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

func setup(t *testing.T, maxBytes int64) (*upload.Service, string, apptest.Fixtures) {
	t.Helper()
	db := apptest.NewDB(t)
	now := func() time.Time { return time.Now().UTC() }
	users := user.NewService(db, apptest.FastPasswords, []string{"en", "de"}, auth.NewSessions(db, time.Hour, now), now)
	dir := filepath.Join(t.TempDir(), "uploads")
	return upload.NewService(db, dir, maxBytes, now), dir, apptest.Seed(t, users)
}

// picture is a small image with some variety, so encoders cannot shrink it to nothing.
func picture(w, h int) *image.Paletted {
	img := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.Black, color.White, color.RGBA{200, 30, 30, 255}})
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.IntN(3))
	}
	return img
}

func encode(t *testing.T, enc func(io.Writer, image.Image) error, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := enc(&b, picture(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngOf(t *testing.T, w, h int) []byte { return encode(t, png.Encode, w, h) }

// webpLossless is a WebP container with a VP8L header for w × h; the pixel data is
// not valid, which the service does not look at.
func webpLossless(w, h int) []byte {
	data := []byte{0x2f, 0, 0, 0, 0, 1, 2, 3, 4, 5}
	binary.LittleEndian.PutUint32(data[1:], uint32(w-1)|uint32(h-1)<<14)
	return riff("VP8L", data)
}

// webpLossy is a WebP container with a VP8 key frame header for w × h.
func webpLossy(w, h int) []byte {
	data := []byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0, 0, 0, 0, 7, 7}
	binary.LittleEndian.PutUint16(data[6:], uint16(w))
	binary.LittleEndian.PutUint16(data[8:], uint16(h))
	return riff("VP8 ", data)
}

// webpWith appends extra to a WebP file inside its container, fixing the RIFF size.
func webpWith(webp []byte, extra string) []byte {
	b := append(webp, extra...)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	return b
}

// webpExtended is a WebP container with a VP8X header for a w × h canvas.
func webpExtended(w, h int) []byte {
	data := make([]byte, 10)
	data[4], data[5], data[6] = byte(w-1), byte((w-1)>>8), byte((w-1)>>16)
	data[7], data[8], data[9] = byte(h-1), byte((h-1)>>8), byte((h-1)>>16)
	return riff("VP8X", data)
}

func riff(chunk string, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(4+8+len(data)))
	b.WriteString("WEBP" + chunk)
	binary.Write(&b, binary.LittleEndian, uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

// pngHeader is a structurally valid PNG claiming w × h: signature, IHDR, an IDAT
// that is not real image data (the service does not decode pixels) and IEND.
func pngHeader(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 0, 0, 0, 0) // 8-bit grey
	b := []byte("\x89PNG\r\n\x1a\n")
	b = pngChunk(b, "IHDR", ihdr)
	b = pngChunk(b, "IDAT", []byte{1, 2, 3})
	return pngChunk(b, "IEND", nil)
}

func pngChunk(b []byte, typ string, data []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	body := append([]byte(typ), data...)
	b = append(b, body...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(body))
}

func TestSave(t *testing.T) {
	s, dir, fx := setup(t, 64<<10)
	ctx := context.Background()
	html := "<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
	tests := []struct {
		name     string
		body     []byte
		wantType string // "" when refused
		wantExt  string
		wantSize [2]int
		wantErr  string // i18n key on the field "file"
	}{
		{"png", pngOf(t, 3, 2), "image/png", "png", [2]int{3, 2}, ""},
		{"jpeg", encode(t, func(w io.Writer, m image.Image) error { return jpeg.Encode(w, m, nil) }, 7, 5), "image/jpeg", "jpg", [2]int{7, 5}, ""},
		{"gif", encode(t, func(w io.Writer, m image.Image) error { return gif.Encode(w, m, nil) }, 4, 9), "image/gif", "gif", [2]int{4, 9}, ""},
		{"webp lossless", webpLossless(12, 34), "image/webp", "webp", [2]int{12, 34}, ""},
		{"webp lossy", webpLossy(300, 200), "image/webp", "webp", [2]int{300, 200}, ""},
		{"webp extended", webpExtended(640, 480), "image/webp", "webp", [2]int{640, 480}, ""},
		{"webp with html inside the container", webpWith(webpLossless(1, 1), html), "", "", [2]int{}, "upload.unsupported"},
		{"webp with html after the container", append(webpLossless(1, 1), html...), "", "", [2]int{}, "upload.unsupported"},
		{"gif header with html", []byte("GIF89a" + html), "", "", [2]int{}, "upload.unsupported"},
		{"gif with a plausible header and html", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00" + html), "", "", [2]int{}, "upload.unsupported"},
		{"gif with html after the trailer", append(encode(t, func(w io.Writer, m image.Image) error { return gif.Encode(w, m, nil) }, 2, 2), html...), "", "", [2]int{}, "upload.unsupported"},
		{"png header and html", append(pngHeader(1, 1)[:33], html...), "", "", [2]int{}, "upload.unsupported"},
		{"png with a bad checksum", append(pngHeader(1, 1)[:len(pngHeader(1, 1))-1], 0), "", "", [2]int{}, "upload.unsupported"},
		{"png without image data", pngChunk(pngHeader(1, 1)[:33], "IEND", nil), "", "", [2]int{}, "upload.unsupported"},
		{"png with a plain structure", pngHeader(3, 4), "image/png", "png", [2]int{3, 4}, ""},
		{"png with html after the end", append(pngOf(t, 2, 2), html...), "", "", [2]int{}, "upload.unsupported"},
		{"png signature with html", []byte("\x89PNG\r\n\x1a\n" + html), "", "", [2]int{}, "upload.unsupported"},
		{"jpeg marker with html", []byte("\xff\xd8\xff" + html), "", "", [2]int{}, "upload.unsupported"},
		{"riff webp with html", append([]byte("RIFF\x10\x00\x00\x00WEBPVP8 "), html...), "", "", [2]int{}, "upload.unsupported"},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>`), "", "", [2]int{}, "upload.unsupported"},
		{"svg with xml declaration", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`), "", "", [2]int{}, "upload.unsupported"},
		{"html named png", []byte(html), "", "", [2]int{}, "upload.unsupported"},
		{"html before a png", append([]byte("<html><body>"), pngOf(t, 2, 2)...), "", "", [2]int{}, "upload.unsupported"},
		{"plain text", []byte("just words"), "", "", [2]int{}, "upload.unsupported"},
		{"pdf", []byte("%PDF-1.7\n1 0 obj\n"), "", "", [2]int{}, "upload.unsupported"},
		{"empty", nil, "", "", [2]int{}, "form.required"},
		{"png too many pixels", pngHeader(10000, 10000), "", "", [2]int{}, "upload.dimensions"},
		{"webp too many pixels", webpExtended(16384, 16384), "", "", [2]int{}, "upload.dimensions"},
		{"png zero size", pngHeader(0, 5), "", "", [2]int{}, "upload.unsupported"},
		{"over the limit", make([]byte, 64<<10+1), "", "", [2]int{}, "upload.too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := s.Save(ctx, fx.Member.ID, bytes.NewReader(tt.body))
			if tt.wantErr != "" {
				if diff := cmp.Diff(validate.Errors{"file": tt.wantErr}, err); diff != "" {
					t.Fatalf("error (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.ID == 0 || u.OwnerID != fx.Member.ID || u.ContentType != tt.wantType || u.Size != int64(len(tt.body)) ||
				*u.Width != tt.wantSize[0] || *u.Height != tt.wantSize[1] {
				t.Errorf("got %+v (%dx%d)", u, *u.Width, *u.Height)
			}
			if want := "/uploads/" + u.SHA256 + "." + tt.wantExt; u.URL() != want {
				t.Errorf("URL %q, want %q", u.URL(), want)
			}
			stored, err := os.ReadFile(filepath.Join(dir, u.SHA256[:2], u.Name()))
			if err != nil || !bytes.Equal(stored, tt.body) {
				t.Errorf("stored file: %v, equal %t", err, bytes.Equal(stored, tt.body))
			}
		})
	}
	if names := files(t, dir); len(names) != 7 {
		t.Errorf("files left in the upload directory: %v", names)
	}
}

// files lists every file under dir, so that refused uploads and temp files show.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, strings.TrimPrefix(p, dir))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func TestSaveLimitIsInclusive(t *testing.T) {
	img := pngOf(t, 20, 20)
	for _, tt := range []struct {
		max     int64
		wantErr bool
	}{{int64(len(img)), false}, {int64(len(img)) - 1, true}} {
		s, _, fx := setup(t, tt.max)
		_, err := s.Save(context.Background(), fx.Member.ID, bytes.NewReader(img))
		if got := err != nil; got != tt.wantErr {
			t.Errorf("limit %d for %d bytes: %v", tt.max, len(img), err)
		}
	}
}

func TestSaveDedupes(t *testing.T) {
	s, dir, fx := setup(t, 1<<20)
	ctx := context.Background()
	img := pngOf(t, 16, 16)
	first, err := s.Save(ctx, fx.Member.ID, bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Save(ctx, fx.Member.ID, bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID || again.URL() != first.URL() {
		t.Errorf("same owner, same content: %+v, then %+v", first, again)
	}
	other, err := s.Save(ctx, fx.Other.ID, bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	if other.ID == first.ID || other.OwnerID != fx.Other.ID || other.URL() != first.URL() {
		t.Errorf("other owner: %+v, first %+v", other, first)
	}
	if diff := cmp.Diff([]string{"/" + first.SHA256[:2] + "/" + first.Name()}, files(t, dir)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}

func TestOpen(t *testing.T) {
	s, dir, fx := setup(t, 1<<20)
	ctx := context.Background()
	img := pngOf(t, 8, 8)
	u, err := s.Save(ctx, fx.Member.ID, bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.Open(ctx, u.Name())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(got, img) || f.ContentType != "image/png" || f.Size != int64(len(img)) || f.ModTime.IsZero() {
		t.Errorf("opened %s, %d bytes, modified %v; equal %t", f.ContentType, f.Size, f.ModTime, bytes.Equal(got, img))
	}

	// A file in the directory that was never recorded must not be served either.
	planted := strings.Repeat("ab", 32)
	if err := os.MkdirAll(filepath.Join(dir, "ab"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ab", planted+".png"), img, 0o640); err != nil {
		t.Fatal(err)
	}
	sha := u.SHA256
	for _, name := range []string{
		"",
		"../x",
		"..%2fx",
		"..%2F..%2Fschwarm.db",
		"../../schwarm.db",
		"/etc/passwd",
		filepath.Join(dir, sha[:2], u.Name()),
		sha[:2] + "/" + u.Name(),
		"./" + u.Name(),
		u.Name() + "/",
		u.Name() + "\n",
		u.Name() + "%00.png",
		"..\\" + u.Name(),
		strings.ToUpper(sha) + ".png",
		sha + ".PNG",
		sha + ".gif", // the content is a PNG
		sha + ".svg",
		sha + ".html",
		sha,
		sha[:63] + ".png",
		planted + ".png",
		strings.Repeat("0", 64) + ".png",
	} {
		if f, err := s.Open(ctx, name); !errors.Is(err, upload.ErrNotFound) {
			if f != nil {
				f.Close()
			}
			t.Errorf("Open(%q): %v, want ErrNotFound", name, err)
		}
	}

	if err := os.Remove(filepath.Join(dir, sha[:2], u.Name())); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(ctx, u.Name()); !errors.Is(err, upload.ErrNotFound) {
		t.Errorf("recorded but missing file: %v", err)
	}
}
