package web

import "github.com/schwarm/schwarm/app/user"

// routes lists every route of the site, in one place.
func (s *Server) routes() {
	a := s.app
	a.Use(s.recoverPanics, s.requestLog, s.securityHeaders)
	a.Get("/healthz", s.healthz)
	a.Get("/readyz", s.readyz)
	a.Get("/static/*", s.serveStatic)

	a.Use(s.loadSession, s.pickLanguage, s.checkCSRF)
	a.Get("/", s.home)
	a.Get("/b/:slug", s.boardShow)
	a.Get("/t/:id<int>", s.threadShow)
	a.Get("/t/:id<int>/:slug", s.threadShow)
	a.Get("/u/:handle", s.userShow)

	a.Get("/signup", s.signupForm)
	a.Post("/signup", s.signup)
	a.Get("/login", s.loginForm)
	a.Post("/login", s.login)
	a.Post("/logout", s.logout)
	a.Post("/language", s.languageSwitch)

	a.Get("/settings/profile", s.requireRole(user.RoleMember), s.profileForm)
	a.Post("/settings/profile", s.requireRole(user.RoleMember), s.profileSave)

	a.Get("/admin/users", s.requireRole(user.RoleAdmin), s.adminUsers)
	a.Post("/admin/users/:id<int>/role", s.requireRole(user.RoleAdmin), s.adminUserRole)

	if s.TestHook != nil {
		s.TestHook(a)
	}
	a.Use(s.notFound)
}
