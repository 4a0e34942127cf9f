package localqueue

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// The benchmarks use only the exported API, so that the same file runs against an older
// version of the package (the journal) for a side-by-side comparison. The queue lives in
// b.TempDir(), on the disk TMPDIR names: every durable step costs a real fsync there.

// benchBody is the size of an inquiry.received event, the local server's only message.
const benchBody = `{"type":"inquiry.received","inquiryId":"01JD7Y8Z9X0A1B2C3D4E5F6G7H","receivedAt":"2026-11-26T09:00:00Z"}`

func openBench(b *testing.B) *Queue {
	b.Helper()
	q, err := Open(Config{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = q.Close() })
	return q
}

// benchFill sends n messages from 8 goroutines (outside the timer: only to be quick).
func benchFill(b *testing.B, q *Queue, n int) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := g; i < n; i += 8 {
				if _, err := q.Send(context.Background(), benchBody+strconv.Itoa(i)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkSend is one sender: each Send returns once its message is durable.
func BenchmarkSend(b *testing.B) {
	q := openBench(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := q.Send(ctx, benchBody); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSendParallel is 8 senders per core (the local server's concurrent requests):
// concurrent Sends share their commits.
func BenchmarkSendParallel(b *testing.B) {
	q := openBench(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := q.Send(ctx, benchBody); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkReceiveDelete is one consumer using the public calls: receive a batch of 10, then
// delete each message; one op is one message received and deleted.
func BenchmarkReceiveDelete(b *testing.B) {
	q := openBench(b)
	ctx := context.Background()
	fill := func(n int) { benchFill(b, q, n) }
	b.ReportAllocs()
	b.StopTimer()
	fill(1000)
	b.StartTimer()
	for i := 0; i < b.N; {
		msgs, err := q.Receive(ctx, 10)
		if err != nil {
			b.Fatal(err)
		}
		if len(msgs) == 0 {
			b.StopTimer()
			fill(1000)
			b.StartTimer()
			continue
		}
		for _, m := range msgs {
			if err := q.Delete(ctx, m.ReceiptHandle); err != nil {
				b.Fatal(err)
			}
		}
		i += len(msgs)
	}
}

// BenchmarkConsumerPoll is the local server's worker path: PollOnce receives a batch of 10,
// runs a handler that fails nothing, and deletes the batch; one op is one message.
func BenchmarkConsumerPoll(b *testing.B) {
	q := openBench(b)
	ctx := context.Background()
	var handled atomic.Int64
	con := &Consumer{Queue: q, BatchSize: 10, Handler: func(_ context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
		handled.Add(int64(len(e.Records)))
		return events.SQSEventResponse{}, nil
	}}
	b.ReportAllocs()
	for i := 0; i < b.N; {
		res, err := con.PollOnce(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if res.Received == 0 {
			b.StopTimer()
			benchFill(b, q, 1000)
			b.StartTimer()
			continue
		}
		if res.Deleted != res.Received {
			b.Fatalf("deleted %d of %d", res.Deleted, res.Received)
		}
		i += res.Deleted
	}
	if handled.Load() == 0 {
		b.Fatal("the handler never ran")
	}
}
