package web

import (
	"context"
	"errors"
	"strconv"

	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/thread"
)

// noticeRow is one line of what staff did to a thread, as its page tells it:
// "Moved from Billing by a moderator: reason", with a link to the other thread
// of a split.
type noticeRow struct {
	Kind, Text, Reason string
	URL, LinkText      string
	ISO, Exact, Ago    string
}

// noticeRows words notices in the page's language. Who acted is not named:
// members are told "a moderator".
func (s *Server) noticeRows(ctx context.Context, p *threadPage, notices []thread.Notice) ([]noticeRow, error) {
	rows := make([]noticeRow, 0, len(notices))
	for _, n := range notices {
		r := noticeRow{Kind: n.Kind, Reason: n.Reason, ISO: n.CreatedAt.UTC().Format(isoFormat), Exact: p.ExactTime(n.CreatedAt), Ago: p.Ago(n.CreatedAt)}
		switch n.Kind {
		case thread.NoticeMoved:
			name := "?"
			if id, err := strconv.ParseInt(n.Detail, 10, 64); err == nil {
				b, err := s.Boards.Get(ctx, id)
				switch {
				case err == nil:
					name = b.Name(p.Lang)
				case !errors.Is(err, board.ErrNotFound):
					return nil, err
				}
			}
			r.Text = p.T("notice.moved", name)
		case thread.NoticeMerged:
			r.Text = p.T("notice.merged", n.Detail)
		case thread.NoticeSplitFrom, thread.NoticeSplitTo:
			r.Text = p.T("notice." + n.Kind)
			r.URL, r.LinkText = "/t/"+n.Detail, "#"+n.Detail
		default:
			r.Text = p.T("notice." + n.Kind)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// staffReason is the reason field of a staff form.
type staffReason struct{ ID, Label, Hint string }

// StaffReason is the reason field of the staff form of action.
func (p *threadPage) StaffReason(action string) staffReason {
	return staffReason{ID: action + "-reason", Label: p.T("staff.reason"), Hint: p.T("staff.reason_hint")}
}

// staffToggle is a staff form that takes only a reason.
type staffToggle struct{ Action, Label string }

// Toggles are the staff forms that switch the thread's lock, pin and
// visibility, each the way it is not now.
func (p *threadPage) Toggles() []staffToggle {
	pick := func(on bool, yes, no string) staffToggle {
		if on {
			return staffToggle{Action: yes, Label: p.T("staff." + yes)}
		}
		return staffToggle{Action: no, Label: p.T("staff." + no)}
	}
	t := p.Thread
	return []staffToggle{pick(t.Locked, "unlock", "lock"), pick(t.PinnedAt != nil, "unpin", "pin"), pick(t.HiddenAt != nil, "restore", "hide")}
}
