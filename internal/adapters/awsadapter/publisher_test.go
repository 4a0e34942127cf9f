package awsadapter

import (
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/inquiry/porttest"
)

// receiveAttempts bounds every receive loop: long polls of receiveWait each.
const (
	receiveAttempts = 20
	receiveWait     = 1 // seconds
)

func TestPublisherContract(t *testing.T) {
	c := newSQSClient()
	porttest.Publisher(t, func(t *testing.T) (inquiry.Publisher, porttest.Receive) {
		queue := newQueue(t.Context(), t, c, nil)
		return NewPublisher(c, queue), func(t *testing.T, n int) []inquiry.Event {
			t.Helper()
			var events []inquiry.Event
			for _, m := range receive(t, c, queue, n) {
				var e inquiry.Event
				if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &e); err != nil {
					t.Fatalf("message body is not an event: %v: %s", err, aws.ToString(m.Body))
				}
				if got := aws.ToString(m.MessageAttributes[TypeAttribute].StringValue); got != e.Type {
					t.Errorf("message attribute %q = %q, want the event type %q", TypeAttribute, got, e.Type)
				}
				events = append(events, e)
				deleteMessage(t, c, queue, m)
			}
			return events
		}
	})
}

func TestPublisherMessageShape(t *testing.T) {
	// Given a publisher
	c := newSQSClient()
	queue := newQueue(t.Context(), t, c, nil)
	p := NewPublisher(c, queue)
	at := time.Date(2026, 11, 26, 10, 0, 0, 42, time.FixedZone("CET", 3600))
	// When it publishes an event stamped in another time zone
	if err := p.Publish(t.Context(), inquiry.Event{Type: inquiry.EventTypeReceived, InquiryID: "01J", OccurredAt: at}); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	// Then the message body is the event's JSON in UTC and the type travels as a String attribute
	m := receive(t, c, queue, 1)[0]
	wantBody := `{"type":"inquiry.received","inquiryId":"01J","occurredAt":"2026-11-26T09:00:00.000000042Z"}`
	if got := aws.ToString(m.Body); got != wantBody {
		t.Errorf("body = %s, want %s", got, wantBody)
	}
	attr, ok := m.MessageAttributes[TypeAttribute]
	if !ok {
		t.Fatalf("message has no %q attribute; attributes: %v", TypeAttribute, m.MessageAttributes)
	}
	if aws.ToString(attr.DataType) != "String" || aws.ToString(attr.StringValue) != inquiry.EventTypeReceived {
		t.Errorf("attribute %q = (%s, %s), want (String, %s)", TypeAttribute,
			aws.ToString(attr.DataType), aws.ToString(attr.StringValue), inquiry.EventTypeReceived)
	}
}

func TestPublisherRefusesAnEventWithoutType(t *testing.T) {
	// Given a publisher
	c := newSQSClient()
	queue := newQueue(t.Context(), t, c, nil)
	p := NewPublisher(c, queue)
	// When it is asked to publish an event without a type
	err := p.Publish(t.Context(), inquiry.Event{InquiryID: "01J", OccurredAt: time.Now()})
	// Then it refuses and sends nothing
	if !errors.Is(err, errNoType) {
		t.Fatalf("Publish(no type) error = %v, want errNoType", err)
	}
	out, err := c.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: &queue, MaxNumberOfMessages: 10, WaitTimeSeconds: receiveWait})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	if len(out.Messages) != 0 {
		t.Errorf("queue holds %d messages after a refused Publish, want 0", len(out.Messages))
	}
}

// TestQueueRedrivesAfterMaxReceiveCount shows the SQS behaviour the worker relies on, on
// goaws: a message received maxReceiveCount times without being deleted moves to the DLQ.
//
// goaws differences from SQS, found in v0.5.4's source:
//   - visibility expiry and redrive happen only in gosqs.PeriodicTasks (started by TestMain),
//     so timing is in ticks of sqsTick on top of whole-second visibility timeouts;
//   - it moves the message when its visibility timeout expires after the last allowed
//     receive, where SQS moves it on the next receive attempt; a consumer sees the same
//     number of receives either way;
//   - ApproximateReceiveCount is always "1" (its NumberOfReceives is never incremented), so
//     this test counts receives itself instead of reading that attribute.
func TestQueueRedrivesAfterMaxReceiveCount(t *testing.T) {
	// Given a queue with a DLQ after 2 receives and a 1 s visibility timeout
	const maxReceiveCount = 2
	c := newSQSClient()
	ctx := t.Context()
	dlq := newQueue(ctx, t, c, nil)
	dlqAttrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: &dlq, AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn},
	})
	if err != nil {
		t.Fatalf("GetQueueAttributes(dlq): %v", err)
	}
	policy, _ := json.Marshal(map[string]string{
		"deadLetterTargetArn": dlqAttrs.Attributes[string(types.QueueAttributeNameQueueArn)],
		"maxReceiveCount":     strconv.Itoa(maxReceiveCount),
	})
	queue := newQueue(ctx, t, c, map[string]string{
		string(types.QueueAttributeNameRedrivePolicy):     string(policy),
		string(types.QueueAttributeNameVisibilityTimeout): "1",
	})
	e := inquiry.Event{Type: inquiry.EventTypeReceived, InquiryID: "poison", OccurredAt: time.Now().UTC()}
	if err := NewPublisher(c, queue).Publish(ctx, e); err != nil {
		t.Fatalf("Publish: %v", err)
	}

	// When a consumer keeps receiving it and never deletes it (it fails every time)
	receives := 0
	var dead []types.Message
	for attempt := 0; attempt < receiveAttempts && len(dead) == 0; attempt++ {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &queue, MaxNumberOfMessages: 10, WaitTimeSeconds: receiveWait})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		receives += len(out.Messages)
		if len(out.Messages) > 0 {
			continue
		}
		out, err = c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &dlq, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatalf("ReceiveMessage(dlq): %v", err)
		}
		dead = out.Messages
	}

	// Then it was received exactly maxReceiveCount times and then found, unchanged, in the DLQ
	if receives != maxReceiveCount {
		t.Errorf("message received %d times before redrive, want maxReceiveCount = %d", receives, maxReceiveCount)
	}
	if len(dead) != 1 {
		t.Fatalf("DLQ holds %d messages after %d receive attempts, want 1", len(dead), receiveAttempts)
	}
	var got inquiry.Event
	if err := json.Unmarshal([]byte(aws.ToString(dead[0].Body)), &got); err != nil || got.InquiryID != e.InquiryID || !got.OccurredAt.Equal(e.OccurredAt) {
		t.Errorf("DLQ message = %s (%v), want the published event %+v", aws.ToString(dead[0].Body), err, e)
	}
	if v := aws.ToString(dead[0].MessageAttributes[TypeAttribute].StringValue); v != e.Type {
		t.Errorf("DLQ message attribute %q = %q, want %q kept through redrive", TypeAttribute, v, e.Type)
	}
	out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &queue, MaxNumberOfMessages: 10, WaitTimeSeconds: receiveWait})
	if err != nil {
		t.Fatalf("ReceiveMessage after redrive: %v", err)
	}
	if len(out.Messages) != 0 {
		t.Errorf("source queue still delivers %d messages after redrive, want 0", len(out.Messages))
	}
}

// receive long-polls queue until n messages have arrived, with a bounded number of polls.
func receive(t *testing.T, c *sqs.Client, queue string, n int) []types.Message {
	t.Helper()
	var got []types.Message
	for attempt := 0; attempt < receiveAttempts && len(got) < n; attempt++ {
		out, err := c.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{
			QueueUrl:              &queue,
			MaxNumberOfMessages:   int32(min(n-len(got), 10)),
			WaitTimeSeconds:       receiveWait,
			MessageAttributeNames: []string{"All"},
		})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		got = append(got, out.Messages...)
	}
	if len(got) < n {
		t.Fatalf("received %d messages in %d polls, want %d", len(got), receiveAttempts, n)
	}
	return got
}

func deleteMessage(t *testing.T, c *sqs.Client, queue string, m types.Message) {
	t.Helper()
	if _, err := c.DeleteMessage(t.Context(), &sqs.DeleteMessageInput{QueueUrl: &queue, ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}
}
