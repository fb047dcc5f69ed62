package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/thread"
)

// TestAuditLogPage: a moderator's action shows in /mod/audit, filtered and
// exported; members are refused and guests sent to sign in.
func TestAuditLogPage(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	ctx := context.Background()
	th := seedThread(t, srv)
	other, err := srv.App.Threads.Create(ctx, srv.Fixtures.Other, thread.Ask{BoardID: th.BoardID, Title: "Wi-Fi gone every evening again", Body: "Since Monday."})
	if err != nil {
		t.Fatal(err)
	}
	mod := srv.Client(t)
	mod.Login("mia_mod", apptest.Password)
	mod.Get(fmt.Sprintf("/t/%d", other.ID))
	if r := mod.Post(fmt.Sprintf("/t/%d/duplicate", other.ID), form("canonical", fmt.Sprint(th.ID))); r.StatusCode != http.StatusOK {
		t.Fatalf("close as duplicate: %d", r.StatusCode)
	}
	// A reason that a spreadsheet would run as a formula.
	if err := srv.App.Audit.Record(ctx, audit.Entry{ActorID: srv.Fixtures.Admin.ID, Action: audit.ChangeRole,
		MemberID: audit.Ref(srv.Fixtures.Agent.ID), Before: "member", After: "agent", Reason: `=HYPERLINK("http://evil")`}); err != nil {
		t.Fatal(err)
	}

	r := mod.Get("/mod/audit")
	mustContain(t, r, "Audit log", "@mia_mod", "Closed as a duplicate", "@otto", fmt.Sprintf(`<a href="/t/%d">#%d</a>`, other.ID, other.ID),
		fmt.Sprintf("→ #%d", th.ID), "Changed the role", "@sam_agent", "member → agent", "=HYPERLINK(&#34;http://evil&#34;)")
	r = mod.Get("/mod/audit?actor=mia_mod&action=thread.close_duplicate")
	mustContain(t, r, "Closed as a duplicate")
	if strings.Contains(r.Body, "member → agent") {
		t.Error("the filter by actor and action shows the admin's role change")
	}
	r = mod.Get("/mod/audit?member=nobody_here&from=yesterday")
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown member and bad date: %d", r.StatusCode)
	}
	mustContain(t, r, "Nobody has this username.", "Enter a date as YYYY-MM-DD.")
	de := srv.Client(t)
	de.Language = "de"
	de.Login("mia_mod", apptest.Password)
	de.Post("/language", form("lang", "de", "next", "/"))
	mustContain(t, de.Get("/mod/audit?member=@otto"), `<html lang="de">`, "Als Duplikat geschlossen", "@otto")

	r = mod.Get("/mod/audit.csv")
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("export: %s, %q", ct, r.Header.Get("Content-Disposition"))
	}
	records, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatalf("export is no CSV: %v\n%s", err, r.Body)
	}
	if len(records) != 3 {
		t.Fatalf("export has %d lines, want a header and 2 rows:\n%s", len(records), r.Body)
	}
	got := [][]string{records[0], records[1][2:], records[2][2:]}
	want := [][]string{
		{"id", "time", "actor", "action", "member", "thread", "post", "reason", "before", "after"},
		{"root_admin", audit.ChangeRole, "sam_agent", "", "", `'=HYPERLINK("http://evil")`, "member", "agent"},
		{"mia_mod", audit.CloseAsDuplicate, "otto", fmt.Sprint(other.ID), "", "", "", fmt.Sprintf("#%d", th.ID)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("export (-want +got)\n%s", diff)
	}

	member := srv.Client(t)
	member.Login("mara", apptest.Password)
	member.NoRedirects()
	guest := srv.Client(t).NoRedirects()
	for _, path := range []string{"/mod/audit", "/mod/audit.csv"} {
		if r := member.Get(path); r.StatusCode != http.StatusForbidden {
			t.Errorf("a member gets %s: %d, want 403", path, r.StatusCode)
		}
		agent := srv.Client(t)
		agent.Login("sam_agent", apptest.Password)
		agent.NoRedirects()
		if r := agent.Get(path); r.StatusCode != http.StatusForbidden {
			t.Errorf("an agent gets %s: %d, want 403", path, r.StatusCode)
		}
		if r := guest.Get(path); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Errorf("a guest gets %s: %d to %q, want the sign-in page", path, r.StatusCode, r.Header.Get("Location"))
		}
	}
}
