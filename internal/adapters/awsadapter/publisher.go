package awsadapter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

// TypeAttribute is the SQS message attribute that carries the event type, so consumers and
// subscription filters can route without parsing the body.
const TypeAttribute = "type"

// Publisher is an inquiry.Publisher on one standard SQS queue. Each event is one message:
// its JSON as the body and its type as the message attribute TypeAttribute.
type Publisher struct {
	client   *sqs.Client
	queueURL string
}

var _ inquiry.Publisher = (*Publisher)(nil)

// NewPublisher returns a Publisher that sends to queueURL.
func NewPublisher(c *sqs.Client, queueURL string) *Publisher {
	return &Publisher{client: c, queueURL: queueURL}
}

// errNoType: SQS refuses a message attribute with an empty value, and an event without a type
// is a programming error better reported here than as a service error.
var errNoType = errors.New("awsadapter: event has no type")

// Publish sends e as one message.
func (p *Publisher) Publish(ctx context.Context, e inquiry.Event) error {
	if e.Type == "" {
		return errNoType
	}
	e.OccurredAt = e.OccurredAt.UTC()
	body, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("awsadapter: encode event: %w", err)
	}
	_, err = p.client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:    &p.queueURL,
		MessageBody: aws.String(string(body)),
		MessageAttributes: map[string]types.MessageAttributeValue{
			TypeAttribute: {DataType: aws.String("String"), StringValue: aws.String(e.Type)},
		},
	})
	if err != nil {
		return fmt.Errorf("awsadapter: send %s event for inquiry %s: %w", e.Type, e.InquiryID, err)
	}
	return nil
}
