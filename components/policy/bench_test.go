package policy_test

import (
	"fmt"
	"testing"

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

func TestPreviewRecordingsAreEvaluatedWithoutGuessing(t *testing.T) {
	// Given the audit's program and every rule case, recorded in preview, where values
	// built from other resources' outputs are unknown
	for _, tc := range ruleCases {
		rec := componenttest.MustRun(t, tc.program, componenttest.Preview())
		// Then evaluation does not fail on an unknown value
		_, err := policy.Evaluate(rec.Resources(), policy.Options{Production: true})
		require.NoError(t, err, "%s/%s", tc.rule, tc.name)
	}
	rec := componenttest.MustRun(t, auditProgram, componenttest.Preview())
	// And what is known in preview is still judged: the queue's encryption is a literal
	assert.Equal(t, 1, rules(policy.Check(rec.Resources(), policy.Options{}))["sqs-encryption"], "encryption off is found in preview")
}
