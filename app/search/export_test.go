package search

// MarkBuilt lets benchmarks mark an index they filled directly as complete, and
// publish it.
func MarkBuilt(ix *Index) error {
	if err := ix.markBuilt(); err != nil {
		return err
	}
	return ix.Publish()
}

// SetScoreLimit lowers the candidates a query of ix scores at most; the
// answers kept from before are dropped.
func SetScoreLimit(ix *Index, n int) { ix.scoreLimit = n; ix.counts.reset() }
