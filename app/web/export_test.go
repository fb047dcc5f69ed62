package web

// UseFragments turns the fragment cache of signed-in pages on or off, so that a
// test can compare what it serves with every row rendered afresh.
func (s *Server) UseFragments(on bool) {
	s.fragments, s.rowFragments, s.members = nil, nil, nil
	if on {
		s.fragments, s.rowFragments, s.members = newFragmentCache[fragmentKey](), newFragmentCache[rowKey](), newMemberCache()
	}
}

// FragmentStats counts the post rows served from the fragment cache and
// rendered into it.
func (s *Server) FragmentStats() (hits, misses int64) {
	return s.fragments.hits.Load(), s.fragments.misses.Load()
}

// RowFragmentStats is FragmentStats for the rows of thread lists.
func (s *Server) RowFragmentStats() (hits, misses int64) {
	return s.rowFragments.hits.Load(), s.rowFragments.misses.Load()
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

// MemberPageStats counts the pages served to members from the member cache and
// those rendered.
func (s *Server) MemberPageStats() (hits, misses int64) {
	return s.members.hits.Load(), s.members.misses.Load()
}

// ReadViewersAfresh makes kept pages look up every viewer's session, unread
// count and watches for each request, as for a member who reads a page now
// and then, rather than one reading page after page.
func (s *Server) ReadViewersAfresh() {
	s.members.recentAge, s.members.counts.age = 0, 0
}
