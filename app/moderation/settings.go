package moderation

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/validate"
)

// ErrSettingsChanged says another admin saved the settings after the form was
// loaded: nothing was written, and the form shows what is stored now.
var ErrSettingsChanged = problem.New(http.StatusConflict, "settings.changed_meanwhile", "moderation: settings changed meanwhile")

// Settings are the moderation settings admins change at /admin/moderation:
// who is a newcomer and what newcomers may do, the spam checks, and the flag
// thresholds. The environment's values (Defaults) hold until an admin saves.
type Settings struct {
	Privileges thread.Privileges
	Spam       thread.SpamRules
	Flags      FlagRules
	// Version is that of the stored row these were read at (0 = nothing was
	// ever saved): Save refuses to overwrite a newer one.
	Version int64
}

// The bounds of the settings: generous for any forum, and low enough that no
// typo holds every post or makes the checks read years of posts.
const (
	MaxReputation    = 1_000_000
	MaxSmallCount    = 100  // review first posts, links, flags to hide
	MaxPostsPerDay   = 1000 // newcomer posts per day
	MaxSpamDuration  = 8760 * time.Hour
	MaxBlockWords    = 500
	MaxBlockWordSize = 100 // characters
)

// Defaults returns the settings of the environment: cfg's.
func Defaults(cfg config.Config) Settings {
	return Settings{
		Privileges: thread.Privileges{TrustReputation: int64(cfg.TrustReputation), ReviewFirstPosts: cfg.ReviewFirstPosts,
			NewcomerPostsPerDay: cfg.NewcomerPostsPerDay, EditOthersReputation: int64(cfg.EditOthersReputation)},
		Spam: thread.SpamRules{MaxLinks: cfg.SpamMaxLinks, NewAccount: cfg.SpamNewAccount.Duration, Repeat: cfg.SpamRepeat.Duration,
			BlockWords: BlockWords(cfg.SpamBlockWords)},
		Flags: FlagRules{ToHide: cfg.FlagsToHide, TrustReputation: int64(cfg.FlagTrustReputation)},
	}
}

// BlockWords normalizes a block list: trimmed, lower-cased (the check compares
// lower-cased text), without empty lines and repeats, in the order given.
func BlockWords(words []string) []string {
	out := make([]string, 0, len(words))
	for _, w := range words {
		if w = strings.ToLower(strings.TrimSpace(w)); w != "" && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// Validate returns the problems of s by form field, or nil.
func (s Settings) Validate() error {
	errs := validate.Errors{}
	for _, n := range []struct {
		field    string
		v, limit int64
		key      string
	}{
		{"trust_reputation", s.Privileges.TrustReputation, MaxReputation, "settings.error.reputation"},
		{"review_first_posts", int64(s.Privileges.ReviewFirstPosts), MaxSmallCount, "settings.error.small_count"},
		{"newcomer_posts_per_day", int64(s.Privileges.NewcomerPostsPerDay), MaxPostsPerDay, "settings.error.posts_per_day"},
		{"edit_others_reputation", s.Privileges.EditOthersReputation, MaxReputation, "settings.error.reputation"},
		{"max_links", int64(s.Spam.MaxLinks), MaxSmallCount, "settings.error.small_count"},
		{"new_account", int64(s.Spam.NewAccount), int64(MaxSpamDuration), "settings.error.duration"},
		{"repeat", int64(s.Spam.Repeat), int64(MaxSpamDuration), "settings.error.duration"},
		{"flags_to_hide", int64(s.Flags.ToHide), MaxSmallCount, "settings.error.small_count"},
		{"flag_trust_reputation", s.Flags.TrustReputation, MaxReputation, "settings.error.reputation"},
	} {
		if n.v < 0 || n.v > n.limit {
			errs.Add(n.field, n.key)
		}
	}
	if len(s.Spam.BlockWords) > MaxBlockWords {
		errs.Add("block_words", "settings.error.block_words_many")
	}
	for _, w := range s.Spam.BlockWords {
		if utf8.RuneCountInString(w) > MaxBlockWordSize {
			errs.Add("block_words", "settings.error.block_word_long")
		}
	}
	return errs.Err()
}

// SettingsForm is the settings as typed into the admin page's form, one string
// per field: numbers, durations such as 30m or 24h, block words one per line.
type SettingsForm struct {
	TrustReputation, ReviewFirstPosts, NewcomerPostsPerDay, EditOthersReputation string
	MaxLinks, NewAccount, Repeat, BlockWords                                     string
	FlagsToHide, FlagTrustReputation                                             string
	Version                                                                      string // the stored version the form was shown at
}

// Form returns s as the form shows it.
func (s Settings) Form() SettingsForm {
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	return SettingsForm{
		TrustReputation: n(s.Privileges.TrustReputation), ReviewFirstPosts: n(int64(s.Privileges.ReviewFirstPosts)),
		NewcomerPostsPerDay: n(int64(s.Privileges.NewcomerPostsPerDay)), EditOthersReputation: n(s.Privileges.EditOthersReputation),
		MaxLinks: n(int64(s.Spam.MaxLinks)), NewAccount: FormatDuration(s.Spam.NewAccount), Repeat: FormatDuration(s.Spam.Repeat),
		BlockWords:  strings.Join(s.Spam.BlockWords, "\n"),
		FlagsToHide: n(int64(s.Flags.ToHide)), FlagTrustReputation: n(s.Flags.TrustReputation),
		Version: n(s.Version),
	}
}

// Settings parses and validates the form: every problem at once, by field.
func (f SettingsForm) Settings() (Settings, error) {
	errs := validate.Errors{}
	var s Settings
	whole := func(field, raw, key string) int64 {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			errs.Add(field, "form.required")
			return 0
		}
		v, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			errs.Add(field, key)
		}
		return v
	}
	duration := func(field, raw string) time.Duration {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			errs.Add(field, "form.required")
			return 0
		}
		if raw == "0" {
			return 0
		}
		d, err := time.ParseDuration(raw)
		if err != nil {
			errs.Add(field, "settings.error.duration")
		}
		return d
	}
	s.Privileges.TrustReputation = whole("trust_reputation", f.TrustReputation, "settings.error.reputation")
	s.Privileges.ReviewFirstPosts = int(whole("review_first_posts", f.ReviewFirstPosts, "settings.error.small_count"))
	s.Privileges.NewcomerPostsPerDay = int(whole("newcomer_posts_per_day", f.NewcomerPostsPerDay, "settings.error.posts_per_day"))
	s.Privileges.EditOthersReputation = whole("edit_others_reputation", f.EditOthersReputation, "settings.error.reputation")
	s.Spam.MaxLinks = int(whole("max_links", f.MaxLinks, "settings.error.small_count"))
	s.Spam.NewAccount = duration("new_account", f.NewAccount)
	s.Spam.Repeat = duration("repeat", f.Repeat)
	s.Spam.BlockWords = BlockWords(strings.Split(f.BlockWords, "\n"))
	s.Flags.ToHide = int(whole("flags_to_hide", f.FlagsToHide, "settings.error.small_count"))
	s.Flags.TrustReputation = whole("flag_trust_reputation", f.FlagTrustReputation, "settings.error.reputation")
	s.Version, _ = strconv.ParseInt(strings.TrimSpace(f.Version), 10, 64)
	if fields, ok := validate.From(s.Validate()); ok {
		for field, key := range fields {
			errs.Add(field, key)
		}
	}
	return s, errs.Err()
}

// FormatDuration writes d as an admin would type it: 24h, 1h30m, 30m, 0.
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	s := d.String() // 24h0m0s, 1h30m0s, 30m0s, 1m30s
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
