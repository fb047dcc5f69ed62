// Package notify tells members what happened to them: an answer to their
// question, an answer in a thread they watch, their answer accepted, kudos, an
// @mention, a badge, their post approved or rejected, an official answer.
//
// It is a consumer of the event stream (app/event): nothing in another
// package's write path calls it. Each record becomes notifications in the
// database, and mails queued in the same transaction for members who asked for
// mail at once; a daily digest gathers the rest (Digest). How far it got is
// written with what it wrote (table notify_progress), so a record the stream
// hands again after a crash is neither lost nor told twice; a record with
// thousands of watchers is written in transactions of batch recipients, each
// noting the last recipient done, so the database's writer is never held long.
package notify
