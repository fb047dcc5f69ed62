// Package audit is the audit log: one row for every staff action and role
// change (who, when, what, on whom, why, before and after), written by the
// service that acts, in the transaction of the action, so that an action and its
// row commit together or not at all. Rows are never changed or removed (the
// database's triggers refuse it). What belongs here: writing and reading the
// log. What does not: deciding who may act; the acting services do that.
package audit
