// Package search keeps the full-text index of threads and answers queries against
// it. The index is bleve, one per node under the data directory, with an explicit
// mapping whose version forces a rebuild when it changes. It is fed from the outbox
// (see Indexer) and returns thread ids only: the database loads and permission-checks
// what is shown. User text is always treated as words, never as query syntax.
package search
