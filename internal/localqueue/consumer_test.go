package localqueue

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"
)

// failBodies is a handler that reports every message whose body starts with "fail" as failed.
func failBodies(_ context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, m := range e.Records {
		if strings.HasPrefix(m.Body, "fail") {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return resp, nil
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// waitBound only keeps a regression from hanging the test binary until its timeout; no
// test asserts how fast anything is.
const waitBound = 60 * time.Second

// eventually polls cond until it holds, and fails the test if it does not within waitBound.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitBound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached after %v", what, waitBound)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// within receives from ch, and fails the test if nothing comes within waitBound.
func within[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitBound):
		t.Fatalf("%s: not reached after %v", what, waitBound)
		var zero T
		return zero
	}
}

func TestPollOnceDeletesWhatTheHandlerDidNotFail(t *testing.T) {
	cases := []struct {
		name        string
		handler     Handler
		wantDeleted []string // bodies gone after the poll; the rest stay for redelivery
	}{
		{"partial batch failure deletes the others", failBodies, []string{"ok-1", "ok-2"}},
		{"empty response deletes the whole batch", func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
			return events.SQSEventResponse{}, nil
		}, []string{"ok-1", "fail-1", "ok-2", "fail-2"}},
		{"returned error fails the whole batch", func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
			return events.SQSEventResponse{}, errors.New("boom")
		}, nil},
		{"panic fails the whole batch", func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
			panic("boom")
		}, nil},
		{"an unknown item identifier fails the whole batch", func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
			return events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: "not-in-batch"}}}, nil
		}, nil},
		{"an empty item identifier fails the whole batch", func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
			return events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: ""}}}, nil
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given four messages, two of which the failing handler rejects
			c := newClock()
			q, _ := pair(t, t.TempDir(), c, 5)
			all := []string{"ok-1", "fail-1", "ok-2", "fail-2"}
			send(t, q, all...)
			con := &Consumer{Queue: q, Handler: tc.handler, Logger: quietLogger()}

			// When one batch is polled
			res, err := con.PollOnce(context.Background())
			require.NoError(t, err)

			// Then exactly the messages not failed are deleted; the others come back later
			require.Equal(t, 4, res.Received)
			require.Equal(t, len(tc.wantDeleted), res.Deleted)
			require.Equal(t, 4-len(tc.wantDeleted), res.Failed)
			c.Advance(30 * time.Second)
			var left []string
			for _, m := range q.Messages() {
				left = append(left, m.Body)
			}
			var wantLeft []string
			for _, b := range all {
				if !contains(tc.wantDeleted, b) {
					wantLeft = append(wantLeft, b)
				}
			}
			require.Equal(t, wantLeft, left, "the failed messages, and only they, stay in the queue")
		})
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func TestPollOnceFailsABatchThatOutlivesTheVisibilityTimeout(t *testing.T) {
	// Given a handler that returns after its context's deadline, as a timed-out Lambda would
	q, err := Open(Config{Dir: t.TempDir(), VisibilityTimeout: time.Millisecond})
	require.NoError(t, err)
	defer q.Close()
	send(t, q, "slow")
	con := &Consumer{Queue: q, Logger: quietLogger(), Handler: func(ctx context.Context, _ events.SQSEvent) (events.SQSEventResponse, error) {
		<-ctx.Done()
		return events.SQSEventResponse{}, nil
	}}

	// When it is polled
	res, err := con.PollOnce(context.Background())

	// Then the message is not deleted
	require.NoError(t, err)
	require.Equal(t, BatchResult{Received: 1, Failed: 1}, res)
	require.Len(t, q.Messages(), 1, "a timed-out batch stays in the queue")
}

func TestRunFinishesTheBatchInProgressWhenStopped(t *testing.T) {
	// Given a consumer whose handler is in the middle of a batch
	q, err := Open(Config{Dir: t.TempDir()})
	require.NoError(t, err)
	defer q.Close()
	send(t, q, "m1", "m2")
	started, release := make(chan struct{}), make(chan struct{})
	var handlerCtxErr error
	con := &Consumer{Queue: q, Logger: quietLogger(), Handler: func(ctx context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
		close(started)
		<-release
		handlerCtxErr = ctx.Err()
		return events.SQSEventResponse{}, nil
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- con.Run(ctx) }()
	within(t, "the handler starts", started)

	// When the consumer is stopped, and the handler then finishes
	cancel()
	close(release)
	require.NoError(t, within(t, "Run returns once stopped", done))

	// Then the handler's context was not cancelled and the batch was deleted
	require.NoError(t, handlerCtxErr, "stopping the consumer does not cancel a running batch")
	require.Empty(t, q.Messages(), "the batch in progress was completed and deleted")
}

func TestRunRetriesUntilProcessedOrDeadLettered(t *testing.T) {
	// Given 300 messages, a handler that fails 30% of attempts at random (seeded) and one
	// message that always fails, 4 concurrent pollers and a short visibility timeout (on
	// tmpfs where there is one: a commit slower than the timeout would be a redelivery, as
	// in SQS, and this test counts deliveries)
	dir := fastDir(t)
	dlq, err := Open(Config{Dir: dir + "/dlq"})
	require.NoError(t, err)
	defer dlq.Close()
	q, err := Open(Config{Dir: dir + "/q", VisibilityTimeout: 200 * time.Millisecond, MaxReceiveCount: 5, DeadLetter: dlq})
	require.NoError(t, err)
	defer q.Close()
	const n = 300
	for i := range n {
		send(t, q, "m"+strconv.Itoa(i))
	}
	send(t, q, "always-fail")
	var (
		mu        sync.Mutex
		rng       = rand.New(rand.NewPCG(1, 2))
		succeeded = map[string]int{}
	)
	handler := func(_ context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
		var resp events.SQSEventResponse
		mu.Lock()
		defer mu.Unlock()
		for _, m := range e.Records {
			fail := m.Body == "always-fail" || rng.Float64() < 0.3
			if fail {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
			} else {
				succeeded[m.Body]++
			}
		}
		return resp, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	con := &Consumer{Queue: q, Handler: handler, Concurrency: 4, IdleWait: 5 * time.Millisecond, Logger: quietLogger()}
	done := make(chan error)
	go func() { done <- con.Run(ctx) }()

	// When the consumer runs until the queue is empty
	eventually(t, "queue drained", func() bool { return q.Stats() == (Stats{}) })
	cancel()
	require.NoError(t, within(t, "Run returns once stopped", done))

	// Then each message succeeded exactly once, or is in the DLQ
	mu.Lock()
	defer mu.Unlock()
	lost, dup := 0, 0
	for i := range n {
		switch succeeded["m"+strconv.Itoa(i)] {
		case 0:
			lost++
		case 1:
		default:
			dup++
		}
	}
	dead := dlq.Messages()
	var deadBodies []string
	for _, m := range dead {
		deadBodies = append(deadBodies, m.Body)
	}
	// A message failing 5 times in a row (0.3^5, about 0.24%) is dead-lettered too.
	require.Zero(t, dup, "no message succeeded twice")
	require.Equal(t, lost+1, len(dead), "every message that never succeeded is in the DLQ, and only those")
	require.Contains(t, deadBodies, "always-fail")
}
