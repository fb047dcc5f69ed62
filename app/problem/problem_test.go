package problem_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/schwarm/schwarm/app/problem"
)

func TestWrapped(t *testing.T) {
	errA := problem.New(http.StatusConflict, "a.key", "pkg: a")
	errB := problem.New(http.StatusConflict, "a.key", "pkg: a")
	err := fmt.Errorf("pkg: doing x: %w", errA)

	if !errors.Is(err, errA) {
		t.Error("errors.Is(wrapped, errA) = false, want true")
	}
	if errors.Is(err, errB) {
		t.Error("errors.Is(wrapped, errB) = true, want false: equal fields are not the same error")
	}
	var p *problem.Error
	if !errors.As(err, &p) {
		t.Fatal("errors.As(wrapped, *problem.Error) = false, want true")
	}
	if got, want := p.Status(), http.StatusConflict; got != want {
		t.Errorf("Status() = %d, want %d", got, want)
	}
	if got, want := p.Key(), "a.key"; got != want {
		t.Errorf("Key() = %q, want %q", got, want)
	}
	if got, want := err.Error(), "pkg: doing x: pkg: a"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
