package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/schwarm/schwarm/app/database"
)

// Actions, one per kind of staff action; they are also i18n keys under
// "audit.action.".
const (
	ApprovePost      = "post.approve"
	RejectPost       = "post.reject"
	DeletePost       = "post.delete"
	RestorePost      = "post.restore"
	EditPost         = "post.edit" // staff changed someone else's post
	CloseAsDuplicate = "thread.close_duplicate"
	Reopen           = "thread.reopen"
	MoveThread       = "thread.move"
	MergeThread      = "thread.merge"
	SplitThread      = "thread.split"
	LockThread       = "thread.lock"
	UnlockThread     = "thread.unlock"
	PinThread        = "thread.pin"
	UnpinThread      = "thread.unpin"
	HideThread       = "thread.hide"
	RestoreThread    = "thread.restore"
	ChangeRole       = "member.role"
	Restrict         = "member.restrict"
	HidePost         = "post.hide"
	DismissFlags     = "post.dismiss_flags"     // a flagged post kept as it is
	DismissReports   = "member.dismiss_reports" // a reported member left alone
	ChangeSettings   = "settings.change"        // an admin saved or reset the moderation settings
	ExportMember     = "member.export"          // an admin downloaded a member's data
	DeleteMember     = "member.delete"          // a member's account erased, by them or an admin
	PublishNotice    = "notice.publish"         // an agent or moderator published a site notice
	EndNotice        = "notice.end"             // and ended one early
)

// Actions lists every action, for the log's filter.
var Actions = []string{ApprovePost, RejectPost, HidePost, DismissFlags, EditPost, DeletePost, RestorePost, CloseAsDuplicate, Reopen,
	MoveThread, MergeThread, SplitThread, LockThread, UnlockThread, PinThread, UnpinThread, HideThread, RestoreThread,
	ChangeRole, Restrict, DismissReports, ChangeSettings, ExportMember, DeleteMember, PublishNotice, EndNotice}

// Entry is one row of the log.
type Entry struct {
	ID       int64
	ActorID  int64
	Action   string
	MemberID *int64 // the member acted on: the author of the post, the member whose role changed
	ThreadID *int64
	PostID   *int64
	Reason   string
	Before   string
	After    string
	// CreatedAt is set by Record.
	CreatedAt time.Time
}

// TableName keeps GORM off the pluralised default.
func (Entry) TableName() string { return "audit_log" }

// Ref is a nullable id for an Entry's targets: 0 is none.
func Ref(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// Log writes and reads the audit log.
type Log struct {
	db  *database.DB
	now func() time.Time
}

// New returns a Log.
func New(db *database.DB, now func() time.Time) *Log { return &Log{db: db, now: now} }

// Record writes e. Called with the ctx of the action's transaction, it commits or
// rolls back with the action.
func (l *Log) Record(ctx context.Context, e Entry) error {
	e.ID, e.CreatedAt = 0, l.now().UTC()
	if err := l.db.Writer(ctx).Create(&e).Error; err != nil {
		return fmt.Errorf("audit: record %s by %d: %w", e.Action, e.ActorID, err)
	}
	return nil
}

// Filter narrows a read of the log; zero fields do not filter.
type Filter struct {
	ActorID  int64
	MemberID int64
	Action   string
	From, To time.Time // To is exclusive
	Before   int64     // keyset: rows with a smaller id, the next page
}

// Page is one page of the log, newest first.
type Page struct {
	Entries []Entry
	Next    int64 // the Before of the next page; 0 = none
}

// List returns up to limit entries that match f, newest first.
func (l *Log) List(ctx context.Context, f Filter, limit int) (*Page, error) {
	q := l.db.Reader(ctx).Model(&Entry{})
	if f.ActorID != 0 {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.MemberID != 0 {
		q = q.Where("member_id = ?", f.MemberID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("created_at < ?", f.To.UTC())
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	var entries []Entry
	if err := q.Order("id DESC").Limit(limit + 1).Find(&entries).Error; err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	p := &Page{Entries: entries}
	if len(entries) > limit {
		p.Entries = entries[:limit]
		p.Next = p.Entries[limit-1].ID
	}
	return p, nil
}
