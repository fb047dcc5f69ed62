package event

import "time"

// The events. Each names the people it concerns, so that a consumer (a
// notification, a webhook, an audit line) needs no read of the database to know
// whom to tell; the actor is the record's, not the payload's.

// QuestionAsked: a question was published, at once or when a moderator approved
// it.
type QuestionAsked struct {
	ThreadID int64  `json:"thread_id"`
	PostID   int64  `json:"post_id"`
	AuthorID int64  `json:"author_id"`
	BoardID  int64  `json:"board_id"`
	Language string `json:"language"`
}

// AnswerPosted: an answer was published, at once or when a moderator approved
// it. First says it is the thread's first answer.
type AnswerPosted struct {
	ThreadID int64 `json:"thread_id"`
	PostID   int64 `json:"post_id"`
	AuthorID int64 `json:"author_id"`
	AskerID  int64 `json:"asker_id"`
	BoardID  int64 `json:"board_id"`
	Official bool  `json:"official"`
	First    bool  `json:"first"`
}

// PostHeld: a new post waits for review; only its author and staff see it.
type PostHeld struct {
	ThreadID int64 `json:"thread_id"`
	PostID   int64 `json:"post_id"`
	AuthorID int64 `json:"author_id"`
	Question bool  `json:"question"`
}

// PostApproved: a moderator (the actor) approved a post held for review.
type PostApproved struct {
	ThreadID int64 `json:"thread_id"`
	PostID   int64 `json:"post_id"`
	AuthorID int64 `json:"author_id"`
	Question bool  `json:"question"`
}

// PostRejected: a moderator (the actor) rejected a post held for review, with
// the reason its author is told.
type PostRejected struct {
	ThreadID int64  `json:"thread_id"`
	PostID   int64  `json:"post_id"`
	AuthorID int64  `json:"author_id"`
	Question bool   `json:"question"`
	Reason   string `json:"reason"`
}

// PostFlagged: a member (the actor) flagged a post for moderators, as Kind
// (spam, abusive, off_topic, duplicate, moderator); Hidden says the flag hid
// it (see PostHidden).
type PostFlagged struct {
	ThreadID int64  `json:"thread_id"`
	PostID   int64  `json:"post_id"`
	AuthorID int64  `json:"author_id"`
	Kind     string `json:"kind"`
	Hidden   bool   `json:"hidden,omitempty"`
}

// PostHidden: a published post went back to review, for Reason (flagged: after
// members flagged it, the actor is then the system; by_staff: a moderator, the
// actor, hid it, with Note for its author). Only its author and moderators see
// it until a moderator approves or rejects it.
type PostHidden struct {
	ThreadID int64  `json:"thread_id"`
	PostID   int64  `json:"post_id"`
	AuthorID int64  `json:"author_id"`
	Question bool   `json:"question"`
	Reason   string `json:"reason"`
	Note     string `json:"note,omitempty"`
}

// PostEdited: a post, or the question's title or tags, changed.
type PostEdited struct {
	ThreadID int64  `json:"thread_id"`
	PostID   int64  `json:"post_id"`
	AuthorID int64  `json:"author_id"`
	Revision int    `json:"revision"`
	Reason   string `json:"reason,omitempty"`
}

// PostDeleted: a post was deleted, by its author or by staff (the actor); the
// question's deletion takes the thread with it.
type PostDeleted struct {
	ThreadID int64 `json:"thread_id"`
	PostID   int64 `json:"post_id"`
	AuthorID int64 `json:"author_id"`
	Question bool  `json:"question"`
}

// PostRestored: a deleted post is back.
type PostRestored PostDeleted

// SolutionAccepted: an answer became the thread's accepted solution.
type SolutionAccepted struct {
	ThreadID int64 `json:"thread_id"`
	PostID   int64 `json:"post_id"`
	AuthorID int64 `json:"author_id"` // the answer's
	AskerID  int64 `json:"asker_id"`
}

// SolutionWithdrawn: the thread's accepted solution no longer is.
type SolutionWithdrawn SolutionAccepted

// KudosGiven: the actor gave kudos to a post.
type KudosGiven struct {
	ThreadID int64 `json:"thread_id"`
	PostID   int64 `json:"post_id"`
	AuthorID int64 `json:"author_id"` // the post's
}

// KudosWithdrawn: the actor took their kudos back.
type KudosWithdrawn KudosGiven

// DuplicateClosed: a moderator closed the thread as a duplicate of the
// canonical one, where the answer is.
type DuplicateClosed struct {
	ThreadID    int64 `json:"thread_id"`
	CanonicalID int64 `json:"canonical_id"`
	AskerID     int64 `json:"asker_id"`
}

// Reopened: a thread closed as a duplicate takes answers again.
type Reopened DuplicateClosed

// AliasesChanged: the titles a thread is also found by (those of its
// duplicates) changed.
type AliasesChanged struct {
	ThreadID int64 `json:"thread_id"`
}

// ThreadMoved: a moderator (the actor) moved a thread to another board.
type ThreadMoved struct {
	ThreadID    int64  `json:"thread_id"`
	AskerID     int64  `json:"asker_id"`
	FromBoardID int64  `json:"from_board_id"`
	ToBoardID   int64  `json:"to_board_id"`
	Reason      string `json:"reason,omitempty"`
}

// ThreadMerged: a moderator merged the thread into the target: its posts are
// the target's now, its address leads there. Search updates both.
type ThreadMerged struct {
	ThreadID      int64  `json:"thread_id"`
	TargetID      int64  `json:"target_id"`
	AskerID       int64  `json:"asker_id"`
	TargetAskerID int64  `json:"target_asker_id"`
	Reason        string `json:"reason,omitempty"`
}

// ThreadSplit: a moderator moved answers of the thread into a new thread, the
// first of them its question. Search updates both.
type ThreadSplit struct {
	ThreadID    int64   `json:"thread_id"`
	NewThreadID int64   `json:"new_thread_id"`
	PostIDs     []int64 `json:"post_ids"`
	AskerID     int64   `json:"asker_id"` // the new thread's: who wrote its first post
	Reason      string  `json:"reason,omitempty"`
}

// ThreadLocked: a moderator locked the thread: members no longer answer, edit,
// accept or give kudos in it.
type ThreadLocked struct {
	ThreadID int64  `json:"thread_id"`
	AskerID  int64  `json:"asker_id"`
	Reason   string `json:"reason,omitempty"`
}

// ThreadUnlocked: a locked thread is open to members again.
type ThreadUnlocked ThreadLocked

// ThreadPinned: a moderator pinned the thread to the top of its board.
type ThreadPinned struct {
	ThreadID int64  `json:"thread_id"`
	BoardID  int64  `json:"board_id"`
	Reason   string `json:"reason,omitempty"`
}

// ThreadUnpinned: the thread lists by its activity again.
type ThreadUnpinned ThreadPinned

// ThreadHidden: a moderator hid the thread from everyone but its asker and
// staff, for the reason the asker is told.
type ThreadHidden struct {
	ThreadID int64  `json:"thread_id"`
	AskerID  int64  `json:"asker_id"`
	Reason   string `json:"reason,omitempty"`
}

// ThreadRestored: a hidden thread is shown again.
type ThreadRestored ThreadHidden

// BadgeGranted: a member earned a badge.
type BadgeGranted struct {
	UserID int64  `json:"user_id"`
	Badge  string `json:"badge"`
}

// MemberJoined: an account was created.
type MemberJoined struct {
	UserID int64  `json:"user_id"`
	Handle string `json:"handle"`
}

// Restricted: a moderator (the actor) suspended or silenced a member, or lifted
// that (both ends zero). A suspended member reads but does not write; a silenced
// member's posts all wait for review. An end in year 9999 is none.
type Restricted struct {
	UserID         int64     `json:"user_id"`
	SuspendedUntil time.Time `json:"suspended_until,omitzero"`
	SilencedUntil  time.Time `json:"silenced_until,omitzero"`
	Reason         string    `json:"reason,omitempty"`
}

// MemberReported: a member (the actor) reported another to moderators, as
// Kind (spam, abusive, moderator).
type MemberReported struct {
	UserID int64  `json:"user_id"`
	Kind   string `json:"kind"`
}

// RoleChanged: an admin (the actor) changed a member's role.
type RoleChanged struct {
	UserID int64  `json:"user_id"`
	From   string `json:"from"`
	To     string `json:"to"`
}

// SettingsChanged: an admin (the actor) saved the settings of a group (Key,
// "moderation"), or reset them to the environment's (Reset); Revision is the
// stored row's version after the change. Nodes do not need it to apply the change
// (they poll the version, see moderation.SettingsStore.Follow); it is for
// webhooks and whoever watches what admins change.
type SettingsChanged struct {
	Key      string `json:"key"`
	Revision int64  `json:"revision"`
	Reset    bool   `json:"reset,omitempty"`
}

func (QuestionAsked) Topic() string     { return TopicQuestionAsked }
func (AnswerPosted) Topic() string      { return TopicAnswerPosted }
func (PostHeld) Topic() string          { return TopicPostHeld }
func (PostApproved) Topic() string      { return TopicPostApproved }
func (PostRejected) Topic() string      { return TopicPostRejected }
func (PostEdited) Topic() string        { return TopicPostEdited }
func (PostDeleted) Topic() string       { return TopicPostDeleted }
func (PostRestored) Topic() string      { return TopicPostRestored }
func (SolutionAccepted) Topic() string  { return TopicSolutionAccepted }
func (SolutionWithdrawn) Topic() string { return TopicSolutionWithdrawn }
func (KudosGiven) Topic() string        { return TopicKudosGiven }
func (KudosWithdrawn) Topic() string    { return TopicKudosWithdrawn }
func (DuplicateClosed) Topic() string   { return TopicDuplicateClosed }
func (Reopened) Topic() string          { return TopicReopened }
func (AliasesChanged) Topic() string    { return TopicAliasesChanged }
func (BadgeGranted) Topic() string      { return TopicBadgeGranted }
func (MemberJoined) Topic() string      { return TopicMemberJoined }
func (RoleChanged) Topic() string       { return TopicRoleChanged }

func (QuestionAsked) Version() int     { return 1 }
func (AnswerPosted) Version() int      { return 1 }
func (PostHeld) Version() int          { return 1 }
func (PostApproved) Version() int      { return 1 }
func (PostRejected) Version() int      { return 1 }
func (PostEdited) Version() int        { return 1 }
func (PostDeleted) Version() int       { return 1 }
func (PostRestored) Version() int      { return 1 }
func (SolutionAccepted) Version() int  { return 1 }
func (SolutionWithdrawn) Version() int { return 1 }
func (KudosGiven) Version() int        { return 1 }
func (KudosWithdrawn) Version() int    { return 1 }
func (DuplicateClosed) Version() int   { return 1 }
func (Reopened) Version() int          { return 1 }
func (AliasesChanged) Version() int    { return 1 }
func (BadgeGranted) Version() int      { return 1 }
func (MemberJoined) Version() int      { return 1 }
func (RoleChanged) Version() int       { return 1 }

func (e QuestionAsked) Entity() int64     { return e.ThreadID }
func (e AnswerPosted) Entity() int64      { return e.ThreadID }
func (e PostHeld) Entity() int64          { return e.ThreadID }
func (e PostApproved) Entity() int64      { return e.ThreadID }
func (e PostRejected) Entity() int64      { return e.ThreadID }
func (e PostEdited) Entity() int64        { return e.ThreadID }
func (e PostDeleted) Entity() int64       { return e.ThreadID }
func (e PostRestored) Entity() int64      { return e.ThreadID }
func (e SolutionAccepted) Entity() int64  { return e.ThreadID }
func (e SolutionWithdrawn) Entity() int64 { return e.ThreadID }
func (e KudosGiven) Entity() int64        { return e.ThreadID }
func (e KudosWithdrawn) Entity() int64    { return e.ThreadID }
func (e DuplicateClosed) Entity() int64   { return e.ThreadID }
func (e Reopened) Entity() int64          { return e.ThreadID }
func (e AliasesChanged) Entity() int64    { return e.ThreadID }
func (e BadgeGranted) Entity() int64      { return e.UserID }
func (e MemberJoined) Entity() int64      { return e.UserID }
func (e RoleChanged) Entity() int64       { return e.UserID }

// MemberDeleted says a member's account was erased (by them or an admin), and
// whether their posts went with it: for webhooks and rollups to forget them.
type MemberDeleted struct {
	UserID       int64 `json:"user_id"`
	PostsRemoved bool  `json:"posts_removed"`
}

func (MemberDeleted) Topic() string   { return TopicMemberDeleted }
func (MemberDeleted) Version() int    { return 1 }
func (e MemberDeleted) Entity() int64 { return e.UserID }

func (Restricted) Topic() string   { return TopicRestricted }
func (Restricted) Version() int    { return 1 }
func (e Restricted) Entity() int64 { return e.UserID }

func (PostFlagged) Topic() string      { return TopicPostFlagged }
func (PostFlagged) Version() int       { return 1 }
func (e PostFlagged) Entity() int64    { return e.ThreadID }
func (PostHidden) Topic() string       { return TopicPostHidden }
func (PostHidden) Version() int        { return 1 }
func (e PostHidden) Entity() int64     { return e.ThreadID }
func (MemberReported) Topic() string   { return TopicMemberReported }
func (MemberReported) Version() int    { return 1 }
func (e MemberReported) Entity() int64 { return e.UserID }

func (ThreadMoved) Topic() string    { return TopicThreadMoved }
func (ThreadMerged) Topic() string   { return TopicThreadMerged }
func (ThreadSplit) Topic() string    { return TopicThreadSplit }
func (ThreadLocked) Topic() string   { return TopicThreadLocked }
func (ThreadUnlocked) Topic() string { return TopicThreadUnlocked }
func (ThreadPinned) Topic() string   { return TopicThreadPinned }
func (ThreadUnpinned) Topic() string { return TopicThreadUnpinned }
func (ThreadHidden) Topic() string   { return TopicThreadHidden }
func (ThreadRestored) Topic() string { return TopicThreadRestored }

func (ThreadMoved) Version() int    { return 1 }
func (ThreadMerged) Version() int   { return 1 }
func (ThreadSplit) Version() int    { return 1 }
func (ThreadLocked) Version() int   { return 1 }
func (ThreadUnlocked) Version() int { return 1 }
func (ThreadPinned) Version() int   { return 1 }
func (ThreadUnpinned) Version() int { return 1 }
func (ThreadHidden) Version() int   { return 1 }
func (ThreadRestored) Version() int { return 1 }

func (e ThreadMoved) Entity() int64    { return e.ThreadID }
func (e ThreadMerged) Entity() int64   { return e.ThreadID }
func (e ThreadSplit) Entity() int64    { return e.ThreadID }
func (e ThreadLocked) Entity() int64   { return e.ThreadID }
func (e ThreadUnlocked) Entity() int64 { return e.ThreadID }
func (e ThreadPinned) Entity() int64   { return e.ThreadID }
func (e ThreadUnpinned) Entity() int64 { return e.ThreadID }
func (e ThreadHidden) Entity() int64   { return e.ThreadID }
func (e ThreadRestored) Entity() int64 { return e.ThreadID }

func (SettingsChanged) Topic() string { return TopicSettingsChanged }
func (SettingsChanged) Version() int  { return 1 }

// Entity is 0: settings are about no thread or member.
func (SettingsChanged) Entity() int64 { return 0 }

// NoticePublished: an agent or moderator (the actor) published a site notice
// (app/notice) of Level, shown from StartsAt until EndsAt (zero: until ended),
// perhaps linking to the known-issue thread ThreadID.
type NoticePublished struct {
	NoticeID int64     `json:"notice_id"`
	Level    string    `json:"level"`
	ThreadID int64     `json:"thread_id,omitempty"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at,omitzero"`
}

// NoticeEnded: staff (the actor) ended a notice before its end.
type NoticeEnded struct {
	NoticeID int64 `json:"notice_id"`
}

func (NoticePublished) Topic() string   { return TopicNoticePublished }
func (NoticePublished) Version() int    { return 1 }
func (e NoticePublished) Entity() int64 { return e.NoticeID }
func (NoticeEnded) Topic() string       { return TopicNoticeEnded }
func (NoticeEnded) Version() int        { return 1 }
func (e NoticeEnded) Entity() int64     { return e.NoticeID }
