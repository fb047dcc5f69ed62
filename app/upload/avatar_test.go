package upload_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/schwarm/schwarm/app/upload"
	"github.com/schwarm/schwarm/app/validate"
)

// framed is a w × h picture whose centred square is green and the rest blue, so
// a crop that is off centre shows.
func framed(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	n := min(w, h)
	x0, y0 := (w-n)/2, (h-n)/2
	for y := range h {
		for x := range w {
			c := color.RGBA{0, 0, 255, 255}
			if x >= x0 && x < x0+n && y >= y0 && y < y0+n {
				c = color.RGBA{0, 200, 0, 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// withExif puts an APP1 (EXIF) segment holding secret right after a JPEG's
// start marker, where cameras put the location.
func withExif(jpg []byte, secret string) []byte {
	payload := append([]byte("Exif\x00\x00"), secret...)
	n := len(payload) + 2
	seg := append([]byte{0xff, 0xe1, byte(n >> 8), byte(n)}, payload...)
	return append(append(append([]byte{}, jpg[:2]...), seg...), jpg[2:]...)
}

func TestSaveAvatar(t *testing.T) {
	s, dir, fx := setup(t, 4<<20)
	ctx := context.Background()
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, framed(800, 600), &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	const secret = "GPS 52.5200 N 13.4050 E"
	photo := withExif(jpg.Bytes(), secret)
	if !bytes.Contains(photo, []byte(secret)) {
		t.Fatal("the test photo lost its EXIF segment")
	}

	u, err := s.SaveAvatar(ctx, fx.Member.ID, bytes.NewReader(photo))
	if err != nil {
		t.Fatal(err)
	}
	if u.ContentType != "image/png" || *u.Width != upload.AvatarSide || *u.Height != upload.AvatarSide || u.OwnerID != fx.Member.ID {
		t.Fatalf("avatar %+v (%d × %d), want a %d px PNG of the member", u, *u.Width, *u.Height, upload.AvatarSide)
	}
	stored, err := os.ReadFile(filepath.Join(dir, u.SHA256[:2], u.Name()))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(stored, []byte(secret)) || bytes.Contains(stored, []byte("Exif")) {
		t.Error("the stored avatar kept the photo's EXIF data")
	}
	if int64(len(stored)) != u.Size {
		t.Errorf("size %d recorded, %d stored", u.Size, len(stored))
	}
	img, err := png.Decode(bytes.NewReader(stored))
	if err != nil {
		t.Fatal(err)
	}
	// The centre square is green: the blue bands outside it are cut off.
	for _, p := range []image.Point{{0, 0}, {255, 0}, {0, 255}, {255, 255}, {128, 128}} {
		r, g, b, _ := img.At(p.X, p.Y).RGBA()
		if r>>8 > 40 || g>>8 < 160 || b>>8 > 40 {
			t.Errorf("pixel %v is %d,%d,%d, want green", p, r>>8, g>>8, b>>8)
		}
	}

	// The same photo again is the same avatar, not a second file.
	again, err := s.SaveAvatar(ctx, fx.Member.ID, bytes.NewReader(photo))
	if err != nil || again.ID != u.ID {
		t.Errorf("the same photo again: %+v, %v; want upload %d", again, err, u.ID)
	}
	if got := files(t, dir); len(got) != 1 {
		t.Errorf("files %v, want the avatar alone: neither the photo nor a temp file", got)
	}
}

func TestSaveAvatarScales(t *testing.T) {
	s, dir, fx := setup(t, 4<<20)
	ctx := context.Background()
	read := func(u *upload.Upload) image.Image {
		t.Helper()
		f, err := os.Open(filepath.Join(dir, u.SHA256[:2], u.Name()))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	t.Run("shrinking averages", func(t *testing.T) {
		board := image.NewGray(image.Rect(0, 0, 512, 512))
		for i := range board.Pix {
			if (i%512+i/512)%2 == 0 {
				board.Pix[i] = 255
			}
		}
		u, err := s.SaveAvatar(ctx, fx.Member.ID, bytes.NewReader(encodePNG(t, board)))
		if err != nil {
			t.Fatal(err)
		}
		img := read(u)
		for _, p := range []image.Point{{0, 0}, {17, 200}, {255, 255}} {
			if r, _, _, _ := img.At(p.X, p.Y).RGBA(); r>>8 < 125 || r>>8 > 130 {
				t.Errorf("pixel %v of a shrunk checkerboard is %d, want mid grey", p, r>>8)
			}
		}
	})
	t.Run("small pictures keep their size", func(t *testing.T) {
		u, err := s.SaveAvatar(ctx, fx.Member.ID, bytes.NewReader(encodePNG(t, framed(100, 60))))
		if err != nil {
			t.Fatal(err)
		}
		if b := read(u).Bounds(); *u.Width != 60 || b.Dx() != 60 || b.Dy() != 60 {
			t.Errorf("a 100 × 60 picture became %v (recorded %d), want 60 × 60", b, *u.Width)
		}
	})
}

func TestSaveAvatarRefuses(t *testing.T) {
	s, dir, fx := setup(t, 64<<10)
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"webp", webpLossless(12, 34), "upload.avatar_unsupported"},
		{"text", []byte("just words"), "upload.unsupported"},
		{"a header whose pixels do not decode", pngHeader(3, 4), "upload.unsupported"},
		{"too many pixels to decode", pngHeader(5000, 4000), "upload.avatar_dimensions"},
		{"more than a post may hold", pngHeader(10000, 10000), "upload.dimensions"},
		{"empty", nil, "form.required"},
		{"over the limit", make([]byte, 64<<10+1), "upload.too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.SaveAvatar(context.Background(), fx.Member.ID, bytes.NewReader(tt.body))
			fields, ok := validate.From(err)
			if !ok || fields["file"] != tt.want {
				t.Fatalf("got %v, want %s on file", err, tt.want)
			}
		})
	}
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("refused pictures left files: %v", got)
	}
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
