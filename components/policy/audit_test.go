package policy_test

import (
	"sort"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/policy"
)

// auditProgram is what the audit planted in one program, none of which the old checker
// reported.
func auditProgram(ctx *pulumi.Context) error {
	fn, err := lambda.NewFunction(ctx, "fn", &lambda.FunctionArgs{Role: pulumi.String(role), Runtime: pulumi.String("provided.al2023"),
		MemorySize: pulumi.Int(128), Timeout: pulumi.Int(3), TracingConfig: lambda.FunctionTracingConfigArgs{Mode: pulumi.String("Active")}})
	if err != nil {
		return err
	}
	// A permission for everyone, with no source ARN
	if _, err := lambda.NewPermission(ctx, "anyone-invokes", &lambda.PermissionArgs{Function: fn.Name, Action: pulumi.String("lambda:InvokeFunction"),
		Principal: pulumi.String("*")}); err != nil {
		return err
	}
	// An Allow bucket policy for everyone over plain HTTP, which mentions aws:SecureTransport
	b, err := s3.NewBucketV2(ctx, "leaky", &s3.BucketV2Args{})
	if err != nil {
		return err
	}
	if _, err := s3.NewBucketPolicy(ctx, "leaky-policy", &s3.BucketPolicyArgs{Bucket: b.ID(), Policy: pulumi.Sprintf(planted, b.Arn)}); err != nil {
		return err
	}
	// A standalone policy allowing * on *
	if _, err := iam.NewPolicy(ctx, "admin", &iam.PolicyArgs{Policy: pulumi.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}); err != nil {
		return err
	}
	// A queue with encryption off and a public queue policy
	q, err := sqs.NewQueue(ctx, "open", &sqs.QueueArgs{SqsManagedSseEnabled: pulumi.Bool(false)})
	if err != nil {
		return err
	}
	_, err = sqs.NewQueuePolicy(ctx, "open-policy", &sqs.QueuePolicyArgs{QueueUrl: q.Url, Policy: pulumi.Sprintf(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"%s"}]}`, q.Arn)})
	return err
}

func TestTheAuditsPlantedProgramIsReported(t *testing.T) {
	// Given the audit's program
	rec := componenttest.MustRun(t, auditProgram)

	// When the baseline is checked
	got := map[string][]string{}
	for _, v := range policy.Check(rec.Resources(), policy.Options{}) {
		got[logicalName(v.Resource)] = append(got[logicalName(v.Resource)], v.Rule)
	}
	for _, rs := range got {
		sort.Strings(rs)
	}

	// Then each planted fault is reported by exactly the rules it breaks
	assert.Equal(t, []string{"lambda-permission-scoped", "lambda-public-access"}, got["anyone-invokes"],
		"a permission for principal * with no source ARN")
	assert.Equal(t, []string{"s3-public-policy"}, got["leaky-policy"], "an Allow bucket policy for *")
	assert.Contains(t, got["leaky"], "s3-tls-only", "the bucket's only policy allows plain HTTP rather than denying it")
	assert.Equal(t, []string{"iam-explicit-actions", "iam-explicit-resources", "iam-no-admin"}, got["admin"], "an iam.Policy allowing * on *")
	assert.Equal(t, []string{"alarms", "sqs-dead-letter-queue", "sqs-encryption", "sqs-tls-only"}, got["open"],
		"a queue with encryption off, no TLS-only policy, no DLQ and no alarm")
	assert.Equal(t, []string{"sqs-public-policy"}, got["open-policy"], "a public queue policy")
}

func TestTheAuditsPlantedProgramIsReportedInPreview(t *testing.T) {
	// Given the audit's program, as `pulumi preview` runs it: the ARNs are unknown, and so
	// are the two resource policies built from them
	rec := componenttest.MustRun(t, auditProgram, componenttest.Preview())

	// When the baseline is evaluated
	rep, err := policy.Evaluate(rec.Resources(), policy.Options{})
	assert.NoError(t, err)
	byName := func(vs []policy.Violation) map[string][]string {
		out := map[string][]string{}
		for _, v := range vs {
			out[logicalName(v.Resource)] = append(out[logicalName(v.Resource)], v.Rule)
		}
		for _, rs := range out {
			sort.Strings(rs)
		}
		return out
	}
	got, undecided := byName(rep.Violations), byName(rep.Undecided)

	// Then every fault made of literals is a violation in the preview as in the update
	assert.Equal(t, []string{"lambda-permission-scoped", "lambda-public-access"}, got["anyone-invokes"],
		"a permission for principal * with no source ARN")
	assert.Equal(t, []string{"iam-explicit-actions", "iam-explicit-resources", "iam-no-admin"}, got["admin"], "an iam.Policy allowing * on *")
	assert.Equal(t, []string{"alarms", "sqs-dead-letter-queue", "sqs-encryption"}, got["open"],
		"a queue with encryption off, no DLQ and no alarm")
	// And the faults inside documents built from unknown ARNs are undecided, not passed
	assert.Equal(t, []string{"s3-public-policy"}, undecided["leaky-policy"], "the Allow bucket policy for * is built from the bucket's ARN")
	assert.Contains(t, undecided["leaky"], "s3-tls-only", "whether the bucket's only policy denies plain HTTP")
	assert.Equal(t, []string{"sqs-tls-only"}, undecided["open"], "whether the queue's policy denies plain HTTP")
	assert.Contains(t, undecided["open-policy"], "sqs-public-policy", "the public queue policy is built from the queue's ARN")
	// And no fault of the update is neither
	update := policy.Check(componenttest.MustRun(t, auditProgram).Resources(), policy.Options{})
	for _, v := range update {
		in := func(vs []policy.Violation) bool {
			for _, p := range vs {
				if p.Rule == v.Rule && p.Resource == v.Resource {
					return true
				}
			}
			return false
		}
		assert.True(t, in(rep.Violations) || in(rep.Undecided), "%s on %s is a violation or undecided in the preview", v.Rule, logicalName(v.Resource))
	}
}
