package sso

import (
	"testing"

	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/user"
)

func TestMappedRole(t *testing.T) {
	p := &provider{roleClaim: "groups", roles: config.RoleMap{"support-agents": "agent", "community-mods": "moderator"}}
	tests := []struct {
		claim any
		want  user.Role
	}{
		{nil, ""},
		{[]any{"staff"}, ""},
		{[]any{"support-agents"}, user.RoleAgent},
		{[]any{"community-mods", "support-agents"}, user.RoleModerator}, // the highest, in any order
		{[]any{"support-agents", 7, "community-mods"}, user.RoleModerator},
		{"support-agents other", user.RoleAgent}, // a space-separated string, as some providers send
		{map[string]any{"support-agents": true}, ""},
	}
	for _, tt := range tests {
		if got := p.mappedRole(tt.claim); got != tt.want {
			t.Errorf("mappedRole(%v) = %q, want %q", tt.claim, got, tt.want)
		}
	}
	if got := (&provider{}).mappedRole([]any{"support-agents"}); got != "" {
		t.Errorf("without a mapping: %q", got)
	}
}
