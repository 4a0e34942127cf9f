package componenttest_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
)

// thing is a custom resource of a type componenttest knows nothing about.
type thing struct{ pulumi.CustomResourceState }

// named registers one resource of each way a physical name comes about.
func named(ctx *pulumi.Context) error {
	if _, err := sqs.NewQueue(ctx, "jobs", &sqs.QueueArgs{}); err != nil {
		return err
	}
	if _, err := sqs.NewQueue(ctx, "orders", &sqs.QueueArgs{FifoQueue: pulumi.Bool(true)}); err != nil {
		return err
	}
	if _, err := sns.NewTopic(ctx, "alerts", &sns.TopicArgs{FifoTopic: pulumi.Bool(true)}); err != nil {
		return err
	}
	if _, err := s3.NewBucketV2(ctx, "Archive", &s3.BucketV2Args{}); err != nil {
		return err
	}
	if _, err := sqs.NewQueue(ctx, "explicit", &sqs.QueueArgs{Name: pulumi.String("Set-By-Hand")}); err != nil {
		return err
	}
	role, err := iam.NewRole(ctx, "prefixed", &iam.RoleArgs{NamePrefix: pulumi.String("team-"), AssumeRolePolicy: pulumi.String("{}")})
	if err != nil {
		return err
	}
	// Its name is built from another resource's output: unknown in preview.
	if _, err := lambda.NewPermission(ctx, "from-output", &lambda.PermissionArgs{
		Action: pulumi.String("lambda:InvokeFunction"), Function: pulumi.String("f"), Principal: pulumi.String("s3.amazonaws.com"),
		StatementId: pulumi.Sprintf("%s-invoke", role.Name),
	}); err != nil {
		return err
	}
	if _, err := apigatewayv2.NewRoute(ctx, "route", &apigatewayv2.RouteArgs{ApiId: pulumi.String("a"), RouteKey: pulumi.String("$default")}); err != nil {
		return err
	}
	return ctx.RegisterResource("test:index:Thing", "thing", nil, &thing{})
}

func outputString(r componenttest.Resource, path string) string {
	v, _ := r.Output(path)
	s, _ := v.(string)
	return s
}

func TestPhysicalNamesFollowPulumisAutoNaming(t *testing.T) {
	hex7 := regexp.MustCompile(`^-[0-9a-f]{7}$`)
	update := componenttest.MustRun(t, named)
	preview := componenttest.MustRun(t, named, componenttest.Preview())

	// An auto-named resource: the logical name and AutoSuffixLen characters, "-" and 7 hex
	// (lower-cased for S3, ".fifo" after it for a FIFO queue or topic)
	for _, tc := range []struct{ typ, name, base, suffix, output string }{
		{"aws:sqs/queue:Queue", "jobs", "jobs", "", "name"},
		{"aws:sqs/queue:Queue", "orders", "orders", ".fifo", "name"},
		{"aws:sns/topic:Topic", "alerts", "alerts", ".fifo", "name"},
		{"aws:s3/bucketV2:BucketV2", "Archive", "archive", "", "bucket"},
	} {
		res := update.Must(t, tc.typ, tc.name)
		got := res.PhysicalName
		require.True(t, strings.HasPrefix(got, tc.base) && strings.HasSuffix(got, tc.suffix), "%s: %q is %q + 8 + %q", tc.name, got, tc.base, tc.suffix)
		assert.Len(t, got, len(tc.base)+componenttest.AutoSuffixLen+len(tc.suffix), "%s: logical name + AutoSuffixLen", tc.name)
		assert.Regexp(t, hex7, got[len(tc.base):len(got)-len(tc.suffix)], "%s: the suffix is - and 7 hex", tc.name)
		assert.Equal(t, got, outputString(res, tc.output), "%s: the mocks answer that name as %q", tc.name, tc.output)
		assert.Equal(t, got, preview.Must(t, tc.typ, tc.name).PhysicalName, "%s: the same name in preview, as the provider decides it then", tc.name)
	}
	assert.Equal(t, update.Must(t, "aws:s3/bucketV2:BucketV2", "Archive").PhysicalName, update.Must(t, "aws:s3/bucketV2:BucketV2", "Archive").ID,
		"a bucket's id is its name")

	// A name the program sets is the name, whatever it is (CheckNames judges it)
	assert.Equal(t, "Set-By-Hand", update.Must(t, "aws:sqs/queue:Queue", "explicit").PhysicalName, "explicit name")

	// namePrefix: the prefix and 26 characters
	prefixed := update.Must(t, "aws:iam/role:Role", "prefixed").PhysicalName
	assert.True(t, strings.HasPrefix(prefixed, "team-"), "starts with the prefix: %q", prefixed)
	assert.Len(t, prefixed, len("team-")+26, "namePrefix + 26")

	// A name from another resource's output: known in update mode, unknown in preview
	role := update.Must(t, "aws:iam/role:Role", "prefixed")
	assert.Equal(t, role.PhysicalName+"-invoke", update.Must(t, "aws:lambda/permission:Permission", "from-output").PhysicalName,
		"resolved in update mode")
	assert.Empty(t, preview.Must(t, "aws:lambda/permission:Permission", "from-output").PhysicalName, "unknown in preview")

	// No name of its own, or a type componenttest does not know: no physical name
	assert.Empty(t, update.Must(t, "aws:apigatewayv2/route:Route", "route").PhysicalName, "a route has no name")
	assert.Empty(t, update.Must(t, "test:index:Thing", "thing").PhysicalName, "unknown type")
}

func TestCheckNames(t *testing.T) {
	long := strings.Repeat("f", 64-componenttest.AutoSuffixLen+1) // one too many for a Lambda function
	bad := func(ctx *pulumi.Context) error {
		c := &holder{}
		if err := ctx.RegisterComponentResource("test:index:Holder", "a-component-is-not-checked", c); err != nil {
			return err
		}
		if _, err := sqs.NewQueue(ctx, "fits", &sqs.QueueArgs{}, pulumi.Parent(c)); err != nil {
			return err
		}
		if _, err := lambda.NewFunction(ctx, long, &lambda.FunctionArgs{Role: pulumi.String("arn:aws:iam::1:role/r")}); err != nil {
			return err
		}
		if _, err := s3.NewBucketV2(ctx, "b", &s3.BucketV2Args{Bucket: pulumi.String("Not_A_Bucket")}); err != nil {
			return err
		}
		if err := ctx.RegisterResource("test:index:Thing", "one", nil, &thing{}); err != nil {
			return err
		}
		return ctx.RegisterResource("test:index:Thing", "two", nil, &thing{})
	}

	// When CheckNames looks at a program with a name too long, a name with characters its
	// type refuses, and a type it does not know
	errs := componenttest.CheckNames(componenttest.MustRun(t, bad))

	// Then there is one error for each, naming the resource, the name and the rule, or the type,
	// in the order of the resources' URNs
	var msgs []string
	for _, err := range errs {
		msgs = append(msgs, err.Error())
	}
	require.Len(t, msgs, 3, "one error per bad name and one per unknown type: %q", msgs)
	assert.Regexp(t, `^aws:lambda/function:Function "f{57}": Lambda function name "f{57}-[0-9a-f]{7}" is 65 characters; AWS allows 1 to 64$`, msgs[0], "too long")
	assert.Equal(t, `aws:s3/bucketV2:BucketV2 "b": S3 bucket name "Not_A_Bucket" has 'N' at byte 0; AWS allows only lower-case letters, digits and '-'`, msgs[1], "characters")
	assert.Equal(t, `test:index:Thing (registered as ["one" "two"]): componenttest does not know what AWS allows in its name; add the type to Types in components/internal/naming`, msgs[2], "unknown type")

	// And a program whose names all fit has none
	assert.Empty(t, componenttest.CheckNames(componenttest.MustRun(t, program)), "a provider, a component and auto-named queues")
	errs = componenttest.CheckNames(componenttest.MustRun(t, named))
	require.Len(t, errs, 1, "FIFO, S3, explicit and prefixed names fit: only the unknown type is reported: %v", errs)
	assert.ErrorContains(t, errs[0], `test:index:Thing (registered as ["thing"])`)

	// And a preview recording is refused, as some names are unknown in it
	errs = componenttest.CheckNames(componenttest.MustRun(t, bad, componenttest.Preview()))
	require.Len(t, errs, 1)
	assert.ErrorContains(t, errs[0], "CheckNames needs an update-mode recording")
}
