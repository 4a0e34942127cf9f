package policy_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/groundwork-dev/groundwork/components/bucket"
	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/policy"
	"github.com/groundwork-dev/groundwork/components/queue"
	"github.com/groundwork-dev/groundwork/components/table"
)

func rules(vs []policy.Violation) map[string]int {
	out := map[string]int{}
	for _, v := range vs {
		out[v.Rule]++
	}
	return out
}

// logicalName is the end of a URN: the resource's logical name.
func logicalName(urn string) string { return urn[strings.LastIndex(urn, "::")+2:] }

func TestCompliantComponentsPass(t *testing.T) {
	// Given the platform's own components, protected, the bucket's access logging off for a
	// stated reason
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		if _, err := table.New(ctx, "records", &table.Args{Attributes: map[string]table.AttributeType{"pk": table.String}, HashKey: "pk"}, pulumi.Protect(true)); err != nil {
			return err
		}
		if _, err := bucket.New(ctx, "archive", &bucket.Args{AccessLoggingOff: "test data only"}, pulumi.Protect(true)); err != nil {
			return err
		}
		_, err := function.New(ctx, "api", &function.Args{Package: "./components/function/testdata/hello", LogRetention: 365 * 24 * time.Hour})
		return err
	})
	// Then the baseline finds nothing, even with the production rules
	assert.Empty(t, policy.Check(rec.Resources(), policy.Options{Production: true}))
}

func TestEveryGrantOperationPassesTheActionResourceRules(t *testing.T) {
	// Given a function granted every operation of every component, with customer managed keys
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		key := pulumi.String("arn:aws:kms:us-east-1:123456789012:key/k1")
		tbl, err := table.New(ctx, "records", &table.Args{Attributes: map[string]table.AttributeType{"pk": table.String}, HashKey: "pk", KMSKeyARN: key,
			Stream: table.StreamNewImage})
		if err != nil {
			return err
		}
		b, err := bucket.New(ctx, "archive", &bucket.Args{KMSKeyARN: key})
		if err != nil {
			return err
		}
		q, err := queue.New(ctx, "events", &queue.Args{KMSKeyARN: key})
		if err != nil {
			return err
		}
		_, err = function.New(ctx, "all", &function.Args{Package: "./components/function/testdata/hello", Grants: []grant.Grant{
			tbl.Grant(table.ItemGet, table.ItemPut, table.ItemUpdate, table.ItemDelete, table.ItemConditionCheck,
				table.ItemBatchGet, table.ItemBatchWrite, table.Query, table.Scan, table.StreamRead),
			b.Grant(bucket.ObjectGet, bucket.ObjectPut, bucket.ObjectDelete, bucket.ObjectList),
			q.Grant(queue.Send, queue.Consume),
		}})
		return err
	})
	// Then no action of the vocabulary is unknown to the rules or on a resource it does not
	// apply to
	got := rules(policy.Check(rec.Resources(), policy.Options{}))
	assert.Zero(t, got["iam-action-resource"], "every action on a resource of its kind")
	assert.Zero(t, got["iam-known-actions"], "every action known")
}

func TestGrantsWiderThanTheirOperationsAreFound(t *testing.T) {
	// Given the statements the old GrantReadWrite and GrantRead wrote, and others that name
	// an action on a resource it does not apply to
	const tbl = "arn:aws:dynamodb:us-east-1:123456789012:table/records"
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		role, err := iam.NewRole(ctx, "r", &iam.RoleArgs{AssumeRolePolicy: pulumi.String(`{}`)})
		if err != nil {
			return err
		}
		_, err = iam.NewRolePolicy(ctx, "wide", &iam.RolePolicyArgs{Role: role.Name, Policy: pulumi.String(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:PutItem","dynamodb:Query","dynamodb:DescribeTable"],"Resource":["` + tbl + `","` + tbl + `/index/*"]},
			{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::archive"]},
			{"Effect":"Allow","Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::archive/*"]},
			{"Effect":"Allow","Action":["sqs:SendMessage"],"Resource":["arn:aws:s3:::archive"]},
			{"Effect":"Allow","Action":["sqs:DeleteQueue","ssm:GetParameter"],"Resource":["arn:aws:sqs:us-east-1:123456789012:q","arn:aws:ssm:us-east-1:123456789012:parameter/p"]},
			{"Effect":"Deny","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::archive"]}]}`)})
		return err
	})
	// Then each misplaced action is reported once per resource, and each action no grant
	// makes once, naming it; the Deny and the other service's action are not this rule's
	var misplaced, unknown []string
	for _, v := range policy.Check(rec.Resources(), policy.Options{}) {
		switch v.Rule {
		case "iam-action-resource":
			misplaced = append(misplaced, v.Message)
		case "iam-known-actions":
			unknown = append(unknown, v.Message)
		}
	}
	assert.Equal(t, []string{
		"statement 0: dynamodb:GetItem applies to dynamodb table, not to " + tbl + "/index/* (dynamodb index)",
		"statement 0: dynamodb:PutItem applies to dynamodb table, not to " + tbl + "/index/* (dynamodb index)",
		"statement 1: s3:GetObject applies to s3 object, not to arn:aws:s3:::archive (s3 bucket)",
		"statement 2: s3:ListBucket applies to s3 bucket, not to arn:aws:s3:::archive/* (s3 object)",
		"statement 3: sqs:SendMessage applies to sqs queue, not to arn:aws:s3:::archive (s3 bucket)",
	}, misplaced, "actions on resources they do not apply to")
	assert.Equal(t, []string{
		"statement 0: no grant of the vocabulary allows dynamodb:DescribeTable (components/internal/iampolicy.ActionKinds)",
		"statement 4: no grant of the vocabulary allows sqs:DeleteQueue (components/internal/iampolicy.ActionKinds)",
	}, unknown, "actions no grant produces")
}
