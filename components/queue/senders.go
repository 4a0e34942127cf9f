package queue

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/internal/check"
	"github.com/groundwork-dev/groundwork/components/internal/iampolicy"
)

// Sender is an AWS service that may send messages to the queue on behalf of one resource,
// such as S3 delivering a bucket's event notifications. The queue's policy (the queue's one
// policy: SQS keeps a single policy document per queue, so a second policy resource would
// overwrite this one) allows the service sqs:SendMessage only when the request's
// aws:SourceArn is SourceARN and its aws:SourceAccount is SourceAccount, so the service
// cannot be made to send for any other resource, or for another account's resource of the
// same name (the confused-deputy guard AWS recommends for service principals).
//
// A component that sends to a queue it creates (a bucket's notification queue) adds its
// Sender to the queue's Args; the queue package knows nothing of the sender's kind.
type Sender struct {
	// Service is the sending service's principal, such as "s3.amazonaws.com". Required.
	Service string
	// SourceARN is the ARN of the resource the service sends for. Required.
	SourceARN pulumi.StringInput
	// SourceAccount is the ID of the account that owns that resource. Required: an S3
	// bucket's ARN names no account.
	SourceAccount pulumi.StringInput
}

// checkSenders reports every invalid Sender field.
func checkSenders(r *check.Report, senders []Sender) {
	for i, s := range senders {
		field := fmt.Sprintf("Senders[%d]", i)
		if !strings.HasSuffix(s.Service, ".amazonaws.com") || s.Service == ".amazonaws.com" {
			r.Addf(field+".Service", "%q is not an AWS service principal (such as s3.amazonaws.com)", s.Service)
		}
		if s.SourceARN == nil {
			r.Addf(field+".SourceARN", "is required: the queue allows a service only on behalf of one resource")
		}
		if s.SourceAccount == nil {
			r.Addf(field+".SourceAccount", "is required: the queue allows a service only for this account's resource")
		}
	}
}

// senderStatements are the statements of the queue's policy that let each Sender send.
func senderStatements(senders []Sender, queueARN pulumi.StringInput) []iampolicy.Statement {
	out := make([]iampolicy.Statement, len(senders))
	for i, s := range senders {
		out[i] = iampolicy.Statement{
			Sid:       fmt.Sprintf("AllowSender%d", i),
			Principal: map[string]any{"Service": s.Service},
			Actions:   []string{"sqs:SendMessage"},
			Resources: []pulumi.StringInput{queueARN},
			Condition: map[string]map[string]any{
				"ArnEquals":    {"aws:SourceArn": s.SourceARN},
				"StringEquals": {"aws:SourceAccount": s.SourceAccount},
			},
		}
	}
	return out
}
