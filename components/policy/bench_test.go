package policy_test

import (
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
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

// services is a program with n copies of a service: a table, a bucket, and a queue whose
// consumer reads the table and writes the bucket.
func services(n int) program {
	return func(ctx *pulumi.Context) error {
		for i := range n {
			tbl, err := table.New(ctx, fmt.Sprintf("records%d", i), &table.Args{Attributes: map[string]table.AttributeType{"pk": table.String}, HashKey: "pk"})
			if err != nil {
				return err
			}
			b, err := bucket.New(ctx, fmt.Sprintf("archive%d", i), &bucket.Args{AccessLoggingOff: "benchmark data"})
			if err != nil {
				return err
			}
			if _, err := queue.New(ctx, fmt.Sprintf("events%d", i), &queue.Args{Consumer: &function.Args{
				Package: "./components/function/testdata/hello",
				Grants:  []grant.Grant{tbl.Grant(table.ItemGet), b.Grant(bucket.ObjectPut)},
			}}); err != nil {
				return err
			}
		}
		return nil
	}
}

func BenchmarkEvaluate(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		rec := componenttest.MustRun(b, services(n))
		res := rec.Resources()
		b.Run(fmt.Sprintf("services=%d/resources=%d", n, len(res)), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := policy.Evaluate(res, policy.Options{Production: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEvaluatePreview is BenchmarkEvaluate over preview recordings, where most
// references are unknown and the checks look for what they may name.
func BenchmarkEvaluatePreview(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		res := componenttest.MustRun(b, services(n), componenttest.Preview()).Resources()
		b.Run(fmt.Sprintf("services=%d/resources=%d", n, len(res)), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := policy.Evaluate(res, policy.Options{Production: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestPreviewRecordingsAreEvaluatedWithoutGuessing(t *testing.T) {
	for _, tc := range append(slices.Clone(ruleCases), attackCases...) {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			// Given a rule case recorded as `pulumi up` and as `pulumi preview` runs it, where
			// values built from other resources' outputs are unknown
			opts := policy.Options{Production: tc.production}
			update, err := policy.Evaluate(componenttest.MustRun(t, tc.program).Resources(), opts)
			require.NoError(t, err)
			preview, err := policy.Evaluate(componenttest.MustRun(t, tc.program, componenttest.Preview()).Resources(), opts)
			require.NoError(t, err)
			of := func(vs []policy.Violation) []string {
				var out []string
				for _, v := range vs {
					if v.Rule == tc.rule {
						out = append(out, v.Resource)
					}
				}
				return out
			}
			// Then an update decides everything
			assert.Empty(t, of(update.Undecided), "undecided outcomes of %s in an update", tc.rule)
			// And the preview reports no violation the update does not (no guess from a
			// value not known yet), and leaves none of the update's unreported: each is a
			// violation or undecided
			assert.Subset(t, of(update.Violations), of(preview.Violations), "%s's preview violations are the update's", tc.rule)
			assert.Subset(t, append(of(preview.Violations), of(preview.Undecided)...), of(update.Violations),
				"%s's update violations are violations or undecided in the preview", tc.rule)
		})
	}
}

func TestPreviewDecidesWhatIsKnown(t *testing.T) {
	// Given rule cases whose failing values are literals, recorded in preview
	for _, tc := range []struct {
		rule, name string
		program    program
		want       []string
	}{
		{"sqs-encryption", "encryption off", rawQueue(sqs.QueueArgs{SqsManagedSseEnabled: pulumi.Bool(false)}, ""), []string{"q"}},
		{"sqs-tls-only", "no queue policy at all", rawQueue(sqs.QueueArgs{}, ""), []string{"q"}},
		{"s3-tls-only", "no bucket policy at all", rawBucket(nil), []string{"b"}},
		{"s3-public-access-block", "no public access block at all", rawBucket(nil), []string{"b"}},
		{"lambda-public-access", "principal * and no source", permission(lambda.PermissionArgs{Principal: pulumi.String("*")}), []string{"perm"}},
		{"lambda-permission-scoped", "principal * and no source ARN", permission(lambda.PermissionArgs{Principal: pulumi.String("*")}), []string{"perm"}},
		{"iam-no-admin", "* on *", identity(statementDoc("*", "*")), everyIdentityDoc},
		{"api-route-authorization", "public, unsuppressed", route(apigatewayv2.RouteArgs{AuthorizationType: pulumi.String("NONE")}, true), []string{"route"}},
		{"lambda-explicit-memory", "Lambda's default", rawFunction(lambda.FunctionArgs{}), []string{"fn"}},
		{"alarms", "no alarm at all, whatever the function's name", alarmed(), []string{"fn", "fn"}},
	} {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			rec := componenttest.MustRun(t, tc.program, componenttest.Preview())
			// When the baseline is evaluated
			rep, err := policy.Evaluate(rec.Resources(), policy.Options{})
			require.NoError(t, err)
			// Then the violation is reported in the preview, not left undecided
			var got, undecided []string
			for _, v := range rep.Violations {
				if v.Rule == tc.rule {
					got = append(got, logicalName(v.Resource))
				}
			}
			for _, v := range rep.Undecided {
				if v.Rule == tc.rule {
					undecided = append(undecided, logicalName(v.Resource))
				}
			}
			sort.Strings(got)
			assert.Equal(t, tc.want, got, "resources %s reports in preview", tc.rule)
			assert.Empty(t, undecided, "%s undecided in preview", tc.rule)
		})
	}
}

func TestUnknownIsNotAbsent(t *testing.T) {
	// Given a bucket whose only policy's document is built from its unknown ARN (a preview),
	// and a bucket with no policy at all
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		if err := rawBucket(bucketPolicy(s3TLSDeny, 2))(ctx); err != nil {
			return err
		}
		_, err := s3.NewBucketV2(ctx, "bare", &s3.BucketV2Args{})
		return err
	}, componenttest.Preview())
	// When the baseline is evaluated
	rep, err := policy.Evaluate(rec.Resources(), policy.Options{})
	require.NoError(t, err)
	outcome := func(vs []policy.Violation, name string) bool {
		return slices.ContainsFunc(vs, func(v policy.Violation) bool { return v.Rule == "s3-tls-only" && logicalName(v.Resource) == name })
	}
	// Then the unknown document leaves s3-tls-only undecided on its bucket, and the missing
	// policy is a violation
	assert.True(t, outcome(rep.Undecided, "b"), "s3-tls-only undecided on the bucket whose policy is unknown")
	assert.False(t, outcome(rep.Violations, "b"), "no violation on the bucket whose policy is unknown")
	assert.True(t, outcome(rep.Violations, "bare"), "s3-tls-only violated by the bucket without a policy")
	assert.False(t, outcome(rep.Undecided, "bare"), "the bucket without a policy is not undecided")
	for _, v := range rep.Undecided {
		assert.Contains(t, v.Message, "unknown", "%s on %s says which value is unknown", v.Rule, logicalName(v.Resource))
	}
}
