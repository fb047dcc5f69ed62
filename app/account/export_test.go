package account_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/account"
	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/deflection"
	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/thread"
)

// TestExportHoldsEverythingAndNoSecrets: a member's export holds their posts
// with every earlier version (also one a moderator made), their kudos, flags,
// reputation and images; nothing of other members' own, and no password hash
// or session.
func TestExportHoldsEverythingAndNoSecrets(t *testing.T) {
	a := apptest.NewApp(t, apptest.Config(t, nil))
	ctx := context.Background()
	fx := apptest.Seed(t, a.Users)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	b := &board.Board{Slug: "internet", NameEN: "Internet", NameDE: "Internet"}
	must(a.Boards.Create(ctx, b))
	q, err := a.Threads.Create(ctx, fx.Member, thread.Ask{BoardID: b.ID, Title: "Router drops the line at night", Body: "Every night at three."})
	must(err)
	ans, err := a.Threads.Reply(ctx, fx.Other, q.ID, "Update the firmware.")
	must(err)
	_, _, err = a.Threads.GiveKudos(ctx, fx.Member, ans.ID)
	must(err)
	other, err := a.Threads.Reply(ctx, fx.Other, q.ID, "Buy my routers!")
	must(err)
	_, err = a.Moderation.Flag(ctx, fx.Member, other.ID, moderation.FlagInput{Kind: moderation.FlagSpam})
	must(err)
	page, err := a.Threads.Posts(ctx, fx.Moderator, q, 1)
	must(err)
	_, err = a.Moderation.Edit(ctx, fx.Moderator, page.Question.ID, thread.Edit{Title: "Router drops the line every night", Body: "Every night at 3 am.", Reason: "clearer"})
	must(err)
	var img bytes.Buffer
	must(png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 4, 4))))
	up, err := a.Uploads.Save(ctx, fx.Member.ID, &img)
	must(err)
	token, err := a.Sessions.Create(ctx, fx.Member.ID, "192.0.2.1", "test")
	must(err)
	ask, err := a.Deflect.Start(ctx, fx.Member.ID)
	must(err)
	must(a.Deflect.Record(ctx, fx.Member.ID, ask, deflection.Shown, "router drops", q.ID))
	must(a.Deflect.Record(ctx, fx.Member.ID, ask, deflection.Clicked, "", q.ID))

	must(a.Users.Link(ctx, fx.Member.ID, "oidc", "sub-7", "mara@corp.example.com"))

	e, err := a.Accounts.Export(ctx, fx.Member.ID)
	must(err)
	if e.Profile.Handle != "mara" || e.Profile.Email != "mara@example.com" {
		t.Errorf("profile %+v", e.Profile)
	}
	if len(e.Posts) != 1 || e.Posts[0].Source != "Every night at 3 am." || len(e.Posts[0].Revisions) != 1 ||
		e.Posts[0].Revisions[0].Source != "Every night at three." || e.Posts[0].Revisions[0].ByMember || e.Posts[0].Revisions[0].Reason != "clearer" {
		t.Errorf("posts %+v", e.Posts)
	}
	if len(e.KudosGiven) != 1 || e.KudosGiven[0].PostID != ans.ID {
		t.Errorf("kudos %+v", e.KudosGiven)
	}
	if len(e.Flags) != 1 || e.Flags[0].PostID == nil || *e.Flags[0].PostID != other.ID {
		t.Errorf("flags %+v", e.Flags)
	}
	if len(e.Asks) != 1 || e.Asks[0].ID != ask || len(e.Asks[0].Events) != 2 || e.Asks[0].Events[0].Query != "router drops" ||
		e.Asks[0].Events[1].Kind != deflection.Clicked {
		t.Errorf("ask sessions %+v", e.Asks)
	}
	if len(e.Uploads) != 1 || e.Uploads[0].URL != up.URL() {
		t.Errorf("uploads %+v", e.Uploads)
	}
	if len(e.Identities) != 1 || e.Identities[0].Provider != "oidc" || e.Identities[0].Subject != "sub-7" || e.Identities[0].Email != "mara@corp.example.com" {
		t.Errorf("sign-on accounts %+v", e.Identities)
	}
	body, err := json.Marshal(e)
	must(err)
	u, err := a.Users.Get(ctx, fx.Member.ID)
	must(err)
	for _, secret := range []string{u.PasswordHash, "password", token, "192.0.2.1", "Update the firmware", "Buy my routers"} {
		if strings.Contains(string(body), secret) {
			t.Errorf("the export holds %q", secret)
		}
	}
	if _, err := a.Accounts.Export(ctx, 999_999); !errors.Is(err, account.ErrNoMember) {
		t.Errorf("export of nobody: %v", err)
	}
}
