// Package event is the stream of domain events: the typed events that services
// write to the outbox in the transaction of each change (Emit), and the Stream
// that delivers them to every consumer in order, each from its own position.
//
// A new feature that reacts to a change is a new Consumer, registered in
// app/app.go, never a call added inside another package's write path. What
// belongs here: the catalogue of events and their payloads, and the delivery
// machinery. What does not: what a consumer does with an event; that lives in the
// consumer's own package (search, notifications, webhooks, KPI rollups).
package event
