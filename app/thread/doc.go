// Package thread owns questions and their answers: threads and posts change
// together, in one transaction per user action. Post HTML is rendered once on write
// by app/markup and stored. Search, reputation and moderation build on this package
// and are not part of it.
package thread
