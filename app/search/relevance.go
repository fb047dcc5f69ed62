package search

import (
	"html/template"
	"math"
	"strings"

	"github.com/schwarm/schwarm/app/thread"
)

// A suggestion is offered to someone who did not ask for it, about to ask for
// help: a thread that does not fit costs the list the trust that makes people
// read it, and five that do not fit teach them to skip it. So a thread is
// suggested only when it is about the question, not merely the best of what
// the index holds; a search, which the reader asked for, shows everything.
//
// Three measures of the backend's hits decide (see Hit). A thread that holds
// a single word of a question of several (the "Facebook" of "How do I unblock
// someone on Facebook?") is about something else, unless it holds that word
// strongly: in its title, and the word is rare. A thread whose Strength is low
// holds only the question's common words, or holds them once in a long text.
// And a thread far below the best hit is noise beside it.
//
// The thresholds were chosen on the dev sets of ../shared/eval together with
// questions they do not answer (app/evaluate's unanswered sets), as a whole,
// never per set: as high as they go while MRR@10 stays within 0.03 of no cut
// on every set (the README's evaluation section has the table). The questions
// are paraphrases that share few words with the threads that answer them, so
// words alone cannot tell every answer from a near miss: higher thresholds cut
// more false suggestions, and real answers with them.
const (
	// minWords is how many of the question's known words a suggested thread
	// holds (all of them, if the question has fewer)...
	minWords = 2
	// ... unless its Strength is at least strongAlone.
	strongAlone = 1.0
	// minStrength is the Strength every suggested thread reaches.
	minStrength = 0.4
	// minScoreShare is the share of the best hit's score that a suggested
	// thread reaches.
	minScoreShare = 0.3
)

// A thread in another language than the question's shares only loan words
// with it (router, Windows, eSIM), and a reader may not read it well: it must
// hold more of the question, strongly, and score near the best; one word,
// however strongly held, is not enough. The dev sets have one language each
// and cannot tune these; they ask what a thread in the question's own
// language must reach to be suggested on its own strength.
const (
	minWordsOther      = 3
	minStrengthOther   = strongAlone
	minScoreShareOther = 0.6
)

// suggestPool is how many times the suggestions asked for Suggest considers:
// a thread left out for its relevance or for showing no marked word makes
// room for the next that passes.
const suggestPool = 2

// relevant returns the threads of found that are worth suggesting for a
// question in lang ("" when it is not known), in the order of found.
func relevant(found []ranked, lang string) []ranked {
	var best float64
	for _, f := range found {
		best = max(best, f.hit.Score)
	}
	out := make([]ranked, 0, len(found))
	for _, f := range found {
		h := f.hit
		words, strength, alone, share := minWords, minStrength, strongAlone, minScoreShare
		if lang != "" && languageOf(f.Listed) != lang {
			words, strength, alone, share = minWordsOther, minStrengthOther, math.Inf(1), minScoreShareOther
		}
		if h.Held > 0 && (h.Held >= min(words, h.Known) || h.Strength >= alone) &&
			h.Strength >= strength && h.Score >= share*best {
			out = append(out, f)
		}
	}
	return out
}

// languageOf is the language a thread's words are indexed in (see
// Document.language).
func languageOf(t thread.Listed) string {
	if t.Language == "de" {
		return "de"
	}
	return "en"
}

// marked tells whether h, as a Marker made it, marks a word. Mark escapes the
// text it is given, so a "<mark>" in it is one that Mark wrote.
func marked(h template.HTML) bool {
	return strings.Contains(string(h), "<mark>")
}
