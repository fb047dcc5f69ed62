package upload

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/validate"
)

// ErrNotFound means no stored upload has the name asked for.
var ErrNotFound = problem.New(http.StatusNotFound, "error.not_found", "upload: not found")

// MaxPixels caps width × height. The server never decodes the pixels, but every
// reader's browser does, and a small file can unpack to gigabytes.
const MaxPixels = 40_000_000

// Upload is one member's stored image.
type Upload struct {
	ID          int64
	OwnerID     int64
	SHA256      string `gorm:"column:sha256"`
	ContentType string
	Size        int64
	Width       *int
	Height      *int
	CreatedAt   time.Time
}

// extensions maps every accepted content type to the extension of its public name.
var extensions = map[string]string{
	"image/png":  "png",
	"image/jpeg": "jpg",
	"image/gif":  "gif",
	"image/webp": "webp",
}

// Name is the public file name, <sha256>.<ext>.
func (u *Upload) Name() string { return u.SHA256 + "." + extensions[u.ContentType] }

// URL is the site-relative address the image is served at.
func (u *Upload) URL() string { return "/uploads/" + u.Name() }

// Service stores and finds uploads.
type Service struct {
	db       *database.DB
	dir      string
	maxBytes int64
	now      func() time.Time
}

// NewService returns a Service that keeps files under dir and refuses files larger
// than maxBytes.
func NewService(db *database.DB, dir string, maxBytes int64, now func() time.Time) *Service {
	return &Service{db: db, dir: dir, maxBytes: maxBytes, now: now}
}

// Save reads an image from r for ownerID, checks what it really is, stores it and
// records it. Uploading content the owner has uploaded before returns the earlier
// record; content that others uploaded is stored only once on disk. Problems with
// the file come as validate.Errors on the field "file".
func (s *Service) Save(ctx context.Context, ownerID int64, r io.Reader) (*Upload, error) {
	in, err := s.receive(r)
	if err != nil {
		return nil, err
	}
	defer in.discard()
	return s.keep(ctx, ownerID, in)
}

// incoming is a received file in a temp file of dir, checked and hashed.
type incoming struct {
	tmp *os.File
	u   *Upload // without ID and owner
}

func (in *incoming) discard() {
	in.tmp.Close()
	os.Remove(in.tmp.Name()) // fails harmlessly once renamed
}

// receive copies r into a temp file beside the stored files, up to the size
// limit, and checks what it is.
func (s *Service) receive(r io.Reader) (*incoming, error) {
	if err := os.MkdirAll(s.dir, 0o750); err != nil {
		return nil, fmt.Errorf("upload: create directory: %w", err)
	}
	// The temp file sits in dir itself, so the final rename stays on one file system.
	tmp, err := os.CreateTemp(s.dir, ".incoming-*")
	if err != nil {
		return nil, fmt.Errorf("upload: temp file: %w", err)
	}
	in := &incoming{tmp: tmp}
	fail := func(err error) (*incoming, error) {
		in.discard()
		return nil, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, s.maxBytes+1))
	if err != nil {
		return fail(fmt.Errorf("upload: receive: %w", err))
	}
	switch {
	case n == 0:
		return fail(validate.Errors{"file": "form.required"})
	case n > s.maxBytes:
		return fail(validate.Errors{"file": "upload.too_large"})
	}
	ct, w, ht, err := detect(tmp, n)
	if err != nil {
		return fail(err)
	}
	in.u = &Upload{SHA256: hex.EncodeToString(h.Sum(nil)), ContentType: ct, Size: n, Width: &w, Height: &ht}
	return in, nil
}

// keep stores the received file at its content address and records it for
// ownerID.
func (s *Service) keep(ctx context.Context, ownerID int64, in *incoming) (*Upload, error) {
	u := *in.u
	u.OwnerID, u.CreatedAt = ownerID, s.now()
	if err := s.store(in.tmp, &u); err != nil {
		return nil, err
	}
	// The file goes first: a crash in between leaves an unrecorded file (never
	// served), not a record without its file.
	if err := s.db.Writer(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&u).Error; err != nil {
		return nil, fmt.Errorf("upload: record: %w", err)
	}
	if u.ID != 0 {
		return &u, nil
	}
	var prev Upload // the owner uploaded this content before
	if err := s.db.Writer(ctx).Where("owner_id = ? AND sha256 = ?", ownerID, u.SHA256).Take(&prev).Error; err != nil {
		return nil, fmt.Errorf("upload: find earlier upload: %w", err)
	}
	return &prev, nil
}

// store moves the complete temp file to its content address, unless identical
// content is already there.
func (s *Service) store(tmp *os.File, u *Upload) error {
	final := s.path(u)
	if _, err := os.Stat(final); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("upload: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("upload: write: %w", err)
	}
	if err := tmp.Chmod(0o640); err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("upload: write: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return fmt.Errorf("upload: create directory: %w", err)
	}
	// Two identical uploads at once both rename; either result is the same file.
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("upload: store: %w", err)
	}
	return nil
}

func (s *Service) path(u *Upload) string {
	return filepath.Join(s.dir, u.SHA256[:2], u.Name())
}

// unsupported is a new value each time: validate.Errors is a map callers may add to.
func unsupported() error { return validate.Errors{"file": "upload.unsupported"} }

var decodeConfig = map[string]func(io.Reader) (image.Config, error){
	"image/png":  png.DecodeConfig,
	"image/jpeg": jpeg.DecodeConfig,
	"image/gif":  gif.DecodeConfig,
}

// detect names the type of the size bytes in f by their content and checks that
// the header really is one of the accepted images: a file that merely starts with
// an image signature (an HTML page behind "GIF89a") is refused.
func detect(f io.ReadSeeker, size int64) (contentType string, width, height int, err error) {
	head := make([]byte, 512)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", 0, 0, fmt.Errorf("upload: %w", err)
	}
	k, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return "", 0, 0, fmt.Errorf("upload: read: %w", err)
	}
	head = head[:k]
	ct := http.DetectContentType(head)
	switch ct {
	case "image/png", "image/jpeg", "image/gif":
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return "", 0, 0, fmt.Errorf("upload: %w", err)
		}
		cfg, err := decodeConfig[ct](f)
		if err != nil || (ct != "image/jpeg" && !wellFormed(f, ct)) {
			return "", 0, 0, unsupported()
		}
		width, height = cfg.Width, cfg.Height
	case "image/webp":
		var ok bool
		if width, height, ok = webpSize(head, size); !ok || !wellFormed(f, ct) {
			return "", 0, 0, unsupported()
		}
	default:
		return "", 0, 0, unsupported()
	}
	if width <= 0 || height <= 0 {
		return "", 0, 0, unsupported()
	}
	if int64(width)*int64(height) > MaxPixels {
		return "", 0, 0, validate.Errors{"file": "upload.dimensions"}
	}
	return ct, width, height, nil
}

// wellFormed walks the whole of a PNG, GIF or WebP file: DecodeConfig reads only
// the first bytes, and a GIF's needs no more than the 13-byte header, so "GIF89a",
// a plausible size and then an HTML page would pass it. PNG chunks must have their
// checksums, GIF blocks and RIFF chunks their lengths, up to the end and nothing
// after it. JPEG is left to DecodeConfig: its scan data has no lengths to walk.
// (Markup hidden inside a valid image, say in a comment, is harmless only because
// the file is always served with its own type, nosniff and a sandbox CSP.)
func wellFormed(f io.ReadSeeker, contentType string) bool {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return false
	}
	r := bufio.NewReader(f)
	var err error
	switch contentType {
	case "image/png":
		err = pngChunks(r)
	case "image/gif":
		err = gifBlocks(r)
	case "image/webp":
		err = riffChunks(r)
	}
	if err != nil {
		return false
	}
	_, err = r.ReadByte()
	return errors.Is(err, io.EOF) // nothing after the end marker
}

var errMalformed = errors.New("upload: malformed image")

func pngChunks(r *bufio.Reader) error {
	if _, err := r.Discard(8); err != nil { // signature, checked by DecodeConfig
		return err
	}
	var head [8]byte
	sawData := false
	for {
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return err
		}
		n, typ := binary.BigEndian.Uint32(head[:4]), string(head[4:])
		if n > 1<<31-1 {
			return errMalformed
		}
		crc := crc32.NewIEEE()
		crc.Write(head[4:])
		if _, err := io.CopyN(crc, r, int64(n)); err != nil {
			return err
		}
		var sum [4]byte
		if _, err := io.ReadFull(r, sum[:]); err != nil {
			return err
		}
		if binary.BigEndian.Uint32(sum[:]) != crc.Sum32() {
			return errMalformed
		}
		sawData = sawData || typ == "IDAT"
		if typ == "IEND" {
			if !sawData {
				return errMalformed
			}
			return nil
		}
	}
}

func gifBlocks(r *bufio.Reader) error {
	var head [13]byte // signature and logical screen descriptor
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return err
	}
	if err := skipColorTable(r, head[10]); err != nil {
		return err
	}
	frames := 0
	for {
		b, err := r.ReadByte()
		if err != nil {
			return err
		}
		switch b {
		case 0x21: // extension: label, then sub-blocks
			if _, err := r.ReadByte(); err != nil {
				return err
			}
		case 0x2c: // image: descriptor, local colour table, LZW code size, sub-blocks
			var desc [9]byte
			if _, err := io.ReadFull(r, desc[:]); err != nil {
				return err
			}
			if err := skipColorTable(r, desc[8]); err != nil {
				return err
			}
			if lzw, err := r.ReadByte(); err != nil || lzw < 2 || lzw > 8 {
				return errMalformed
			}
			frames++
		case 0x3b: // trailer
			if frames == 0 {
				return errMalformed
			}
			return nil
		default:
			return errMalformed
		}
		if err := skipSubBlocks(r); err != nil {
			return err
		}
	}
}

func riffChunks(r *bufio.Reader) error {
	if _, err := r.Discard(12); err != nil { // RIFF, size and WEBP, checked by webpSize
		return err
	}
	var head [8]byte
	for {
		if _, err := io.ReadFull(r, head[:]); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		n := int(binary.LittleEndian.Uint32(head[4:]))
		if _, err := r.Discard(n + n&1); err != nil { // chunks are padded to even sizes
			return err
		}
	}
}

func skipColorTable(r *bufio.Reader, flags byte) error {
	if flags&0x80 == 0 {
		return nil
	}
	_, err := r.Discard(3 << (flags&7 + 1))
	return err
}

func skipSubBlocks(r *bufio.Reader) error {
	for {
		n, err := r.ReadByte()
		if err != nil || n == 0 {
			return err
		}
		if _, err := r.Discard(int(n)); err != nil {
			return err
		}
	}
}

// webpSize reads the canvas size from the first chunk of a WebP file (RIFF
// container, then a VP8, VP8L or VP8X chunk) and checks that the container's
// length matches the file's.
func webpSize(head []byte, size int64) (width, height int, ok bool) {
	if len(head) < 30 || string(head[0:4]) != "RIFF" || string(head[8:12]) != "WEBP" {
		return 0, 0, false
	}
	le32 := binary.LittleEndian.Uint32
	if int64(le32(head[4:8]))+8 != size || int64(le32(head[16:20]))+20 > size {
		return 0, 0, false
	}
	data := head[20:]
	switch string(head[12:16]) {
	case "VP8 ": // lossy: frame tag, start code, 14-bit sizes
		if !bytes.Equal(data[3:6], []byte{0x9d, 0x01, 0x2a}) {
			return 0, 0, false
		}
		width = int(binary.LittleEndian.Uint16(data[6:8]) & 0x3fff)
		height = int(binary.LittleEndian.Uint16(data[8:10]) & 0x3fff)
	case "VP8L": // lossless: signature, then 14-bit sizes minus one and a zero version
		bits := le32(data[1:5])
		if data[0] != 0x2f || bits>>29 != 0 {
			return 0, 0, false
		}
		width, height = int(bits&0x3fff)+1, int(bits>>14&0x3fff)+1
	case "VP8X": // extended: flags, reserved, 24-bit canvas sizes minus one
		le24 := func(b []byte) int { return int(b[0]) | int(b[1])<<8 | int(b[2])<<16 }
		width, height = le24(data[4:7])+1, le24(data[7:10])+1
	default:
		return 0, 0, false
	}
	return width, height, true
}

// File is an open stored upload, ready to be served.
type File struct {
	io.ReadSeekCloser
	ContentType string
	Size        int64
	ModTime     time.Time
}

// namePattern is the only shape of a public name: no separators, no dots but one,
// nothing a path could be made of.
var namePattern = regexp.MustCompile(`^([0-9a-f]{64})\.(png|jpg|gif|webp)$`)

// Open opens the upload with the public name <sha256>.<ext> for reading. Any other
// name, a wrong extension, or content that was never recorded is ErrNotFound.
func (s *Service) Open(ctx context.Context, name string) (*File, error) {
	m := namePattern.FindStringSubmatch(name)
	if m == nil {
		return nil, ErrNotFound
	}
	var u Upload
	err := s.db.Reader(ctx).Where("sha256 = ?", m[1]).Order("id").Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("upload: find %s: %w", name, err)
	}
	if u.Name() != name {
		return nil, ErrNotFound
	}
	f, err := os.Open(s.path(&u))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("upload: file of %s missing: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("upload: open %s: %w", name, err)
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("upload: %s is not a regular file: %w", name, ErrNotFound)
	}
	return &File{ReadSeekCloser: f, ContentType: u.ContentType, Size: st.Size(), ModTime: st.ModTime()}, nil
}

// ValidName reports whether name is the public name of an upload, <sha256>.<ext>.
func ValidName(name string) bool { return namePattern.MatchString(name) }
