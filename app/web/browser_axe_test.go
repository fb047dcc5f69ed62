package web_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeFile is axe-core as its npm package ships it; testdata/axe/README.md says
// which version and how to update it.
const axeFile = "testdata/axe/axe.min.js"

// axeTags are the rules that WCAG 2.0, 2.1 and 2.2 at levels A and AA need.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"}

// axeColourRules are the rules whose answer the colour scheme changes: in the
// dark scheme only they run again, as the page is otherwise the same.
var axeColourRules = []string{"color-contrast", "link-in-text-block"}

func loadAxe(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(axeFile)
	if err != nil {
		t.Fatalf("read axe-core: %v", err)
	}
	return string(src)
}

// injectAxe runs axe-core's source in the page through DevTools, which the
// page's Content-Security-Policy (script-src 'self') does not govern: no
// <script> element is added, so the page stays as it is served.
func injectAxe(b *tab, src string) {
	b.t.Helper()
	if !evaluate[bool](b, src+"\n;typeof window.axe === 'object' && typeof window.axe.run === 'function'") {
		b.t.Fatal("axe-core did not load in the page")
	}
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  string `json:"target"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

// runAxe runs axe-core on the page as it is now and returns its serious and
// critical violations; colourOnly runs the colour rules alone.
func runAxe(b *tab, colourOnly bool, at where) findings {
	b.t.Helper()
	only := fmt.Sprintf("{type: 'tag', values: %s}", jsList(axeTags))
	if colourOnly {
		only = fmt.Sprintf("{type: 'rule', values: %s}", jsList(axeColourRules))
	}
	// Only the violations: passes and incomplete results would be serialized for nothing.
	expr := `axe.run(document, {runOnly: ` + only + `, resultTypes: ['violations']}).then(r => r.violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.map(t => [].concat(t).join(' >>> ')).join(', '), summary: (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 240)}))})))`
	var out findings
	for _, v := range evaluateAsync[[]axeViolation](b, expr) {
		for _, n := range v.Nodes {
			out = append(out, finding{at: at, kind: "axe " + v.ID + " (" + v.Impact + ")", fails: true,
				what: n.Target, detail: v.Help + ": " + n.Summary})
		}
	}
	return out
}

func jsList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = jsString(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// evaluateAsync is evaluate for an expression whose value is a promise.
func evaluateAsync[T any](b *tab, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %.200s: %v", expr, err)
	}
	return v
}
