package app

import "context"

// Housekeep runs one round of the hourly housekeeping, for tests.
func (a *App) Housekeep(ctx context.Context) { a.housekeep(ctx) }
