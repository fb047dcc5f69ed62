package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/user"
)

// routes lists every route of the site, in one place.
func (s *Server) routes() {
	a := s.app
	a.Use(s.recoverPanics, s.requestLog, s.securityHeaders)
	a.Get("/healthz", s.healthz)
	a.Get("/readyz", s.readyz)
	a.Get("/static/*", s.serveStatic)
	a.Get("/uploads/:name", s.uploadShow) // public and cacheable: before sessions, sets no cookies

	a.Use(s.countWrites, s.loadSession, s.pickLanguage, s.limitForms, s.checkCSRF)
	a.Get("/", s.home)
	a.Get("/b/:slug", s.boardShow)
	a.Get("/t/:id<int>", s.threadShow)
	a.Get("/t/:id<int>/:slug", s.threadShow)
	a.Get("/u/:handle", s.userShow)
	a.Get("/badges", s.badgeList)
	a.Get("/badges/:id", s.badgeShow)
	a.Get("/leaderboard", s.leaderboard)
	a.Get("/tags/suggest", s.tagSuggest)
	a.Get("/search", s.searchShow)
	a.Get("/suggest", s.suggest)

	member := s.requireRole(user.RoleMember)
	writer := []fiber.Handler{member, s.refuseSuspended, s.limitWrites}
	a.Get("/ask", member, s.askForm)
	a.Post("/ask", append(writer, s.ask)...)
	a.Post("/ask/solved", append(writer, s.askSolved)...)
	a.Post("/t/:id<int>/reply", append(writer, s.threadReply)...)
	a.Get("/p/:id<int>/edit", member, s.postEditForm)
	a.Post("/p/:id<int>/edit", append(writer, s.postEdit)...)
	a.Get("/p/:id<int>/history", s.postHistory)
	a.Post("/p/:id<int>/delete", member, s.refuseSuspended, s.postDelete)
	a.Post("/p/:id<int>/restore", member, s.refuseSuspended, s.postRestore)
	a.Post("/p/:id<int>/kudos", append(writer, s.postKudos)...)
	a.Post("/p/:id<int>/accept", append(writer, s.postAccept)...)
	a.Post("/t/:id<int>/unaccept", append(writer, s.threadUnaccept)...)
	a.Post("/p/:id<int>/flag", member, s.refuseSuspended, s.limitFlags, s.postFlag)
	a.Post("/u/:handle/report", member, s.refuseSuspended, s.limitFlags, s.userReport)
	a.Post("/p/:id<int>/approve", s.requireRole(user.RoleModerator), s.postApprove)
	a.Post("/p/:id<int>/hide", s.requireRole(user.RoleModerator), s.postHide)
	a.Post("/t/:id<int>/duplicate", s.requireRole(user.RoleModerator), s.threadDuplicate)
	a.Post("/t/:id<int>/reopen", s.requireRole(user.RoleModerator), s.threadReopen)
	a.Post("/t/:id<int>/move", s.requireRole(user.RoleModerator), s.threadMove)
	a.Post("/t/:id<int>/merge", s.requireRole(user.RoleModerator), s.threadMerge)
	a.Post("/t/:id<int>/split", s.requireRole(user.RoleModerator), s.threadSplit)
	a.Post("/t/:id<int>/lock", s.requireRole(user.RoleModerator), s.threadToggle((*moderation.Service).Lock, "staff.locked_notice"))
	a.Post("/t/:id<int>/unlock", s.requireRole(user.RoleModerator), s.threadToggle((*moderation.Service).Unlock, "staff.unlocked_notice"))
	a.Post("/t/:id<int>/pin", s.requireRole(user.RoleModerator), s.threadToggle((*moderation.Service).Pin, "staff.pinned_notice"))
	a.Post("/t/:id<int>/unpin", s.requireRole(user.RoleModerator), s.threadToggle((*moderation.Service).Unpin, "staff.unpinned_notice"))
	a.Post("/t/:id<int>/hide", s.requireRole(user.RoleModerator), s.threadToggle((*moderation.Service).HideThread, "staff.hidden_notice"))
	a.Post("/t/:id<int>/restore", s.requireRole(user.RoleModerator), s.threadToggle((*moderation.Service).RestoreThread, "staff.restored_notice"))
	a.Post("/preview", append(writer, s.preview)...)
	a.Post("/uploads", append(writer, s.uploadCreate)...)

	a.Get("/signup", s.signupForm)
	a.Post("/signup", s.signup)
	a.Get("/login", s.loginForm)
	a.Post("/login", s.login)
	a.Post("/logout", s.logout)
	a.Get("/auth/:provider", s.ssoBegin)
	a.Get("/auth/:provider/callback", s.ssoCallback)
	a.Get("/signup/sso", s.ssoSignupForm)
	a.Post("/signup/sso", s.ssoSignupSave)
	a.Get("/language", s.languageSwitch)
	a.Post("/language", s.languageSwitch)

	a.Get("/settings/profile", member, s.profileForm)
	a.Post("/settings/profile", member, s.refuseSuspended, s.profileSave)
	a.Get("/settings/connections/:provider", member, s.ssoConnect)
	a.Post("/settings/connections/:provider/remove", member, s.ssoDisconnect)
	a.Get("/settings/connections/:provider/confirm", member, s.ssoConfirm)
	a.Get("/settings/export", member, s.accountExport)
	a.Post("/settings/delete", member, s.accountDelete)

	a.Get("/mod/queue", s.requireRole(user.RoleModerator), s.modQueue)
	a.Post("/p/:id<int>/reject", s.requireRole(user.RoleModerator), s.postReject)
	a.Post("/u/:handle/restrict", s.requireRole(user.RoleModerator), s.userRestrict)
	a.Post("/u/:handle/reports/dismiss", s.requireRole(user.RoleModerator), s.userReportsDismiss)
	a.Get("/mod/audit", s.requireRole(user.RoleModerator), s.modAudit)
	a.Get("/mod/audit.csv", s.requireRole(user.RoleModerator), s.modAuditExport)

	a.Get("/admin/users", s.requireRole(user.RoleAdmin), s.adminUsers)
	a.Post("/admin/users/:id<int>/role", s.requireRole(user.RoleAdmin), s.adminUserRole)
	a.Get("/admin/users/:id<int>/export", s.requireRole(user.RoleAdmin), s.adminAccountExport)
	a.Post("/admin/users/:id<int>/delete", s.requireRole(user.RoleAdmin), s.adminAccountDelete)
	a.Get("/admin/boards", s.requireRole(user.RoleAdmin), s.adminBoards)
	a.Post("/admin/boards", s.requireRole(user.RoleAdmin), s.adminBoardSave)
	a.Post("/admin/boards/:id<int>", s.requireRole(user.RoleAdmin), s.adminBoardSave)
	a.Get("/admin/moderation", s.requireRole(user.RoleAdmin), s.adminModeration)
	a.Post("/admin/moderation", s.requireRole(user.RoleAdmin), s.adminModerationSave)
	a.Post("/admin/moderation/reset", s.requireRole(user.RoleAdmin), s.adminModerationReset)

	if s.TestHook != nil {
		s.TestHook(a)
	}
	a.Use(s.notFound)
}
