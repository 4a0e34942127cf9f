package queue_test

import (
	"fmt"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/policy"
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
			Delay:     10 * time.Second,
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
	delay, _ := q.Input("delaySeconds")
	wait, _ := q.Input("receiveWaitTimeSeconds")
	fmt.Println("visibility timeout:", visibility, "s; delay:", delay, "s; long polling:", wait, "s")
	m, _ := rec.Get("aws:lambda/eventSourceMapping:EventSourceMapping", "events-consumer-mapping")
	types, _ := m.Input("functionResponseTypes")
	fmt.Println("response types:", types)
	_, ok := rec.Get("aws:iam/rolePolicy:RolePolicy", "api-events-send")
	fmt.Println("producer may send:", ok)
	// Output:
	// visibility timeout: 120 s; delay: 10 s; long polling: 20 s
	// response types: [ReportBatchItemFailures]
	// producer may send: true
}

// A setting Args does not have, made through a typed transform: the queue runs it on the
// child's arguments before it registers the child, so the mocks record it and the baseline
// checks it. Here a team caps message size and tags the queue; a transform that also turned
// encryption off would be reported by policy.Check.
func ExampleTransform() {
	program := func(ctx *pulumi.Context) error {
		_, err := queue.New(ctx, "events", &queue.Args{Transform: queue.Transform{
			Queue: func(name string, args *sqs.QueueArgs, opts *[]pulumi.ResourceOption) error {
				args.MaxMessageSize = pulumi.Int(64 * 1024)
				args.Tags = pulumi.StringMap{"team": pulumi.String("payments")}
				return nil
			},
		}})
		return err
	}

	rec, err := componenttest.Run(program)
	if err != nil {
		panic(err)
	}
	q, _ := rec.Get("aws:sqs/queue:Queue", "events")
	size, _ := q.Input("maxMessageSize")
	fmt.Println("max message size:", size, "bytes; team:", q.InputString("tags.team"))
	sse, _ := q.Input("sqsManagedSseEnabled")
	fmt.Println("SSE-SQS:", sse)
	fmt.Println("baseline violations:", len(policy.Check(rec.Resources(), policy.Options{})))
	// Output:
	// max message size: 65536 bytes; team: payments
	// SSE-SQS: true
	// baseline violations: 0
}
