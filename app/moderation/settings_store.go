package moderation

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// stored is the JSON of the settings row. Its names, not the Go fields',
// are what rows written by older nodes hold; a field a row lacks keeps the
// environment's value.
type stored struct {
	TrustReputation      int64    `json:"trust_reputation"`
	ReviewFirstPosts     int      `json:"review_first_posts"`
	NewcomerPostsPerDay  int      `json:"newcomer_posts_per_day"`
	EditOthersReputation int64    `json:"edit_others_reputation"`
	MaxLinks             int      `json:"spam_max_links"`
	NewAccount           string   `json:"spam_new_account"`
	Repeat               string   `json:"spam_repeat"`
	BlockWords           []string `json:"spam_block_words"`
	FlagsToHide          int      `json:"flags_to_hide"`
	FlagTrustReputation  int64    `json:"flag_trust_reputation"`
}

func toStored(s Settings) stored {
	return stored{
		TrustReputation: s.Privileges.TrustReputation, ReviewFirstPosts: s.Privileges.ReviewFirstPosts,
		NewcomerPostsPerDay: s.Privileges.NewcomerPostsPerDay, EditOthersReputation: s.Privileges.EditOthersReputation,
		MaxLinks: s.Spam.MaxLinks, NewAccount: s.Spam.NewAccount.String(), Repeat: s.Spam.Repeat.String(),
		BlockWords: s.Spam.BlockWords, FlagsToHide: s.Flags.ToHide, FlagTrustReputation: s.Flags.TrustReputation,
	}
}

func (v stored) settings() (Settings, error) {
	newAccount, err := time.ParseDuration(v.NewAccount)
	if err != nil {
		return Settings{}, fmt.Errorf("spam_new_account: %w", err)
	}
	repeat, err := time.ParseDuration(v.Repeat)
	if err != nil {
		return Settings{}, fmt.Errorf("spam_repeat: %w", err)
	}
	return Settings{
		Privileges: thread.Privileges{TrustReputation: v.TrustReputation, ReviewFirstPosts: v.ReviewFirstPosts,
			NewcomerPostsPerDay: v.NewcomerPostsPerDay, EditOthersReputation: v.EditOthersReputation},
		Spam:  thread.SpamRules{MaxLinks: v.MaxLinks, NewAccount: newAccount, Repeat: repeat, BlockWords: BlockWords(v.BlockWords)},
		Flags: FlagRules{ToHide: v.FlagsToHide, TrustReputation: v.FlagTrustReputation},
	}, nil
}

// settingsKey is the row of the moderation settings in the settings table.
const settingsKey = "moderation"

// SettingsStore keeps the moderation settings in the database and applies them
// to this node: at start (Refresh), at once after a save or reset here, and
// within a Follow interval of one on another node.
type SettingsStore struct {
	db       *database.DB
	audit    *audit.Log
	defaults Settings
	now      func() time.Time
	apply    func(Settings)

	// mu makes each refresh read and apply in one go, so that a read from
	// before a save is never applied over the save's.
	mu      sync.Mutex
	applied int64 // the version in force on this node; -1 = none yet
}

// NewSettingsStore returns a store whose settings fall back to defaults (the
// environment's) and which hands each version it reads to apply, the setters
// of the services that use them.
func NewSettingsStore(db *database.DB, log *audit.Log, defaults Settings, now func() time.Time, apply func(Settings)) *SettingsStore {
	defaults.Spam.BlockWords = BlockWords(defaults.Spam.BlockWords)
	return &SettingsStore{db: db, audit: log, defaults: defaults, now: now, apply: apply, applied: -1}
}

// Defaults returns the environment's settings, those in force without a save.
func (st *SettingsStore) Defaults() Settings {
	d := st.defaults
	d.Spam.BlockWords = slices.Clone(d.Spam.BlockWords)
	return d
}

// settingsRow is the row as read; updated_at and updated_by are for whoever
// looks at the table (the audit log says the same, with what changed).
type settingsRow struct {
	Value   sql.NullString
	Version int64
}

// Load returns the settings in force: the stored ones over the defaults, or
// the defaults when none were saved or they were reset.
func (st *SettingsStore) Load(ctx context.Context) (Settings, error) {
	s, _, err := st.load(ctx)
	return s, err
}

// load is Load, and says whether saved values (rather than the defaults) are
// in force.
func (st *SettingsStore) load(ctx context.Context) (_ Settings, saved bool, err error) {
	var rows []settingsRow
	if err := st.db.Reader(ctx).Raw("SELECT value, version FROM settings WHERE key = ?", settingsKey).
		Scan(&rows).Error; err != nil {
		return Settings{}, false, fmt.Errorf("moderation: load settings: %w", err)
	}
	s := st.Defaults()
	if len(rows) == 0 {
		return s, false, nil
	}
	s.Version = rows[0].Version
	if !rows[0].Value.Valid { // reset
		return s, false, nil
	}
	v := toStored(s)
	if err := json.Unmarshal([]byte(rows[0].Value.String), &v); err != nil {
		return Settings{}, false, fmt.Errorf("moderation: decode settings version %d: %w", s.Version, err)
	}
	decoded, err := v.settings()
	if err != nil {
		return Settings{}, false, fmt.Errorf("moderation: decode settings version %d: %w", s.Version, err)
	}
	decoded.Version = s.Version
	return decoded, true, nil
}

// version reads the stored version alone: the cheap question Follow asks.
func (st *SettingsStore) version(ctx context.Context) (int64, error) {
	var v []int64
	if err := st.db.Reader(ctx).Raw("SELECT version FROM settings WHERE key = ?", settingsKey).Scan(&v).Error; err != nil {
		return 0, fmt.Errorf("moderation: settings version: %w", err)
	}
	if len(v) == 0 {
		return 0, nil
	}
	return v[0], nil
}

// Save stores s for every node, if admin is an admin and nobody saved since s
// was read (s.Version; else ErrSettingsChanged), with an audit row and a
// settings.changed event in the same transaction, and applies it here. It
// returns the settings as stored, with their new version.
func (st *SettingsStore) Save(ctx context.Context, admin *user.User, s Settings) (Settings, error) {
	if admin == nil || admin.Role != user.RoleAdmin {
		return Settings{}, thread.ErrForbidden
	}
	s.Spam.BlockWords = BlockWords(s.Spam.BlockWords)
	if err := s.Validate(); err != nil {
		return Settings{}, err
	}
	value, err := json.Marshal(toStored(s))
	if err != nil {
		return Settings{}, fmt.Errorf("moderation: encode settings: %w", err)
	}
	return st.write(ctx, admin, s, sql.NullString{String: string(value), Valid: true}, false)
}

// SaveForm is Save of the settings typed into f: an admin's problems of
// parsing and of range come back together, by field.
func (st *SettingsStore) SaveForm(ctx context.Context, admin *user.User, f SettingsForm) (Settings, error) {
	if admin == nil || admin.Role != user.RoleAdmin {
		return Settings{}, thread.ErrForbidden // before any field: not worth telling a non-admin what is wrong
	}
	s, err := f.Settings()
	if err != nil {
		return Settings{}, err
	}
	return st.Save(ctx, admin, s)
}

// Reset puts the environment's settings back in force for every node, if
// admin is an admin, recorded like a save.
func (st *SettingsStore) Reset(ctx context.Context, admin *user.User) (Settings, error) {
	if admin == nil || admin.Role != user.RoleAdmin {
		return Settings{}, thread.ErrForbidden
	}
	return st.write(ctx, admin, st.Defaults(), sql.NullString{}, true)
}

// write stores value (NULL: the defaults, s) in one transaction with its audit
// row and event, then applies what it stored. A reset overwrites whatever
// version is stored; a save only the one it was read at. What changes nothing
// (a save of the values in force, a reset while the defaults are) writes
// nothing, as other actions do.
func (st *SettingsStore) write(ctx context.Context, admin *user.User, s Settings, value sql.NullString, reset bool) (Settings, error) {
	now := st.now().UTC()
	unchanged := false
	err := st.db.InTx(ctx, func(ctx context.Context) error {
		before, saved, err := st.load(ctx)
		if err != nil {
			return err
		}
		if reset {
			s.Version = before.Version
		} else if before.Version != s.Version {
			return ErrSettingsChanged
		}
		if unchanged = reset && !saved || !reset && describeChange(before, s) == ""; unchanged {
			s = before
			return nil
		}
		w := st.db.Writer(ctx)
		var res *gorm.DB
		if before.Version == 0 {
			// No row yet: of two admins saving the first time, the
			// second's insert finds the first's row.
			res = w.Exec("INSERT INTO settings (key, value, version, updated_at, updated_by) VALUES (?, ?, 1, ?, ?) ON CONFLICT (key) DO NOTHING",
				settingsKey, value, now, admin.ID)
		} else {
			// On PostgreSQL a concurrent save waits for this row and then
			// finds the version moved on: it changes nothing.
			res = w.Exec("UPDATE settings SET value = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE key = ? AND version = ?",
				value, now, admin.ID, settingsKey, before.Version)
		}
		if res.Error != nil {
			return fmt.Errorf("moderation: write settings: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return ErrSettingsChanged
		}
		s.Version = before.Version + 1
		if err := st.audit.Record(ctx, audit.Entry{ActorID: admin.ID, Action: audit.ChangeSettings,
			Before: describeChange(before, s), After: describeChange(s, before)}); err != nil {
			return err
		}
		return event.Emit(ctx, st.db, admin.ID, event.SettingsChanged{Key: settingsKey, Revision: s.Version, Reset: reset})
	})
	if err != nil {
		return Settings{}, err
	}
	if !unchanged {
		st.use(s)
	}
	return s, nil
}

// use applies s unless a newer version is in force already (a refresh that
// read after the commit).
func (st *SettingsStore) use(s Settings) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if s.Version > st.applied {
		st.apply(s)
		st.applied = s.Version
	}
}

// Refresh applies the stored settings when their version is not the one in
// force on this node: at start, and from Follow.
func (st *SettingsStore) Refresh(ctx context.Context) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	v, err := st.version(ctx)
	if err != nil {
		return err
	}
	if v == st.applied {
		return nil
	}
	s, err := st.Load(ctx)
	if err != nil {
		return err
	}
	st.apply(s)
	st.applied = s.Version
	return nil
}

// Follow refreshes every interval until ctx ends, so that a save on another
// node serving the same database is in force here within an interval. It is a
// poll of one indexed row rather than a consumer of settings.changed: it needs
// no position of its own, cannot fall behind a pruned outbox, and catches a
// change however it was written (a restored backup, a save by an older node).
// onErr hears failed refreshes; the settings in force stay.
func (st *SettingsStore) Follow(ctx context.Context, interval time.Duration, onErr func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := st.Refresh(ctx); err != nil && ctx.Err() == nil {
				onErr(err)
			}
		}
	}
}

// describeChange says, for the audit log, the fields of s that differ from
// other: "name=value", comma-separated; "" when none do.
func describeChange(s, other Settings) string {
	a, b := s.Form(), other.Form()
	var parts []string
	for _, f := range []struct{ name, v, w string }{
		{"trust_reputation", a.TrustReputation, b.TrustReputation},
		{"review_first_posts", a.ReviewFirstPosts, b.ReviewFirstPosts},
		{"newcomer_posts_per_day", a.NewcomerPostsPerDay, b.NewcomerPostsPerDay},
		{"edit_others_reputation", a.EditOthersReputation, b.EditOthersReputation},
		{"max_links", a.MaxLinks, b.MaxLinks},
		{"new_account", a.NewAccount, b.NewAccount},
		{"repeat", a.Repeat, b.Repeat},
		{"block_words", strings.Join(s.Spam.BlockWords, " | "), strings.Join(other.Spam.BlockWords, " | ")},
		{"flags_to_hide", a.FlagsToHide, b.FlagsToHide},
		{"flag_trust_reputation", a.FlagTrustReputation, b.FlagTrustReputation},
	} {
		if f.v != f.w {
			parts = append(parts, f.name+"="+f.v)
		}
	}
	return strings.Join(parts, ", ")
}
