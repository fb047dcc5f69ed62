package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/validate"
)

type adminModerationPage struct {
	Page
	Form     moderation.SettingsForm  // as stored, or as typed when refused
	Defaults moderation.SettingsForm  // the environment's
	Stored   *moderation.SettingsForm // what another admin saved meanwhile; nil unless that refused the save
	Version  int64                    // of the settings in force
	Errors   validate.Errors
}

// FromDefaults reports whether the environment's values are in force: nothing
// was saved, it was reset, or what was saved is the same.
func (p *adminModerationPage) FromDefaults() bool {
	stored := p.Defaults
	stored.Version = p.Form.Version
	return p.Stored == nil && p.Form == stored
}

// settingField is one field of the form as the page shows it.
type settingField struct {
	Name, Value, Default string
	Env                  string // the environment variable of the default
	Stored               string // the value saved meanwhile, when it differs from Value
	Error                string // i18n key of the field's problem
	Lines                bool   // a textarea, one item per line
}

type settingSection struct {
	Title  string // i18n key
	Fields []settingField
}

// Sections are the form's fields in groups: newcomers, spam checks, flags.
func (p *adminModerationPage) Sections() []settingSection {
	field := func(name, env string, of func(moderation.SettingsForm) string) settingField {
		f := settingField{Name: name, Env: env, Value: of(p.Form), Default: of(p.Defaults), Error: p.Errors[name], Lines: name == "block_words"}
		if f.Lines {
			f.Default = strings.ReplaceAll(f.Default, "\n", ", ")
		}
		if p.Stored != nil && of(*p.Stored) != f.Value {
			f.Stored = of(*p.Stored)
			if f.Lines {
				f.Stored = strings.ReplaceAll(f.Stored, "\n", ", ")
			}
		}
		return f
	}
	type F = moderation.SettingsForm
	return []settingSection{
		{"settings.newcomers", []settingField{
			field("trust_reputation", "SCHWARM_TRUST_REPUTATION", func(f F) string { return f.TrustReputation }),
			field("review_first_posts", "SCHWARM_REVIEW_FIRST_POSTS", func(f F) string { return f.ReviewFirstPosts }),
			field("newcomer_posts_per_day", "SCHWARM_NEWCOMER_POSTS_PER_DAY", func(f F) string { return f.NewcomerPostsPerDay }),
			field("edit_others_reputation", "SCHWARM_EDIT_OTHERS_REPUTATION", func(f F) string { return f.EditOthersReputation }),
		}},
		{"settings.spam", []settingField{
			field("max_links", "SCHWARM_SPAM_MAX_LINKS", func(f F) string { return f.MaxLinks }),
			field("new_account", "SCHWARM_SPAM_NEW_ACCOUNT", func(f F) string { return f.NewAccount }),
			field("repeat", "SCHWARM_SPAM_REPEAT", func(f F) string { return f.Repeat }),
			field("block_words", "SCHWARM_SPAM_BLOCK_WORDS", func(f F) string { return f.BlockWords }),
		}},
		{"settings.flags", []settingField{
			field("flags_to_hide", "SCHWARM_FLAGS_TO_HIDE", func(f F) string { return f.FlagsToHide }),
			field("flag_trust_reputation", "SCHWARM_FLAG_TRUST_REPUTATION", func(f F) string { return f.FlagTrustReputation }),
		}},
	}
}

// adminModerationPage loads the settings in force into the page.
func (s *Server) adminModerationPage(c *fiber.Ctx) (*adminModerationPage, error) {
	cur, err := s.Settings.Load(c.UserContext())
	if err != nil {
		return nil, err
	}
	return &adminModerationPage{Page: s.newPage(c, "settings.title"), Form: cur.Form(), Defaults: s.Settings.Defaults().Form(),
		Version: cur.Version}, nil
}

func (s *Server) adminModeration(c *fiber.Ctx) error {
	p, err := s.adminModerationPage(c)
	if err != nil {
		return err
	}
	return s.render(c, "admin_moderation", p)
}

func settingsForm(c *fiber.Ctx) moderation.SettingsForm {
	return moderation.SettingsForm{
		TrustReputation: c.FormValue("trust_reputation"), ReviewFirstPosts: c.FormValue("review_first_posts"),
		NewcomerPostsPerDay: c.FormValue("newcomer_posts_per_day"), EditOthersReputation: c.FormValue("edit_others_reputation"),
		MaxLinks: c.FormValue("max_links"), NewAccount: c.FormValue("new_account"), Repeat: c.FormValue("repeat"),
		BlockWords: c.FormValue("block_words"), FlagsToHide: c.FormValue("flags_to_hide"),
		FlagTrustReputation: c.FormValue("flag_trust_reputation"), Version: c.FormValue("version"),
	}
}

// adminModerationSave saves the settings as typed. Refused, the form shows
// them again as typed with the problems; refused because another admin saved
// meanwhile, also what they saved, and the version to save over it.
func (s *Server) adminModerationSave(c *fiber.Ctx) error {
	typed := settingsForm(c)
	saved, err := s.Settings.SaveForm(c.UserContext(), currentUser(c), typed)
	if err != nil {
		p, perr := s.adminModerationPage(c)
		if perr != nil {
			return perr
		}
		if errors.Is(err, moderation.ErrSettingsChanged) {
			stored := p.Form
			p.Stored = &stored
			typed.Version = stored.Version
		}
		p.Form = typed
		return s.formError(c, "admin_moderation", p, &p.Errors, err)
	}
	s.Log.Info("moderation settings saved", "actor", currentUser(c).ID, "version", saved.Version, "request_id", requestID(c))
	return s.redirectWithNotice(c, "/admin/moderation", "settings.saved")
}

func (s *Server) adminModerationReset(c *fiber.Ctx) error {
	reset, err := s.Settings.Reset(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	s.Log.Info("moderation settings reset", "actor", currentUser(c).ID, "version", reset.Version, "request_id", requestID(c))
	return s.redirectWithNotice(c, "/admin/moderation", "settings.reset")
}
