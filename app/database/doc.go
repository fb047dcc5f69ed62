// Package database opens SQLite or PostgreSQL through GORM, applies the versioned
// migrations in migrations/ under a lock that makes nodes starting together take
// turns, and carries transactions in context.Context (InTx, Writer, Reader) so
// store functions of any domain join the caller's transaction. It knows no domain
// tables.
package database
