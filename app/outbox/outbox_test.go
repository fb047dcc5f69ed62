package outbox_test

import (
	"context"
	"errors"
	"testing"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/outbox"
)

func TestAppendCommitsWithTheChange(t *testing.T) {
	db, ctx := apptest.NewDB(t), context.Background()
	boom := errors.New("boom")
	err := db.InTx(ctx, func(ctx context.Context) error {
		if err := outbox.Append(ctx, db, outbox.Thread, 1); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	for _, id := range []int64{2, 3, 4} {
		if err := db.InTx(ctx, func(ctx context.Context) error { return outbox.Append(ctx, db, outbox.Thread, id) }); err != nil {
			t.Fatal(err)
		}
	}
	all, err := outbox.After(ctx, db, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].EntityID != 2 || all[2].EntityID != 4 {
		t.Fatalf("entries %+v; the rolled-back one must be missing, the rest in order", all)
	}
	rest, _ := outbox.After(ctx, db, all[0].ID, 1)
	if len(rest) != 1 || rest[0].EntityID != 3 {
		t.Errorf("After(first, 1) = %+v", rest)
	}
}
