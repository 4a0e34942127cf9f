package iampolicy

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestResourceKindTellsARNFormsApart(t *testing.T) {
	tests := []struct{ arn, want string }{
		{"arn:aws:dynamodb:eu-west-1:123456789012:table/orders", KindTable},
		{"arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/*", KindIndex},
		{"arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/byEmail", KindIndex},
		{"arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000", KindStream},
		{"arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/*", KindStream},
		{"arn:aws:s3:::archive", KindBucket},
		{"arn:aws:s3:::archive/*", KindObject},
		{"arn:aws:s3:::archive/inquiries/2026/x.json", KindObject},
		{"arn:aws:sqs:eu-west-1:123456789012:events", KindQueue},
		{"arn:aws:sqs:eu-west-1:123456789012:events.fifo", KindQueue},
		{"arn:aws:kms:eu-west-1:123456789012:key/1234abcd", KindKey},
		{"arn:aws:kms:eu-west-1:123456789012:alias/app", ""},
		{"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/api", KindLogGroup},
		{"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/api:*", KindLogGroup},
		{"arn:aws-cn:s3:::archive", KindBucket},
		{"arn:aws:ec2:eu-west-1:123456789012:network-interface/*", KindENI},
		{"arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0a1b", KindSubnet},
		{"arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0a1b", KindSG},
		{"arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0a1b", ""},
		{"*", KindAny},
		{"arn:aws:ssm:eu-west-1:123456789012:parameter/p", ""},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, ResourceKind(tc.arn), "kind of %s", tc.arn)
	}
}

func TestCheckActionResource(t *testing.T) {
	tests := []struct{ action, resource, want string }{
		{"dynamodb:Query", "arn:aws:dynamodb:eu-west-1:1:table/t/index/*", ""},
		{"dynamodb:GetItem", "arn:aws:dynamodb:eu-west-1:1:table/t/index/*",
			"dynamodb:GetItem applies to dynamodb table, not to arn:aws:dynamodb:eu-west-1:1:table/t/index/* (dynamodb index)"},
		{"dynamodb:GetRecords", "arn:aws:dynamodb:eu-west-1:1:table/t/stream/*", ""},
		{"dynamodb:GetRecords", "arn:aws:dynamodb:eu-west-1:1:table/t",
			"dynamodb:GetRecords applies to dynamodb stream, not to arn:aws:dynamodb:eu-west-1:1:table/t (dynamodb table)"},
		{"s3:PutObject", "arn:aws:s3:::b", "s3:PutObject applies to s3 object, not to arn:aws:s3:::b (s3 bucket)"},
		{"dynamodb:Scan", "arn:aws:s3:::b", "dynamodb:Scan applies to dynamodb table or dynamodb index, not to arn:aws:s3:::b (s3 bucket)"},
		{"sqs:SendMessage", "arn:aws:ssm:eu-west-1:1:parameter/p", "sqs:SendMessage applies to sqs queue, not to arn:aws:ssm:eu-west-1:1:parameter/p (unknown kind)"},
		{"dynamodb:DeleteTable", "arn:aws:dynamodb:eu-west-1:1:table/t", "no grant of the vocabulary allows dynamodb:DeleteTable (components/internal/iampolicy.ActionKinds)"},
		{"ssm:GetParameter", "arn:aws:ssm:eu-west-1:1:parameter/p", ""},
		{"ec2:CreateNetworkInterface", "arn:aws:ec2:eu-west-1:1:subnet/subnet-0a1b", ""},
		{"ec2:DeleteNetworkInterface", "arn:aws:ec2:eu-west-1:1:subnet/subnet-0a1b",
			"ec2:DeleteNetworkInterface applies to ec2 network-interface, not to arn:aws:ec2:eu-west-1:1:subnet/subnet-0a1b (ec2 subnet)"},
		{"ec2:RunInstances", "arn:aws:ec2:eu-west-1:1:subnet/subnet-0a1b", "no grant of the vocabulary allows ec2:RunInstances (components/internal/iampolicy.ActionKinds)"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, CheckActionResource(tc.action, tc.resource), "%s on %s", tc.action, tc.resource)
	}
}
