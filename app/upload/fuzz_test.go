package upload

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"testing"

	"github.com/schwarm/schwarm/app/validate"
)

// FuzzDetect checks the sniffing of an uploaded file, all of whose bytes the
// uploader chooses: it never panics, accepts only the four image types with a
// size in bounds, and refuses the rest as a user's error. It reads headers and
// lengths only, never pixels, so a small file claiming a huge image costs
// nothing (the pixel cap refuses it; a seed below is one).
func FuzzDetect(f *testing.F) {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for _, enc := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return png.Encode(b, img) },
		func(b *bytes.Buffer) error { return jpeg.Encode(b, img, nil) },
		func(b *bytes.Buffer) error { return gif.Encode(b, img, nil) },
	} {
		var b bytes.Buffer
		if err := enc(&b); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	f.Add(bombPNG(100_000, 100_000))
	f.Add(vp8l(2, 2))
	f.Add(vp8l(16384, 16384))
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00<html><script>alert(1)</script>"))
	f.Add([]byte("\x89PNG\r\n\x1a\n<svg onload=alert(1)>"))
	f.Add([]byte("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8X"))
	f.Add([]byte{0})
	accepted := map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return // Save refuses an empty file before it sniffs
		}
		ct, w, h, err := detect(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if !errors.As(err, new(validate.Errors)) {
				t.Fatalf("%d bytes: %v, want a validation error", len(data), err)
			}
			return
		}
		if !accepted[ct] || ct != http.DetectContentType(data) {
			t.Fatalf("%d bytes accepted as %q, sniffed as %q", len(data), ct, http.DetectContentType(data))
		}
		if w <= 0 || h <= 0 || int64(w)*int64(h) > MaxPixels {
			t.Fatalf("%d bytes accepted as %s of %d × %d", len(data), ct, w, h)
		}
	})
}

// bombPNG is a well-formed PNG of w × h pixels in a few dozen bytes: one IDAT
// that decodes to nothing, which a decoder would find out only after allocating
// the pixels.
func bombPNG(w, h uint32) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, w), h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0)
	for _, c := range []struct {
		typ  string
		data []byte
	}{{"IHDR", ihdr}, {"IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01}}, {"IEND", nil}} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(c.data)))
		chunk := append([]byte(c.typ), c.data...)
		b = append(b, chunk...)
		b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(chunk))
	}
	return b
}

// vp8l is the header of a lossless WebP of w × h pixels, padded to a valid container.
func vp8l(w, h uint32) []byte {
	data := binary.LittleEndian.AppendUint32([]byte{0x2f}, (w-1)|(h-1)<<14)
	data = append(data, make([]byte, 6)...) // even, and past the 30 bytes webpSize reads
	b := append([]byte("WEBPVP8L"), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	b = append(b, data...)
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(b)))...), b...)
}
