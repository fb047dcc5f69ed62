package event

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/outbox"
)

// Consumer is a reader of the stream that keeps its position in the database,
// one for the whole cluster: notifications, webhooks, rollups. Handle gets the
// records in order, in batches, at least once: a node that dies after Handle and
// before the position is saved leaves the batch to be handled again, by itself
// or another node, so Handle must be idempotent (a unique key on what it writes,
// or a check of what it did). A batch that fails is retried, with backoff, and
// never skipped. Handle's ctx ends when the node's lease does: a batch must
// take less (Options.Batch sets its size).
type Consumer interface {
	// Name is the key of the consumer's position: once deployed it never
	// changes.
	Name() string
	Handle(ctx context.Context, records []outbox.Entry) error
}

// NodeConsumer is a reader of the stream that runs on every node and keeps its
// own position: the search index, which stores it with the documents. Run reads
// every interval until ctx ends (see CatchUp); the Stream only starts it and
// waits for it.
type NodeConsumer interface {
	Name() string
	Run(ctx context.Context, interval time.Duration)
}

// Options tune a Stream.
type Options struct {
	Interval time.Duration // between reads of a consumer that is up to date (default 1 s)
	Lease    time.Duration // how long a node holds a consumer (default 30 s)
	MaxWait  time.Duration // the longest backoff after failures (default and at most Lease/2)
	Batch    int           // records per Handle (default 100)
}

// Stream delivers the outbox to the consumers registered with it. app.New
// registers every consumer; Run runs them all.
type Stream struct {
	db    *database.DB
	log   *slog.Logger
	owner string
	opts  Options

	consumers []Consumer
	nodes     []nodeConsumer
}

type nodeConsumer struct {
	NodeConsumer
	interval time.Duration
}

// NewStream returns a Stream whose leases are held in the name of owner, this
// node's id.
func NewStream(db *database.DB, log *slog.Logger, owner string, opts Options) *Stream {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.Lease <= 0 {
		opts.Lease = 30 * time.Second
	}
	// A node that backs off renews its lease on its next try, so that a
	// failing batch stays with it rather than pass from node to node.
	if opts.MaxWait <= 0 || opts.MaxWait > opts.Lease/2 {
		opts.MaxWait = opts.Lease / 2
	}
	if opts.Batch <= 0 {
		opts.Batch = 100
	}
	return &Stream{db: db, log: log, owner: owner, opts: opts}
}

// Add registers a consumer kept in the database. Call it before Run.
func (s *Stream) Add(c Consumer) { s.consumers = append(s.consumers, c) }

// AddNode registers a consumer that runs on every node, reading every interval.
// Call it before Run.
func (s *Stream) AddNode(c NodeConsumer, interval time.Duration) {
	s.nodes = append(s.nodes, nodeConsumer{c, interval})
}

// Run runs every consumer until ctx ends, and returns when all have stopped.
func (s *Stream) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, c := range s.nodes {
		wg.Go(func() { c.Run(ctx, c.interval) })
	}
	for _, c := range s.consumers {
		wg.Go(func() { s.run(ctx, c) })
	}
	wg.Wait()
}

// run delivers records to c while this node holds its lease.
func (s *Stream) run(ctx context.Context, c Consumer) {
	r := &reader{Stream: s, c: c}
	defer func() {
		if r.held {
			// Let another node take over at once, not after the lease.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := outbox.Release(rctx, s.db, c.Name(), s.owner); err != nil {
				s.log.Warn("release an event consumer", "consumer", c.Name(), "err", err)
			}
		}
	}()
	var backoff Backoff
	for {
		more, err := r.step(ctx)
		wait := s.opts.Interval
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			wait = backoff.Next(s.opts.Interval, s.opts.MaxWait)
			s.log.Warn("event consumer failed; retrying", "consumer", c.Name(), "in", wait, "err", err)
		case !r.held:
			// Another node reads; a failure streak of this one goes on
			// should the lease come back.
		case more:
			backoff.Reset()
			wait = 0
		default:
			backoff.Reset()
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// reader is one consumer's state on this node.
type reader struct {
	*Stream
	c        Consumer
	held     bool
	renewAt  time.Time // when to renew the lease
	leaseEnd time.Time // when it runs out, by this node's clock
	pos      outbox.Position
}

// step delivers one batch, if this node holds the consumer's lease, and says
// whether more records wait.
func (r *reader) step(ctx context.Context) (more bool, err error) {
	name := r.c.Name()
	if time.Now().After(r.renewAt) {
		// The position is read again with each renewal: another node may
		// have moved it while this one did not hold the lease. A node that
		// does not hold it asks again as often as the holder renews.
		asked := time.Now()
		pos, ok, err := outbox.Claim(ctx, r.db, name, r.owner, r.opts.Lease)
		if err != nil {
			r.held = false
			return false, err
		}
		r.held, r.pos, r.renewAt, r.leaseEnd = ok, pos, asked.Add(r.opts.Lease/2), asked.Add(r.opts.Lease)
	}
	if !r.held {
		return false, nil
	}
	records, err := outbox.After(ctx, r.db, r.pos, r.opts.Batch)
	if err != nil {
		return false, err
	}
	lost, err := outbox.Lost(ctx, r.db, r.pos)
	if err != nil {
		return false, err
	}
	if lost {
		// Pruning waits for this consumer, so only a restore of an older
		// backup gets here: what it had yet to read is gone for good.
		head, err := outbox.Head(ctx, r.db)
		if err != nil {
			return false, err
		}
		r.log.Error("event consumer lost records (the database was restored?); it goes on from now", "consumer", name, "at", r.pos)
		return true, r.save(ctx, head)
	}
	if len(records) == 0 {
		return false, nil
	}
	// A batch must be handled while the lease runs: past it another node may
	// be handling the same records.
	hctx, cancel := context.WithDeadline(ctx, r.leaseEnd)
	err = r.c.Handle(hctx, records)
	cancel()
	if err != nil {
		return false, fmt.Errorf("event: %s: %w", name, err)
	}
	return len(records) == r.opts.Batch, r.save(ctx, records[len(records)-1].Position())
}

func (r *reader) save(ctx context.Context, pos outbox.Position) error {
	ok, err := outbox.Save(ctx, r.db, r.c.Name(), r.owner, pos)
	if err != nil {
		return err
	}
	if !ok {
		// Another node took the lease over; it goes on from the position
		// saved last, and handles this batch again.
		r.held = false
		return nil
	}
	r.pos = pos
	return nil
}

// ErrLost says that a reader cannot go on from its position (outbox.Lost):
// records past it were pruned, or the database was restored from a backup.
var ErrLost = errors.New("event: records past the position are gone")

// Applier is a NodeConsumer's reading side: it keeps its own position and
// applies a batch together with the position after it.
type Applier interface {
	Position(ctx context.Context) (outbox.Position, error)
	Apply(ctx context.Context, records []outbox.Entry, next outbox.Position) error
}

// CatchUp applies to a the records past its position, in batches of n, until it
// has read them all; ErrLost when it cannot. On PostgreSQL a transaction still
// running holds back the records that sort after its own (see outbox.After): a
// stays behind until it ends, rather than pass a record for good.
func CatchUp(ctx context.Context, db *database.DB, a Applier, n int) error {
	pos, err := a.Position(ctx)
	if err != nil {
		return err
	}
	for {
		records, err := outbox.After(ctx, db, pos, n)
		if err != nil {
			return err
		}
		// Asked after the records are read: a prune that removed records
		// past pos before they were read has noted it by now.
		lost, err := outbox.Lost(ctx, db, pos)
		if err != nil {
			return err
		}
		if lost {
			return fmt.Errorf("%w at %+v", ErrLost, pos)
		}
		if len(records) == 0 {
			return nil
		}
		pos = records[len(records)-1].Position()
		if err := a.Apply(ctx, records, pos); err != nil {
			return err
		}
	}
}

// Backoff is the growing wait between retries of something that fails.
type Backoff struct{ failures int }

// Next returns the wait before the next retry: base, doubled with each failure
// in a row, up to limit.
func (b *Backoff) Next(base, limit time.Duration) time.Duration {
	b.failures++
	d := base
	for i := 1; i < b.failures && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// Reset starts over after a success.
func (b *Backoff) Reset() { b.failures = 0 }
