package localqueue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Handler is what an SQS-triggered Lambda function with ReportBatchItemFailures runs: it gets
// a batch and reports the messages it failed by message id. A returned error fails the whole
// batch.
type Handler func(ctx context.Context, e events.SQSEvent) (events.SQSEventResponse, error)

// Consumer feeds a queue's messages to a Handler the way Lambda's event source mapping does:
// in batches of up to BatchSize, deleting each message the handler did not list in
// BatchItemFailures. Failed messages are not deleted and reappear after the visibility
// timeout, with their receive count increased; after the queue's MaxReceiveCount receives
// they move to its dead-letter queue. As in Lambda, a returned error, a panic, a handler that
// outlives the visibility timeout, or a BatchItemFailures entry that names no message of the
// batch fails the whole batch.
type Consumer struct {
	// Queue is the queue to consume. Required.
	Queue *Queue
	// Handler processes batches. Required.
	Handler Handler
	// BatchSize is the most messages per batch, 1 to 10. Zero means 10.
	BatchSize int
	// Concurrency is how many batches may be processed at once. Zero means 1.
	Concurrency int
	// IdleWait is the longest an idle consumer waits before looking at the queue again when
	// nothing wakes it (a send wakes it at once, and so does the end of the visibility
	// timeout of an in-flight message). Zero means one second.
	IdleWait time.Duration
	// Logger receives batch failures. Nil means slog.Default().
	Logger *slog.Logger
}

// BatchResult is what one poll did.
type BatchResult struct {
	Received int // messages handed to the handler
	Deleted  int // messages deleted after it returned
	Failed   int // messages left for redelivery
}

// PollOnce receives one batch, if any message is visible, runs the handler on it and deletes
// the messages it did not report as failed. It does not wait for messages.
//
// The handler's context is not cancelled when ctx is: a batch that started is allowed to
// finish, within the queue's visibility timeout (the deadline of the handler's context, as a
// Lambda function's timeout would be).
func (c *Consumer) PollOnce(ctx context.Context) (BatchResult, error) {
	msgs, err := c.Queue.Receive(ctx, c.BatchSize)
	if err != nil || len(msgs) == 0 {
		return BatchResult{}, err
	}
	res := BatchResult{Received: len(msgs)}
	failed, err := c.invoke(ctx, msgs)
	if err != nil {
		c.logger().Error("batch failed; its messages will be retried after the visibility timeout",
			"queue", c.Queue.cfg.Name, "messages", len(msgs), "error", err)
		res.Failed = len(msgs)
		return res, nil
	}
	var (
		errs    []error
		handles []string
		ids     []string
	)
	for _, m := range msgs {
		if failed[m.MessageId] {
			res.Failed++
			continue
		}
		handles, ids = append(handles, m.ReceiptHandle), append(ids, m.MessageId)
	}
	// One commit deletes the batch's successes, as DeleteMessageBatch would.
	for i, err := range c.Queue.deleteBatch(context.WithoutCancel(ctx), handles) {
		if err != nil {
			// The handle went stale: the handler outlived the visibility timeout and the
			// message was received again. It will be processed again, as in SQS.
			errs = append(errs, fmt.Errorf("delete %s: %w", ids[i], err))
			res.Failed++
			continue
		}
		res.Deleted++
	}
	if res.Failed > 0 {
		c.logger().Warn("messages failed; they will be retried after the visibility timeout",
			"queue", c.Queue.cfg.Name, "failed", res.Failed, "of", len(msgs))
	}
	return res, errors.Join(errs...)
}

// invoke runs the handler and returns the ids of the messages it failed, or an error that
// fails the whole batch.
func (c *Consumer) invoke(ctx context.Context, msgs []events.SQSMessage) (failed map[string]bool, err error) {
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.Queue.cfg.VisibilityTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v", p)
		}
	}()
	resp, err := c.Handler(hctx, events.SQSEvent{Records: msgs})
	if err != nil {
		return nil, fmt.Errorf("handler: %w", err)
	}
	if hctx.Err() != nil {
		return nil, fmt.Errorf("handler ran past the visibility timeout (%v)", c.Queue.cfg.VisibilityTimeout)
	}
	inBatch := make(map[string]bool, len(msgs))
	for _, m := range msgs {
		inBatch[m.MessageId] = true
	}
	failed = map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		if !inBatch[f.ItemIdentifier] {
			return nil, fmt.Errorf("batchItemFailures names %q, which is not a message of the batch", f.ItemIdentifier)
		}
		failed[f.ItemIdentifier] = true
	}
	return failed, nil
}

// Run consumes the queue until ctx is done, then lets the batches in progress finish and
// returns. It returns an error only when the queue fails (ErrClosed included), not when
// handlers do.
func (c *Consumer) Run(ctx context.Context) error {
	if c.Queue == nil || c.Handler == nil {
		return errors.New("localqueue: Consumer needs a Queue and a Handler")
	}
	n := max(c.Concurrency, 1)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range n {
		wg.Go(func() {
			if err := c.loop(ctx); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (c *Consumer) loop(ctx context.Context) error {
	idle := c.IdleWait
	if idle <= 0 {
		idle = time.Second
	}
	timer := time.NewTimer(idle)
	defer timer.Stop()
	for {
		if ctx.Err() != nil {
			return nil
		}
		res, err := c.PollOnce(ctx)
		if errors.Is(err, ErrClosed) {
			return err
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			c.logger().Warn("poll", "queue", c.Queue.cfg.Name, "error", err)
		}
		if res.Received > 0 {
			continue
		}
		wait := idle
		if next := c.Queue.nextVisible(); !next.IsZero() {
			wait = min(wait, max(next.Sub(c.Queue.now()), time.Millisecond))
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-c.Queue.closed:
			return ErrClosed
		case <-c.Queue.ready: // a send, or a full batch received (more may be visible)
		case <-timer.C:
		}
	}
}

func (c *Consumer) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}
