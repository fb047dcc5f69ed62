package notify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/schwarm/schwarm/app/thread"
)

// MailData is what the mail templates "notification" and "digest" get.
type MailData struct {
	Kind        string     // one of the Kind constants
	Actor       string     // who did it, by display name
	Actors      int        // how many (kudos)
	Title       string     // the thread's
	Excerpt     string     // the post's first lines, as plain markdown
	Detail      string     // a rejection's reason, a badge's name
	Link        string     // the place in the thread
	Unsubscribe string     // stops this kind of mail
	Preferences string     // the member's notification settings
	Items       []MailData // the digest's notifications
}

// mailContent is what every mail of one record shares.
type mailContent struct {
	actor, title, excerpt, link string
}

// excerptLen is how much of a post a mail quotes.
const excerptLen = 400

func (s *Service) mailContent(ctx context.Context, p *plan) (*mailContent, error) {
	c := &mailContent{link: s.opts.BaseURL + "/"}
	if p.rec.ActorID != 0 {
		var name string
		if err := s.db.Reader(ctx).Raw("SELECT display_name FROM users WHERE id = ?", p.rec.ActorID).Scan(&name).Error; err != nil {
			return nil, fmt.Errorf("notify: actor of record %d: %w", p.rec.ID, err)
		}
		c.actor = name
	}
	if p.threadID == 0 {
		return c, nil
	}
	t, err := s.threads.Get(ctx, p.threadID)
	if errors.Is(err, thread.ErrNotFound) {
		return c, nil
	}
	if err != nil {
		return nil, err
	}
	c.title = t.Title
	c.link = s.opts.BaseURL + "/t/" + strconv.FormatInt(t.ID, 10) + "/" + t.Slug
	if p.postID == 0 {
		return c, nil
	}
	c.link += "#p" + strconv.FormatInt(p.postID, 10)
	post, err := s.threads.GetPost(ctx, p.postID)
	if errors.Is(err, thread.ErrNotFound) {
		return c, nil
	}
	if err != nil {
		return nil, err
	}
	c.excerpt = Excerpt(post.Source, excerptLen)
	return c, nil
}

// Excerpt is the start of src, cut at a word within n bytes.
func Excerpt(src string, n int) string {
	src = strings.TrimSpace(src)
	if len(src) <= n {
		return src
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(src[cut]) {
		cut--
	}
	if i := strings.LastIndexAny(src[:cut], " \n"); i > n/2 {
		cut = i
	}
	return strings.TrimSpace(src[:cut]) + " …"
}

func (s *Service) locale(m member) string {
	if m.Locale != "" {
		return m.Locale
	}
	return s.opts.DefaultLocale
}

// compose renders the mail to m of record p's notification of kind. Its key is
// the record's and the member's: a record tells a member once.
func (s *Service) compose(ctx context.Context, c *mailContent, m member, p *plan, kind string) (Mail, error) {
	path, err := s.UnsubscribePath(ctx, m.ID, kind)
	if err != nil {
		return Mail{}, err
	}
	unsub := s.opts.BaseURL + path
	data := MailData{Kind: kind, Actor: c.actor, Actors: 1, Title: c.title, Excerpt: c.excerpt, Detail: p.detail,
		Link: c.link, Unsubscribe: unsub, Preferences: s.opts.BaseURL + "/settings/notifications"}
	subject, text, html, err := s.opts.Compose(s.locale(m), "notification", data)
	if err != nil {
		return Mail{}, fmt.Errorf("notify: compose %s mail: %w", kind, err)
	}
	key := fmt.Sprintf("notification:%d.%d:%d", p.rec.Tx, p.rec.ID, m.ID)
	return Mail{Key: key, To: m.Email, Subject: subject, Text: text, HTML: html, Unsubscribe: unsub}, nil
}
