package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/user"
)

// settingsValues is f as the admin page's form sends it.
func settingsValues(f moderation.SettingsForm) url.Values {
	return url.Values{
		"trust_reputation": {f.TrustReputation}, "review_first_posts": {f.ReviewFirstPosts},
		"newcomer_posts_per_day": {f.NewcomerPostsPerDay}, "edit_others_reputation": {f.EditOthersReputation},
		"max_links": {f.MaxLinks}, "new_account": {f.NewAccount}, "repeat": {f.Repeat}, "block_words": {f.BlockWords},
		"flags_to_hide": {f.FlagsToHide}, "flag_trust_reputation": {f.FlagTrustReputation}, "version": {f.Version},
	}
}

// TestModerationSettingsPage: an admin sees every setting with its environment
// default, saves new values that are in force at once, is told in German what
// is wrong with a bad one, is told when another admin saved meanwhile without
// losing what they typed, and resets; a moderator may not even look.
func TestModerationSettingsPage(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) {
		c.SpamMaxLinks, c.SpamBlockWords = 3, []string{"Casino"}
	}})
	admin := srv.Client(t)
	admin.Login("root_admin", apptest.Password)
	r := admin.Get("/admin/moderation")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin/moderation: %d", r.StatusCode)
	}
	mustContain(t, r, "Moderation settings", `href="/admin/moderation"`, `name="max_links" value="3"`, "Default from SCHWARM_SPAM_MAX_LINKS: 3",
		"Default from SCHWARM_SPAM_BLOCK_WORDS: casino", "Default from SCHWARM_TRUST_REPUTATION: 0", "The environment&#39;s values are in force", `name="version" value="0"`, `action="/admin/moderation/reset"`)
	for _, name := range []string{"trust_reputation", "review_first_posts", "newcomer_posts_per_day", "edit_others_reputation",
		"max_links", "new_account", "repeat", "block_words", "flags_to_hide", "flag_trust_reputation"} {
		mustContain(t, r, `<label for="`+name+`">`, `name="`+name+`"`)
	}
	mustNotContain(t, r, "<script>", "style=")

	f := srv.App.Settings.Defaults().Form()
	f.Version = "0"
	f.MaxLinks, f.Repeat, f.BlockWords = "7", "90m", "Casino\r\nLottery\r\n"
	r = admin.Post("/admin/moderation", settingsValues(f))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("save: %d", r.StatusCode)
	}
	mustContain(t, r, "The moderation settings have been saved", `name="max_links" value="7"`, `name="repeat" value="1h30m"`,
		"casino\nlottery</textarea>", "Saved settings are in force (version 1)", `name="version" value="1"`)
	if got := srv.App.Threads.SpamRules(); got.MaxLinks != 7 || !slices.Equal(got.BlockWords, []string{"casino", "lottery"}) {
		t.Errorf("spam rules in force after the save: %+v", got)
	}

	mod := srv.Client(t)
	mod.Login("mia_mod", apptest.Password)
	if r := mod.Get("/admin/moderation"); r.StatusCode != http.StatusForbidden {
		t.Errorf("a moderator's GET: %d, want 403", r.StatusCode)
	}
	mod.Get("/mod/queue")
	f.MaxLinks, f.Version = "0", "1"
	if r := mod.Post("/admin/moderation", settingsValues(f)); r.StatusCode != http.StatusForbidden {
		t.Errorf("a moderator's save: %d, want 403", r.StatusCode)
	}

	// Two admins at one form: the second to save is told, keeps what they
	// typed and sees what the first saved.
	other := srv.Client(t)
	other.Login("root_admin", apptest.Password)
	other.Get("/admin/moderation")
	admin.Get("/admin/moderation")
	first, second := f, f
	first.MaxLinks, second.MaxLinks, second.FlagsToHide = "9", "11", "4"
	if r := admin.Post("/admin/moderation", settingsValues(first)); !strings.Contains(r.Body, `name="max_links" value="9"`) {
		t.Fatalf("the first save: %d", r.StatusCode)
	}
	r = other.Post("/admin/moderation", settingsValues(second))
	if r.StatusCode != http.StatusConflict {
		t.Errorf("the second save: %d, want 409", r.StatusCode)
	}
	mustContain(t, r, "Another administrator saved these settings in the meantime", `name="max_links" value="11"`,
		`name="flags_to_hide" value="4"`, "Saved meanwhile: 9", `name="version" value="2"`)
	if got := srv.App.Threads.SpamRules().MaxLinks; got != 9 {
		t.Errorf("links in force after the refused save: %d, want the first admin's 9", got)
	}

	r = admin.Post("/admin/moderation/reset", url.Values{})
	mustContain(t, r, "back to the environment&#39;s values", `name="max_links" value="3"`, "The environment&#39;s values are in force")
	if got := srv.App.Threads.SpamRules(); got.MaxLinks != 3 || !slices.Equal(got.BlockWords, []string{"casino"}) {
		t.Errorf("spam rules after the reset: %+v", got)
	}
	if s, err := srv.App.Settings.Load(context.Background()); err != nil || s.Version != 3 {
		t.Errorf("after the reset: version %d, %v; want 3", s.Version, err)
	}
	// An admin without a language of their own gets the browser's.
	if _, err := srv.App.Users.Register(context.Background(), user.Registration{Handle: "ada_admin", Email: "ada@example.com",
		Password: apptest.Password, Role: user.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	german := srv.Client(t)
	german.Language = "de"
	german.Login("ada_admin", apptest.Password)
	german.Get("/admin/moderation")
	bad := srv.App.Settings.Defaults().Form()
	bad.Version, bad.MaxLinks, bad.NewAccount = "3", "-2", "ein Tag"
	r = german.Post("/admin/moderation", settingsValues(bad))
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad values: %d, want 422", r.StatusCode)
	}
	mustContain(t, r, `<html lang="de">`, `id="max_links-error">Bitte eine ganze Zahl von 0 bis 100 eingeben.`,
		`id="new_account-error">Bitte eine Dauer wie 30m oder 24h eingeben`, `name="max_links" value="-2"`, `aria-invalid="true"`)
	if got := srv.App.Threads.SpamRules().MaxLinks; got != 3 {
		t.Errorf("links in force after a refused save: %d, want 3", got)
	}
}
