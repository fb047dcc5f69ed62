package thread_test

import (
	"context"
	"testing"
)

// BenchmarkReply measures one answer, from its transaction's start to its commit:
// the post, the thread's counters, the reputation facts and the answer.posted
// event in the outbox.
func BenchmarkReply(b *testing.B) {
	e := setup(b)
	ctx := context.Background()
	th := e.ask(b, e.fx.Member, "Router drops Wi-Fi every night")
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.s.Reply(ctx, e.fx.Other, th.ID, "Update the firmware of the router, then restart it."); err != nil {
			b.Fatal(err)
		}
	}
}
