package componenttest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/bucket"
	"github.com/groundwork-dev/groundwork/components/componenttest"
)

// delay5 is the customization every case tries: a queue's delaySeconds set to 5.
func delay5(_ context.Context, a *pulumi.ResourceTransformArgs) *pulumi.ResourceTransformResult {
	if a.Type == tQueue {
		a.Props["delaySeconds"] = pulumi.Int(5)
	}
	return &pulumi.ResourceTransformResult{Props: a.Props, Opts: a.Opts}
}

// queueIn registers a holder component named name with a queue "<name>-queue" under it.
func queueIn(ctx *pulumi.Context, name string, opts ...pulumi.ResourceOption) error {
	c := &holder{}
	if err := ctx.RegisterComponentResource("test:index:Holder", name, c, opts...); err != nil {
		return err
	}
	if _, err := sqs.NewQueue(ctx, name+"-queue", &sqs.QueueArgs{}, pulumi.Parent(c)); err != nil {
		return err
	}
	return ctx.RegisterResourceOutputs(c, pulumi.Map{})
}

// typedTransforms is the pointer a refusal of a resource customization gives.
const typedTransforms = "customize a Groundwork component's children through its Args.Transform (package github.com/groundwork-dev/groundwork/components/transform)"

func TestCustomizationsTheMocksCannotRunFailTheRun(t *testing.T) {
	for _, tc := range []struct {
		name    string
		program pulumi.RunFunc
		// want are the parts the error must have: what was refused, and what to do instead.
		want []string
		// recorded are the logical names that are recorded all the same (before the refusal).
		recorded []string
	}{
		{
			name: "pulumi.Transforms on a resource",
			program: func(ctx *pulumi.Context) error {
				_, err := sqs.NewQueue(ctx, "q", &sqs.QueueArgs{}, pulumi.Transforms([]pulumi.ResourceTransform{delay5}))
				return err
			},
			want: []string{`aws:sqs/queue:Queue "q" is registered with pulumi.Transforms, which the mocks cannot run`, typedTransforms},
		},
		{
			name: "pulumi.Transforms on a component, which its children inherit in a deployment",
			program: func(ctx *pulumi.Context) error {
				return queueIn(ctx, "jobs", pulumi.Transforms([]pulumi.ResourceTransform{delay5}))
			},
			want: []string{`test:index:Holder "jobs" is registered with pulumi.Transforms, which the mocks cannot run`,
				"they also change every child it registers", typedTransforms},
		},
		{
			name: "pulumi.Transforms on a Groundwork component",
			program: func(ctx *pulumi.Context) error {
				_, err := bucket.New(ctx, "archive", nil, pulumi.Transforms([]pulumi.ResourceTransform{delay5}))
				return err
			},
			want: []string{`groundwork:bucket:Bucket "archive" is registered with pulumi.Transforms`, typedTransforms},
		},
		{
			name: "a stack transform, then resources",
			program: func(ctx *pulumi.Context) error {
				if err := ctx.RegisterResourceTransform(delay5); err != nil {
					return err
				}
				return queueIn(ctx, "jobs")
			},
			want: []string{"the program registers a stack transform (ctx.RegisterResourceTransform), which the mocks cannot run", typedTransforms},
		},
		{
			name: "a stack transform after every resource",
			program: func(ctx *pulumi.Context) error {
				if err := queueIn(ctx, "jobs"); err != nil {
					return err
				}
				return ctx.RegisterResourceTransform(delay5)
			},
			want:     []string{"the program registers a stack transform (ctx.RegisterResourceTransform)", typedTransforms},
			recorded: []string{"jobs", "jobs-queue"},
		},
		{
			name: "an invoke transform, then an invoke",
			program: func(ctx *pulumi.Context) error {
				if err := ctx.RegisterInvokeTransform(func(_ context.Context, a *pulumi.InvokeTransformArgs) *pulumi.InvokeTransformResult {
					return &pulumi.InvokeTransformResult{Args: a.Args, Opts: a.Opts}
				}); err != nil {
					return err
				}
				_, err := aws.GetCallerIdentity(ctx, &aws.GetCallerIdentityArgs{})
				return err
			},
			want: []string{"the program registers an invoke transform (ctx.RegisterInvokeTransform), which the mocks cannot run",
				"pass the invokes' arguments and options directly instead"},
		},
	} {
		for _, mode := range componenttest.Modes {
			t.Run(tc.name+"/"+mode.Name, func(t *testing.T) {
				// When a program customizes a resource in a way only the engine runs
				rec, err := componenttest.Run(tc.program, mode.Options...)

				// Then the run fails, saying what it refused and what to do instead
				require.Error(t, err, "a customization the mocks cannot run fails the run")
				for _, w := range tc.want {
					assert.Contains(t, err.Error(), w, "the error says what was refused and what to do")
				}
				assert.Equal(t, errors.Join(rec.Refused()...).Error(), err.Error(), "Run's error is what the Recorder refused")

				// And nothing is recorded as if it had been customized: the refused registrations
				// and what follows from them are missing
				// (The SDK sends a registration to the monitor from a goroutine, so a resource the
				// program registered before its stack transform may still reach the monitor after
				// it, and is refused then, as the engine would transform it: what is recorded is
				// the resources that arrived first, in the order they must arrive, a child after
				// its parent.)
				var names []string
				for _, r := range rec.Resources() {
					names = append(names, r.Name)
				}
				assert.Equal(t, tc.recorded[:min(len(names), len(tc.recorded))], names, "recorded resources: a prefix of %q", tc.recorded)
			})
		}
	}
}

func TestTransformationsAreRecorded(t *testing.T) {
	// Given the deprecated pulumi.Transformations on a component: the SDK runs them in the
	// program, on the component and on every child it registers, before each registration
	delay := func(a *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
		if q, ok := a.Props.(*sqs.QueueArgs); ok {
			q.DelaySeconds = pulumi.Int(5)
		}
		return &pulumi.ResourceTransformationResult{Props: a.Props, Opts: a.Opts}
	}
	for _, mode := range componenttest.Modes {
		t.Run(mode.Name, func(t *testing.T) {
			// When the program runs under the mocks
			rec, err := componenttest.Run(func(ctx *pulumi.Context) error {
				return queueIn(ctx, "jobs", pulumi.Transformations([]pulumi.ResourceTransformation{delay}))
			}, mode.Options...)

			// Then it is not refused, and the child is recorded with the change, as it deploys
			require.NoError(t, err, "Transformations are run, so they are not refused")
			assert.Empty(t, rec.Refused(), "nothing refused")
			assert.Equal(t, float64(5), rec.Must(t, tQueue, "jobs-queue").MustNumber(t, "delaySeconds"),
				"the child inherits the component's transformation, and the recording shows it")
		})
	}
}
