package componenttest_test

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/bucket"
	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/table"
)

// A service team's program is run under the recording mocks, first as `pulumi up` would run
// it, then as `pulumi preview` would; the recorded resources are queried by type and name.
func Example() {
	program := componenttest.Component(table.New, "orders", &table.Args{
		Attributes: map[string]table.AttributeType{"pk": table.String},
		HashKey:    "pk",
	}, pulumi.Protect(true))

	rec, err := componenttest.Run(program, componenttest.Stack("prod"))
	if err != nil {
		panic(err)
	}
	table, _ := rec.Get("aws:dynamodb/table:Table", "orders")
	pitr, _ := table.Input("pointInTimeRecovery.enabled")
	fmt.Println("point-in-time recovery:", pitr)
	fmt.Println("protected:", table.Protect)
	fmt.Println("arn:", table.Outputs["arn"].StringValue())
	comp, _ := rec.Get("groundwork:table:Table", "orders")
	fmt.Println("children:", len(rec.Children(comp.URN)))

	preview, err := componenttest.Run(program, componenttest.Stack("prod"), componenttest.Preview())
	if err != nil {
		panic(err)
	}
	planned, _ := preview.Get("aws:dynamodb/table:Table", "orders")
	fmt.Printf("id in preview: %q\n", planned.ID)
	// Output:
	// point-in-time recovery: true
	// protected: true
	// arn: arn:aws:dynamodb:us-east-1:123456789012:table/orders-a06f12c
	// children: 1
	// id in preview: ""
}

// printTB stands in for a test's *testing.T here: it prints what the test would report.
type printTB struct{}

func (printTB) Helper() {}

func (printTB) Fatalf(format string, args ...any) { fmt.Printf("test fails: "+format+"\n", args...) }

// In a test, the Must helpers take the *testing.T and fail the test, naming what is missing, so
// the test reads as a list of properties.
func ExampleRecorder_Must() {
	var t componenttest.TB = printTB{} // in a test: t *testing.T

	rec := componenttest.MustRun(t, componenttest.Component(bucket.New, "archive", nil))
	bucket := rec.Must(t, "aws:s3/bucketV2:BucketV2", "archive")
	policy := rec.One(t, "aws:s3/bucketPolicy:BucketPolicy").MustPolicy(t, "policy")
	st := policy.Statement[0]
	fmt.Println(st.Effect, st.Action, st.Condition["Bool"]["aws:SecureTransport"])
	fmt.Println(st.Resource.([]any)[0] == bucket.Outputs["arn"].StringValue())
	rules := rec.Must(t, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "archive-lifecycle")
	fmt.Println(rules.MustNumber(t, "rules[0].abortIncompleteMultipartUpload.daysAfterInitiation"))

	rec.Must(t, "aws:s3/bucketV2:BucketV2", "archives")
	// Output:
	// Deny [s3:*] false
	// true
	// 7
	// test fails: componenttest: no aws:s3/bucketV2:BucketV2 "archives" registered; registered of that type: ["archive"]
}

// A program that reads its stack's config runs with the real stack file: StackConfig loads
// Pulumi.yaml and stacks/Pulumi.<stack>.yaml with Pulumi's own workspace package, so the
// program sees exactly the config `pulumi up --stack prod` would give it.
func ExampleStackConfig() {
	program := func(ctx *pulumi.Context) error {
		region, _ := ctx.GetConfig("aws:region")
		fmt.Println("stack:", ctx.Stack(), "region:", region)
		return nil
	}
	dir, err := componenttest.FindProjectDir(".")
	if err != nil {
		panic(err)
	}
	if _, err := componenttest.Run(program, componenttest.StackConfig(dir, "prod")); err != nil {
		panic(err)
	}
	_, err = componenttest.Run(program, componenttest.StackConfig(dir, "qa"))
	fmt.Println("no such stack:", err != nil)
	// Output:
	// stack: prod region: eu-west-1
	// no such stack: true
}
