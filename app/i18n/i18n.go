package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

// Bundle holds every locale's messages, loaded once at start-up.
type Bundle struct {
	messages map[string]map[string]string
	langs    []string
	tags     []language.Tag
	matcher  language.Matcher
	fallback string
}

// Load reads <lang>.json files from fsys. fallback is the language used when a
// visitor asks for none we have; it must be among the files.
func Load(fsys fs.FS, fallback string) (*Bundle, error) {
	files, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	b := &Bundle{messages: map[string]map[string]string{}, fallback: fallback}
	for _, f := range files {
		raw, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", f, err)
		}
		lang := strings.TrimSuffix(path.Base(f), ".json")
		b.messages[lang] = m
		b.langs = append(b.langs, lang)
	}
	if _, ok := b.messages[fallback]; !ok {
		return nil, fmt.Errorf("i18n: no locale file for the default language %q", fallback)
	}
	sort.Slice(b.langs, func(i, j int) bool { // the fallback first: the matcher prefers it on ties
		return b.langs[i] == fallback || (b.langs[j] != fallback && b.langs[i] < b.langs[j])
	})
	for _, l := range b.langs {
		b.tags = append(b.tags, language.Make(l))
	}
	b.matcher = language.NewMatcher(b.tags)
	return b, nil
}

// Languages lists the available language codes, the default first.
func (b *Bundle) Languages() []string { return b.langs }

// Has reports whether lang is an available language code.
func (b *Bundle) Has(lang string) bool {
	_, ok := b.messages[lang]
	return ok
}

// Keys lists the message keys of lang, sorted.
func (b *Bundle) Keys(lang string) []string {
	keys := make([]string, 0, len(b.messages[lang]))
	for k := range b.messages[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Match picks the best available language for an Accept-Language header, or the
// default when nothing fits.
func (b *Bundle) Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return b.fallback
	}
	_, i, conf := b.matcher.Match(tags...)
	if conf == language.No {
		return b.fallback
	}
	return b.langs[i]
}

// Translate returns the message key in lang, formatted with args (fmt verbs). A key
// missing in lang falls back to the default language, then to the key itself, so a
// gap shows up as text instead of breaking the page; tests keep the files complete.
func (b *Bundle) Translate(lang, key string, args ...any) string {
	msg, ok := b.messages[lang][key]
	if !ok {
		if msg, ok = b.messages[b.fallback][key]; !ok {
			return key
		}
	}
	if len(args) > 0 && strings.Contains(msg, "%") { // "edited once" takes no count
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Describe turns field problems (field → key) into one line of text, for places
// without a form such as the command line.
func (b *Bundle) Describe(lang string, fields map[string]string) string {
	parts := make([]string, 0, len(fields))
	for f, k := range fields {
		parts = append(parts, f+": "+b.Translate(lang, k))
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}
