package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"time"

	"github.com/schwarm/schwarm/app/markup"
	"github.com/schwarm/schwarm/app/thread"
)

const (
	// suggestedAnswers is how many answers besides the solution the
	// structured data names: the best by kudos.
	suggestedAnswers = 5
	// structuredTextLen bounds a post's text in the structured data: enough
	// for a search result's answer box, not a copy of a long thread.
	structuredTextLen = 1000
	descriptionLen    = 200
)

// qaPage is schema.org's QAPage as JSON-LD.
type qaPage struct {
	Context    string     `json:"@context"`
	Type       string     `json:"@type"`
	MainEntity qaQuestion `json:"mainEntity"`
}

type qaQuestion struct {
	Type            string     `json:"@type"`
	Name            string     `json:"name"`
	Text            string     `json:"text"`
	AnswerCount     int        `json:"answerCount"`
	UpvoteCount     int        `json:"upvoteCount"`
	DateCreated     string     `json:"dateCreated"`
	Author          qaPerson   `json:"author"`
	AcceptedAnswer  *qaAnswer  `json:"acceptedAnswer,omitempty"`
	SuggestedAnswer []qaAnswer `json:"suggestedAnswer,omitempty"`
}

type qaAnswer struct {
	Type        string   `json:"@type"`
	Text        string   `json:"text"`
	DateCreated string   `json:"dateCreated"`
	UpvoteCount int      `json:"upvoteCount"`
	URL         string   `json:"url"`
	Author      qaPerson `json:"author"`
}

type qaPerson struct {
	Type string `json:"@type"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// ShareURL is the address a solved thread is shared by: its first page, where
// the solution is shown under the question.
func (p *threadPage) ShareURL() string { return p.Head.base + p.PageURL(1) }

// describe fills in what search engines and link previews see of the thread.
// It is built from the thread as a guest reads it, whoever asks: the page a
// moderator sees carries the same structured data as a guest's, and nothing
// from a post waiting for review or deleted. A thread guests may not read is
// not indexed and has none.
func (s *Server) describe(ctx context.Context, p *threadPage) error {
	p.Head.Canonical = p.PageURL(p.Posts.Page)
	p.Head.Article, p.Head.Language = true, p.Thread.Language
	if p.User != nil {
		// Search engines and link previews read pages as guests, so a signed-in
		// reader's copy carries no structured data: reading the guest's view of
		// every answer for it was a fifth of a member's page. The share box and
		// the robots line still say whether the thread is public.
		p.Head.Index = thread.CanSee(nil, p.Thread)
		switch {
		case !p.Head.Index:
		case p.Solution != nil:
			p.Head.Description = markup.PlainText(string(p.Solution.HTML), descriptionLen)
		case len(p.Rows) > 0 && p.Rows[0].IsQuestion:
			p.Head.Description = markup.PlainText(string(p.Rows[0].HTML), descriptionLen)
		}
		return nil
	}
	pub, err := s.Threads.Public(ctx, p.Thread, suggestedAnswers)
	if errors.Is(err, thread.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	p.Head.Index = true
	lead := pub.Question.HTML
	if pub.Solution != nil {
		lead = pub.Solution.HTML
	}
	p.Head.Description = markup.PlainText(lead, descriptionLen)
	if p.Posts.Page != 1 {
		// Later pages show answers without the question: the question, and
		// with it the markup, is on the first, which links the answers here.
		return nil
	}
	q := qaQuestion{Type: "Question", Name: p.Thread.Title, Text: markup.PlainText(pub.Question.HTML, structuredTextLen),
		AnswerCount: pub.Answers, UpvoteCount: pub.Question.KudosCount, DateCreated: isoDate(pub.Question.CreatedAt),
		Author: s.person(pub.Question)}
	if pub.Solution != nil {
		a := s.answer(p, *pub.Solution)
		q.AcceptedAnswer = &a
	}
	for _, b := range pub.Best {
		q.SuggestedAnswer = append(q.SuggestedAnswer, s.answer(p, b))
	}
	b, err := json.Marshal(qaPage{Context: "https://schema.org", Type: "QAPage", MainEntity: q})
	if err != nil {
		return fmt.Errorf("thread %d: structured data: %w", p.Thread.ID, err)
	}
	p.Head.StructuredData = template.JS(b) // json.Marshal escaped <, > and &: no "</script>" in it
	return nil
}

func (s *Server) answer(p *threadPage, a thread.Placed) qaAnswer {
	return qaAnswer{Type: "Answer", Text: markup.PlainText(a.HTML, structuredTextLen), DateCreated: isoDate(a.CreatedAt),
		UpvoteCount: a.KudosCount, URL: fmt.Sprintf("%s%s#p%d", s.Config.BaseURL, p.PageURL(a.Page), a.ID),
		Author: s.person(a.ShownPost)}
}

func (s *Server) person(p thread.ShownPost) qaPerson {
	return qaPerson{Type: "Person", Name: p.AuthorName, URL: s.Config.BaseURL + "/u/" + p.AuthorHandle}
}

func isoDate(t time.Time) string { return t.UTC().Format(time.RFC3339) }
