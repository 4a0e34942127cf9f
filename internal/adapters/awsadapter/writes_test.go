package awsadapter

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/inquiry/porttest"
	"github.com/groundwork-dev/groundwork/internal/worker"
)

// The service and the worker over the three adapters and their emulators, with faults
// injected between the service and the adapters: what a failed SendMessage or an api
// Lambda killed between its two writes leaves in DynamoDB and SQS.

// testClock is the service's clock, moved by the test (and by the worker's waits).
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// cloud is the inquiries service deployed on the emulators.
type cloud struct {
	sqs     *sqs.Client
	queue   string
	records *RecordStore
	faults  *porttest.Faults
	clock   *testClock
	svc     *inquiry.Service
	worker  *worker.Handler
	logs    strings.Builder
}

// newCloud builds the service on the emulators; its publisher sends to queueURL when it is
// not empty (a queue that does not exist, say), else to a new queue with a 1 s visibility
// timeout.
func newCloud(t *testing.T, queueURL string) *cloud {
	t.Helper()
	ddb, table, _ := newDynamo(t)
	s3c, bucket, _ := newS3(t)
	c := &cloud{sqs: newSQSClient(), faults: porttest.NewFaults(nil), clock: &testClock{t: time.Now().UTC()}}
	c.queue = newQueue(t.Context(), t, c.sqs, map[string]string{string(types.QueueAttributeNameVisibilityTimeout): "1"})
	if queueURL == "" {
		queueURL = c.queue
	}
	c.records = NewRecordStore(ddb, table)
	c.svc = inquiry.NewService(c.faults.Records(c.records), NewArchiveStore(s3c, bucket), c.faults.Publisher(NewPublisher(c.sqs, queueURL)),
		inquiry.WithClock(c.clock.Now), inquiry.WithLogger(slog.New(slog.DiscardHandler)))
	c.worker = worker.New(c.svc, slog.New(slog.NewTextHandler(&c.logs, nil)),
		worker.WithSleep(func(_ context.Context, d time.Duration) error { c.clock.Advance(d); return nil }))
	return c
}

// poll receives what the queue delivers within one long poll (visible messages only).
func (c *cloud) poll(t *testing.T) []types.Message {
	t.Helper()
	out, err := c.sqs.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{
		QueueUrl: &c.queue, MaxNumberOfMessages: 10, WaitTimeSeconds: receiveWait,
	})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	return out.Messages
}

// deliver hands msgs to the worker as the event source mapping does, deletes the ones it
// did not report as failed, and returns the ids of the failed ones.
func (c *cloud) deliver(t *testing.T, msgs []types.Message) []string {
	t.Helper()
	batch := events.SQSEvent{}
	for _, m := range msgs {
		batch.Records = append(batch.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), Body: aws.ToString(m.Body)})
	}
	resp, err := c.worker.Handle(t.Context(), batch)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	failed := map[string]bool{}
	ids := []string{}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
		ids = append(ids, f.ItemIdentifier)
	}
	for _, m := range msgs {
		if !failed[aws.ToString(m.MessageId)] {
			deleteMessage(t, c.sqs, c.queue, m)
		}
	}
	return ids
}

// stuck returns the records Create was asked for that DynamoDB holds as received while
// none of msgs (the queue's content) is their event.
func (c *cloud) stuck(t *testing.T, msgs []types.Message) []string {
	t.Helper()
	pending := map[string]bool{}
	for _, m := range msgs {
		ev, err := worker.Decode(aws.ToString(m.Body))
		if err != nil {
			t.Fatalf("queued message is not an event: %v", err)
		}
		pending[ev.InquiryID] = true
	}
	ids, err := porttest.Stuck(t.Context(), c.records, c.faults.IDs(), func(id string) bool { return pending[id] })
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// submitAndProcess submits an inquiry that must succeed, and runs the worker on its event.
func (c *cloud) submitAndProcess(t *testing.T, key string) {
	t.Helper()
	r, err := c.svc.Submit(t.Context(), inquiry.Submission{Name: "Ada", Email: "ada@example.com", Message: "hello"}, key)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if failed := c.deliver(t, receive(t, c.sqs, c.queue, 1)); len(failed) != 0 {
		t.Fatalf("the event of inquiry %s failed: %v", r.ID, failed)
	}
	rec, err := c.records.Get(t.Context(), r.ID)
	if err != nil || rec.Status != inquiry.StatusProcessed {
		t.Fatalf("inquiry %s after its event: %+v, %v; want processed", r.ID, rec, err)
	}
}

func TestEmulatorsAFailedSendMessageStoresNoRecord(t *testing.T) {
	for _, key := range []string{"", "k-1"} {
		t.Run("key "+key, func(t *testing.T) {
			// Given a publisher whose queue does not exist, so SendMessage fails in SQS
			c := newCloud(t, sqsURL+"/000000000000/no-such-queue")

			// When an inquiry is submitted
			_, err := c.svc.Submit(t.Context(), inquiry.Submission{Name: "Ada", Email: "ada@example.com", Message: "hello"}, key)

			// Then the error is reported and DynamoDB holds no record that no event will process
			if err == nil {
				t.Fatal("Submit succeeded with a queue that does not exist")
			}
			if stuck := c.stuck(t, nil); len(stuck) != 0 {
				t.Errorf("records received with no event: %v", stuck)
			}
			for _, id := range c.faults.IDs() {
				if _, err := c.records.Get(t.Context(), id); !errors.Is(err, inquiry.ErrNotFound) {
					t.Errorf("record %s is stored though its event was never sent (Get: %v)", id, err)
				}
			}
		})
	}
}

func TestEmulatorsACrashBetweenTheWritesLeavesNoStuckRecord(t *testing.T) {
	for _, key := range []string{"", "k-1"} {
		t.Run("key "+key, func(t *testing.T) {
			// Given the api Lambda killed between the two writes of the next submission
			c := newCloud(t, "")
			c.faults.CrashBetweenWrites()

			// When an inquiry is submitted
			crashed := porttest.Survive(func() {
				_, _ = c.svc.Submit(t.Context(), inquiry.Submission{Name: "Ada", Email: "ada@example.com", Message: "hello"}, key)
			})
			if !crashed {
				t.Fatal("the crash was not injected")
			}

			// Then no record in DynamoDB is received without its event in SQS
			msgs := c.poll(t)
			if stuck := c.stuck(t, msgs); len(stuck) != 0 {
				t.Fatalf("records received with no event: %v", stuck)
			}
			if len(msgs) != 1 {
				t.Fatalf("queue delivered %d messages, want the 1 event sent before the crash", len(msgs))
			}

			// And the worker retries the young orphan event, then drops it once it is old
			if failed := c.deliver(t, msgs); len(failed) != 1 {
				t.Fatalf("young orphan event: failed %v, want it retried", failed)
			}
			c.clock.Advance(inquiry.OrphanGrace)
			again := receive(t, c.sqs, c.queue, 1) // after the 1 s visibility timeout
			if failed := c.deliver(t, again); len(failed) != 0 {
				t.Fatalf("old orphan event: failed %v, want it acknowledged", failed)
			}
			if !strings.Contains(c.logs.String(), "orphan event dropped") {
				t.Errorf("no warning about the dropped orphan; logs:\n%s", c.logs.String())
			}
			if left := c.poll(t); len(left) != 0 {
				t.Errorf("queue still delivers %d messages after the orphan was dropped", len(left))
			}

			// And a retry of the submission is stored and processed
			c.submitAndProcess(t, key)
		})
	}
}
