package app

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/schwarm/schwarm/app/database"
)

// A backup is a gzipped tar of a manifest, the SQLite database and every
// uploaded image: all the forum holds that cannot be derived. The search index
// is not in it; a node rebuilds it on start.
const (
	backupManifest = "schwarm-backup.json"
	backupDB       = "schwarm.db"
	backupFormat   = 1
)

// ErrBackupPostgres says the database is PostgreSQL, whose own tool backs it up.
var ErrBackupPostgres = errors.New("the database is PostgreSQL: back it up with pg_dump (see README, Operations), and copy the uploads directory of SCHWARM_DATA_DIR beside it")

// ErrRestoreNotEmpty refuses to restore over a forum.
var ErrRestoreNotEmpty = errors.New("the data directory already holds a forum: restore into an empty SCHWARM_DATA_DIR")

// uploadEntry is the shape of an uploaded image's path under uploads/ (see
// app/upload): nothing else is backed up or restored from there.
var uploadEntry = regexp.MustCompile(`^[0-9a-f]{2}/[0-9a-f]{64}\.(?:png|jpg|gif|webp)$`)

// BackupStats says what a backup holds.
type BackupStats struct {
	Format    int       `json:"format"`
	CreatedAt time.Time `json:"created_at"`
	Database  int64     `json:"database_bytes"`
	Uploads   int       `json:"uploads"`
}

func (s BackupStats) String() string {
	return fmt.Sprintf("database %d bytes, %d uploaded images, taken %s", s.Database, s.Uploads, s.CreatedAt.Format(time.RFC3339))
}

// Backup writes a consistent copy of the forum to w while it serves: the
// database as of one moment (database.SnapshotTo, which holds no lock that stops
// writers), then the uploaded images. Images are
// written before their rows and never change, so every image a row of the
// snapshot names is on disk when the images are copied.
func (a *App) Backup(ctx context.Context, w io.Writer) (BackupStats, error) {
	stats := BackupStats{Format: backupFormat, CreatedAt: a.Now().UTC()}
	if a.DB.Dialect == database.Postgres {
		return stats, ErrBackupPostgres
	}
	tmp, err := os.CreateTemp(a.Config.DataDir, ".backup-*.db")
	if err != nil {
		return stats, fmt.Errorf("backup: %w", err)
	}
	snapshot := tmp.Name()
	tmp.Close()
	os.Remove(snapshot) // VACUUM INTO wants to create it
	defer os.Remove(snapshot)
	if err := a.DB.SnapshotTo(ctx, snapshot); err != nil {
		return stats, fmt.Errorf("backup: %w", err)
	}

	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	if err := addFile(tw, backupDB, snapshot, &stats.Database); err != nil {
		return stats, err
	}
	uploads := filepath.Join(a.Config.DataDir, "uploads")
	err = filepath.WalkDir(uploads, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == uploads {
			return fs.SkipDir // no uploads yet
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(uploads, path)
		if err != nil || !uploadEntry.MatchString(filepath.ToSlash(rel)) {
			return err // temp files of uploads in progress, and anything else, stay out
		}
		stats.Uploads++
		return addFile(tw, "uploads/"+filepath.ToSlash(rel), path, nil)
	})
	if err != nil {
		return stats, fmt.Errorf("backup: uploads: %w", err)
	}
	manifest, _ := json.Marshal(stats)
	if err := tw.WriteHeader(&tar.Header{Name: backupManifest, Mode: 0o644, Size: int64(len(manifest)), ModTime: stats.CreatedAt}); err != nil {
		return stats, err
	}
	if _, err := tw.Write(manifest); err != nil {
		return stats, err
	}
	if err := tw.Close(); err != nil {
		return stats, err
	}
	return stats, gz.Close()
}

func addFile(tw *tar.Writer, name, path string, size *int64) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: info.Size(), ModTime: info.ModTime()}); err != nil {
		return fmt.Errorf("backup: %s: %w", name, err)
	}
	if size != nil {
		*size = info.Size()
	}
	if _, err := io.Copy(tw, f); err != nil {
		return fmt.Errorf("backup: %s: %w", name, err)
	}
	return nil
}

// Restore unpacks a backup written by Backup into dataDir, which must hold no
// forum yet. Only the database, the manifest and images under uploads/ are
// taken from it, each by a name it must have; the database file appears last,
// whole, so a restore cut short leaves no forum behind that looks complete.
// Migrate (app.New, then Migrate) upgrades a backup of an older release.
func Restore(r io.Reader, dataDir string) (BackupStats, error) {
	var stats BackupStats
	target := filepath.Join(dataDir, backupDB)
	if _, err := os.Stat(target); err == nil {
		return stats, ErrRestoreNotEmpty
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return stats, fmt.Errorf("restore: %w", err)
	}
	gz, err := gzip.NewReader(r)
	if err != nil {
		return stats, fmt.Errorf("restore: not a Schwarm backup: %w", err)
	}
	tr := tar.NewReader(gz)
	staged := target + ".restoring"
	defer os.Remove(staged)
	var haveDB, haveManifest bool
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return stats, fmt.Errorf("restore: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			return stats, fmt.Errorf("restore: %q is not a file of a Schwarm backup", h.Name)
		}
		switch rel, isUpload := strings.CutPrefix(h.Name, "uploads/"); {
		case h.Name == backupManifest:
			if err := json.NewDecoder(io.LimitReader(tr, 1<<16)).Decode(&stats); err != nil {
				return stats, fmt.Errorf("restore: manifest: %w", err)
			}
			if stats.Format != backupFormat {
				return stats, fmt.Errorf("restore: backup format %d, this release reads %d", stats.Format, backupFormat)
			}
			haveManifest = true
		case h.Name == backupDB:
			if err := writeFile(staged, tr); err != nil {
				return stats, err
			}
			haveDB = true
		case isUpload && uploadEntry.MatchString(rel):
			path := filepath.Join(dataDir, "uploads", filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
				return stats, fmt.Errorf("restore: %w", err)
			}
			if err := writeFile(path, tr); err != nil {
				return stats, err
			}
		default:
			return stats, fmt.Errorf("restore: %q is not a file of a Schwarm backup", h.Name)
		}
	}
	if !haveDB || !haveManifest {
		return stats, errors.New("restore: the backup is incomplete: it lacks the database or its manifest")
	}
	if err := os.Rename(staged, target); err != nil {
		return stats, fmt.Errorf("restore: %w", err)
	}
	return stats, nil
}

func writeFile(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("restore: %s: %w", filepath.Base(path), err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("restore: %w", err)
	}
	return f.Close()
}
