package api_test

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/api"
	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/policy"
)

// An API with a public health check and a read route that needs a JWT carrying a scope, made
// reachable over IPv6 too through the HTTP API's typed transform (Args has no field for it),
// and tested with componenttest: the recorded resources are what would deploy.
func Example() {
	program := func(ctx *pulumi.Context) error {
		handler, err := function.New(ctx, "inquiries", &function.Args{Package: "./components/function/testdata/hello"})
		if err != nil {
			return err
		}
		http, err := api.New(ctx, "http", &api.Args{
			JWTAuthorizers: map[string]api.JWTAuthorizer{
				"users": {Issuer: "https://id.example.com/", Audiences: []string{"inquiries-web"}},
			},
			Routes: []api.Route{
				{Method: "GET", Path: "/healthz", Function: handler, Public: true},
				{Method: "GET", Path: "/v1/inquiries/{id}", Function: handler, Authorizer: "users",
					AuthorizationScopes: []string{"inquiries/read"}},
			},
			Transform: api.Transform{
				HTTPAPI: func(_ string, a *apigatewayv2.ApiArgs, _ *[]pulumi.ResourceOption) error {
					a.IpAddressType = pulumi.String("dualstack")
					return nil
				},
			},
		})
		if err != nil {
			return err
		}
		ctx.Export("url", http.URL)
		return nil
	}

	// In a test: run the program under the recording mocks and look at what it registered.
	rec, err := componenttest.Run(program)
	if err != nil {
		panic(err)
	}
	gw, _ := rec.Get("aws:apigatewayv2/api:Api", "http")
	read, _ := rec.Get("aws:apigatewayv2/route:Route", "http-GET /v1/inquiries/{id}")
	scopes, _ := read.Input("authorizationScopes")
	fmt.Println("routes:", len(rec.ByType("aws:apigatewayv2/route:Route")))
	fmt.Println("read route:", read.InputString("authorizationType"), scopes)
	fmt.Println("IP address type:", gw.InputString("ipAddressType"))
	// A public route is accepted by a suppression that gives its reason; every plan lists it.
	fmt.Println("baseline violations:", len(policy.Check(rec.Resources(), policy.Options{Suppressions: []policy.Suppression{
		policy.PublicRoute("http-GET /healthz", "uptime monitors call it without credentials"),
	}})))
	// Output:
	// routes: 2
	// read route: JWT [inquiries/read]
	// IP address type: dualstack
	// baseline violations: 0
}
