// Package search finds threads: for the search page, for the suggestions shown
// while a question is written, for the API and for `schwarm eval`, which all
// call Searcher so that they fold, filter and page alike.
//
// It has two layers. A Backend is the full-text index: it answers a Query with
// thread ids, best first, and a count, proposes spellings and marks a query's
// words, and knows nothing of viewers. Service implements Searcher on any
// Backend: the database loads and permission-checks what the backend finds
// (staff find hidden threads, no one else), a thread closed as a duplicate
// gives way to its canonical thread, and pages are cut from the folded list.
// Nothing of bleve is in either interface, so that a second backend
// (OpenSearch, for an index that outgrows a node) plugs in beside the first.
//
// The backend today is Index: bleve, one per node under the data directory,
// with an explicit mapping whose version forces a rebuild when it changes,
// fed from the outbox (see Indexer). User text is always treated as words,
// never as query syntax.
//
// What a hit looks like on a page (its URL, the board's name in the viewer's
// language) and what it means for deflection (events of an ask session) belong
// to the callers, not here.
package search
