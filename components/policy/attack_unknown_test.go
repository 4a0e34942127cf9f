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
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/policy"
)

// unknownCases are programs in which a value an attack fix reads is built from another
// resource's output, so that a preview does not know it: the rule must leave the resources
// named undecided there, neither passed nor reported (the update decides them).
var unknownCases = []struct {
	rule, name string
	program    program
	want       []string
}{
	{"iam-role-trust", "a trust policy naming another role's ARN", func(ctx *pulumi.Context) error {
		caller, err := iam.NewRole(ctx, "caller", &iam.RoleArgs{AssumeRolePolicy: pulumi.String(
			`{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
		if err != nil {
			return err
		}
		_, err = iam.NewRole(ctx, "role", &iam.RoleArgs{AssumeRolePolicy: pulumi.Sprintf(
			`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"%s"},"Action":"sts:AssumeRole"}]}`, caller.Arn)})
		return err
	}, []string{"role"}},
	{"s3-public-policy", "an inline bucket policy naming another bucket's ARN", func(ctx *pulumi.Context) error {
		other, err := s3.NewBucketV2(ctx, "other", &s3.BucketV2Args{})
		if err != nil {
			return err
		}
		_, err = s3.NewBucketV2(ctx, "b", &s3.BucketV2Args{Policy: pulumi.Sprintf( //nolint:staticcheck // SA1019: the deprecated inline policy still sets the bucket policy, so the rules read it
			`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"%s/*"}]}`, other.Arn)})
		return err
	}, []string{"b"}},
	{"sqs-tls-only", "an inline TLS Deny that also names another queue's ARN", func(ctx *pulumi.Context) error {
		deny := `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":["*"%s],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
		other, err := sqs.NewQueue(ctx, "other", &sqs.QueueArgs{Policy: pulumi.Sprintf(deny, "")})
		if err != nil {
			return err
		}
		_, err = sqs.NewQueue(ctx, "q", &sqs.QueueArgs{Policy: pulumi.Sprintf(deny, pulumi.Sprintf(`,"%s"`, other.Arn))})
		return err
	}, []string{"other", "q"}}, // other: its own ARN is unknown in preview
	{"lambda-url-authorization", "an authorization type read from another resource", func(ctx *pulumi.Context) error {
		fn, err := lambda.NewFunction(ctx, "fn", &lambda.FunctionArgs{Role: pulumi.String(role), Runtime: pulumi.String("provided.al2023")})
		if err != nil {
			return err
		}
		// The function's ARN is unknown in preview: the type built from it too.
		_, err = lambda.NewFunctionUrl(ctx, "fn-url", &lambda.FunctionUrlArgs{FunctionName: fn.Name,
			AuthorizationType: fn.Arn.ApplyT(func(string) string { return "AWS_IAM" }).(pulumi.StringOutput)})
		return err
	}, []string{"fn-url"}},
	{"lambda-public-access", "everyone, from a source ARN built from a bucket's", func(ctx *pulumi.Context) error {
		fn, err := lambda.NewFunction(ctx, "fn", &lambda.FunctionArgs{Role: pulumi.String(role), Runtime: pulumi.String("provided.al2023")})
		if err != nil {
			return err
		}
		b, err := s3.NewBucketV2(ctx, "b", &s3.BucketV2Args{})
		if err != nil {
			return err
		}
		// Whether the source ARN names one source (not "arn:aws:s3:::*") is known only once
		// the bucket's ARN is.
		_, err = lambda.NewPermission(ctx, "perm", &lambda.PermissionArgs{Function: fn.Name, Action: pulumi.String("lambda:InvokeFunction"),
			Principal: pulumi.String("*"), SourceArn: b.Arn})
		return err
	}, []string{"perm"}},
}

func TestAttackFixesLeaveUnknownValuesUndecided(t *testing.T) {
	for _, tc := range unknownCases {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			// Given a program recorded as `pulumi preview` runs it
			rec := componenttest.MustRun(t, tc.program, componenttest.Preview())
			// When the baseline is evaluated
			rep, err := policy.Evaluate(rec.Resources(), policy.Options{})
			require.NoError(t, err)
			of := func(vs []policy.Violation) []string {
				var out []string
				for _, v := range vs {
					if v.Rule == tc.rule {
						out = append(out, logicalName(v.Resource))
					}
				}
				sort.Strings(out)
				return out
			}
			// Then the resources whose value is unknown are undecided, and none is a violation
			assert.Equal(t, tc.want, of(rep.Undecided), "resources %s leaves undecided in preview", tc.rule)
			assert.Empty(t, of(rep.Violations), "%s violations in preview", tc.rule)
			// And the update, where every value is known, decides them
			update, err := policy.Evaluate(componenttest.MustRun(t, tc.program).Resources(), policy.Options{})
			require.NoError(t, err)
			assert.Empty(t, of(update.Undecided), "%s undecided in the update", tc.rule)
		})
	}
}
