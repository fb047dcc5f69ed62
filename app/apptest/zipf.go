package apptest

import (
	"math/rand/v2"
	"slices"
	"strings"
)

// vocabulary is the support words every lexicon holds after its stop words.
var vocabulary = strings.Fields(`router wifi internet connection slow drops evening password reset
	login account invoice billing charge refund roaming abroad sim esim phone contract cancel upgrade
	tariff data volume speed fibre dsl cable modem firmware update error message signal coverage mobile
	network outage hotline callback appointment technician bill payment debit address move home landline
	number porting voicemail rechnung vertrag kündigung passwort störung empfang handy tarif datenvolumen`)

// StopWords are the commonest words of each language, all of them removed by its
// analyzer. Real text follows Zipf's law with them at its head (a third or more
// of all words); without them the head of the distribution would be support
// words found in every thread, which no forum's text has.
var StopWords = map[string][]string{
	"en": strings.Fields("the to and a of i it is in my that for you on this have with not be but can are do was if or"),
	"de": strings.Fields("ich die und der das nicht ist es zu ein mit den auf sich wie eine mir habe auch bei dem von wenn kann aber"),
}

// lexicons, one per language, are that language's stop words, the support
// vocabulary above and 20,000 made-up words; words are drawn from them with a
// Zipf distribution, as in real text, so that common words are common and most
// are rare.
var lexicons = func() map[string][]string {
	r := rand.New(rand.NewPCG(3, 3))
	syllables := strings.Fields("ka lo mi ne ru ta be si do fu ga he ji ko lu ma no pi re so tu ve wa xe yo ze")
	content := slices.Clone(vocabulary)
	for len(content) < len(vocabulary)+20_000 {
		var w strings.Builder
		for range 2 + r.IntN(3) {
			w.WriteString(syllables[r.IntN(len(syllables))])
		}
		content = append(content, w.String())
	}
	out := map[string][]string{}
	for lang, stop := range StopWords {
		out[lang] = append(slices.Clone(stop), content...)
	}
	return out
}()

// ZipfWords is n words of lang's lexicon drawn Zipf-like: text shaped like a
// real forum's, for the search benchmarks and the realistic benchmark forum.
func ZipfWords(r *rand.Rand, lang string, n int) string {
	lexicon := lexicons[lang]
	zipf := rand.NewZipf(r, 1.1, 1, uint64(len(lexicon)-1))
	w := make([]string, n)
	for i := range w {
		w[i] = lexicon[zipf.Uint64()]
	}
	return strings.Join(w, " ")
}
