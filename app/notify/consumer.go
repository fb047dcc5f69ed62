package notify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/outbox"
	"github.com/schwarm/schwarm/app/thread"
)

// consumerName is the stream's key of the consumer's position, and of its
// progress row: never to change once deployed.
const consumerName = "notifications"

// Name is the consumer's name in the stream.
func (s *Service) Name() string { return consumerName }

// recipient is one member to tell, and as what.
type recipient struct {
	userID int64
	kind   string
}

// plan is what one record tells whom.
type plan struct {
	rec      outbox.Entry
	threadID int64
	postID   int64
	detail   string
	groupKey string      // kudos on one post: one row while unread
	to       []recipient // by user id, each member once
	watch    []int64     // members who now watch the thread
}

// progress is how far the consumer got: the record at pos is done up to the
// recipient with user id cursor (doneCursor: all of it).
type progress struct {
	pos    outbox.Position
	cursor int64
}

// doneCursor marks a record whose every recipient is told.
const doneCursor = -1

// Handle writes the notifications of records. The stream delivers a batch at
// least once; the progress row, written in each of Handle's transactions,
// skips what an earlier delivery wrote.
func (s *Service) Handle(ctx context.Context, records []outbox.Entry) error {
	prog, err := s.progress(ctx)
	if err != nil {
		return err
	}
	for _, r := range records {
		pos := r.Position()
		from := int64(0)
		switch {
		case pos.Before(prog.pos), pos == prog.pos && prog.cursor == doneCursor:
			continue
		case pos == prog.pos:
			from = prog.cursor
		}
		p, err := s.plan(ctx, r)
		if err != nil {
			return err
		}
		if p == nil {
			continue
		}
		if err := s.deliver(ctx, p, from); err != nil {
			return err
		}
		prog = progress{pos: pos, cursor: doneCursor}
	}
	return nil
}

func (s *Service) progress(ctx context.Context) (progress, error) {
	var row struct {
		Tx         uint64
		RecordID   int64
		UserCursor int64
	}
	res := s.db.Reader(ctx).Raw("SELECT tx, record_id, user_cursor FROM notify_progress WHERE name = ?", consumerName).Scan(&row)
	if res.Error != nil {
		return progress{}, fmt.Errorf("notify: read progress: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return progress{cursor: doneCursor}, nil
	}
	return progress{pos: outbox.Position{Tx: row.Tx, ID: row.RecordID}, cursor: row.UserCursor}, nil
}

func (s *Service) saveProgress(ctx context.Context, p progress) error {
	err := s.db.Writer(ctx).Exec("INSERT INTO notify_progress (name, tx, record_id, user_cursor) VALUES (?, ?, ?, ?) "+
		"ON CONFLICT (name) DO UPDATE SET tx = excluded.tx, record_id = excluded.record_id, user_cursor = excluded.user_cursor",
		consumerName, p.pos.Tx, p.pos.ID, p.cursor).Error
	if err != nil {
		return fmt.Errorf("notify: save progress: %w", err)
	}
	return nil
}

// plan reads whom record r tells; nil when nobody.
func (s *Service) plan(ctx context.Context, r outbox.Entry) (*plan, error) {
	p := &plan{rec: r}
	var err error
	switch r.Topic {
	case event.TopicQuestionAsked:
		err = s.planQuestion(ctx, p)
	case event.TopicAnswerPosted:
		err = s.planAnswer(ctx, p)
	case event.TopicSolutionAccepted:
		var e event.SolutionAccepted
		if e, err = event.Decode[event.SolutionAccepted](r); err == nil {
			p.threadID, p.postID = e.ThreadID, e.PostID
			p.add(e.AuthorID, KindAccepted)
		}
	case event.TopicKudosGiven:
		var e event.KudosGiven
		if e, err = event.Decode[event.KudosGiven](r); err == nil {
			p.threadID, p.postID, p.groupKey = e.ThreadID, e.PostID, "kudos:"+strconv.FormatInt(e.PostID, 10)
			p.add(e.AuthorID, KindKudos)
		}
	case event.TopicBadgeGranted:
		var e event.BadgeGranted
		if e, err = event.Decode[event.BadgeGranted](r); err == nil {
			p.detail = e.Badge
			p.add(e.UserID, KindBadge)
		}
	case event.TopicPostApproved:
		var e event.PostApproved
		if e, err = event.Decode[event.PostApproved](r); err == nil {
			p.threadID, p.postID = e.ThreadID, e.PostID
			p.add(e.AuthorID, KindApproved)
		}
	case event.TopicPostRejected:
		var e event.PostRejected
		if e, err = event.Decode[event.PostRejected](r); err == nil {
			p.threadID, p.postID, p.detail = e.ThreadID, e.PostID, e.Reason
			p.add(e.AuthorID, KindRejected)
		}
	case event.TopicPostHidden:
		var e event.PostHidden
		if e, err = event.Decode[event.PostHidden](r); err == nil {
			p.threadID, p.postID, p.detail = e.ThreadID, e.PostID, e.Note
			p.add(e.AuthorID, KindHidden)
		}
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p.finish(r.ActorID)
	if len(p.to) == 0 && len(p.watch) == 0 {
		return nil, nil
	}
	return p, nil
}

// add tells userID as kind, unless they are told already as something that
// weighs more (added earlier).
func (p *plan) add(userID int64, kind string) {
	if userID != 0 {
		p.to = append(p.to, recipient{userID, kind})
	}
}

// finish drops the actor (nobody is told of what they did themselves) and the
// second mention of a member, and sorts the recipients by user id, the order
// of the transactions that tell them.
func (p *plan) finish(actorID int64) {
	seen := make(map[int64]bool, len(p.to))
	out := p.to[:0]
	for _, r := range p.to {
		if r.userID == actorID || seen[r.userID] {
			continue
		}
		seen[r.userID] = true
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b recipient) int { return cmp.Compare(a.userID, b.userID) })
	p.to = out
}

// visibleThread loads the thread of an event for members who are not its
// author: nil when they may not see it (hidden, deleted, waiting for review).
func (s *Service) visibleThread(ctx context.Context, id int64) (*thread.Thread, error) {
	t, err := s.threads.Get(ctx, id)
	if errors.Is(err, thread.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !thread.CanSee(nil, t) {
		return nil, nil
	}
	return t, nil
}

// publishedPost starts the plan of a question or answer just published: what it
// is about, and its author now watching the thread. The thread is nil when
// readers may not see it, and then nobody else is told.
func (s *Service) publishedPost(ctx context.Context, p *plan, threadID, postID, authorID int64) (*thread.Thread, error) {
	p.threadID, p.postID = threadID, postID
	p.watch = []int64{authorID}
	return s.visibleThread(ctx, threadID)
}

func (s *Service) planQuestion(ctx context.Context, p *plan) error {
	e, err := event.Decode[event.QuestionAsked](p.rec)
	if err != nil {
		return err
	}
	t, err := s.publishedPost(ctx, p, e.ThreadID, e.PostID, e.AuthorID)
	if err != nil || t == nil {
		return err
	}
	mentioned, err := s.mentioned(ctx, e.PostID, e.AuthorID)
	if err != nil {
		return err
	}
	for _, id := range mentioned {
		p.add(id, KindMention)
	}
	var watchers []int64
	err = s.db.Reader(ctx).Raw("SELECT DISTINCT user_id FROM watches WHERE level = 'watching' AND "+
		"((target = 'board' AND target_id = ?) OR (target = 'tag' AND target_id IN (SELECT tag_id FROM thread_tags WHERE thread_id = ?)))",
		t.BoardID, t.ID).Scan(&watchers).Error
	if err != nil {
		return fmt.Errorf("notify: watchers of board %d: %w", t.BoardID, err)
	}
	for _, id := range watchers {
		p.add(id, KindQuestion)
	}
	return nil
}

func (s *Service) planAnswer(ctx context.Context, p *plan) error {
	e, err := event.Decode[event.AnswerPosted](p.rec)
	if err != nil {
		return err
	}
	t, err := s.publishedPost(ctx, p, e.ThreadID, e.PostID, e.AuthorID)
	if err != nil || t == nil {
		return err
	}
	var rows []struct {
		UserID int64
		Level  string
	}
	if err := s.db.Reader(ctx).Raw("SELECT user_id, level FROM watches WHERE target = 'thread' AND target_id = ?", e.ThreadID).
		Scan(&rows).Error; err != nil {
		return fmt.Errorf("notify: watchers of thread %d: %w", e.ThreadID, err)
	}
	muted := map[int64]bool{}
	for _, r := range rows {
		if r.Level == "muted" {
			muted[r.UserID] = true
		}
	}
	tell := func(id int64, kind string) {
		if !muted[id] {
			p.add(id, kind)
		}
	}
	asker, watcher := KindAnswer, KindReply
	if e.Official {
		asker, watcher = KindOfficial, KindOfficial
	}
	tell(e.AskerID, asker)
	mentioned, err := s.mentioned(ctx, e.PostID, e.AuthorID)
	if err != nil {
		return err
	}
	for _, id := range mentioned {
		tell(id, KindMention)
	}
	for _, r := range rows {
		if r.Level == "watching" {
			tell(r.UserID, watcher)
		}
	}
	return nil
}

// member is what telling someone needs of their account.
type member struct {
	ID       int64
	Email    string
	Verified bool
	Locale   string
	Delivery string
}

// members reads the accounts of ids (deleted ones left out) with their
// delivery of each one's kind.
func (s *Service) members(ctx context.Context, to []recipient) (map[int64]member, error) {
	ids := make([]int64, len(to))
	for i, r := range to {
		ids[i] = r.userID
	}
	var users []struct {
		ID              int64
		Email           string
		EmailVerifiedAt *time.Time
		Locale          string
	}
	if err := s.db.Reader(ctx).Raw("SELECT id, email, email_verified_at, locale FROM users WHERE id IN ? AND deleted_at IS NULL", ids).
		Scan(&users).Error; err != nil {
		return nil, fmt.Errorf("notify: read recipients: %w", err)
	}
	var prefs []pref
	if err := s.db.Reader(ctx).Where("user_id IN ?", ids).Find(&prefs).Error; err != nil {
		return nil, fmt.Errorf("notify: read preferences: %w", err)
	}
	chosen := make(map[int64]map[string]string)
	for _, p := range prefs {
		if chosen[p.UserID] == nil {
			chosen[p.UserID] = map[string]string{}
		}
		chosen[p.UserID][p.Kind] = p.Delivery
	}
	kinds := make(map[int64]string, len(to))
	for _, r := range to {
		kinds[r.userID] = r.kind
	}
	out := make(map[int64]member, len(users))
	for _, u := range users {
		d, ok := chosen[u.ID][kinds[u.ID]]
		if !ok {
			d = defaults[kinds[u.ID]]
		}
		out[u.ID] = member{ID: u.ID, Email: u.Email, Verified: u.EmailVerifiedAt != nil, Locale: u.Locale, Delivery: d}
	}
	return out, nil
}

// deliver tells p's recipients past user id from, batch by batch, each batch
// one transaction with the progress it makes.
func (s *Service) deliver(ctx context.Context, p *plan, from int64) error {
	to := p.to
	if from > 0 {
		i, _ := slices.BinarySearchFunc(to, from+1, func(r recipient, id int64) int { return cmp.Compare(r.userID, id) })
		to = to[i:]
	}
	var content *mailContent
	first := true
	for first || len(to) > 0 {
		n := min(len(to), s.opts.Batch)
		chunk := to[:n]
		to = to[n:]
		var accounts map[int64]member
		if len(chunk) > 0 {
			var err error
			if accounts, err = s.members(ctx, chunk); err != nil {
				return err
			}
			if content == nil && s.mailOn() && wantsMail(accounts) {
				if content, err = s.mailContent(ctx, p); err != nil {
					return err
				}
			}
		}
		cursor := int64(doneCursor)
		if len(to) > 0 {
			cursor = chunk[len(chunk)-1].userID
		}
		// Mails are rendered before the transaction: the writer is held
		// for the rows only.
		mails, err := s.composeAll(ctx, p, chunk, accounts, content)
		if err != nil {
			return err
		}
		watch := first && from == 0
		err = s.db.InTx(ctx, func(ctx context.Context) error {
			if watch {
				if err := s.autoWatch(ctx, p); err != nil {
					return err
				}
			}
			if err := s.write(ctx, p, chunk, accounts, mails); err != nil {
				return err
			}
			return s.saveProgress(ctx, progress{pos: p.rec.Position(), cursor: cursor})
		})
		if err != nil {
			return err
		}
		first = false
	}
	return nil
}

func wantsMail(accounts map[int64]member) bool {
	for _, m := range accounts {
		if m.Delivery == DeliverEmail && m.Verified {
			return true
		}
	}
	return false
}

// autoWatch has the thread's asker, or the answer's author, watch it, unless
// they once chose (watching it or not).
func (s *Service) autoWatch(ctx context.Context, p *plan) error {
	for _, id := range p.watch {
		if err := s.db.Writer(ctx).Exec("INSERT INTO watches (user_id, target, target_id, level, created_at) VALUES (?, 'thread', ?, 'watching', ?) "+
			"ON CONFLICT DO NOTHING", id, p.threadID, s.now()).Error; err != nil {
			return fmt.Errorf("notify: watch thread %d for %d: %w", p.threadID, id, err)
		}
	}
	return nil
}

// row is one notification.
type row struct {
	ID            int64
	UserID        int64
	Kind          string
	ThreadID      int64
	PostID        int64
	ActorID       int64
	Actors        int
	Detail        string
	GroupKey      string
	DigestPending bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ReadAt        *time.Time
}

func (row) TableName() string { return "notifications" }

// composeAll renders the mails of chunk's members who want them at once.
func (s *Service) composeAll(ctx context.Context, p *plan, chunk []recipient, accounts map[int64]member, content *mailContent) (map[int64]Mail, error) {
	if content == nil {
		return nil, nil
	}
	mails := map[int64]Mail{}
	for _, r := range chunk {
		m, ok := accounts[r.userID]
		if !ok || m.Delivery != DeliverEmail || !m.Verified {
			continue
		}
		mail, err := s.compose(ctx, content, m, p, r.kind)
		if err != nil {
			return nil, err
		}
		mails[r.userID] = mail
	}
	return mails, nil
}

// write stores the notifications of chunk and queues their mails.
func (s *Service) write(ctx context.Context, p *plan, chunk []recipient, accounts map[int64]member, mails map[int64]Mail) error {
	now := s.now()
	rows := make([]row, 0, len(chunk))
	for _, r := range chunk {
		m, ok := accounts[r.userID]
		if !ok || m.Delivery == DeliverOff {
			continue
		}
		rows = append(rows, row{UserID: r.userID, Kind: r.kind, ThreadID: p.threadID, PostID: p.postID, ActorID: p.rec.ActorID,
			Actors: 1, Detail: p.detail, GroupKey: p.groupKey, DigestPending: m.Delivery == DeliverDigest, CreatedAt: now, UpdatedAt: now})
	}
	if len(rows) == 0 {
		return nil
	}
	w := s.db.Writer(ctx)
	if p.groupKey == "" {
		if err := w.CreateInBatches(&rows, 250).Error; err != nil {
			return fmt.Errorf("notify: write %d notifications of record %d: %w", len(rows), p.rec.ID, err)
		}
	} else {
		for i := range rows {
			r := &rows[i]
			// Kudos on a post the member has not looked at since add up in one row.
			err := w.Raw("INSERT INTO notifications (user_id, kind, thread_id, post_id, actor_id, actors, detail, group_key, digest_pending, created_at, updated_at) "+
				"VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?) ON CONFLICT (user_id, group_key) WHERE read_at IS NULL AND group_key <> '' "+
				"DO UPDATE SET actors = notifications.actors + 1, actor_id = excluded.actor_id, updated_at = excluded.updated_at, "+
				"digest_pending = excluded.digest_pending RETURNING id, actors",
				r.UserID, r.Kind, r.ThreadID, r.PostID, r.ActorID, r.Detail, r.GroupKey, r.DigestPending, r.CreatedAt, r.UpdatedAt).
				Row().Scan(&r.ID, &r.Actors)
			if err != nil {
				return fmt.Errorf("notify: write grouped notification of record %d: %w", p.rec.ID, err)
			}
		}
	}
	for _, r := range rows {
		mail, ok := mails[r.UserID]
		if !ok || r.Actors > 1 {
			continue // a grouped kudos was mailed when its row began
		}
		if err := s.opts.Mailer.Queue(ctx, mail); err != nil {
			return fmt.Errorf("notify: queue mail of notification %d: %w", r.ID, err)
		}
	}
	return nil
}
