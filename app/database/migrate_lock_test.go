package database

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestSQLiteLocker: a second node waits for the first, and gives up when its
// context ends rather than when SQLite's busy timeout says.
func TestSQLiteLocker(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "schwarm.db.migrate-lock")
	first, second := &sqliteLocker{file: file}, &sqliteLocker{file: file}
	if err := first.SessionLock(ctx, nil); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := second.SessionLock(short, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("SessionLock while another holds the lock = %v, want context.DeadlineExceeded", err)
	}
	done := make(chan error, 1)
	go func() { done <- second.SessionLock(ctx, nil) }()
	time.Sleep(20 * time.Millisecond)
	if err := first.SessionUnlock(ctx, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("SessionLock after the other let go = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("SessionLock still waits after the other let go")
	}
	if err := second.SessionUnlock(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := second.SessionUnlock(ctx, nil); err == nil {
		t.Error("SessionUnlock without the lock = nil, want an error")
	}
}
