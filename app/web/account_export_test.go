package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/account"
	"github.com/schwarm/schwarm/app/apptest"
)

// TestDownloadMyData: a member downloads their data from the profile page as a
// JSON attachment that is never cached; an admin downloads a member's, and the
// audit log says so.
func TestDownloadMyData(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	c := srv.Client(t)
	c.Login("mara", apptest.Password)
	mustContain(t, c.Get("/settings/profile"), `href="/settings/export"`, "Download my data")
	r := c.Get("/settings/export")
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") ||
		!strings.Contains(r.Header.Get("Content-Disposition"), `attachment; filename="schwarm-mara-`) || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("export: %d, %q, %q, %q", r.StatusCode, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"), r.Header.Get("Cache-Control"))
	}
	var e account.Export
	if err := json.Unmarshal([]byte(r.Body), &e); err != nil || e.Profile.Handle != "mara" || e.Format != account.FormatVersion {
		t.Errorf("export body: %+v, %v", e.Profile, err)
	}

	admin := srv.Client(t)
	admin.Login("root_admin", apptest.Password)
	mustContain(t, admin.Get("/admin/users"), fmt.Sprintf(`href="/admin/users/%d/export"`, srv.Fixtures.Member.ID))
	if r := admin.Get(fmt.Sprintf("/admin/users/%d/export", srv.Fixtures.Member.ID)); !strings.Contains(r.Body, `"handle": "mara"`) {
		t.Errorf("an admin's export of mara: %d %.200s", r.StatusCode, r.Body)
	}
	if r := admin.Get("/admin/users/999999/export"); r.StatusCode != http.StatusNotFound {
		t.Errorf("export of nobody: %d, want 404", r.StatusCode)
	}
	mustContain(t, admin.Get("/mod/audit"), "Downloaded a member&#39;s data", "@mara")
}

// TestDeleteMyAccount: a member deletes their account from the settings page
// with their password; a wrong password or no confirmation is refused with a
// message in their language; afterwards they are signed out for good. An admin
// deletes another member's from /admin/users.
func TestDeleteMyAccount(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	c := srv.Client(t)
	c.Login("mara", apptest.Password)
	mustContain(t, c.Get("/settings/profile"), `action="/settings/delete"`)
	r := c.Post("/settings/delete", form("password", "wrong password", "confirm", "yes"))
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a wrong password: %d, want 422", r.StatusCode)
	}
	mustContain(t, r, "That is not your password.")
	mustContain(t, c.Post("/settings/delete", form("password", apptest.Password)), "Tick the box to confirm.")
	r = c.Post("/settings/delete", form("password", apptest.Password, "confirm", "yes"))
	mustContain(t, r, "Your account has been deleted.", `href="/login"`)
	if r := c.Get("/settings/profile"); r.Request.URL.Path != "/login" {
		t.Errorf("the settings after the deletion: at %s, want the sign-in page", r.Request.URL.Path)
	}
	again := srv.Client(t)
	again.Get("/login")
	if r := again.Post("/login", form("login", "mara", "password", apptest.Password)); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("signing in as mara afterwards: %d, want 401", r.StatusCode)
	}

	admin := srv.Client(t)
	admin.Login("root_admin", apptest.Password)
	r = admin.Post(fmt.Sprintf("/admin/users/%d/delete", srv.Fixtures.Other.ID), form("remove_posts", "yes"))
	mustContain(t, r, "The member&#39;s account has been deleted.")
	if u, err := srv.App.Users.Get(t.Context(), srv.Fixtures.Other.ID); err != nil || u.DisplayName != account.DeletedName {
		t.Errorf("otto after an admin deleted him: %+v, %v", u, err)
	}
	if r := admin.Post(fmt.Sprintf("/admin/users/%d/delete", srv.Fixtures.Admin.ID), form()); r.StatusCode != http.StatusForbidden {
		t.Errorf("an admin deleting themselves from the admin page: %d, want 403", r.StatusCode)
	}
	mustContain(t, admin.Get("/mod/audit"), "Deleted a member&#39;s account")
}
