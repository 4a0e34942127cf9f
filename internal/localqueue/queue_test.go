package localqueue

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/inquiry/porttest"
)

// clock is a fake clock that moves only when told to.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// pair opens a queue with a dead-letter queue under dir.
func pair(t *testing.T, dir string, c *clock, maxReceive int) (*Queue, *Queue) {
	t.Helper()
	dlq, err := Open(Config{Dir: filepath.Join(dir, "dlq"), Name: "events-dlq", Now: c.Now})
	require.NoError(t, err)
	q, err := Open(Config{Dir: filepath.Join(dir, "q"), Name: "events", VisibilityTimeout: 30 * time.Second,
		MaxReceiveCount: maxReceive, DeadLetter: dlq, Now: c.Now})
	require.NoError(t, err)
	t.Cleanup(func() { _ = q.Close(); _ = dlq.Close() })
	return q, dlq
}

// fastDir returns a temporary directory on tmpfs (/dev/shm) where there is one, else
// t.TempDir(): for tests of the queue's semantics that make thousands of commits, whose
// fsyncs cost nothing there. Tests of what reaches the disk use t.TempDir().
func fastDir(t *testing.T) string {
	t.Helper()
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if dir, err := os.MkdirTemp("/dev/shm", "localqueue-test-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}

func send(t *testing.T, q *Queue, bodies ...string) []string {
	t.Helper()
	ids := make([]string, len(bodies))
	for i, b := range bodies {
		id, err := q.Send(context.Background(), b)
		require.NoError(t, err)
		ids[i] = id
	}
	return ids
}

func receive(t *testing.T, q *Queue, n int) []events.SQSMessage {
	t.Helper()
	msgs, err := q.Receive(context.Background(), n)
	require.NoError(t, err)
	return msgs
}

func TestVisibilityTimeoutHidesAndReturnsAMessage(t *testing.T) {
	// Given a queue with one message, received once
	ctx := context.Background()
	c := newClock()
	q, _ := pair(t, t.TempDir(), c, 5)
	id := send(t, q, "hello")[0]
	first := receive(t, q, 10)
	require.Len(t, first, 1)
	require.Equal(t, id, first[0].MessageId)
	require.Equal(t, "1", first[0].Attributes["ApproximateReceiveCount"], "the first receive counts one")

	// When the visibility timeout has not yet run out
	c.Advance(30*time.Second - time.Nanosecond)
	// Then the message is invisible
	require.Empty(t, receive(t, q, 10), "an in-flight message is not received again")
	require.Equal(t, Stats{Visible: 0, InFlight: 1}, q.Stats())

	// When it runs out
	c.Advance(time.Nanosecond)
	second := receive(t, q, 10)
	// Then the message is received again, with a higher count and a new receipt handle
	require.Len(t, second, 1, "a message reappears when its visibility timeout ends")
	require.Equal(t, "2", second[0].Attributes["ApproximateReceiveCount"])
	require.NotEqual(t, first[0].ReceiptHandle, second[0].ReceiptHandle, "every receive issues a new handle")
	require.ErrorIs(t, q.Delete(ctx, first[0].ReceiptHandle), ErrInvalidReceipt, "a stale handle deletes nothing")
	require.NoError(t, q.Delete(ctx, second[0].ReceiptHandle))
	require.ErrorIs(t, q.Delete(ctx, second[0].ReceiptHandle), ErrInvalidReceipt, "a handle deletes once")

	// And once deleted it never comes back
	c.Advance(time.Hour)
	require.Empty(t, receive(t, q, 10), "a deleted message is gone")
	require.Equal(t, Stats{}, q.Stats())
}

func TestReceiveReturnsBatchesOfAtMostTheAskedSize(t *testing.T) {
	q, _ := pair(t, t.TempDir(), newClock(), 5)
	var bodies []string
	for i := range 25 {
		bodies = append(bodies, "m"+strconv.Itoa(i))
	}
	send(t, q, bodies...)

	seen := map[string]bool{}
	var sizes []int
	for _, n := range []int{10, 0, 3, 10} {
		batch := receive(t, q, n)
		sizes = append(sizes, len(batch))
		for _, m := range batch {
			require.False(t, seen[m.Body], "message %s received twice while in flight", m.Body)
			seen[m.Body] = true
		}
	}
	require.Equal(t, []int{10, 10, 3, 2}, sizes, "batches hold up to the asked size, 0 meaning 10")
	require.Len(t, seen, 25, "every message was received")
	for _, n := range []int{-1, 11} {
		_, err := q.Receive(context.Background(), n)
		require.Error(t, err, "batch size %d is refused, as SQS does", n)
	}
}

func TestMessageShapeIsWhatLambdaGets(t *testing.T) {
	c := newClock()
	q, _ := pair(t, t.TempDir(), c, 5)
	id := send(t, q, `{"type":"inquiry.received"}`)[0]
	c.Advance(time.Second)

	m := receive(t, q, 1)[0]

	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id, "message ids are UUIDs")
	require.Equal(t, "aws:sqs", m.EventSource)
	require.Equal(t, "arn:aws:sqs:local:000000000000:events", m.EventSourceARN)
	require.Equal(t, md5Hex(`{"type":"inquiry.received"}`), m.Md5OfBody, "md5OfBody is the body's MD5")
	require.Equal(t, strconv.FormatInt(c.Now().Add(-time.Second).UnixMilli(), 10), m.Attributes["SentTimestamp"])
	require.Equal(t, strconv.FormatInt(c.Now().UnixMilli(), 10), m.Attributes["ApproximateFirstReceiveTimestamp"])
	require.Equal(t, "1", m.Attributes["ApproximateReceiveCount"])
}

func TestSendRefusesBodiesSQSRefuses(t *testing.T) {
	q, _ := pair(t, t.TempDir(), newClock(), 5)
	for name, body := range map[string]string{
		"empty":    "",
		"too big":  string(make([]byte, MaxBodySize+1)),
		"not utf8": "\xff\xfe",
	} {
		_, err := q.Send(context.Background(), body)
		require.Error(t, err, "a %s body is refused", name)
	}
	require.Equal(t, Stats{}, q.Stats(), "refused bodies are not stored")
}

func TestRedriveMovesAMessageAfterMaxReceiveCount(t *testing.T) {
	// Given a queue with maxReceiveCount 3 and a message that is never deleted
	c := newClock()
	q, dlq := pair(t, t.TempDir(), c, 3)
	id := send(t, q, "poison")[0]
	var counts []string

	// When it is received until it stops coming
	for range 5 {
		for _, m := range receive(t, q, 10) {
			counts = append(counts, m.Attributes["ApproximateReceiveCount"])
		}
		c.Advance(30 * time.Second)
	}

	// Then it was received exactly 3 times and sits in the dead-letter queue, unchanged
	require.Equal(t, []string{"1", "2", "3"}, counts, "a message is delivered maxReceiveCount times")
	require.Equal(t, Stats{}, q.Stats(), "the source queue no longer holds it")
	dead := dlq.Messages()
	require.Len(t, dead, 1)
	require.Equal(t, id, dead[0].ID, "the message keeps its id in the dead-letter queue")
	require.Equal(t, "poison", dead[0].Body)
	got := receive(t, dlq, 10)
	require.Len(t, got, 1, "the dead-letter queue is a queue that can be received from")
	require.Equal(t, "arn:aws:sqs:local:000000000000:events-dlq", got[0].EventSourceARN)
}

func TestQueueSurvivesReopen(t *testing.T) {
	// Given a queue (maxReceiveCount 2) with a deleted, an in-flight, a never-received and a
	// dead-lettered message
	ctx := context.Background()
	dir := t.TempDir()
	c := newClock()
	q, dlq := pair(t, dir, c, 2)
	send(t, q, "dead")
	for range 2 {
		require.Len(t, receive(t, q, 1), 1)
		c.Advance(30 * time.Second)
	}
	send(t, q, "deleted", "in flight", "fresh")
	batch := receive(t, q, 2) // redrives "dead", then takes "deleted" and "in flight"
	require.Equal(t, []string{"deleted", "in flight"}, []string{batch[0].Body, batch[1].Body})
	require.NoError(t, q.Delete(ctx, batch[0].ReceiptHandle))
	c.Advance(10 * time.Second)
	require.NoError(t, q.Close())
	require.NoError(t, dlq.Close())

	// When both are opened again on the same directories
	q2, dlq2 := pair(t, dir, c, 2)

	// Then every undeleted message is there with its receive count and visibility
	var state []string
	for _, m := range q2.Messages() {
		state = append(state, fmt.Sprintf("%s:%d", m.Body, m.ReceiveCount))
	}
	require.Equal(t, []string{"in flight:1", "fresh:0"}, state, "undeleted messages and their receive counts survive a reopen")
	got := receive(t, q2, 10)
	require.Len(t, got, 1, "an in-flight message stays in flight across a reopen")
	require.Equal(t, "fresh", got[0].Body)
	dead := dlq2.Messages()
	require.Len(t, dead, 1)
	require.Equal(t, "dead", dead[0].Body, "the dead-letter queue survives a reopen")
	c.Advance(20 * time.Second)
	got = receive(t, q2, 10)
	require.Len(t, got, 1)
	require.Equal(t, "in flight", got[0].Body, "the in-flight message reappears at its old deadline")
	require.Equal(t, "2", got[0].Attributes["ApproximateReceiveCount"])
}

func TestClosedQueueRefusesCalls(t *testing.T) {
	q, err := Open(Config{Dir: t.TempDir()})
	require.NoError(t, err)
	require.NoError(t, q.Close())
	_, err = q.Send(context.Background(), "x")
	require.ErrorIs(t, err, ErrClosed)
	_, err = q.Receive(context.Background(), 1)
	require.ErrorIs(t, err, ErrClosed)
}

func TestOpenRefusesInconsistentRedrive(t *testing.T) {
	dlq, err := Open(Config{Dir: t.TempDir()})
	require.NoError(t, err)
	defer dlq.Close()
	for name, cfg := range map[string]Config{
		"no dir":                      {},
		"max receive without a DLQ":   {Dir: t.TempDir(), MaxReceiveCount: 3},
		"DLQ without max receive":     {Dir: t.TempDir(), DeadLetter: dlq},
		"negative visibility timeout": {Dir: t.TempDir(), VisibilityTimeout: -time.Second},
	} {
		_, err := Open(cfg)
		require.Error(t, err, name)
	}
}

func TestPublisherContract(t *testing.T) {
	porttest.Publisher(t, func(t *testing.T) (inquiry.Publisher, porttest.Receive) {
		q, err := Open(Config{Dir: t.TempDir()})
		require.NoError(t, err)
		t.Cleanup(func() { _ = q.Close() })
		return q, func(t *testing.T, n int) []inquiry.Event {
			var out []inquiry.Event
			for len(out) < n {
				msgs := receive(t, q, 10)
				if len(msgs) == 0 {
					t.Fatalf("queue holds %d events, want %d", len(out), n)
				}
				for _, m := range msgs {
					var e inquiry.Event
					require.NoError(t, json.Unmarshal([]byte(m.Body), &e))
					out = append(out, e)
					require.NoError(t, q.Delete(context.Background(), m.ReceiptHandle))
				}
			}
			return out
		}
	})
}

func TestConcurrentSendsAreAllKept(t *testing.T) {
	// Given 16 goroutines sending 50 messages each while a consumer receives and deletes
	ctx := context.Background()
	dir := t.TempDir()
	q, err := Open(Config{Dir: dir})
	require.NoError(t, err)
	var wg sync.WaitGroup
	sent := make(chan string, 800)
	for g := range 16 {
		wg.Go(func() {
			for i := range 50 {
				if _, err := q.Send(ctx, fmt.Sprintf("%d-%d", g, i)); err != nil {
					t.Errorf("Send: %v", err)
				}
				sent <- fmt.Sprintf("%d-%d", g, i)
			}
		})
	}
	deleted := map[string]bool{}
	wg.Go(func() {
		for range 20 {
			msgs, err := q.Receive(ctx, 10)
			if err != nil {
				t.Errorf("Receive: %v", err)
				return
			}
			for _, m := range msgs {
				if err := q.Delete(ctx, m.ReceiptHandle); err != nil {
					t.Errorf("Delete: %v", err)
				}
				deleted[m.Body] = true
			}
		}
	})
	wg.Wait()
	close(sent)
	require.NoError(t, q.Close())

	// When the queue is reopened
	q, err = Open(Config{Dir: dir})
	require.NoError(t, err)
	defer q.Close()

	// Then every message sent and not deleted is there, once
	left := map[string]int{}
	for _, m := range q.Messages() {
		left[m.Body]++
	}
	for body := range sent {
		if deleted[body] {
			require.Zero(t, left[body], "deleted message %s stays deleted", body)
		} else {
			require.Equal(t, 1, left[body], "message %s is kept exactly once", body)
		}
	}
}

// snapshot is what a reopen must restore of a queue: every message with its receive count
// and visibility, in send order.
func snapshot(q *Queue) []string {
	var out []string
	for _, m := range q.Messages() {
		out = append(out, fmt.Sprintf("%s %q sent=%d n=%d vis=%d", m.ID, m.Body, m.SentAt.UnixNano(), m.ReceiveCount, m.VisibleAt.UnixNano()))
	}
	return out
}

// TestEveryChangeSurvivesAReopen: each kind of change (a send, a receive, a delete, a
// redrive) is in the queue file when the call that made it returns, with the queue's whole
// state, in a file that has been through enough churn to reuse freed pages. (It replaces
// the journal's compaction test: the journal lost the change that triggered a compaction.)
func TestEveryChangeSurvivesAReopen(t *testing.T) {
	const maxReceive = 2
	type op struct {
		setup func(t *testing.T, q *Queue, c *clock) // puts the victim in the state the case needs
		do    func(t *testing.T, q *Queue, c *clock) // the change under test
		check func(t *testing.T, q, dlq *Queue)      // after the reopen
	}
	var victim events.SQSMessage // the message the case is about, once received
	cases := map[string]op{
		"send": {
			setup: func(*testing.T, *Queue, *clock) {},
			do:    func(t *testing.T, q *Queue, _ *clock) { send(t, q, "victim") },
			check: func(t *testing.T, q, _ *Queue) {
				require.Contains(t, bodies(q.Messages()), "victim", "a sent message survives a restart")
			},
		},
		"receive": {
			setup: func(t *testing.T, q *Queue, _ *clock) { send(t, q, "victim") },
			do: func(t *testing.T, q *Queue, _ *clock) {
				victim = receive(t, q, 1)[0]
				require.Equal(t, "victim", victim.Body)
			},
			check: func(t *testing.T, q, _ *Queue) {
				require.Equal(t, 1, q.Messages()[0].ReceiveCount, "a receive survives a restart")
			},
		},
		"delete": {
			setup: func(t *testing.T, q *Queue, _ *clock) {
				send(t, q, "victim")
				victim = receive(t, q, 1)[0]
			},
			do: func(t *testing.T, q *Queue, _ *clock) {
				require.NoError(t, q.Delete(context.Background(), victim.ReceiptHandle))
			},
			check: func(t *testing.T, q, _ *Queue) {
				require.NotContains(t, bodies(q.Messages()), "victim", "a deleted message stays deleted after a restart")
			},
		},
		"redrive": {
			setup: func(t *testing.T, q *Queue, c *clock) {
				send(t, q, "victim")
				for range maxReceive {
					require.Len(t, receive(t, q, 1), 1)
					c.Advance(30 * time.Second)
				}
			},
			do: func(t *testing.T, q *Queue, _ *clock) {
				for _, m := range receive(t, q, 1) {
					require.NotEqual(t, "victim", m.Body, "a message received maxReceiveCount times is redriven, not received")
				}
			},
			check: func(t *testing.T, q, dlq *Queue) {
				require.NotContains(t, bodies(q.Messages()), "victim", "a redriven message does not come back to its queue after a restart")
				require.Equal(t, []string{"victim"}, bodies(dlq.Messages()), "it is in the dead-letter queue, once")
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			// Given a queue that has sent, received and deleted 300 messages (its file
			// reuses freed pages) and holds the message of the case
			ctx := context.Background()
			dir := fastDir(t)
			c := newClock()
			q, dlq := pair(t, dir, c, maxReceive)
			for range 300 {
				id := send(t, q, "churn")[0]
				c.Advance(time.Millisecond)
				msgs := receive(t, q, 10)
				require.Len(t, msgs, 1, "only the churn message is visible")
				require.Equal(t, id, msgs[0].MessageId)
				require.NoError(t, q.Delete(ctx, msgs[0].ReceiptHandle))
			}
			tc.setup(t, q, c)
			c.Advance(time.Millisecond)
			send(t, q, "filler")

			// When the change of the case is made, and the queues are closed and opened again
			tc.do(t, q, c)
			want, wantDead := snapshot(q), snapshot(dlq)
			require.NoError(t, q.Close())
			require.NoError(t, dlq.Close())
			q, dlq = pair(t, dir, c, maxReceive)

			// Then the reopened queues hold exactly what the queues held before
			require.Equal(t, want, snapshot(q), "the queue file holds every change")
			require.Equal(t, wantDead, snapshot(dlq), "the dead-letter queue's file holds every message moved to it")
			tc.check(t, q, dlq)
		})
	}
}

func TestChurnDoesNotGrowTheFile(t *testing.T) {
	// Given 3,000 messages sent and deleted, and 3 left
	ctx := context.Background()
	dir := fastDir(t)
	q, err := Open(Config{Dir: dir})
	require.NoError(t, err)
	for i := range 3000 {
		send(t, q, "m"+strconv.Itoa(i))
		for _, m := range receive(t, q, 10) {
			require.NoError(t, q.Delete(ctx, m.ReceiptHandle))
		}
	}
	send(t, q, "a", "b", "c")
	require.NoError(t, q.Close())

	// Then the file holds about what is live, not the history: bbolt reuses freed pages
	st, err := os.Stat(filepath.Join(dir, "queue.db"))
	require.NoError(t, err)
	require.Less(t, st.Size(), int64(256<<10), "the queue file does not grow with churn (3,000 sends and deletes)")

	// And reopening it gives the 3 live messages
	q, err = Open(Config{Dir: dir})
	require.NoError(t, err)
	defer q.Close()
	require.Equal(t, []string{"a", "b", "c"}, bodies(q.Messages()))
}

func bodies(msgs []Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Body
	}
	return out
}

// tickingClock moves one second every time it is read, as if each step took that long.
type tickingClock struct {
	mu   sync.Mutex
	t    time.Time
	last time.Time
}

func (c *tickingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	c.last = c.t
	return c.t
}

func TestVisibilityTimeoutStartsWhenReceiveReturns(t *testing.T) {
	// Given a queue whose clock moves while a receive is committed
	c := &tickingClock{t: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
	q, err := Open(Config{Dir: t.TempDir(), Now: c.Now})
	require.NoError(t, err)
	defer q.Close()
	send(t, q, "m")

	// When it is received
	got := receive(t, q, 1)
	require.Len(t, got, 1)
	returned := c.last

	// Then its visibility timeout counts from when Receive returned, not from when it began
	require.Equal(t, returned.Add(DefaultVisibilityTimeout), q.Messages()[0].VisibleAt,
		"the time a receive takes to be durable is not taken from the consumer")
}
