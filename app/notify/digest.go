package notify

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/schwarm/schwarm/app/outbox"
)

// dayLength is the period of the digest and of the mention limit.
const dayLength = 24 * time.Hour

// digestBatch is how many members one Digest run mails at most.
const digestBatch = 200

// Digest mails each member who has notifications waiting for the digest, and
// had no digest in the last day, one mail with them all; it returns how many
// it queued. Every node may run it: a member's digest is taken in one
// transaction that moves their last digest time first, so two nodes never
// send the same day's digest twice.
func (s *Service) Digest(ctx context.Context) (int, error) {
	if !s.mailOn() {
		return 0, nil
	}
	var due []int64
	err := s.db.Reader(ctx).Raw(`SELECT DISTINCT n.user_id FROM notifications n
		LEFT JOIN notify_digests d ON d.user_id = n.user_id
		WHERE n.digest_pending AND (d.sent_at IS NULL OR d.sent_at <= ?) LIMIT ?`, s.now().Add(-dayLength), digestBatch).Scan(&due).Error
	if err != nil {
		return 0, fmt.Errorf("notify: members due a digest: %w", err)
	}
	sent := 0
	for _, id := range due {
		ok, err := s.digestOne(ctx, id)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

func (s *Service) digestOne(ctx context.Context, userID int64) (bool, error) {
	now := s.now()
	accounts, err := s.members(ctx, []recipient{{userID, DeliverDigest}})
	if err != nil {
		return false, err
	}
	m, ok := accounts[userID]
	sent := false
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		res := w.Exec("INSERT INTO notify_digests (user_id, sent_at) VALUES (?, ?) "+
			"ON CONFLICT (user_id) DO UPDATE SET sent_at = excluded.sent_at WHERE notify_digests.sent_at <= ?", userID, now, now.Add(-dayLength))
		if res.Error != nil {
			return fmt.Errorf("notify: take digest of %d: %w", userID, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil // another node took it
		}
		var rows []row
		if err := w.Where("user_id = ? AND digest_pending", userID).Order("id").Find(&rows).Error; err != nil {
			return fmt.Errorf("notify: digest of %d: %w", userID, err)
		}
		if err := w.Table("notifications").Where("user_id = ? AND digest_pending", userID).Update("digest_pending", false).Error; err != nil {
			return fmt.Errorf("notify: digest of %d: %w", userID, err)
		}
		if !ok || !m.Verified || len(rows) == 0 {
			return nil
		}
		path, err := s.UnsubscribePath(ctx, userID, DeliverDigest)
		if err != nil {
			return err
		}
		data := MailData{Kind: DeliverDigest, Preferences: s.opts.BaseURL + "/settings/notifications", Unsubscribe: s.opts.BaseURL + path}
		for _, r := range rows {
			c, err := s.mailContent(ctx, &plan{rec: outbox.Entry{ActorID: r.ActorID}, threadID: r.ThreadID, postID: r.PostID})
			if err != nil {
				return err
			}
			data.Items = append(data.Items, MailData{Kind: r.Kind, Actor: c.actor, Actors: r.Actors, Title: c.title,
				Excerpt: Excerpt(c.excerpt, 160), Detail: r.Detail, Link: c.link})
		}
		subject, text, html, err := s.opts.Compose(s.locale(m), "digest", data)
		if err != nil {
			return fmt.Errorf("notify: compose digest: %w", err)
		}
		key := "digest:" + strconv.FormatInt(userID, 10) + ":" + strconv.FormatInt(rows[len(rows)-1].ID, 10)
		if err := s.opts.Mailer.Queue(ctx, Mail{Key: key, To: m.Email, Subject: subject, Text: text, HTML: html, Unsubscribe: data.Unsubscribe}); err != nil {
			return fmt.Errorf("notify: queue digest of %d: %w", userID, err)
		}
		sent = true
		return nil
	})
	return sent, err
}
