package app_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/outbox"
)

// TestANodeBeatsAndLeaves: a serving node is among the live nodes, with its
// search index's position, so that pruning waits for it; at shutdown it leaves.
func TestANodeBeatsAndLeaves(t *testing.T) {
	a := apptest.NewApp(t, apptest.Config(t, nil))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln, nil) }()
	var nodes []outbox.Node
	if !apptest.Eventually(20*time.Second, func() bool {
		nodes, err = outbox.LiveNodes(context.Background(), a.DB)
		return err == nil && len(nodes) == 1
	}) {
		t.Fatalf("live nodes while serving: %+v, %v", nodes, err)
	}
	pos, err := a.Search.Position()
	if err != nil {
		t.Fatal(err)
	}
	if n := nodes[0]; n.ID != a.NodeID || n.Index != pos {
		t.Errorf("node %+v, want id %s at the index's position %+v", n, a.NodeID, pos)
	}
	stop()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if nodes, err := outbox.LiveNodes(context.Background(), a.DB); err != nil || len(nodes) != 0 {
		t.Errorf("live nodes after shutdown: %+v, %v", nodes, err)
	}
}
