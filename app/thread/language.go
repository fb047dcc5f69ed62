package thread

import (
	"strings"
	"unicode"
)

var (
	germanWords  = wordSet("der die das und ist nicht ich mit ein eine einen zu auf für von den dem des sich auch wie bei habe hat kann wenn oder aber mein meine nach noch wird sind was schon über")
	englishWords = wordSet("the and is to of it in that for with my on this have not can be are when how what was but from you an or do does there")
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// DetectLanguage guesses "de" or "en" from the most common words of text; English
// when in doubt. Good enough to pick the analyzer for a question whose author did
// not say (imports); the ask form lets people choose.
func DetectLanguage(text string) string {
	if LanguageOf(text) == "de" {
		return "de"
	}
	return "en"
}

// LanguageOf is DetectLanguage that owns its doubt: "" when text holds as many
// of either language's common words, as a few typed words of a title
// ("router wifi") often do. Search weighs a thread in another language by it,
// and a guess there would hold a German question to English words.
func LanguageOf(text string) string {
	de, en := 0, 0
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if germanWords[w] {
			de++
		}
		if englishWords[w] {
			en++
		}
	}
	if strings.ContainsAny(text, "äöüßÄÖÜ") {
		de++
	}
	switch {
	case de > en:
		return "de"
	case en > de:
		return "en"
	}
	return ""
}
