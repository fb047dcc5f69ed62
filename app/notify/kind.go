package notify

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm/clause"
)

// Kinds of notification; each is also the key of a member's preference and of
// its strings (notify.kind.KIND, notify.text.KIND).
const (
	KindAnswer   = "answer"   // an answer to my question
	KindOfficial = "official" // an official answer in my thread or one I watch
	KindReply    = "reply"    // an answer in a thread I watch
	KindQuestion = "question" // a new question in a board or tag I watch
	KindAccepted = "accepted" // my answer accepted as the solution
	KindKudos    = "kudos"    // kudos on my post, grouped per post while unread
	KindMention  = "mention"  // someone wrote @me
	KindBadge    = "badge"    // I earned a badge
	KindApproved = "approved" // a moderator approved my post
	KindRejected = "rejected" // a moderator rejected my post, with the reason
	KindHidden   = "hidden"   // my post went back to review
)

// Kinds lists every kind in the order the preferences page shows them.
var Kinds = []string{KindAnswer, KindOfficial, KindReply, KindQuestion, KindAccepted, KindKudos, KindMention,
	KindBadge, KindApproved, KindRejected, KindHidden}

// Deliveries: how a member wants a kind told.
const (
	DeliverApp    = "app"    // in the forum only
	DeliverEmail  = "email"  // in the forum and by mail at once
	DeliverDigest = "digest" // in the forum and in the daily digest mail
	DeliverOff    = "off"    // not at all
)

// Deliveries lists the choices in the order the preferences page shows them.
var Deliveries = []string{DeliverApp, DeliverEmail, DeliverDigest, DeliverOff}

// defaults are the deliveries of members who chose none: mail at once for
// what a member who asked and left is waiting for (the answer, the solution,
// a moderator's decision, being named), the forum only for the rest.
var defaults = map[string]string{
	KindAnswer: DeliverEmail, KindOfficial: DeliverEmail, KindAccepted: DeliverEmail, KindMention: DeliverEmail,
	KindRejected: DeliverEmail, KindReply: DeliverApp, KindQuestion: DeliverApp, KindKudos: DeliverApp,
	KindBadge: DeliverApp, KindApproved: DeliverApp, KindHidden: DeliverApp,
}

// Default is the delivery of kind for a member who chose none.
func Default(kind string) string { return defaults[kind] }

// pref is one row of notification_prefs.
type pref struct {
	UserID   int64
	Kind     string
	Delivery string
}

func (pref) TableName() string { return "notification_prefs" }

// Preferences returns how the member wants each kind told, defaults filled in.
func (s *Service) Preferences(ctx context.Context, userID int64) (map[string]string, error) {
	var rows []pref
	if err := s.db.Reader(ctx).Where("user_id = ?", userID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("notify: preferences of %d: %w", userID, err)
	}
	out := make(map[string]string, len(Kinds))
	for _, k := range Kinds {
		out[k] = defaults[k]
	}
	for _, r := range rows {
		if _, ok := out[r.Kind]; ok {
			out[r.Kind] = r.Delivery
		}
	}
	return out, nil
}

// SetPreferences stores the member's choices; kinds or deliveries it does not
// know are ErrInvalid, and nothing is stored then.
func (s *Service) SetPreferences(ctx context.Context, userID int64, choices map[string]string) error {
	rows := make([]pref, 0, len(choices))
	for kind, d := range choices {
		if !slices.Contains(Kinds, kind) || !slices.Contains(Deliveries, d) {
			return ErrInvalid
		}
		rows = append(rows, pref{UserID: userID, Kind: kind, Delivery: d})
	}
	if len(rows) == 0 {
		return nil
	}
	err := s.db.Writer(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}, {Name: "kind"}},
		DoUpdates: clause.AssignmentColumns([]string{"delivery"}),
	}).Create(&rows).Error
	if err != nil {
		return fmt.Errorf("notify: save preferences of %d: %w", userID, err)
	}
	return nil
}
