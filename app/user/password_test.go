package user_test

import (
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/user"
)

func TestPasswordHash(t *testing.T) {
	h, err := user.HashPassword("Tr0ub4dor&3 ünïcode", user.DefaultPasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q does not record argon2id and its cost", h)
	}
	h2, _ := user.HashPassword("Tr0ub4dor&3 ünïcode", user.DefaultPasswordParams)
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, tt := range []struct {
		password string
		want     bool
	}{
		{"Tr0ub4dor&3 ünïcode", true},
		{"Tr0ub4dor&3 unicode", false},
		{"", false},
	} {
		if ok, err := user.CheckPassword(h, tt.password); err != nil || ok != tt.want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", tt.password, ok, err, tt.want)
		}
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA", "$argon2id$v=19$m=8,t=1,p=1$!!$AA"} {
		if _, err := user.CheckPassword(bad, "x"); err == nil {
			t.Errorf("CheckPassword accepted malformed hash %q", bad)
		}
	}
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := user.HashPassword("correct horse battery staple", user.DefaultPasswordParams); err != nil {
			b.Fatal(err)
		}
	}
}
