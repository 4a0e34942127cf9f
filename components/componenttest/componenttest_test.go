package componenttest_test

import (
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
)

type holder struct{ pulumi.ResourceState }

// program registers a provider, a component with two queues (one depending on the other),
// and calls two invokes.
func program(ctx *pulumi.Context) error {
	p, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{Region: pulumi.String("eu-west-1")})
	if err != nil {
		return err
	}
	c := &holder{}
	if err := ctx.RegisterComponentResource("test:index:Holder", "holder", c, pulumi.Provider(p), pulumi.Protect(true)); err != nil {
		return err
	}
	dlq, err := sqs.NewQueue(ctx, "dlq", &sqs.QueueArgs{}, pulumi.Parent(c))
	if err != nil {
		return err
	}
	if _, err := sqs.NewQueue(ctx, "main", &sqs.QueueArgs{
		RedrivePolicy: pulumi.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":5}`, dlq.Arn),
	}, pulumi.Parent(c), pulumi.DependsOn([]pulumi.Resource{dlq})); err != nil {
		return err
	}
	id, err := aws.GetCallerIdentity(ctx, &aws.GetCallerIdentityArgs{}, pulumi.Provider(p))
	if err != nil {
		return err
	}
	ctx.Export("account", pulumi.String(id.AccountId))
	return ctx.RegisterResourceOutputs(c, pulumi.Map{})
}

func TestRecorderKeepsEveryRegistration(t *testing.T) {
	// When a program runs in update mode
	rec, err := componenttest.Run(program, componenttest.Stack("dev"))
	require.NoError(t, err)

	// Then each resource is kept with its type, name, parent, provider, protect and dependsOn
	holder, ok := rec.Get("test:index:Holder", "holder")
	require.True(t, ok)
	assert.False(t, holder.Custom, "a component is not custom")
	assert.Equal(t, "urn:pulumi:dev::groundwork::pulumi:pulumi:Stack::groundwork-dev", holder.Parent, "top level is parented to the stack")
	p, _ := rec.Get("pulumi:providers:aws", "aws")
	dlq, _ := rec.Get("aws:sqs/queue:Queue", "dlq")
	main, _ := rec.Get("aws:sqs/queue:Queue", "main")
	assert.Equal(t, "urn:pulumi:dev::groundwork::test:index:Holder$aws:sqs/queue:Queue::main", main.URN, "URN as the engine makes it")
	assert.Equal(t, holder.URN, main.Parent, "parent")
	assert.Equal(t, p.URN+"::"+p.ID, main.Provider, "provider flows from the component")
	assert.True(t, main.Protect, "protect is inherited")
	assert.True(t, main.DependsOnURN(dlq.URN), "dependsOn")
	assert.False(t, dlq.DependsOnURN(main.URN))
	assert.Equal(t, []string{dlq.URN}, main.PropertyDependencies["redrivePolicy"], "property dependencies")
	assert.Equal(t, []componenttest.Resource{dlq, main}, rec.Children(holder.URN), "children of the component")

	// And outputs are realistic for the type, in the provider's region
	assert.Equal(t, "https://sqs.eu-west-1.amazonaws.com/123456789012/"+dlq.Outputs["name"].StringValue(), dlq.ID, "a queue's id is its URL")
	assert.Equal(t, "arn:aws:sqs:eu-west-1:123456789012:"+dlq.Outputs["name"].StringValue(), dlq.Outputs["arn"].StringValue())
	assert.JSONEq(t, `{"deadLetterTargetArn":"`+dlq.Outputs["arn"].StringValue()+`","maxReceiveCount":5}`, main.InputString("redrivePolicy"),
		"applies over outputs resolve to the mocked values")
	assert.Equal(t, []componenttest.Invoke{{Token: "aws:index/getCallerIdentity:getCallerIdentity", Provider: p.URN + "::" + p.ID}},
		rec.Invokes(), "the invoke and the provider it went to")
}

func TestPreviewLeavesComputedOutputsUnknown(t *testing.T) {
	// When the same program runs in preview mode
	rec, err := componenttest.Run(program, componenttest.Preview())
	require.NoError(t, err)

	// Then there are no ids, and inputs built from unknown outputs are missing
	main, ok := rec.Get("aws:sqs/queue:Queue", "main")
	require.True(t, ok)
	assert.Empty(t, main.ID, "no id in preview")
	_, known := main.Input("redrivePolicy")
	assert.False(t, known, "redrive policy depends on an unknown ARN")

	// And Unknown tells a value not known yet from one never set
	dlq, ok := rec.Get("aws:sqs/queue:Queue", "dlq")
	require.True(t, ok)
	provider, ok := rec.Get("pulumi:providers:aws", "aws")
	require.True(t, ok)
	for _, tc := range []struct {
		res     componenttest.Resource
		path    string
		unknown bool
	}{
		{main, "redrivePolicy", true},                     // built from the DLQ's ARN
		{main, "redrivePolicy.deadLetterTargetArn", true}, // below an unknown value
		{main, "arn", true},                               // computed by the provider
		{main, "url", true},
		{main, "id", true},
		{provider, "region", false},   // a literal
		{dlq, "redrivePolicy", false}, // never set
		{dlq, "tags.nothing", false},
	} {
		assert.Equal(t, tc.unknown, tc.res.Unknown(tc.path), "%s: Unknown(%q)", tc.res.Name, tc.path)
	}

	// And in update mode nothing is unknown
	rec, err = componenttest.Run(program)
	require.NoError(t, err)
	for _, r := range rec.Resources() {
		for _, path := range []string{"id", "arn", "url", "redrivePolicy"} {
			assert.False(t, r.Unknown(path), "%s: Unknown(%q) in update mode", r.Name, path)
		}
	}
}

func TestUnmockedInvokeIsAnError(t *testing.T) {
	_, err := componenttest.Run(func(ctx *pulumi.Context) error {
		_, err := aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{})
		return err
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "aws:index/getAvailabilityZones:getAvailabilityZones")
}

func TestStackConfigLoadsTheRealStackFile(t *testing.T) {
	dir, err := componenttest.FindProjectDir(".")
	require.NoError(t, err)
	sf, err := componenttest.LoadStackConfig(dir, "prod")
	require.NoError(t, err)
	assert.Equal(t, "groundwork", sf.Project)
	assert.Equal(t, "eu-west-1", sf.Values["aws:region"])
	assert.JSONEq(t, `["*"]`, sf.Values["pulumi:disable-default-providers"])
	assert.Contains(t, sf.Values["groundwork:platform"], `"tier":"prod"`, "objects come as JSON")

	// And the program sees it as its config, stack and project
	var region, stack string
	_, err = componenttest.Run(func(ctx *pulumi.Context) error {
		region, _ = ctx.GetConfig("aws:region")
		stack = ctx.Stack()
		return nil
	}, componenttest.StackConfig(dir, "prod"))
	require.NoError(t, err)
	assert.Equal(t, "eu-west-1", region)
	assert.Equal(t, "prod", stack)

	_, err = componenttest.LoadStackConfig(dir, "nope")
	assert.ErrorContains(t, err, `stack "nope"`)
}
