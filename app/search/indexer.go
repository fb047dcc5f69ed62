package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/schwarm/schwarm/app/database"
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
}

// NewIndexer returns an Indexer.
func NewIndexer(db *database.DB, threads *thread.Service, index *Index, log *slog.Logger) *Indexer {
	return &Indexer{db: db, threads: threads, index: index, log: log}
}

const batchSize = 500

// CatchUp applies the outbox records past the index's position. On PostgreSQL a
// transaction still running holds back the records that sort after its own (see
// outbox.After): the index stays behind until it ends, rather than pass a record
// for good.
func (in *Indexer) CatchUp(ctx context.Context) error {
	pos, err := in.index.Position()
	if err != nil {
		return err
	}
	for {
		entries, err := outbox.After(ctx, in.db, pos, batchSize)
		if err != nil || len(entries) == 0 {
			return err
		}
		seen := map[int64]bool{}
		var ids []int64
		for _, e := range entries {
			if e.Topic == outbox.Thread && !seen[e.EntityID] {
				seen[e.EntityID] = true
				ids = append(ids, e.EntityID)
			}
		}
		pos = entries[len(entries)-1].Position()
		if err := in.apply(ctx, ids, pos); err != nil {
			return err
		}
	}
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
			Visible: t.DeletedAt == nil && !t.Pending, Created: t.CreatedAt,
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

// Run follows published generations and applies new outbox records every
// interval until ctx ends.
func (in *Indexer) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := in.Follow(ctx); err != nil && !errors.Is(err, context.Canceled) {
			in.log.Warn("search index switch", "err", err)
		}
		if err := in.CatchUp(ctx); err != nil && !errors.Is(err, context.Canceled) {
			in.log.Warn("search index catch-up", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
