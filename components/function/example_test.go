package function_test

import (
	"fmt"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/policy"
)

// A Go function with the settings a platform team asks for (a permissions boundary on its
// role, a layer, more /tmp), and a Lambda setting Args has no field for, the application log
// level, set through a typed transform. The program runs here under componenttest's mocks,
// which record what the transform changed; in a Pulumi program it is the body of pulumi.Run.
func Example() {
	program := func(ctx *pulumi.Context) error {
		_, err := function.New(ctx, "orders", &function.Args{
			Package:             "./components/function/testdata/hello",
			Timeout:             20 * time.Second,
			EphemeralStorageMB:  1024,
			Layers:              []pulumi.StringInput{pulumi.String("arn:aws:lambda:us-east-1:123456789012:layer:otel:3")},
			PermissionsBoundary: pulumi.String("arn:aws:iam::123456789012:policy/workload-boundary"),
			Transform: function.Transform{
				// Keep only the application's WARN and ERROR logs.
				Function: func(name string, a *lambda.FunctionArgs, _ *[]pulumi.ResourceOption) error {
					logging := a.LoggingConfig.(*lambda.FunctionLoggingConfigArgs) // JSON, own log group
					logging.ApplicationLogLevel = pulumi.String("WARN")
					return nil
				},
			},
		})
		return err
	}

	rec, err := componenttest.Run(program)
	if err != nil {
		panic(err)
	}
	fn, _ := rec.Get("aws:lambda/function:Function", "orders")
	role, _ := rec.Get("aws:iam/role:Role", "orders-role")
	fmt.Println("log level:", fn.InputString("loggingConfig.applicationLogLevel"))
	fmt.Println("architecture:", fn.InputString("architectures[0]"))
	fmt.Println("boundary:", role.InputString("permissionsBoundary"))
	fmt.Println("baseline violations:", len(policy.Check(rec.Resources(), policy.Options{})))
	// Output:
	// log level: WARN
	// architecture: arm64
	// boundary: arn:aws:iam::123456789012:policy/workload-boundary
	// baseline violations: 0
}
