package upload

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"

	"github.com/schwarm/schwarm/app/validate"
)

// AvatarSide is the width and height of a stored avatar in pixels: twice the
// largest size a page shows, for sharp pictures on dense screens.
const AvatarSide = 256

// MaxAvatarPixels caps the pictures made into avatars. Unlike other uploads an
// avatar's pixels are decoded on the server, four bytes each, so the cap is far
// below MaxPixels; a 16 megapixel phone photo still fits.
const MaxAvatarPixels = 4096 * 4096

var decoders = map[string]func(io.Reader) (image.Image, error){
	"image/png":  png.Decode,
	"image/jpeg": jpeg.Decode,
	"image/gif":  gif.Decode, // the first frame: an avatar does not move
}

// SaveAvatar reads a picture from r for ownerID and checks it as Save does, then
// stores a new image made from it instead: the largest centred square, scaled
// down to AvatarSide pixels (a smaller picture keeps its size), as a PNG. The
// new encoding keeps nothing but pixels, so a phone photo's EXIF location,
// comments and the frames of an animation are gone, and the original is not
// stored. WebP is refused: the standard library cannot decode it.
func (s *Service) SaveAvatar(ctx context.Context, ownerID int64, r io.Reader) (*Upload, error) {
	in, err := s.receive(r)
	if err != nil {
		return nil, err
	}
	defer in.discard()
	decode, ok := decoders[in.u.ContentType]
	if !ok {
		return nil, validate.Errors{"file": "upload.avatar_unsupported"}
	}
	if int64(*in.u.Width)*int64(*in.u.Height) > MaxAvatarPixels {
		return nil, validate.Errors{"file": "upload.avatar_dimensions"}
	}
	if _, err := in.tmp.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	img, err := decode(in.tmp)
	if err != nil || img.Bounds().Empty() { // a header that decodes, pixels that do not
		return nil, unsupported()
	}
	sq := square(img, AvatarSide)

	out, err := os.CreateTemp(s.dir, ".avatar-*")
	if err != nil {
		return nil, fmt.Errorf("upload: temp file: %w", err)
	}
	av := &incoming{tmp: out}
	defer av.discard()
	h := sha256.New()
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(io.MultiWriter(out, h), sq); err != nil {
		return nil, fmt.Errorf("upload: encode avatar: %w", err)
	}
	st, err := out.Stat()
	if err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	side := sq.Bounds().Dx()
	av.u = &Upload{SHA256: hex.EncodeToString(h.Sum(nil)), ContentType: "image/png", Size: st.Size(), Width: &side, Height: &side}
	return s.keep(ctx, ownerID, av)
}

// square is the largest centred square of src, scaled down to side pixels if it
// is larger. Each pixel of the result is the mean of the source pixels it
// covers (premultiplied, so transparent pixels do not darken their
// neighbours): a box filter, which is what shrinking by large factors needs.
func square(src image.Image, side int) *image.RGBA {
	b := src.Bounds()
	n := min(b.Dx(), b.Dy())
	crop := image.NewRGBA(image.Rect(0, 0, n, n))
	draw.Draw(crop, crop.Bounds(), src, image.Pt(b.Min.X+(b.Dx()-n)/2, b.Min.Y+(b.Dy()-n)/2), draw.Src)
	if n <= side {
		return crop
	}
	dst := image.NewRGBA(image.Rect(0, 0, side, side))
	for y := range side {
		y0, y1 := y*n/side, (y+1)*n/side
		for x := range side {
			x0, x1 := x*n/side, (x+1)*n/side
			var sum [4]int
			for sy := y0; sy < y1; sy++ {
				row := crop.Pix[sy*crop.Stride+x0*4 : sy*crop.Stride+x1*4]
				for i := 0; i < len(row); i += 4 {
					sum[0] += int(row[i])
					sum[1] += int(row[i+1])
					sum[2] += int(row[i+2])
					sum[3] += int(row[i+3])
				}
			}
			count := (y1 - y0) * (x1 - x0)
			o := y*dst.Stride + x*4
			for c := range 4 {
				dst.Pix[o+c] = uint8((sum[c] + count/2) / count)
			}
		}
	}
	return dst
}
