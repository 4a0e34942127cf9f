package componenttest_test

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/storage"
)

// A service team's program is run under the recording mocks, first as `pulumi up` would run
// it, then as `pulumi preview` would; the recorded resources are queried by type and name.
func Example() {
	program := func(ctx *pulumi.Context) error {
		_, err := storage.NewTable(ctx, "orders", &storage.TableArgs{
			Attributes: map[string]storage.AttributeType{"pk": storage.String},
			HashKey:    "pk",
		}, pulumi.Protect(true))
		return err
	}

	rec, err := componenttest.Run(program, componenttest.Stack("prod"))
	if err != nil {
		panic(err)
	}
	table, _ := rec.Get("aws:dynamodb/table:Table", "orders")
	pitr, _ := table.Input("pointInTimeRecovery.enabled")
	fmt.Println("point-in-time recovery:", pitr)
	fmt.Println("protected:", table.Protect)
	fmt.Println("arn:", table.Outputs["arn"].StringValue())
	comp, _ := rec.Get("groundwork:storage:Table", "orders")
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
	// arn: arn:aws:dynamodb:us-east-1:123456789012:table/orders-2448d01
	// children: 1
	// id in preview: ""
}
