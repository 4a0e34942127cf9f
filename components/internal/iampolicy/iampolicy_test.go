package iampolicy

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckRefusesWildcards(t *testing.T) {
	arn := []pulumi.StringInput{pulumi.String("arn:aws:sqs:us-east-1:123456789012:q")}
	tests := []struct {
		name string
		stmt Statement
		want string
	}{
		{"star action", Statement{Sid: "A", Actions: []string{"*"}, Resources: arn}, `action "*" is a wildcard`},
		{"service star action", Statement{Sid: "B", Actions: []string{"sqs:*"}, Resources: arn}, `action "sqs:*" is a wildcard`},
		{"prefix wildcard action", Statement{Sid: "B2", Actions: []string{"s3:Get*"}, Resources: arn}, `action "s3:Get*" is a wildcard`},
		{"infix wildcard action", Statement{Sid: "B3", Actions: []string{"s3:*Object"}, Resources: arn}, `action "s3:*Object" is a wildcard`},
		{"single-character wildcard action", Statement{Sid: "B4", Actions: []string{"s3:GetObjec?"}, Resources: arn}, `action "s3:GetObjec?" is a wildcard`},
		{"star given as a resource", Statement{Sid: "R1", Actions: []string{"sqs:SendMessage"}, Resources: []pulumi.StringInput{pulumi.String("*")}}, `resource "*" is not an ARN`},
		{"resource that is no ARN", Statement{Sid: "R2", Actions: []string{"sqs:SendMessage"}, Resources: []pulumi.StringInput{pulumi.String("my-queue")}}, `resource "my-queue" is not an ARN`},
		{"star resource for a scoped action", Statement{Sid: "C", Actions: []string{"sqs:SendMessage"}, AnyResource: true}, `action "sqs:SendMessage" allowed on Resource "*"`},
		{"star resource for the other network interface actions", Statement{Sid: "C2", Actions: []string{"ec2:DeleteNetworkInterface"}, AnyResource: true},
			`action "ec2:DeleteNetworkInterface" allowed on Resource "*"`},
		{"no resources", Statement{Sid: "D", Actions: []string{"sqs:SendMessage"}}, "no resources"},
		{"no actions", Statement{Sid: "E", Resources: arn}, "no actions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorContains(t, Check(tc.stmt), tc.want)
		})
	}
	// The listed wildcard-only actions may use "*"; a Deny may name a service wildcard.
	assert.NoError(t, Check(Statement{Actions: WildcardOnlyActions, AnyResource: true}))
	assert.NoError(t, Check(Statement{Actions: []string{"ec2:DescribeNetworkInterfaces"}, AnyResource: true}),
		"DescribeNetworkInterfaces accepts only \"*\" (Lambda's VPC guide)")
	assert.NoError(t, Check(Statement{Effect: "Deny", Principal: map[string]any{"AWS": "*"}, Actions: []string{"s3:*"}, Resources: arn}))
}

func TestAssumeRole(t *testing.T) {
	assert.JSONEq(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":["sts:AssumeRole"]}]}`,
		AssumeRole("lambda.amazonaws.com"))
}

func TestDocumentResolvesConditionInputs(t *testing.T) {
	// Given a statement whose condition names another resource's ARN, an output
	source := pulumi.String("arn:aws:s3:::uploads-1234567").ToStringOutput()
	out, err := Document(Statement{
		Sid:       "S3Sends",
		Principal: map[string]any{"Service": "s3.amazonaws.com"},
		Actions:   []string{"sqs:SendMessage"},
		Resources: []pulumi.StringInput{pulumi.String("arn:aws:sqs:us-east-1:123456789012:q")},
		Condition: map[string]map[string]any{
			"ArnEquals":    {"aws:SourceArn": source},
			"StringEquals": {"aws:SourceAccount": "123456789012"},
		},
	})
	require.NoError(t, err)
	docs := make(chan string, 1)
	out.ApplyT(func(v string) string { docs <- v; return v })
	doc := <-docs
	// Then the document holds the output's value, beside the plain one
	assert.JSONEq(t, `{"Version":"2012-10-17","Statement":[{"Sid":"S3Sends","Effect":"Allow",
		"Principal":{"Service":"s3.amazonaws.com"},"Action":["sqs:SendMessage"],
		"Resource":["arn:aws:sqs:us-east-1:123456789012:q"],
		"Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::uploads-1234567"},
			"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`, doc)
}
