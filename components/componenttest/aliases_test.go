package componenttest_test

import (
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
)

func TestAliasesResolveAsTheEngineResolvesThem(t *testing.T) {
	// Given resources with every form of alias, at the top level and under a component
	const prefix = "urn:pulumi:dev::groundwork::"
	program := func(ctx *pulumi.Context) error {
		other := &holder{}
		if err := ctx.RegisterComponentResource("test:index:Other", "other", other); err != nil {
			return err
		}
		h := &holder{}
		if err := ctx.RegisterComponentResource("test:index:Holder", "h", h,
			pulumi.Aliases([]pulumi.Alias{{Type: pulumi.String("test:old:Holder")}})); err != nil {
			return err
		}
		if _, err := sqs.NewQueue(ctx, "top", &sqs.QueueArgs{}, pulumi.Aliases([]pulumi.Alias{
			{Name: pulumi.String("old-top")},
			{Type: pulumi.String("aws:sqs/old:Queue")},
			{Stack: pulumi.String("prod"), Project: pulumi.String("legacy")},
			{URN: pulumi.URN(prefix + "aws:sqs/queue:Queue::as-written")},
		})); err != nil {
			return err
		}
		if _, err := sqs.NewQueue(ctx, "child", &sqs.QueueArgs{}, pulumi.Parent(h), pulumi.Aliases([]pulumi.Alias{
			{Name: pulumi.String("old-child")},
			{NoParent: pulumi.Bool(true)},
			{Parent: other},
		})); err != nil {
			return err
		}
		if _, err := sqs.NewQueue(ctx, "plain", &sqs.QueueArgs{}, pulumi.Parent(h)); err != nil {
			return err
		}
		return ctx.RegisterResourceOutputs(h, pulumi.Map{})
	}
	for _, mode := range componenttest.Modes {
		t.Run(mode.Name, func(t *testing.T) {
			// When the program runs
			rec, err := componenttest.Run(program, append(mode.Options, componenttest.Stack("dev"))...)
			require.NoError(t, err)

			// Then each resource's aliases are the URNs the engine would look for, in order: an
			// alias's empty fields are the resource's own name, type, parent, project and stack
			for _, tc := range []struct {
				typ, name string
				want      []string
			}{
				{"test:index:Holder", "h", []string{prefix + "test:old:Holder::h"}},
				{tQueue, "top", []string{
					prefix + "aws:sqs/queue:Queue::old-top",
					prefix + "aws:sqs/old:Queue::top",
					"urn:pulumi:prod::legacy::aws:sqs/queue:Queue::top",
					prefix + "aws:sqs/queue:Queue::as-written",
				}},
				{tQueue, "child", []string{
					prefix + "test:index:Holder$aws:sqs/queue:Queue::old-child",
					prefix + "aws:sqs/queue:Queue::child",
					prefix + "test:index:Other$aws:sqs/queue:Queue::child",
				}},
				{tQueue, "plain", nil},
			} {
				assert.Equal(t, tc.want, rec.Must(t, tc.typ, tc.name).Aliases, "aliases of %s %q", tc.typ, tc.name)
			}
		})
	}
}
