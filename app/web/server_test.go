package web_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
)

// TestShutdownBeforeServe: a server stopped before or while it starts must not
// keep listening (a race once made tests that end early hang).
func TestShutdownBeforeServe(t *testing.T) {
	a := apptest.NewApp(t, apptest.Config(t, nil))
	for i := range 20 {
		srv, err := a.WebServer(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		if i%2 == 0 {
			go func() { done <- srv.Serve(ln) }()
		}
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			go func() { done <- srv.Serve(ln) }()
		}
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run %d: Serve = %v", i, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("run %d: Serve still running after Shutdown", i)
		}
	}
}
