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

func TestWith(t *testing.T) {
	errA := problem.New(http.StatusForbidden, "a.key", "pkg: a")
	err := fmt.Errorf("pkg: doing x: %w", errA.With("Friday", 3))
	if !errors.Is(err, errA) {
		t.Error("errors.Is(wrapped With, errA) = false")
	}
	p, ok := errors.AsType[*problem.Error](err)
	if !ok || p.Key() != "a.key" || p.Status() != http.StatusForbidden {
		t.Errorf("AsType = %v, %v", p, ok)
	}
	if got := problem.Args(err); len(got) != 2 || got[0] != "Friday" || got[1] != 3 {
		t.Errorf("Args = %v", got)
	}
	if got := problem.Args(errA); got != nil {
		t.Errorf("Args of a plain error = %v", got)
	}
}
