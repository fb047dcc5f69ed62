package thread

import (
	"slices"
	"strings"
	"time"

	"github.com/schwarm/schwarm/app/user"
)

// Why a post waits for review; each is also an i18n key under "held.".
const (
	HeldNewcomer   = "newcomer"    // one of a newcomer's first posts
	HeldLink       = "link"        // a link from a newcomer
	HeldLinks      = "links"       // more links than SpamRules.MaxLinks
	HeldNewAccount = "new_account" // a link from an account younger than SpamRules.NewAccount
	HeldBlocked    = "blocked"     // a word of the block list
	HeldRepeat     = "repeat"      // the same text again within SpamRules.Repeat
	HeldSilenced   = "silenced"    // every post of a silenced member
	HeldFlagged    = "flagged"     // hidden after members flagged it (app/moderation)
	HeldByStaff    = "by_staff"    // hidden by a moderator (app/moderation)
)

// WasPublished reports whether a post held for reason had been out before: a
// post hidden after publication. Approving it brings it back without counting
// it again as a new question or answer.
func WasPublished(reason string) bool { return reason == HeldFlagged || reason == HeldByStaff }

// SpamRules are the content checks that send a new post to the review queue
// instead of publishing it. Staff are never held by them.
type SpamRules struct {
	MaxLinks   int           // links a post may hold (0 = any number)
	NewAccount time.Duration // an account younger than this posting a link is held (0 = none)
	BlockWords []string      // lower-case words or phrases that hold a post
	Repeat     time.Duration // the same text from one author within this is held (0 = never)
}

// SetSpamRules sets the content checks; app.New calls it, and the moderation
// settings again while serving (safe: posts being written keep the rules they
// read). Without it only newcomers and silenced members are held. BlockWords
// is copied, so the caller's slice may change after.
func (s *Service) SetSpamRules(r SpamRules) {
	r.BlockWords = slices.Clone(r.BlockWords)
	s.spam.Store(&r)
}

// SpamRules returns the content checks in force.
func (s *Service) SpamRules() SpamRules {
	r := *s.spam.Load()
	r.BlockWords = slices.Clone(r.BlockWords)
	return r
}

// Draft is what the checks read of a new post and its author's recent posts.
type Draft struct {
	Source    string // the markdown
	Links     int    // links in the rendered post
	Published int64  // the author's posts out of review (up to Privileges.ReviewFirstPosts)
	Repeated  bool   // the author posted the same text within SpamRules.Repeat
}

// HoldReason says why a new post d by u waits for review, or "": u's
// restrictions and standing first, then what the post holds.
func HoldReason(u *user.User, priv Privileges, rules SpamRules, now time.Time, d Draft) string {
	switch {
	case u == nil:
		return ""
	case u.Silenced(now): // an admin may silence staff too
		return HeldSilenced
	case u.Role.IsStaff():
		return ""
	case IsNewcomer(u, priv) && d.Published < int64(priv.ReviewFirstPosts):
		return HeldNewcomer
	case IsNewcomer(u, priv) && d.Links > 0:
		return HeldLink
	case rules.MaxLinks > 0 && d.Links > rules.MaxLinks:
		return HeldLinks
	case rules.NewAccount > 0 && d.Links > 0 && now.Sub(u.CreatedAt) < rules.NewAccount:
		return HeldNewAccount
	case d.Repeated:
		return HeldRepeat
	}
	text := strings.ToLower(d.Source)
	for _, w := range rules.BlockWords {
		if w != "" && strings.Contains(text, w) {
			return HeldBlocked
		}
	}
	return ""
}
