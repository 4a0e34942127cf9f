package components_test

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/api"
	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/policy"
	"github.com/groundwork-dev/groundwork/components/queue"
	"github.com/groundwork-dev/groundwork/components/table"
)

// An orders service in a program of its own: a table, a queue whose consumer processes
// orders, and an HTTP API whose function stores orders and sends them to the queue. In a
// Pulumi program, service is the function given to pulumi.Run; the packages are your own
// Lambda mains (here a tiny one from this repository).
func Example_service() {
	service := func(ctx *pulumi.Context) error {
		orders, err := table.New(ctx, "orders", &table.Args{
			Attributes: map[string]table.AttributeType{"pk": table.String}, HashKey: "pk",
		})
		if err != nil {
			return err
		}
		work, err := queue.New(ctx, "work", &queue.Args{Consumer: &function.Args{
			Package: "./components/function/testdata/hello",
			Grants:  []grant.Grant{orders.Grant(table.ItemGet, table.ItemUpdate)},
		}})
		if err != nil {
			return err
		}
		handler, err := function.New(ctx, "orders-api", &function.Args{
			Package:     "./components/function/testdata/hello",
			Environment: pulumi.StringMap{"TABLE": orders.Name, "QUEUE_URL": work.URL},
			Grants:      []grant.Grant{orders.Grant(table.ItemGet, table.ItemPut), work.Grant(queue.Send)},
		})
		if err != nil {
			return err
		}
		http, err := api.New(ctx, "orders", &api.Args{Routes: []api.Route{
			{Method: "POST", Path: "/orders", Function: handler, Public: true},
			{Method: "GET", Path: "/orders/{id}", Function: handler, Public: true},
		}})
		if err != nil {
			return err
		}
		ctx.Export("url", http.URL)
		return nil
	}

	rec, err := componenttest.Run(service)
	if err != nil {
		panic(err)
	}
	fmt.Println("routes:", len(rec.ByType("aws:apigatewayv2/route:Route")))
	fmt.Println("functions:", len(rec.ByType("aws:lambda/function:Function")))
	fmt.Println("alarms:", len(rec.ByType("aws:cloudwatch/metricAlarm:MetricAlarm")))
	// The two routes are public on purpose: each is accepted, with its reason, by a
	// suppression that every plan reports.
	fmt.Println("baseline violations:", len(policy.Check(rec.Resources(), policy.Options{Suppressions: []policy.Suppression{
		policy.PublicRoute("orders-POST /orders", "customers order without an account"),
		policy.PublicRoute("orders-GET /orders/{id}", "the order id is an unguessable capability"),
	}})))
	// Output:
	// routes: 2
	// functions: 2
	// alarms: 8
	// baseline violations: 0
}
