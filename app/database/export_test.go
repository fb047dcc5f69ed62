package database

import "context"

// MigrateTo applies the migrations up to version, leaving the database where an
// older binary would have left it.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := db.migrator()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}
