package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/outbox"
	"github.com/schwarm/schwarm/app/thread"
)

// Indexer keeps an Index in step with the database by applying outbox records in
// order, in batches.
type Indexer struct {
	db      *database.DB
	threads *thread.Service
	index   *Index
	log     *slog.Logger
	refused int // a published generation that could not be opened

	rebuiltAt time.Time // when Run last started a rebuild for ErrLost
}

// ErrLost says that the index cannot catch up from the outbox (see outbox.Lost):
// records past its position were pruned, or the database was restored from a
// backup. It may have missed changes for good, and is rebuilt.
var ErrLost = event.ErrLost

// NewIndexer returns an Indexer.
func NewIndexer(db *database.DB, threads *thread.Service, index *Index, log *slog.Logger) *Indexer {
	return &Indexer{db: db, threads: threads, index: index, log: log}
}

const batchSize = 500

// Name names the indexer among the stream's consumers.
func (in *Indexer) Name() string { return "search" }

// CatchUp applies the outbox records past the index's position (event.CatchUp).
func (in *Indexer) CatchUp(ctx context.Context) error {
	return event.CatchUp(ctx, in.db, in, batchSize)
}

// Position is the index's position in the outbox, kept in the index.
func (in *Indexer) Position(context.Context) (outbox.Position, error) { return in.index.Position() }

// Apply brings the threads that records are about up to date in the index, and
// moves the index's position to next in the same batch.
func (in *Indexer) Apply(ctx context.Context, records []outbox.Entry, next outbox.Position) error {
	seen := map[int64]bool{}
	var ids []int64
	for _, e := range records {
		threads, err := event.Threads(e)
		if err != nil {
			return err
		}
		for _, id := range threads {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return in.apply(ctx, ids, next)
}

// apply re-reads the threads in ids from the database and writes them, or their
// removal, to the index together with the new position.
func (in *Indexer) apply(ctx context.Context, ids []int64, pos outbox.Position) error {
	data, err := in.threads.IndexData(ctx, ids)
	if err != nil {
		return err
	}
	found := map[int64]bool{}
	docs := make([]Document, 0, len(data))
	for _, t := range data {
		found[t.ID] = true
		docs = append(docs, Document{
			ThreadID: t.ID, Title: t.Title, Question: t.Question, Solution: t.Solution, Answers: t.Answers, Aliases: t.Aliases, Hidden: t.Hidden, Tags: t.Tags,
			BoardID: t.BoardID, Language: t.Language, Solved: t.State == thread.StateSolved, Kudos: t.Kudos,
			Visible: t.DeletedAt == nil && t.HiddenAt == nil && !t.Pending, Created: t.CreatedAt,
		})
	}
	var gone []int64
	for _, id := range ids {
		if !found[id] {
			gone = append(gone, id)
		}
	}
	return in.index.Apply(docs, gone, pos)
}

// Rebuild indexes every thread into the indexer's (new) generation and marks it
// complete, ready to Publish; it returns how many threads it indexed. It notes the
// outbox head first, so that changes committed while it reads are applied again
// afterwards, never lost.
func (in *Indexer) Rebuild(ctx context.Context) (int, error) {
	pos, err := outbox.Head(ctx, in.db)
	if err != nil {
		return 0, fmt.Errorf("search: rebuild: %w", err)
	}
	n := 0
	for after := int64(0); ; {
		ids, err := in.threads.IDsAfter(ctx, after, batchSize)
		if err != nil {
			return n, fmt.Errorf("search: rebuild: %w", err)
		}
		if len(ids) == 0 {
			break
		}
		if err := in.apply(ctx, ids, outbox.Position{}); err != nil {
			return n, err
		}
		n += len(ids)
		after = ids[len(ids)-1]
	}
	if err := in.index.Apply(nil, nil, pos); err != nil {
		return n, err
	}
	return n, in.index.markBuilt()
}

// BuildGeneration builds a new generation of the index in root from the
// database, beside the one in use, and publishes it: a node serving from root
// goes on serving and switches to it within a tick of its indexer (see Follow).
// It returns how many threads it indexed.
func BuildGeneration(ctx context.Context, db *database.DB, threads *thread.Service, root string, log *slog.Logger) (int, error) {
	ix, err := NewGeneration(root)
	if err != nil {
		return 0, err
	}
	n, err := NewIndexer(db, threads, ix, log).Rebuild(ctx)
	gen := ix.Generation()
	// Closed before it is published, so that the server finds it free to open.
	if cerr := ix.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// A failed build is never served; left on disk, every retry would add
		// another.
		if rerr := os.RemoveAll(genDir(root, gen)); rerr != nil {
			log.Warn("remove a failed search index build", "generation", gen, "err", rerr)
		}
		return n, err
	}
	return n, Publish(root, gen)
}

// Follow switches to a generation that `schwarm reindex` published, once that
// generation has caught up with the outbox: searches go on against the old one
// until then, and never see an index further behind than the one they had.
func (in *Indexer) Follow(ctx context.Context) error {
	gen, err := published(in.index.root)
	if err != nil || gen <= in.index.Generation() || gen == in.refused {
		return err
	}
	next, err := openGeneration(in.index.root, gen)
	if errors.Is(err, ErrRebuild) {
		in.refused = gen // built by another version, or never finished: say so once
	}
	if err != nil {
		return err
	}
	if err := (&Indexer{db: in.db, threads: in.threads, index: next, log: in.log}).CatchUp(ctx); err != nil {
		next.Close()
		return err
	}
	if err := in.index.adopt(next); err != nil {
		return err
	}
	in.log.Info("search index switched to a new generation", "generation", gen)
	return nil
}

// rebuildGap is the least time between two rebuilds that Run starts for
// ErrLost, should one fail.
const rebuildGap = time.Minute

// Run follows published generations and applies new outbox records every
// interval until ctx ends. An index that lost track of the outbox (ErrLost)
// goes on serving while Run builds a new generation, which it then switches to.
//
// A catch-up that fails (the database unreachable) is retried with a growing
// wait, up to a minute; the position does not move, so no record is skipped.
func (in *Indexer) Run(ctx context.Context, interval time.Duration) {
	var backoff event.Backoff
	for {
		wait := interval
		if err := in.Follow(ctx); err != nil && !errors.Is(err, context.Canceled) {
			in.log.Warn("search index switch", "err", err)
		}
		err := in.CatchUp(ctx)
		switch {
		case errors.Is(err, ErrLost) && time.Since(in.rebuiltAt) >= rebuildGap:
			in.rebuiltAt = time.Now()
			in.log.Warn("search index rebuilding while it serves", "why", err)
			start := time.Now()
			n, err := BuildGeneration(ctx, in.db, in.threads, in.index.root, in.log)
			if err != nil && !errors.Is(err, context.Canceled) {
				in.log.Warn("search index rebuild", "err", err)
			} else if err == nil {
				in.log.Info("search index built", "threads", n, "duration", time.Since(start).Round(time.Millisecond))
			}
		case err != nil && !errors.Is(err, ErrLost) && !errors.Is(err, context.Canceled):
			wait = backoff.Next(interval, time.Minute)
			in.log.Warn("search index catch-up failed; retrying", "in", wait, "err", err)
		case err == nil:
			backoff.Reset()
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}
