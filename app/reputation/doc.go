// Package reputation keeps the reputation ledger: every point a member earns or
// loses is one row, written in the transaction of the action that earned it, and
// reputation, ranks and badges are derived from those rows. It decides how many
// points a fact is worth and which badges a history earns; app/thread says what
// happened. Repair recomputes everything from the ledger.
package reputation
