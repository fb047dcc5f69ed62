package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/apptest"
)

// testEnv points the commands at a fresh data directory and the test database.
func testEnv(t *testing.T) {
	t.Setenv("SCHWARM_DATA_DIR", t.TempDir())
	t.Setenv("SCHWARM_DATABASE_URL", apptest.DatabaseURL(t))
	t.Setenv("SCHWARM_LOG_LEVEL", "warn")
}

func TestHelpListsCommandsAndSettings(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"help"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"serve", "migrate", "admin create", "SCHWARM_ADDR", "SCHWARM_DATABASE_URL"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
	out.Reset()
	if err := run(context.Background(), []string{"serve", "--help"}, &out); err == nil || !strings.Contains(out.String(), "-demo") {
		t.Errorf("serve --help: %v %q", err, out.String())
	}
}

func TestBadSettingIsAClearError(t *testing.T) {
	testEnv(t)
	t.Setenv("SCHWARM_SESSION_TTL", "soon")
	t.Setenv("SCHWARM_BASE_URL", "example.com")
	err := run(context.Background(), []string{"migrate"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "SCHWARM_SESSION_TTL") || !strings.Contains(err.Error(), "SCHWARM_BASE_URL") {
		t.Errorf("got %v", err)
	}
}

func TestUnknownCommand(t *testing.T) {
	for _, args := range [][]string{{"frobnicate"}, {"admin"}, {"admin", "delete"}} {
		testEnv(t)
		if err := run(context.Background(), args, &bytes.Buffer{}); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func TestMigrateDemoAndAdminCreate(t *testing.T) {
	testEnv(t)
	ctx := context.Background()
	for range 2 { // re-running is a no-op
		if err := run(ctx, []string{"migrate"}, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := run(ctx, []string{"demo"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"demo"}, &bytes.Buffer{}); err != nil { // skipped, not duplicated
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := run(ctx, []string{"admin", "create", "--handle", "chief", "--email", "chief@example.com"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `administrator "chief" created`) || !strings.Contains(out.String(), "password: ") {
		t.Errorf("output %q", out.String())
	}
	err = run(ctx, []string{"admin", "create", "--handle", "chief", "--email", "bad"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "already taken") || !strings.Contains(err.Error(), "valid e-mail") {
		t.Errorf("duplicate admin: %v", err)
	}
}

// TestBackupAndRestoreCommands: schwarm backup writes a file that schwarm
// restore unpacks into an empty data directory, which then serves the demo's
// accounts; restore refuses a directory that holds a forum.
func TestBackupAndRestoreCommands(t *testing.T) {
	testEnv(t)
	ctx := context.Background()
	if os.Getenv("SCHWARM_DATABASE_URL") != "" {
		err := run(ctx, []string{"backup", filepath.Join(t.TempDir(), "b.tar.gz")}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "pg_dump") {
			t.Errorf("backup on PostgreSQL: %v, want it to name pg_dump", err)
		}
		return
	}
	if err := run(ctx, []string{"demo"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "forum.tar.gz")
	var out bytes.Buffer
	if err := run(ctx, []string{"backup", file}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "backup written to") {
		t.Errorf("backup said %q", out.String())
	}
	if err := run(ctx, []string{"restore", file}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("restore over the forum: %v, want a refusal", err)
	}
	fresh := filepath.Join(t.TempDir(), "fresh")
	t.Setenv("SCHWARM_DATA_DIR", fresh)
	out.Reset()
	if err := run(ctx, []string{"restore", file}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "restored into "+fresh) {
		t.Errorf("restore said %q", out.String())
	}
	// The demo is there: loading it again is skipped, and its admin exists.
	err := run(ctx, []string{"admin", "create", "--handle", "admin", "--email", "other@example.com"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "already taken") {
		t.Errorf("the demo's admin after the restore: %v, want the handle taken", err)
	}
	if err := run(ctx, []string{"backup"}, &bytes.Buffer{}); err == nil {
		t.Error("backup without a FILE ran")
	}
}
