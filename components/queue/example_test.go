package queue_test

import (
	"fmt"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/queue"
)

// A queue whose consumer is a Go function, and a producer function allowed to send to it.
// The program runs here under componenttest's mocks; in a Pulumi program it is the body of
// pulumi.Run.
func Example() {
	program := func(ctx *pulumi.Context) error {
		events, err := queue.New(ctx, "events", &queue.Args{
			Consumer:  &function.Args{Package: "./components/function/testdata/hello", Timeout: 20 * time.Second},
			BatchSize: 5,
		})
		if err != nil {
			return err
		}
		_, err = function.New(ctx, "api", &function.Args{
			Package:     "./components/function/testdata/hello",
			Grants:      []grant.Grant{events.Grant(queue.Send)},
			Environment: pulumi.StringMap{"QUEUE_URL": events.URL},
		})
		return err
	}

	rec, err := componenttest.Run(program)
	if err != nil {
		panic(err)
	}
	q, _ := rec.Get("aws:sqs/queue:Queue", "events")
	visibility, _ := q.Input("visibilityTimeoutSeconds")
	fmt.Println("visibility timeout:", visibility, "s")
	m, _ := rec.Get("aws:lambda/eventSourceMapping:EventSourceMapping", "events-consumer-mapping")
	types, _ := m.Input("functionResponseTypes")
	fmt.Println("response types:", types)
	_, ok := rec.Get("aws:iam/rolePolicy:RolePolicy", "api-events-send")
	fmt.Println("producer may send:", ok)
	// Output:
	// visibility timeout: 120 s
	// response types: [ReportBatchItemFailures]
	// producer may send: true
}
