package stacks_test

import (
	"testing"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/policy"
	"github.com/groundwork-dev/groundwork/stacks"
)

// BenchmarkProdBaseline measures the baseline over the prod stack's recording (the program's
// run under the mocks is not measured).
func BenchmarkProdBaseline(b *testing.B) {
	rec := componenttest.MustRun(b, stacks.Program, componenttest.StackConfig(projectDir(b), "prod"))
	res, opts := rec.Resources(), stacks.Baseline(stacks.Prod)
	b.ReportAllocs()
	for b.Loop() {
		rep, err := policy.Evaluate(res, opts)
		if err != nil || len(rep.Violations) > 0 {
			b.Fatalf("the prod stack must meet the baseline: %v %v", err, rep.Violations)
		}
	}
}
