package theme

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
)

// Files are a theme's templates and static assets, each laid over the
// default theme's: a theme holds only what it changes — most often
// static/css/theme.css, which overrides the stylesheet's tokens — and takes
// every other file from the default.
type Files struct {
	Name      string
	Templates fs.FS // layouts/, partials/, pages/, mail/
	Static    fs.FS // css/, js/, img/, served under /static/
}

// Open resolves the theme setting: "" or "default" is the default theme; a
// plain name is a theme built into the binary (themes/<name>); anything with a
// slash is a directory on disk, so that a company can rebrand without a build.
// A theme that does not exist is an error, never a silent fall back.
func Open(embedded, static fs.FS, setting string) (*Files, error) {
	base, err := fs.Sub(embedded, "default")
	if err != nil {
		return nil, err
	}
	if setting == "" || setting == "default" {
		return &Files{Name: "default", Templates: base, Static: static}, nil
	}
	var dir fs.FS
	if strings.ContainsRune(setting, '/') {
		st, err := os.Stat(setting)
		if err != nil || !st.IsDir() {
			return nil, fmt.Errorf("theme %s: not a directory", setting)
		}
		dir = os.DirFS(setting)
	} else {
		if !fs.ValidPath(setting) {
			return nil, fmt.Errorf("theme %q: not a theme name", setting)
		}
		if st, err := fs.Stat(embedded, setting); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("theme %q: no such built-in theme", setting)
		}
		if dir, err = fs.Sub(embedded, setting); err != nil {
			return nil, err
		}
	}
	assets, err := fs.Sub(dir, "static")
	if err != nil {
		return nil, err
	}
	return &Files{Name: setting, Templates: overlay{dir, base}, Static: overlay{assets, static}}, nil
}

// overlay reads from top first and from base where top lacks a file; a
// directory lists the entries of both.
type overlay struct{ top, base fs.FS }

func (o overlay) Open(name string) (fs.File, error) {
	for _, layer := range []fs.FS{o.top, o.base} {
		f, err := layer.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		st, err := f.Stat()
		if err == nil && !st.IsDir() {
			return f, nil
		}
		f.Close()
		if err != nil {
			return nil, err
		}
		entries, err := o.ReadDir(name)
		if err != nil {
			return nil, err
		}
		return &overlayDir{info: st, entries: entries}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func (o overlay) ReadDir(name string) ([]fs.DirEntry, error) {
	top, terr := fs.ReadDir(o.top, name)
	base, berr := fs.ReadDir(o.base, name)
	if terr != nil && berr != nil {
		return nil, berr
	}
	seen := map[string]bool{}
	out := make([]fs.DirEntry, 0, len(top)+len(base))
	for _, e := range append(top, base...) {
		if !seen[e.Name()] {
			seen[e.Name()] = true
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// overlayDir is the merged directory Open returns.
type overlayDir struct {
	info    fs.FileInfo
	entries []fs.DirEntry
}

func (d *overlayDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *overlayDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.Name(), Err: errors.New("is a directory")}
}
func (d *overlayDir) Close() error { return nil }
func (d *overlayDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if n <= 0 {
		rest := d.entries
		d.entries = nil
		return rest, nil
	}
	if len(d.entries) == 0 {
		return nil, io.EOF
	}
	k := min(n, len(d.entries))
	out := d.entries[:k]
	d.entries = d.entries[k:]
	return out, nil
}
