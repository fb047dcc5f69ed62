package event

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/outbox"
)

// Event is a domain event: a payload whose Go type says what happened. Its JSON
// is the record's payload; Version is the payload's shape, raised when a field
// changes meaning or goes away, so that a consumer can still read records
// written by an older node.
type Event interface {
	Topic() string
	Version() int
	// Entity is what the event is about: the thread for the topics of
	// threads and posts (AboutThread), the member for those of members.
	Entity() int64
}

// Topics, one per kind of event. A name never changes once written; a new
// meaning is a new topic or a new version.
const (
	TopicQuestionAsked     = "question.asked"
	TopicAnswerPosted      = "answer.posted"
	TopicPostHeld          = "post.held"
	TopicPostApproved      = "post.approved"
	TopicPostRejected      = "post.rejected"
	TopicPostEdited        = "post.edited"
	TopicPostDeleted       = "post.deleted"
	TopicPostRestored      = "post.restored"
	TopicSolutionAccepted  = "solution.accepted"
	TopicSolutionWithdrawn = "solution.withdrawn"
	TopicKudosGiven        = "kudos.given"
	TopicKudosWithdrawn    = "kudos.withdrawn"
	TopicDuplicateClosed   = "thread.closed_as_duplicate"
	TopicReopened          = "thread.reopened"
	TopicAliasesChanged    = "thread.aliases_changed"
	TopicThreadMoved       = "thread.moved"
	TopicThreadMerged      = "thread.merged"
	TopicThreadSplit       = "thread.split"
	TopicThreadLocked      = "thread.locked"
	TopicThreadUnlocked    = "thread.unlocked"
	TopicThreadPinned      = "thread.pinned"
	TopicThreadUnpinned    = "thread.unpinned"
	TopicThreadHidden      = "thread.hidden"
	TopicThreadRestored    = "thread.restored"
	TopicBadgeGranted      = "badge.granted"
	TopicMemberJoined      = "member.joined"
	TopicRoleChanged       = "member.role_changed"
	TopicRestricted        = "member.restricted"
	TopicMemberDeleted     = "member.deleted"
	TopicPostFlagged       = "post.flagged"
	TopicPostHidden        = "post.hidden"
	TopicMemberReported    = "member.reported"
	TopicSettingsChanged   = "settings.changed"
	TopicNoticePublished   = "notice.published"
	TopicNoticeEnded       = "notice.ended"
)

// threadTopics are the topics whose entity is a thread: each changes what
// search holds of it (post.flagged only when it hid the post, but a reindex of
// an unchanged thread costs little and keeps the rule simple). outbox.Thread is the topic of the records written before
// the domain events.
var threadTopics = map[string]bool{
	outbox.Thread: true, TopicQuestionAsked: true, TopicAnswerPosted: true, TopicPostHeld: true, TopicPostApproved: true, TopicPostRejected: true,
	TopicPostEdited: true, TopicPostDeleted: true, TopicPostRestored: true, TopicSolutionAccepted: true,
	TopicSolutionWithdrawn: true, TopicKudosGiven: true, TopicKudosWithdrawn: true, TopicDuplicateClosed: true,
	TopicReopened: true, TopicAliasesChanged: true, TopicPostFlagged: true, TopicPostHidden: true, TopicThreadMoved: true,
	TopicThreadMerged: true, TopicThreadSplit: true, TopicThreadLocked: true, TopicThreadUnlocked: true, TopicThreadPinned: true,
	TopicThreadUnpinned: true, TopicThreadHidden: true, TopicThreadRestored: true,
}

// AboutThread reports whether records of topic are about a thread (their entity
// id is the thread's).
func AboutThread(topic string) bool { return threadTopics[topic] }

// Threads returns the threads record r changes: its entity for the topics
// about a thread, and the other thread of a merge (the target) or a split (the
// new thread), whose ids are in the payload; none for other topics.
func Threads(r outbox.Entry) ([]int64, error) {
	if !AboutThread(r.Topic) {
		return nil, nil
	}
	ids := []int64{r.EntityID}
	if r.Topic != TopicThreadMerged && r.Topic != TopicThreadSplit {
		return ids, nil
	}
	var other struct {
		TargetID    int64 `json:"target_id"`
		NewThreadID int64 `json:"new_thread_id"`
	}
	if err := json.Unmarshal([]byte(r.Payload), &other); err != nil {
		return nil, fmt.Errorf("event: decode %s record %d: %w", r.Topic, r.ID, err)
	}
	for _, id := range []int64{other.TargetID, other.NewThreadID} {
		if id != 0 {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// Emit writes events to the outbox. Called with the ctx of the change's
// transaction, they commit or roll back with the change. actorID is who caused
// them (0 = the system).
func Emit(ctx context.Context, db *database.DB, actorID int64, events ...Event) error {
	entries := make([]outbox.Entry, len(events))
	for i, e := range events {
		payload, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("event: encode %s: %w", e.Topic(), err)
		}
		entries[i] = outbox.Entry{Topic: e.Topic(), EntityID: e.Entity(), ActorID: actorID, Version: e.Version(), Payload: string(payload)}
	}
	return outbox.Write(ctx, db, entries...)
}

// Decode reads the payload of a record of E's topic into an E.
func Decode[E Event](r outbox.Entry) (E, error) {
	var e E
	if r.Topic != e.Topic() {
		return e, fmt.Errorf("event: record %d is %s, not %s", r.ID, r.Topic, e.Topic())
	}
	if err := json.Unmarshal([]byte(r.Payload), &e); err != nil {
		return e, fmt.Errorf("event: decode %s record %d: %w", r.Topic, r.ID, err)
	}
	return e, nil
}
