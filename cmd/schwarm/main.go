// Command schwarm runs a Schwarm community node and its maintenance tasks.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/schwarm/schwarm/app"
	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/demo"
	"github.com/schwarm/schwarm/app/evaluate"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

const usage = `Usage: schwarm <command> [flags]

Commands:
  serve          run the forum (applies migrations first); --demo loads demo content into an empty forum
  migrate        apply database migrations and exit
  demo           load demo content into an empty forum and exit
  admin create   create an administrator account
  repair         recompute reputation, badges, kudos and answer counts from their sources; --dry-run only reports
  reindex        rebuild the search index from the database beside the one in use; a running
                 server keeps serving and switches to the new index when it is complete
  eval           measure suggestions on an evaluation set: --corpus FILE --queries FILE
                 [--unanswered FILE|none] [--json]
  backup FILE    write the forum (SQLite database and uploaded images) to FILE while it serves;
                 on PostgreSQL, use pg_dump and copy the uploads directory
  restore FILE   unpack a backup into an empty SCHWARM_DATA_DIR, then migrate it

Run "schwarm <command> --help" for a command's flags. Settings are environment variables:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "schwarm:", strings.ReplaceAll(err.Error(), "\n", "\n  "))
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprint(out, usage+config.Table())
		return nil
	}
	cmd, args := args[0], args[1:]
	if cmd == "admin" {
		if len(args) == 0 || args[0] != "create" {
			return errors.New(`unknown admin command; did you mean "schwarm admin create"?`)
		}
		cmd, args = "admin create", args[1:]
	}
	fs := flag.NewFlagSet("schwarm "+cmd, flag.ContinueOnError)
	fs.SetOutput(out)
	withDemo := fs.Bool("demo", false, "load demo content when the forum is empty (serve)")
	handle := fs.String("handle", "admin", "handle of the new administrator (admin create)")
	email := fs.String("email", "", "e-mail address of the new administrator (admin create)")
	password := fs.String("password", "", "password; empty reads SCHWARM_ADMIN_PASSWORD, else one is generated and printed (admin create)")
	corpus := fs.String("corpus", "", "evaluation corpus, JSON lines (eval)")
	queries := fs.String("queries", "", "evaluation queries with their relevant ids, JSON lines (eval)")
	unanswered := fs.String("unanswered", "", "questions no thread of the corpus answers, JSON lines; empty: the built-in set of the corpus's language, none: none (eval)")
	asJSON := fs.Bool("json", false, "print one JSON object (eval)")
	dryRun := fs.Bool("dry-run", false, "report differences without fixing them (repair)")
	fs.Usage = func() { fmt.Fprintf(out, "Usage: schwarm %s [flags]\n", cmd); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return err
	}

	if cmd == "eval" {
		if *corpus == "" || *queries == "" {
			return errors.New("eval needs --corpus FILE and --queries FILE")
		}
		r, err := evaluate.Run(ctx, evaluate.Set{Corpus: *corpus, Queries: *queries, Unanswered: *unanswered}, os.Stderr)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(out).Encode(r)
		}
		_, err = fmt.Fprint(out, r)
		return err
	}

	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	if cmd == "backup" || cmd == "restore" {
		if fs.NArg() != 1 {
			return fmt.Errorf("%s needs one FILE: schwarm %s FILE", cmd, cmd)
		}
	}
	if cmd == "restore" {
		// Before app.New, which would create an empty database to restore over.
		if cfg.DatabaseURL != "" {
			return errors.New("SCHWARM_DATABASE_URL is set: restore PostgreSQL with pg_restore or psql (see README, Operations)")
		}
		stats, err := restoreFile(fs.Arg(0), cfg.DataDir)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "restored into %s: %s\n", cfg.DataDir, stats)
		cmd = "migrate" // a backup of an older release is upgraded now, not at the first serve
	}
	log := newLogger(cfg)
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Migrate(ctx); err != nil {
		return err
	}

	switch cmd {
	case "migrate":
		return nil
	case "backup":
		stats, err := backupFile(ctx, a, fs.Arg(0))
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "backup written to %s: %s\n", fs.Arg(0), stats)
		return err
	case "demo":
		return loadDemo(ctx, a)
	case "repair":
		r, err := a.Rep.Repair(ctx, !*dryRun)
		if err != nil {
			return err
		}
		_, err = fmt.Fprint(out, r)
		return err
	case "reindex":
		start := time.Now()
		n, err := a.Reindex(ctx)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "search index rebuilt: %d threads in %v; a running server switches to it within a second\n", n, time.Since(start).Round(time.Millisecond))
		return err
	case "admin create":
		if *password == "" {
			*password = os.Getenv("SCHWARM_ADMIN_PASSWORD")
		}
		generated := *password == ""
		if generated {
			*password = auth.NewToken()[:20]
		}
		u, err := a.Users.Register(ctx, user.Registration{Handle: *handle, Email: *email, Password: *password, Role: user.RoleAdmin, Verified: true})
		if fields, ok := validate.From(err); ok {
			return fmt.Errorf("cannot create administrator: %s", a.I18n.Describe(cfg.DefaultLocale, fields))
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "administrator %q created (id %d)\n", u.Handle, u.ID)
		if generated {
			fmt.Fprintf(out, "password: %s\n", *password)
		}
		return nil
	case "serve":
		if *withDemo {
			if err := loadDemo(ctx, a); err != nil {
				return err
			}
		}
		ln, err := net.Listen("tcp", cfg.Addr)
		if err != nil {
			return fmt.Errorf("SCHWARM_ADDR=%s: %w", cfg.Addr, err)
		}
		return a.Serve(ctx, ln, nil)
	}
	return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
}

// backupFile writes a backup to path whole or not at all: into a temp file
// beside it, renamed over path once complete.
func backupFile(ctx context.Context, a *app.App, path string) (app.BackupStats, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return app.BackupStats{}, err
	}
	defer os.Remove(tmp.Name())
	stats, err := a.Backup(ctx, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return stats, err
	}
	return stats, os.Rename(tmp.Name(), path)
}

func restoreFile(path, dataDir string) (app.BackupStats, error) {
	f, err := os.Open(path)
	if err != nil {
		return app.BackupStats{}, err
	}
	defer f.Close()
	return app.Restore(f, dataDir)
}

func loadDemo(ctx context.Context, a *app.App) error {
	loaded, err := demo.Load(ctx, demo.Services{Users: a.Users, Boards: a.Boards, Threads: a.Threads, Moderation: a.Moderation})
	if err != nil {
		return err
	}
	if !loaded {
		a.Log.Info("demo content skipped: the forum already has users")
		return nil
	}
	a.Log.Info("demo content loaded", "users", "admin, moderator, agent, anna, ben, lukas", "password", demo.Password)
	return nil
}

func newLogger(cfg config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated by config.Load
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
