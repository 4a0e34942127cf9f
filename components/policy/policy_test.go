package policy_test

import (
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

func TestCompliantComponentsPass(t *testing.T) {
	// Given the platform's own components, protected
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		if _, err := table.New(ctx, "records", &table.Args{Attributes: map[string]table.AttributeType{"pk": table.String}, HashKey: "pk"}, pulumi.Protect(true)); err != nil {
			return err
		}
		if _, err := bucket.New(ctx, "archive", nil, pulumi.Protect(true)); err != nil {
			return err
		}
		_, err := function.New(ctx, "api", &function.Args{Package: "./components/function/testdata/hello"})
		return err
	})
	// Then the baseline finds nothing, even with protection required
	assert.Empty(t, policy.Check(rec.Resources(), policy.Options{Production: true}))
}

func TestViolationsAreFound(t *testing.T) {
	// Given raw resources that break each rule
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		role, err := iam.NewRole(ctx, "r", &iam.RoleArgs{AssumeRolePolicy: pulumi.String(`{}`)})
		if err != nil {
			return err
		}
		if _, err := iam.NewRolePolicy(ctx, "too-wide", &iam.RolePolicyArgs{Role: role.Name, Policy: pulumi.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":"*"},{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"queue"},{"Effect":"Allow","Action":["s3:Get*"],"Resource":["arn:aws:s3:::b/*"]}]}`)}); err != nil {
			return err
		}
		if _, err := iam.NewRolePolicyAttachment(ctx, "managed", &iam.RolePolicyAttachmentArgs{Role: role.Name,
			PolicyArn: pulumi.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
			return err
		}
		fn, err := lambda.NewFunction(ctx, "fn", &lambda.FunctionArgs{Role: role.Arn})
		if err != nil {
			return err
		}
		api, err := apigatewayv2.NewApi(ctx, "api", &apigatewayv2.ApiArgs{ProtocolType: pulumi.String("HTTP")})
		if err != nil {
			return err
		}
		if _, err := apigatewayv2.NewRoute(ctx, "orphan", &apigatewayv2.RouteArgs{ApiId: api.ID(), RouteKey: pulumi.String("GET /x"),
			Target: pulumi.String("integrations/none")}); err != nil {
			return err
		}
		if _, err := lambda.NewPermission(ctx, "open", &lambda.PermissionArgs{Function: fn.Name, Action: pulumi.String("lambda:InvokeFunction"),
			Principal: pulumi.String("apigateway.amazonaws.com"), SourceArn: pulumi.String("arn:aws:execute-api:us-east-1:123456789012:other/*/*")}); err != nil {
			return err
		}
		if _, err := lambda.NewPermission(ctx, "s3-any-account", &lambda.PermissionArgs{Function: fn.Name, Action: pulumi.String("lambda:InvokeFunction"),
			Principal: pulumi.String("s3.amazonaws.com"), SourceArn: pulumi.String("arn:aws:s3:::someone-elses")}); err != nil {
			return err
		}
		if _, err := sqs.NewQueuePolicy(ctx, "s3-any-bucket", &sqs.QueuePolicyArgs{
			QueueUrl: pulumi.String("https://sqs.us-east-1.amazonaws.com/123456789012/q"),
			Policy: pulumi.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},` +
				`"Action":["sqs:SendMessage"],"Resource":"arn:aws:sqs:us-east-1:123456789012:q","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`),
		}); err != nil {
			return err
		}
		if _, err := dynamodb.NewTable(ctx, "bare", &dynamodb.TableArgs{HashKey: pulumi.String("pk")}); err != nil {
			return err
		}
		_, err = s3.NewBucketV2(ctx, "naked", &s3.BucketV2Args{})
		return err
	})

	// Then each rule reports it
	got := rules(policy.Check(rec.Resources(), policy.Options{Production: true}))
	assert.Equal(t, 2, got["iam-explicit-actions"], "s3:* and the partial wildcard s3:Get* are reported")
	assert.Equal(t, 2, got["iam-explicit-resources"], "s3:* on * and a resource that is no ARN")
	assert.Equal(t, 1, got["iam-no-managed-policies"], "managed policy attachment")
	assert.Equal(t, 1, got["api-route-integration"], "route without integration")
	assert.Equal(t, 1, got["api-route-authorization"], "route without authorization decision")
	assert.Equal(t, 2, got["lambda-permission-scoped"], "permission for another API, and S3 for another bucket of any account")
	assert.Equal(t, 1, got["queue-policy-scoped"], "S3 may send for any bucket")
	assert.Equal(t, 4, got["alarms"], "function Errors and Throttles, API 5xx and Latency")
	assert.Equal(t, 2, got["table-baseline"], "no PITR, no SSE")
	assert.Equal(t, 5, got["bucket-baseline"], "no public access block, SSE, ownership, versioning, TLS policy")
	assert.Equal(t, 2, got["protect-stateful"], "table and bucket unprotected")
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

func TestQueueBaseline(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:123456789012:key/k1"
	tlsOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},"Action":["sqs:*"],"Resource":["q"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	allowInsecure := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["sqs:*"],"Resource":["q"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	tests := []struct {
		name   string
		queue  sqs.QueueArgs
		policy string // "" means no queue policy
		want   []string
	}{
		{"SSE-SQS and a TLS-only policy", sqs.QueueArgs{SqsManagedSseEnabled: pulumi.Bool(true)}, tlsOnly, nil},
		{"a KMS key and a TLS-only policy", sqs.QueueArgs{SqsManagedSseEnabled: pulumi.Bool(false), KmsMasterKeyId: pulumi.String(key)}, tlsOnly, nil},
		{"encryption turned off", sqs.QueueArgs{SqsManagedSseEnabled: pulumi.Bool(false)}, tlsOnly, []string{"not encrypted at rest"}},
		{"encryption left unset", sqs.QueueArgs{}, tlsOnly, []string{"not encrypted at rest"}},
		{"no queue policy", sqs.QueueArgs{SqsManagedSseEnabled: pulumi.Bool(true)}, "", []string{"no queue policy denies requests without TLS"}},
		{"a policy that allows, not denies, insecure requests", sqs.QueueArgs{SqsManagedSseEnabled: pulumi.Bool(true)}, allowInsecure, []string{"no queue policy denies requests without TLS"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Given a raw queue and, maybe, a policy on it
			rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
				q, err := sqs.NewQueue(ctx, "q", &tc.queue)
				if err != nil || tc.policy == "" {
					return err
				}
				_, err = sqs.NewQueuePolicy(ctx, "q-policy", &sqs.QueuePolicyArgs{QueueUrl: q.Url, Policy: pulumi.String(tc.policy)})
				return err
			})
			// Then the queue baseline reports exactly what is missing
			var got []string
			for _, v := range policy.Check(rec.Resources(), policy.Options{}) {
				if v.Rule == "queue-baseline" {
					got = append(got, v.Message)
				}
			}
			require.Len(t, got, len(tc.want), "queue-baseline violations: %v", got)
			for i, w := range tc.want {
				assert.Contains(t, got[i], w)
			}
		})
	}
}

func TestTopicAndKeyBaseline(t *testing.T) {
	tests := []struct {
		name  string
		topic sns.TopicArgs
		key   kms.KeyArgs
		want  map[string]int
	}{
		{"an encrypted topic and a rotating key", sns.TopicArgs{KmsMasterKeyId: pulumi.String("arn:aws:kms:us-east-1:123456789012:key/k1")},
			kms.KeyArgs{EnableKeyRotation: pulumi.Bool(true)}, map[string]int{}},
		{"an unencrypted topic", sns.TopicArgs{}, kms.KeyArgs{EnableKeyRotation: pulumi.Bool(true)}, map[string]int{"topic-baseline": 1}},
		{"rotation turned off", sns.TopicArgs{KmsMasterKeyId: pulumi.String("k")}, kms.KeyArgs{EnableKeyRotation: pulumi.Bool(false)}, map[string]int{"kms-key-rotation": 1}},
		{"rotation left unset", sns.TopicArgs{KmsMasterKeyId: pulumi.String("k")}, kms.KeyArgs{}, map[string]int{"kms-key-rotation": 1}},
		{"an asymmetric key, which cannot rotate", sns.TopicArgs{KmsMasterKeyId: pulumi.String("k")},
			kms.KeyArgs{CustomerMasterKeySpec: pulumi.String("RSA_2048"), KeyUsage: pulumi.String("SIGN_VERIFY")}, map[string]int{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Given a raw topic and key
			rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
				if _, err := sns.NewTopic(ctx, "t", &tc.topic); err != nil {
					return err
				}
				_, err := kms.NewKey(ctx, "k", &tc.key)
				return err
			})
			// Then the baseline reports what is missing, and nothing else
			assert.Equal(t, tc.want, rules(policy.Check(rec.Resources(), policy.Options{})))
		})
	}
}
