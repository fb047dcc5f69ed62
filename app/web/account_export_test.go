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
