package api_test

import (
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/api"
	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/policy"
)

func TestAPINameAndDescription(t *testing.T) {
	t.Run("zero values", func(t *testing.T) {
		// Given no Name and no Description
		rec, _ := mustRun(t, func(f fns) *api.Args { return &api.Args{Routes: publicRoutes(f)} })
		gw := rec.Must(t, tApi, "http")
		// Then the API is auto-named from the component's name and described after it
		_, named := gw.Input("name")
		assert.False(t, named, "no name input: Pulumi auto-names the API")
		assert.Equal(t, "The http HTTP API", gw.InputString("description"), "default description")
	})
	t.Run("explicit", func(t *testing.T) {
		// Given a Name and a Description
		rec, _ := mustRun(t, func(f fns) *api.Args {
			return &api.Args{Routes: publicRoutes(f), Name: "Inquiries API", Description: "Inquiries from the web form"}
		})
		gw := rec.Must(t, tApi, "http")
		// Then they are the API's
		assert.Equal(t, "Inquiries API", gw.InputString("name"), "name")
		assert.Equal(t, "Inquiries from the web form", gw.InputString("description"), "description")
	})
}

func TestAPIDisableExecuteAPIEndpoint(t *testing.T) {
	domain := &api.Domain{Name: "api.example.com", CertificateARN: pulumi.String("arn:aws:acm:us-east-1:123456789012:certificate/abc")}
	t.Run("zero value", func(t *testing.T) {
		// Given a custom domain and the endpoint switch at its zero value
		rec, _ := mustRun(t, func(f fns) *api.Args { return &api.Args{Routes: publicRoutes(f), Domain: domain} })
		// Then the execute-api endpoint stays on (the input is left out, as AWS's default)
		_, set := rec.Must(t, tApi, "http").Input("disableExecuteApiEndpoint")
		assert.False(t, set, "disableExecuteApiEndpoint unset")
	})
	t.Run("disabled", func(t *testing.T) {
		// Given a custom domain and the execute-api endpoint turned off
		rec, out := mustRun(t, func(f fns) *api.Args {
			return &api.Args{Routes: publicRoutes(f), Domain: domain, DisableExecuteAPIEndpoint: true}
		})
		// Then the API refuses its execute-api endpoint and the URL is the domain's
		disabled, _ := rec.Must(t, tApi, "http").Input("disableExecuteApiEndpoint")
		assert.Equal(t, true, disabled, "disableExecuteApiEndpoint")
		assert.Equal(t, "https://api.example.com", out.url, "URL is the custom domain's")
	})
}

// runWithAuthorizer registers the reader, an authorizer function "authz" and an API "http"
// whose Lambda authorizer "partners" (built by la) guards one route; a second route is public.
func runWithAuthorizer(t *testing.T, la func(authz *function.Function) api.LambdaAuthorizer) *componenttest.Recorder {
	t.Helper()
	return componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		reader, err := function.New(ctx, "reader", &function.Args{Package: hello})
		if err != nil {
			return err
		}
		authz, err := function.New(ctx, "authz", &function.Args{Package: hello})
		if err != nil {
			return err
		}
		_, err = api.New(ctx, "http", &api.Args{
			LambdaAuthorizers: map[string]api.LambdaAuthorizer{"partners": la(authz)},
			Routes: []api.Route{
				{Method: "GET", Path: "/v1/partners/{id}", Function: reader, Authorizer: "partners"},
				{Method: "GET", Path: "/healthz", Function: reader, Public: true},
			},
		})
		return err
	})
}

func TestAPILambdaAuthorizer(t *testing.T) {
	// Given a Lambda authorizer with every field at its zero value but the function
	rec := runWithAuthorizer(t, func(authz *function.Function) api.LambdaAuthorizer {
		return api.LambdaAuthorizer{Function: authz}
	})
	gw := rec.Must(t, tApi, "http")
	fn := rec.Must(t, tFunction, "authz")

	// Then the authorizer is a REQUEST authorizer calling the function with payload 2.0 for
	// a simple response, reading the Authorization header, without caching
	a := rec.Must(t, tAuthorizer, "http-partners")
	assert.Equal(t, gw.ID, a.InputString("apiId"), "authorizer belongs to the API")
	assert.Equal(t, "REQUEST", a.InputString("authorizerType"), "authorizer type")
	assert.Equal(t, fn.Outputs["invokeArn"].StringValue(), a.InputString("authorizerUri"), "the function's invoke ARN")
	assert.Equal(t, "2.0", a.InputString("authorizerPayloadFormatVersion"), "payload format")
	simple, _ := a.Input("enableSimpleResponses")
	assert.Equal(t, true, simple, "simple responses")
	sources, _ := a.Input("identitySources")
	assert.Equal(t, []any{"$request.header.Authorization"}, sources, "identity sources")
	assert.Equal(t, float64(0), a.MustNumber(t, "authorizerResultTtlInSeconds"), "no caching")
	_, jwt := a.Input("jwtConfiguration")
	assert.False(t, jwt, "no JWT configuration")

	// And one permission lets this API invoke the function as this authorizer, and nothing else
	perm := rec.Must(t, tPermission, "http-partners-authorizer-invoke")
	assert.Equal(t, "lambda:InvokeFunction", perm.InputString("action"), "action")
	assert.Equal(t, "apigateway.amazonaws.com", perm.InputString("principal"), "principal")
	assert.Equal(t, fn.ID, perm.InputString("function"), "the authorizer's function")
	assert.Equal(t, gw.Outputs["executionArn"].StringValue()+"/authorizers/"+a.ID, perm.InputString("sourceArn"),
		"scoped to the API's execution ARN and this authorizer")

	// And the protected route is CUSTOM with this authorizer; the public one is NONE
	rt := rec.Must(t, tRoute, "http-GET /v1/partners/{id}")
	assert.Equal(t, "CUSTOM", rt.InputString("authorizationType"), "authorization type")
	assert.Equal(t, a.ID, rt.InputString("authorizerId"), "authorizer")
	assert.Equal(t, "NONE", rec.Must(t, tRoute, "http-GET /healthz").InputString("authorizationType"), "public route")

	// And the authorizer's function has no integration of its own, and the baseline holds
	_, integrated := rec.Get(tIntegration, "http-authz")
	assert.False(t, integrated, "no integration for a function that serves no route")
	assert.Empty(t, policy.Check(rec.Resources(), policy.Options{Suppressions: []policy.Suppression{
		policy.PublicRoute("http-GET /healthz", "uptime monitors call it without credentials"),
	}}), "baseline violations, the public health check accepted for its reason")
}

func TestAPILambdaAuthorizerSettings(t *testing.T) {
	// Given a Lambda authorizer with every field set
	rec := runWithAuthorizer(t, func(authz *function.Function) api.LambdaAuthorizer {
		return api.LambdaAuthorizer{Function: authz, IAMPolicyResponses: true, ResultTTL: 5 * time.Minute,
			IdentitySources: []string{"$request.header.X-Api-Key", "$context.sourceIp"}}
	})
	a := rec.Must(t, tAuthorizer, "http-partners")
	// Then each is the authorizer's
	simple, _ := a.Input("enableSimpleResponses")
	assert.Equal(t, false, simple, "IAM policy responses")
	assert.Equal(t, float64(300), a.MustNumber(t, "authorizerResultTtlInSeconds"), "result TTL in seconds")
	sources, _ := a.Input("identitySources")
	assert.Equal(t, []any{"$request.header.X-Api-Key", "$context.sourceIp"}, sources, "identity sources, in order")
}

func TestAPILambdaAuthorizerPermissionNameClash(t *testing.T) {
	// Given a route function "partners-authorizer" and a Lambda authorizer "partners", whose
	// permissions would both be "http-partners-authorizer-invoke"
	rec, err := componenttest.Run(func(ctx *pulumi.Context) error {
		fn, err := function.New(ctx, "partners-authorizer", &function.Args{Package: hello})
		if err != nil {
			return err
		}
		_, err = api.New(ctx, "http", &api.Args{
			LambdaAuthorizers: map[string]api.LambdaAuthorizer{"partners": {Function: fn}},
			Routes:            []api.Route{{Method: "GET", Path: "/x", Function: fn, Authorizer: "partners"}},
		})
		return err
	})
	// Then New refuses it, naming the authorizer and the function
	require.Error(t, err)
	assert.Contains(t, err.Error(), `LambdaAuthorizers[partners] has a permission named "http-partners-authorizer-invoke", as function "partners-authorizer"'s is`)
	_, registered := rec.Get(tAPI, "http")
	assert.False(t, registered, "the API is not registered")
}
