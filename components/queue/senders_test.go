package queue_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/queue"
)

func TestSendersAreAllowedInTheQueuesOnePolicy(t *testing.T) {
	// Given a queue that S3 sends to on behalf of one bucket
	const bucketARN = "arn:aws:s3:::uploads-1234567"
	rec := componenttest.MustRun(t, componenttest.Component(queue.New, "uploads", &queue.Args{Senders: []queue.Sender{{
		Service: "s3.amazonaws.com", SourceARN: pulumi.String(bucketARN), SourceAccount: pulumi.String(componenttest.Account),
	}}}))
	q := rec.Must(t, "aws:sqs/queue:Queue", "uploads")
	arn := q.Outputs["arn"].StringValue()

	// Then the main queue's one policy keeps the TLS deny and allows S3 for that bucket and
	// account only
	assert.Len(t, rec.ByType("aws:sqs/queuePolicy:QueuePolicy"), 2, "one policy per queue: the main queue's and the DLQ's")
	doc := rec.Must(t, "aws:sqs/queuePolicy:QueuePolicy", "uploads-policy").MustPolicy(t, "policy")
	require.Len(t, doc.Statement, 2)
	assert.Equal(t, "DenyInsecureTransport", doc.Statement[0].Sid, "the TLS deny stays first")
	allow := doc.Statement[1]
	assert.Equal(t, "Allow", allow.Effect)
	assert.Equal(t, map[string]any{"Service": "s3.amazonaws.com"}, allow.Principal, "the service principal")
	assert.Equal(t, []string{"sqs:SendMessage"}, allow.Action, "send only")
	assert.Equal(t, []any{arn}, allow.Resource, "this queue")
	assert.Equal(t, map[string]map[string]any{
		"ArnEquals":    {"aws:SourceArn": bucketARN},
		"StringEquals": {"aws:SourceAccount": componenttest.Account},
	}, allow.Condition, "scoped to the bucket and the account")
	// And the dead-letter queue allows no sender
	dlq := rec.Must(t, "aws:sqs/queuePolicy:QueuePolicy", "uploads-dlq-policy").MustPolicy(t, "policy")
	assert.Len(t, dlq.Statement, 1, "the DLQ's policy is the TLS deny alone")
}

func TestInvalidSendersRegisterNothing(t *testing.T) {
	arn := pulumi.String("arn:aws:s3:::uploads-1234567")
	account := pulumi.String(componenttest.Account)
	tests := []struct {
		name   string
		sender queue.Sender
		want   string
	}{
		{"no service", queue.Sender{SourceARN: arn, SourceAccount: account}, `Senders[0].Service "" is not an AWS service principal`},
		{"not a service principal", queue.Sender{Service: "arn:aws:iam::123456789012:root", SourceARN: arn, SourceAccount: account}, `Senders[0].Service "arn:aws:iam::123456789012:root" is not an AWS service principal`},
		{"no source ARN", queue.Sender{Service: "s3.amazonaws.com", SourceAccount: account}, "Senders[0].SourceARN is required"},
		{"no source account", queue.Sender{Service: "s3.amazonaws.com", SourceARN: arn}, "Senders[0].SourceAccount is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := componenttest.Run(componenttest.Component(queue.New, "uploads", &queue.Args{Senders: []queue.Sender{tc.sender}}))
			require.Error(t, err)
			assert.Contains(t, err.Error(), `queue "uploads": `+tc.want)
			assert.Empty(t, rec.Resources(), "nothing registered")
		})
	}
}
