// Package mail sends the forum's e-mail through a queue table, so that a mail
// exists if and only if the change it tells of committed, an SMTP server that
// is down loses nothing, and a mail is sent once even with several nodes.
//
// Other packages build a Message (with a Renderer, which renders the theme's
// mail/NAME.txt and mail/NAME.html in the recipient's language, with the
// shared layout and its footer link to /settings/notifications) and call
// Enqueue in the transaction of their change. Every node runs Run: it claims
// due rows under a lease (FOR UPDATE SKIP LOCKED on PostgreSQL), sends them over
// SMTP with github.com/wneessen/go-mail, marks them sent, and retries failures
// with exponential backoff until MaxAttempts, after which the row stays as
// failed with its last error. A node that dies mid-send gives its rows up when
// the lease ends, so a mail can be sent twice then (at least once), never lost.
//
// Without SCHWARM_SMTP_URL mail is off: Enabled reports false, Enqueue stores
// nothing (a queue that nobody drains would send months-old news once mail is
// turned on) and Run returns at once. What mail is about (which event causes
// which mail, who gets it) belongs to the sending package, not here.
package mail
