package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
)

// TestSuspendFromTheProfile: a moderator suspends a member from the profile;
// the member, signed out by it, signs in again, reads, and is told on every write
// why and until when, in their language; lifting it lets them write again.
func TestSuspendFromTheProfile(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	th := seedThread(t, srv)
	otto := srv.Client(t)
	otto.Login("otto", apptest.Password)
	mod := srv.Client(t)
	mod.Login("mia_mod", apptest.Password)
	r := mod.Get("/u/otto")
	mustContain(t, r, "Suspend or silence", `action="/u/otto/restrict"`)
	if strings.Contains(otto.Get("/u/otto").Body, "Suspend or silence") {
		t.Error("a member sees the form to suspend themselves")
	}
	r = mod.Post("/u/otto/restrict", form("kind", "vanish", "reason", "x"))
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an unknown kind: %d, want 422", r.StatusCode)
	}
	mustContain(t, r, "Choose what to do.", "Suspend or silence")
	until := time.Now().AddDate(0, 0, 7).Format(time.DateOnly)
	r = mod.Post("/u/otto/restrict", form("kind", "suspend", "until", "yesterday", "reason", "Advertising."))
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a bad date: %d, want 422", r.StatusCode)
	}
	mustContain(t, r, "Enter a date as YYYY-MM-DD.")
	r = mod.Post("/u/otto/restrict", form("kind", "suspend", "until", until, "reason", "Advertising."))
	mustContain(t, r, "The member&#39;s restrictions have been saved.", "Suspended until", "Reason: Advertising.")

	// The suspension ended otto's session: he signs in again.
	if r := otto.Get("/settings/profile"); !strings.Contains(r.Body, `action="/login"`) {
		t.Error("a suspended member's session outlived the suspension")
	}
	otto.Login("otto", apptest.Password)
	threadPath := fmt.Sprintf("/t/%d/%s", th.ID, th.Slug)
	otto.Get(threadPath)
	r = otto.Post(fmt.Sprintf("/t/%d/reply", th.ID), form("body", "Buy my routers."))
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("a suspended member's reply: %d, want 403", r.StatusCode)
	}
	mustContain(t, r, "Your account is suspended until", "Reason: Advertising.")
	mustContain(t, otto.Get("/u/otto"), "Suspended until")
	if strings.Contains(srv.Client(t).Get("/u/otto").Body, "Suspended until") {
		t.Error("guests see the suspension")
	}
	if strings.Contains(otto.Get(threadPath).Body, "Buy my routers.") {
		t.Error("the refused reply was posted")
	}
	de := srv.Client(t)
	de.Language = "de"
	de.Login("otto", apptest.Password)
	de.Post("/language", form("lang", "de", "next", threadPath))
	mustContain(t, de.Post(fmt.Sprintf("/t/%d/reply", th.ID), form("body", "Kauft meine Router.")), "Ihr Konto ist gesperrt bis", "Grund: Advertising.")

	mustContain(t, mod.Get("/mod/audit"), "Restricted a member", "suspended until "+until)
	mod.Get("/u/otto")
	mustContain(t, mod.Post("/u/otto/restrict", form("kind", "lift")), "The member&#39;s restrictions have been saved.")
	otto.Get(threadPath)
	if r := otto.Post(fmt.Sprintf("/t/%d/reply", th.ID), form("body", "Restart the router, then wait two minutes.")); r.StatusCode != http.StatusOK {
		t.Errorf("a reply after the suspension was lifted: %d", r.StatusCode)
	}

	// A moderator cannot restrict staff who moderate, nor an agent members.
	mod.Get("/u/root_admin")
	if r := mod.Post("/u/root_admin/restrict", form("kind", "suspend", "reason", "x")); r.StatusCode != http.StatusForbidden {
		t.Errorf("a moderator suspends an admin: %d, want 403", r.StatusCode)
	}
}
