package policypack

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/policy"
)

// reports collects what policies report, by policy.
type reports struct {
	policy string
	got    map[string][]string
}

func (r *reports) ReportViolation(message, urn string) {
	r.got[r.policy] = append(r.got[r.policy], urn+": "+message)
}

func TestOneEvaluationPerAnalysis(t *testing.T) {
	// Given the pack's policies and a stack with an unencrypted queue and a bare bucket
	ps, e := policies(policy.Options{}, slog.New(slog.NewTextHandler(io.Discard, nil)), enforcement)
	stack := []policyx.AnalyzerResource{
		{Type: "aws:sqs/queue:Queue", Name: "q", URN: "urn:pulumi:s::p::aws:sqs/queue:Queue::q",
			Properties: property.NewMap(map[string]property.Value{"id": property.New("https://sqs/q")}),
			Provider:   policyx.AnalyzerProviderResource{URN: "urn:pulumi:s::p::pulumi:providers:aws::default"}},
		{Type: "aws:s3/bucketV2:BucketV2", Name: "b", URN: "urn:pulumi:s::p::aws:s3/bucketV2:BucketV2::b",
			Properties: property.NewMap(map[string]property.Value{"id": property.New("b")}),
			Provider:   policyx.AnalyzerProviderResource{URN: "urn:pulumi:s::p::pulumi:providers:aws::default"}},
	}
	analyze := func(resources []policyx.AnalyzerResource) map[string][]string {
		r := &reports{got: map[string][]string{}}
		for _, p := range ps {
			r.policy = p.Name()
			require.NoError(t, p.(policyx.StackValidationPolicy).Validate(context.Background(), policyx.StackValidationArgs{Manager: r, Resources: resources}))
		}
		return r.got
	}
	// When every policy validates the same stack, as one AnalyzeStack call does
	first := analyze(stack)
	// Then the baseline was evaluated once, and each policy reported its own rule's violations
	assert.Equal(t, 1, e.count, "evaluations for one analysis")
	rep, err := policy.Evaluate(Resources(stack), policy.Options{})
	require.NoError(t, err)
	want := map[string][]string{}
	for _, v := range rep.Violations {
		want[v.Rule] = append(want[v.Rule], v.Resource+": "+v.Message)
	}
	require.NotEmpty(t, want)
	assert.Equal(t, want, first, "each policy reports its rule's violations")
	bucketReported := func(got map[string][]string) bool {
		for _, reports := range got {
			for _, r := range reports {
				if strings.HasPrefix(r, stack[1].URN+":") {
					return true
				}
			}
		}
		return false
	}
	assert.True(t, bucketReported(first), "the bare bucket breaks the baseline")
	// And a second analysis, of a new request, is evaluated afresh
	second := analyze(append([]policyx.AnalyzerResource(nil), stack[:1]...))
	assert.Equal(t, 2, e.count, "evaluations after a second analysis")
	assert.False(t, bucketReported(second), "the second analysis has no bucket")
}

func TestResourceConversion(t *testing.T) {
	// Given a bucket and the root stack as the engine sends them
	in := []policyx.AnalyzerResource{
		{Type: "pulumi:pulumi:Stack", Name: "p-s", URN: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s"},
		{Type: "aws:s3/bucketV2:BucketV2", Name: "b", URN: "urn:pulumi:s::p::aws:s3/bucketV2:BucketV2::b",
			Parent: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s",
			Properties: property.NewMap(map[string]property.Value{
				"id": property.New("b-123"), "bucket": property.New("b-123"), "arn": property.New("arn:aws:s3:::b-123"),
			}),
			Provider: policyx.AnalyzerProviderResource{URN: "urn:pulumi:s::p::pulumi:providers:aws::eu", Type: "pulumi:providers:aws"}},
		{Type: "acme:app:App", Name: "app", URN: "urn:pulumi:s::p::acme:app:App::app"},
	}
	// When they are converted
	got := Resources(in)
	// Then the root stack is left out, the id is the ID, and the rest as the package doc says
	require.Len(t, got, 2, "the root stack is left out")
	b := got[0]
	assert.Equal(t, "b-123", b.ID, "ID is the id output")
	_, hasID := b.Outputs["id"]
	assert.False(t, hasID, "id is not an output")
	assert.Equal(t, "arn:aws:s3:::b-123", b.InputString("arn"), "inputs are the outputs")
	assert.True(t, b.Custom, "a resource with a provider is custom")
	assert.Equal(t, "urn:pulumi:s::p::pulumi:providers:aws::eu::04da6b54-80e4-46f7-96ec-b56ff0331ba9", b.Provider, "provider URN and the unknown ID")
	assert.Equal(t, "b-123", b.PhysicalName, "physical name from the bucket output")
	assert.False(t, got[1].Custom, "a component without a provider is not custom")
	assert.Empty(t, got[1].PhysicalName, "a component has no physical name")
}
