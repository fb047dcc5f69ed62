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
	TopicBadgeGranted      = "badge.granted"
	TopicMemberJoined      = "member.joined"
	TopicRoleChanged       = "member.role_changed"
	TopicRestricted        = "member.restricted"
	TopicSettingsChanged   = "settings.changed"
)

// threadTopics are the topics whose entity is a thread: each changes what
// search holds of it. outbox.Thread is the topic of the records written before
// the domain events.
var threadTopics = map[string]bool{
	outbox.Thread: true, TopicQuestionAsked: true, TopicAnswerPosted: true, TopicPostHeld: true, TopicPostApproved: true, TopicPostRejected: true,
	TopicPostEdited: true, TopicPostDeleted: true, TopicPostRestored: true, TopicSolutionAccepted: true,
	TopicSolutionWithdrawn: true, TopicKudosGiven: true, TopicKudosWithdrawn: true, TopicDuplicateClosed: true,
	TopicReopened: true, TopicAliasesChanged: true,
}

// AboutThread reports whether records of topic are about a thread (their entity
// id is the thread's).
func AboutThread(topic string) bool { return threadTopics[topic] }

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
