package table_test

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/table"
)

// A table of orders with an index by customer and a stream, tagged through a transform, and
// the test that checks what would deploy. In a Pulumi program, program is the function given
// to pulumi.Run; the test half is what a team's own _test.go file does.
func Example() {
	program := func(ctx *pulumi.Context) error {
		_, err := table.New(ctx, "orders", &table.Args{
			Attributes: map[string]table.AttributeType{"pk": table.String, "customer": table.String},
			HashKey:    "pk",
			GlobalSecondaryIndexes: []table.Index{{
				Name: "by-customer", HashKey: "customer", Projection: table.ProjectKeysOnly,
			}},
			Stream: table.StreamNewAndOldImages,
			Transform: table.Transform{
				Table: func(_ string, a *dynamodb.TableArgs, _ *[]pulumi.ResourceOption) error {
					a.Tags = pulumi.StringMap{"cost-center": pulumi.String("orders")}
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
	t, _ := rec.Get("aws:dynamodb/table:Table", "orders")
	fmt.Println("index:", t.InputString("globalSecondaryIndexes[0].name"), t.InputString("globalSecondaryIndexes[0].projectionType"))
	fmt.Println("stream:", t.InputString("streamViewType"))
	pitr, _ := t.Input("pointInTimeRecovery.enabled")
	fmt.Println("point-in-time recovery:", pitr)
	fmt.Println("tag from the transform:", t.InputString("tags.cost-center"))
	// Output:
	// index: by-customer KEYS_ONLY
	// stream: NEW_AND_OLD_IMAGES
	// point-in-time recovery: true
	// tag from the transform: orders
}
