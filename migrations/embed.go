// Package migrations holds the versioned SQL schema, one directory per dialect
// (sqlite, postgres) with the same version numbers in both. Files are never edited
// once released: a change is a new file. app/database applies them with goose.
package migrations

import "embed"

// FS holds sqlite/*.sql and postgres/*.sql.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
