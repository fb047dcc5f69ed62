package web

// UseFragments turns the fragment cache of signed-in pages on or off, so that a
// test can compare what it serves with every row rendered afresh.
func (s *Server) UseFragments(on bool) {
	s.fragments = nil
	if on {
		s.fragments = newFragmentCache()
	}
}

// FragmentStats counts the rows served from the fragment cache and rendered
// into it.
func (s *Server) FragmentStats() (hits, misses int64) {
	return s.fragments.hits.Load(), s.fragments.misses.Load()
}

// HoldSearches takes every place limitSearches gives, as a flood of slow
// searches would; release gives them back.
func (s *Server) HoldSearches() (release func()) {
	for range cap(s.searches) {
		s.searches <- struct{}{}
	}
	return func() {
		for range cap(s.searches) {
			<-s.searches
		}
	}
}
