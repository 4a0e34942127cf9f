package api_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/api"
	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
)

const hello = "./components/function/testdata/hello"

const (
	tAPI         = "groundwork:api:API"
	tApi         = "aws:apigatewayv2/api:Api"
	tStage       = "aws:apigatewayv2/stage:Stage"
	tIntegration = "aws:apigatewayv2/integration:Integration"
	tRoute       = "aws:apigatewayv2/route:Route"
	tAuthorizer  = "aws:apigatewayv2/authorizer:Authorizer"
	tDomain      = "aws:apigatewayv2/domainName:DomainName"
	tMapping     = "aws:apigatewayv2/apiMapping:ApiMapping"
	tRecord      = "aws:route53/record:Record"
	tPermission  = "aws:lambda/permission:Permission"
	tFunction    = "aws:lambda/function:Function"
	tLogGroup    = "aws:cloudwatch/logGroup:LogGroup"
	tAlarm       = "aws:cloudwatch/metricAlarm:MetricAlarm"

	issuer = "https://issuer.example.com/"
	topic  = "arn:aws:sns:us-east-1:123456789012:alarms"
)

// fns are the functions routes go to: reader serves the GETs, writer the POST.
type fns struct{ reader, writer *function.Function }

// outputs are the component's outputs as the program saw them.
type outputs struct {
	mu                    sync.Mutex
	url, id, executionArn string
}

func (o *outputs) capture(c *api.API) {
	set := func(dst *string) func(string) string {
		return func(v string) string {
			o.mu.Lock()
			defer o.mu.Unlock()
			*dst = v
			return v
		}
	}
	c.URL.ApplyT(set(&o.url))
	c.ID.ApplyT(set(&o.id))
	c.ExecutionARN.ApplyT(set(&o.executionArn))
}

// run registers the two functions and an API "http" with the args build returns.
func run(build func(f fns) *api.Args, opts ...componenttest.Option) (*componenttest.Recorder, *outputs, error) {
	out := &outputs{}
	rec, err := componenttest.Run(func(ctx *pulumi.Context) error {
		var f fns
		var err error
		if f.reader, err = function.New(ctx, "reader", &function.Args{Package: hello}); err != nil {
			return err
		}
		if f.writer, err = function.New(ctx, "writer", &function.Args{Package: hello}); err != nil {
			return err
		}
		c, err := api.New(ctx, "http", build(f))
		if err != nil {
			return err
		}
		out.capture(c)
		return nil
	}, opts...)
	return rec, out, err
}

func mustRun(t *testing.T, build func(f fns) *api.Args, opts ...componenttest.Option) (*componenttest.Recorder, *outputs) {
	t.Helper()
	rec, out, err := run(build, opts...)
	require.NoError(t, err)
	return rec, out
}

// publicRoutes is a three-route table over two functions, every route public.
func publicRoutes(f fns) []api.Route {
	return []api.Route{
		{Method: "GET", Path: "/healthz", Function: f.reader, Public: true},
		{Method: "POST", Path: "/v1/inquiries", Function: f.writer, Public: true},
		{Method: "GET", Path: "/v1/inquiries/{id}", Function: f.reader, Public: true},
	}
}

func TestAPIDefaults(t *testing.T) {
	// Given three public routes over two functions and every other Args field at its zero value
	rec, out := mustRun(t, func(f fns) *api.Args { return &api.Args{Routes: publicRoutes(f)} })

	// Then the component owns the API, an integration and a permission per function, a route
	// per route, the stage, its log group and two alarms, and nothing else
	comp := rec.Must(t, tAPI, "http")
	children := rec.Descendants(comp.URN)
	for _, c := range children {
		assert.Equal(t, comp.URN, c.Parent, "%s %s is parented to the component", c.Type, c.Name)
	}
	assert.Len(t, children, 12, "api, 2 integrations, 2 permissions, 3 routes, log group, stage, 2 alarms")
	assert.Empty(t, rec.ByType(tAuthorizer), "no authorizer unless asked")
	assert.Empty(t, rec.ByType(tDomain), "no custom domain unless asked")
	assert.Empty(t, rec.ByType(tRecord), "no DNS record unless asked")

	// And the API is an HTTP API without CORS
	gw := rec.Must(t, tApi, "http")
	assert.Equal(t, "HTTP", gw.InputString("protocolType"), "protocol type")
	_, cors := gw.Input("corsConfiguration")
	assert.False(t, cors, "no CORS configuration by default")
	executionArn := gw.Outputs["executionArn"].StringValue()

	// And each function has one AWS_PROXY integration with payload format 2.0 on its invoke ARN
	integrations := map[string]componenttest.Resource{}
	for _, fn := range []string{"reader", "writer"} {
		lambdaFn := rec.Must(t, tFunction, fn)
		integ := rec.Must(t, tIntegration, "http-"+fn)
		integrations[fn] = integ
		assert.Equal(t, gw.ID, integ.InputString("apiId"), "%s integration belongs to the API", fn)
		assert.Equal(t, "AWS_PROXY", integ.InputString("integrationType"), "%s integration type", fn)
		assert.Equal(t, "POST", integ.InputString("integrationMethod"), "%s integration method", fn)
		assert.Equal(t, "2.0", integ.InputString("payloadFormatVersion"), "%s payload format version", fn)
		assert.Equal(t, lambdaFn.Outputs["invokeArn"].StringValue(), integ.InputString("integrationUri"), "%s integration URI is the function's invoke ARN", fn)

		// And one permission lets this API, and no other, invoke the function
		perm := rec.Must(t, tPermission, "http-"+fn+"-invoke")
		assert.Equal(t, "lambda:InvokeFunction", perm.InputString("action"), "%s permission action", fn)
		assert.Equal(t, "apigateway.amazonaws.com", perm.InputString("principal"), "%s permission principal", fn)
		assert.Equal(t, lambdaFn.ID, perm.InputString("function"), "%s permission names the function", fn)
		assert.Equal(t, executionArn+"/*/*", perm.InputString("sourceArn"), "%s permission is scoped to the API's execution ARN", fn)
	}
	assert.Len(t, rec.ByType(tIntegration), 2, "one integration per function, not per route")
	assert.Len(t, rec.ByType(tPermission), 2, "one permission per function, not per route")

	// And each route has its key, targets its function's integration and needs no authorization
	var routeURNs []string
	for _, tc := range []struct{ key, fn string }{
		{"GET /healthz", "reader"}, {"POST /v1/inquiries", "writer"}, {"GET /v1/inquiries/{id}", "reader"},
	} {
		rt := rec.Must(t, tRoute, "http-"+tc.key)
		routeURNs = append(routeURNs, rt.URN)
		assert.Equal(t, gw.ID, rt.InputString("apiId"), "%s belongs to the API", tc.key)
		assert.Equal(t, tc.key, rt.InputString("routeKey"), "route key")
		assert.Equal(t, "integrations/"+integrations[tc.fn].ID, rt.InputString("target"), "%s targets the %s integration", tc.key, tc.fn)
		assert.Equal(t, "NONE", rt.InputString("authorizationType"), "%s is public", tc.key)
		_, hasAuth := rt.Input("authorizerId")
		assert.False(t, hasAuth, "%s has no authorizer", tc.key)
	}

	// And the $default stage auto-deploys, throttles and logs JSON to its own log group
	logs := rec.Must(t, tLogGroup, "http-access-logs")
	assert.Equal(t, float64(30), logs.MustNumber(t, "retentionInDays"), "access log retention default")
	stage := rec.Must(t, tStage, "http")
	assert.Equal(t, gw.ID, stage.InputString("apiId"), "stage belongs to the API")
	assert.Equal(t, "$default", stage.InputString("name"), "stage name")
	autoDeploy, _ := stage.Input("autoDeploy")
	assert.Equal(t, true, autoDeploy, "stage auto-deploys")
	assert.Equal(t, logs.Outputs["arn"].StringValue(), stage.InputString("accessLogSettings.destinationArn"), "access logs go to the API's log group")
	var format map[string]string
	stage.MustJSON(t, "accessLogSettings.format", &format) // the access log format is JSON
	for _, field := range []string{"requestId", "ip", "requestTime", "httpMethod", "routeKey", "status", "protocol", "responseLength", "integrationError"} {
		assert.Contains(t, format[field], "$context.", "access log field %s", field)
	}
	assert.Equal(t, float64(100), stage.MustNumber(t, "defaultRouteSettings.throttlingBurstLimit"), "default burst limit")
	assert.Equal(t, float64(50), stage.MustNumber(t, "defaultRouteSettings.throttlingRateLimit"), "default rate limit")
	detailed, _ := stage.Input("defaultRouteSettings.detailedMetricsEnabled")
	assert.Equal(t, false, detailed, "detailed metrics off by default")
	_, level := stage.Input("defaultRouteSettings.loggingLevel")
	assert.False(t, level, "loggingLevel unset (pulumi-aws #2364)")
	_, perRoute := stage.Input("routeSettings")
	assert.False(t, perRoute, "no per-route settings by default")
	for _, urn := range routeURNs {
		assert.True(t, stage.DependsOnURN(urn), "stage waits for route %s", urn)
	}

	// And 5xx and p99 latency alarms watch this API, without actions when there is no topic
	for _, tc := range []struct {
		name, metric, stat, statKey string
		threshold, periods          float64
	}{
		{"http-5xx", "5xx", "Sum", "statistic", 1, 1},
		{"http-latency-p99", "Latency", "p99", "extendedStatistic", 1000, 3},
	} {
		al := rec.Must(t, tAlarm, tc.name)
		assert.Equal(t, "AWS/ApiGateway", al.InputString("namespace"), "%s namespace", tc.name)
		assert.Equal(t, tc.metric, al.InputString("metricName"), "%s metric", tc.name)
		assert.Equal(t, gw.ID, al.InputString("dimensions.ApiId"), "%s watches this API", tc.name)
		assert.Equal(t, tc.stat, al.InputString(tc.statKey), "%s statistic", tc.name)
		assert.Equal(t, "GreaterThanOrEqualToThreshold", al.InputString("comparisonOperator"), "%s comparison", tc.name)
		assert.Equal(t, tc.threshold, al.MustNumber(t, "threshold"), "%s threshold", tc.name)
		assert.Equal(t, float64(300), al.MustNumber(t, "period"), "%s period", tc.name)
		assert.Equal(t, tc.periods, al.MustNumber(t, "evaluationPeriods"), "%s evaluation periods", tc.name)
		_, actions := al.Input("alarmActions")
		assert.False(t, actions, "%s has no actions without a topic", tc.name)
	}

	// And the outputs are the stage URL without its trailing slash, the API id and execution ARN
	assert.Equal(t, "https://"+gw.ID+".execute-api.us-east-1.amazonaws.com", out.url, "URL")
	assert.Equal(t, gw.ID, out.id, "ID")
	assert.Equal(t, executionArn, out.executionArn, "ExecutionArn")
}

func TestAPIAlarmTopic(t *testing.T) {
	// Given an alarm topic and thresholds of its own
	rec, _ := mustRun(t, func(f fns) *api.Args {
		return &api.Args{Routes: publicRoutes(f), AlarmTopic: pulumi.String(topic),
			ServerErrorThreshold: 10, LatencyThreshold: 2500 * time.Millisecond}
	})
	// Then both alarms notify the topic when they fire and when they recover
	for _, tc := range []struct {
		name      string
		threshold float64
	}{{"http-5xx", 10}, {"http-latency-p99", 2500}} {
		al := rec.Must(t, tAlarm, tc.name)
		actions, _ := al.Input("alarmActions")
		assert.Equal(t, []any{topic}, actions, "%s notifies the topic", tc.name)
		ok, _ := al.Input("okActions")
		assert.Equal(t, []any{topic}, ok, "%s notifies recovery", tc.name)
		assert.Equal(t, tc.threshold, al.MustNumber(t, "threshold"), "%s threshold from Args", tc.name)
	}
}

func TestAPIAuthorizers(t *testing.T) {
	// Given two JWT authorizers, a route for each, and a public route
	rec, _ := mustRun(t, func(f fns) *api.Args {
		return &api.Args{
			JWTAuthorizers: map[string]api.JWTAuthorizer{
				"users":  {Issuer: issuer, Audiences: []string{"web", "mobile"}},
				"admins": {Issuer: "https://admins.example.com", Audiences: []string{"console"}},
			},
			Routes: []api.Route{
				{Method: "GET", Path: "/healthz", Function: f.reader, Public: true},
				{Method: "GET", Path: "/v1/inquiries/{id}", Function: f.reader, Authorizer: "users",
					AuthorizationScopes: []string{"inquiries:read", "groundwork-api/inquiries.read"}},
				{Method: "DELETE", Path: "/v1/inquiries/{id}", Function: f.writer, Authorizer: "admins"},
			},
		}
	})
	gw := rec.Must(t, tApi, "http")

	// Then each authorizer is a JWT authorizer reading the Authorization header
	users := rec.Must(t, tAuthorizer, "http-users")
	admins := rec.Must(t, tAuthorizer, "http-admins")
	assert.Equal(t, gw.ID, users.InputString("apiId"), "authorizer belongs to the API")
	assert.Equal(t, "JWT", users.InputString("authorizerType"), "authorizer type")
	sources, _ := users.Input("identitySources")
	assert.Equal(t, []any{"$request.header.Authorization"}, sources, "identity sources")
	assert.Equal(t, issuer, users.InputString("jwtConfiguration.issuer"), "issuer")
	auds, _ := users.Input("jwtConfiguration.audiences")
	assert.Equal(t, []any{"web", "mobile"}, auds, "audiences")
	assert.Equal(t, "https://admins.example.com", admins.InputString("jwtConfiguration.issuer"), "second authorizer's issuer")

	// And an authorized route needs a JWT from its authorizer, a public one nothing
	for _, tc := range []struct{ key, authType, authorizer string }{
		{"GET /healthz", "NONE", ""},
		{"GET /v1/inquiries/{id}", "JWT", users.ID},
		{"DELETE /v1/inquiries/{id}", "JWT", admins.ID},
	} {
		rt := rec.Must(t, tRoute, "http-"+tc.key)
		assert.Equal(t, tc.authType, rt.InputString("authorizationType"), "%s authorization type", tc.key)
		assert.Equal(t, tc.authorizer, rt.InputString("authorizerId"), "%s authorizer", tc.key)
	}

	// And a route's scopes are its authorizationScopes; a route without any has none
	scopes, ok := rec.Must(t, tRoute, "http-GET /v1/inquiries/{id}").Input("authorizationScopes")
	assert.True(t, ok, "the read route requires scopes")
	assert.Equal(t, []any{"inquiries:read", "groundwork-api/inquiries.read"}, scopes, "the route's authorizationScopes, in order")
	for _, key := range []string{"GET /healthz", "DELETE /v1/inquiries/{id}"} {
		_, ok := rec.Must(t, tRoute, "http-"+key).Input("authorizationScopes")
		assert.False(t, ok, "%s requires no scope", key)
	}
}

func TestAPICORS(t *testing.T) {
	t.Run("origins only", func(t *testing.T) {
		// Given CORS with only origins
		rec, _ := mustRun(t, func(f fns) *api.Args {
			return &api.Args{Routes: publicRoutes(f), CORS: &api.CORS{AllowOrigins: []string{"https://app.example.com"}}}
		})
		gw := rec.Must(t, tApi, "http")
		// Then the origins are allowed with the routes' methods and the JSON + bearer headers
		origins, _ := gw.Input("corsConfiguration.allowOrigins")
		assert.Equal(t, []any{"https://app.example.com"}, origins, "allowed origins")
		methods, _ := gw.Input("corsConfiguration.allowMethods")
		assert.Equal(t, []any{"GET", "POST"}, methods, "allowed methods default to the routes'")
		headers, _ := gw.Input("corsConfiguration.allowHeaders")
		assert.Equal(t, []any{"authorization", "content-type"}, headers, "allowed headers default")
		creds, _ := gw.Input("corsConfiguration.allowCredentials")
		assert.Equal(t, false, creds, "no credentials by default")
		_, maxAge := gw.Input("corsConfiguration.maxAge")
		assert.False(t, maxAge, "no max age by default")
		_, expose := gw.Input("corsConfiguration.exposeHeaders")
		assert.False(t, expose, "no exposed headers by default")
	})
	t.Run("everything explicit", func(t *testing.T) {
		// Given every CORS field
		rec, _ := mustRun(t, func(f fns) *api.Args {
			return &api.Args{Routes: publicRoutes(f), CORS: &api.CORS{
				AllowOrigins: []string{"https://app.example.com", "http://localhost:3000"}, AllowMethods: []string{"GET"},
				AllowHeaders: []string{"x-request-id"}, ExposeHeaders: []string{"location"}, AllowCredentials: true,
				MaxAge: time.Hour,
			}}
		})
		gw := rec.Must(t, tApi, "http")
		origins, _ := gw.Input("corsConfiguration.allowOrigins")
		assert.Equal(t, []any{"https://app.example.com", "http://localhost:3000"}, origins, "allowed origins")
		methods, _ := gw.Input("corsConfiguration.allowMethods")
		assert.Equal(t, []any{"GET"}, methods, "allowed methods")
		headers, _ := gw.Input("corsConfiguration.allowHeaders")
		assert.Equal(t, []any{"x-request-id"}, headers, "allowed headers")
		expose, _ := gw.Input("corsConfiguration.exposeHeaders")
		assert.Equal(t, []any{"location"}, expose, "exposed headers")
		creds, _ := gw.Input("corsConfiguration.allowCredentials")
		assert.Equal(t, true, creds, "credentials")
		assert.Equal(t, float64(3600), gw.MustNumber(t, "corsConfiguration.maxAge"), "max age in seconds")
	})
	t.Run("any origin when asked", func(t *testing.T) {
		// Given "*" with the explicit opt-in and an ANY route
		rec, _ := mustRun(t, func(f fns) *api.Args {
			return &api.Args{
				Routes: []api.Route{{Method: "ANY", Path: "/{proxy+}", Function: f.reader, Public: true}},
				CORS:   &api.CORS{AllowOrigins: []string{"*"}, AllowAnyOrigin: true},
			}
		})
		gw := rec.Must(t, tApi, "http")
		origins, _ := gw.Input("corsConfiguration.allowOrigins")
		assert.Equal(t, []any{"*"}, origins, "any origin")
		methods, _ := gw.Input("corsConfiguration.allowMethods")
		assert.Equal(t, []any{"*"}, methods, "an ANY route allows every method")
	})
}

func TestAPIDomain(t *testing.T) {
	cert := "arn:aws:acm:us-east-1:123456789012:certificate/abc"
	t.Run("with a zone", func(t *testing.T) {
		// Given a custom domain with a certificate and a hosted zone
		rec, out := mustRun(t, func(f fns) *api.Args {
			return &api.Args{Routes: publicRoutes(f), Domain: &api.Domain{
				Name: "api.example.com", CertificateARN: pulumi.String(cert), ZoneID: pulumi.String("Z123"),
			}}
		})
		comp := rec.Must(t, tAPI, "http")
		gw := rec.Must(t, tApi, "http")
		stage := rec.Must(t, tStage, "http")

		// Then the domain is regional with TLS 1.2 and the certificate
		dn := rec.Must(t, tDomain, "http-domain")
		assert.Equal(t, comp.URN, dn.Parent, "domain parented to the component")
		assert.Equal(t, "api.example.com", dn.InputString("domainName"), "domain name")
		assert.Equal(t, cert, dn.InputString("domainNameConfiguration.certificateArn"), "certificate")
		assert.Equal(t, "REGIONAL", dn.InputString("domainNameConfiguration.endpointType"), "endpoint type")
		assert.Equal(t, "TLS_1_2", dn.InputString("domainNameConfiguration.securityPolicy"), "security policy")

		// And it maps to the API's $default stage
		m := rec.Must(t, tMapping, "http-mapping")
		assert.Equal(t, gw.ID, m.InputString("apiId"), "mapping's API")
		assert.Equal(t, "api.example.com", m.InputString("domainName"), "mapping's domain")
		assert.Equal(t, "$default", m.InputString("stage"), "mapping's stage")
		assert.Contains(t, m.PropertyDependencies["domainName"], dn.URN, "the mapping waits for the domain")
		assert.Contains(t, m.PropertyDependencies["stage"], stage.URN, "the mapping waits for the stage")

		// And an A alias record in the zone points at the domain's regional target
		rr := rec.Must(t, tRecord, "http-dns")
		assert.Equal(t, "api.example.com", rr.InputString("name"), "record name")
		assert.Equal(t, "A", rr.InputString("type"), "record type")
		assert.Equal(t, "Z123", rr.InputString("zoneId"), "hosted zone")
		ev, _ := rr.Input("aliases[0].evaluateTargetHealth")
		assert.Equal(t, false, ev, "alias does not evaluate target health")
		assert.Contains(t, rr.PropertyDependencies["aliases"], dn.URN, "the alias target comes from the domain")
		target, _ := dn.Output("domainNameConfiguration.targetDomainName")
		zone, _ := dn.Output("domainNameConfiguration.hostedZoneId")
		require.NotEmpty(t, target, "the mocks answer a regional target")
		assert.Equal(t, target, rr.InputString("aliases[0].name"), "alias to the domain's regional target")
		assert.Equal(t, zone, rr.InputString("aliases[0].zoneId"), "alias in the target's hosted zone")

		// And the URL is the custom domain's
		assert.Equal(t, "https://api.example.com", out.url, "URL")
	})
	t.Run("without a zone", func(t *testing.T) {
		// Given a custom domain without a hosted zone
		rec, out := mustRun(t, func(f fns) *api.Args {
			return &api.Args{Routes: publicRoutes(f), Domain: &api.Domain{Name: "api.example.com", CertificateARN: pulumi.String(cert)}}
		})
		// Then the domain and mapping exist but no DNS record
		rec.Must(t, tDomain, "http-domain")
		rec.Must(t, tMapping, "http-mapping")
		assert.Empty(t, rec.ByType(tRecord), "no DNS record without a zone")
		assert.Equal(t, "https://api.example.com", out.url, "URL")
	})
}

func TestAPIThrottling(t *testing.T) {
	// Given stage throttling of its own, a route with its own burst and rate, and one with
	// only a rate
	rec, _ := mustRun(t, func(f fns) *api.Args {
		routes := publicRoutes(f)
		routes[1].Throttle = &api.Throttle{BurstLimit: 5, RateLimit: 2.5}
		routes[2].Throttle = &api.Throttle{RateLimit: 10}
		return &api.Args{Routes: routes, Throttle: api.Throttle{BurstLimit: 200, RateLimit: 80}}
	})
	stage := rec.Must(t, tStage, "http")
	// Then the stage default is the given throttling
	assert.Equal(t, float64(200), stage.MustNumber(t, "defaultRouteSettings.throttlingBurstLimit"), "stage burst limit")
	assert.Equal(t, float64(80), stage.MustNumber(t, "defaultRouteSettings.throttlingRateLimit"), "stage rate limit")
	// And each throttled route has its settings, a zero field taking the stage's value
	settings, _ := stage.Input("routeSettings")
	assert.Equal(t, []any{
		map[string]any{"routeKey": "POST /v1/inquiries", "throttlingBurstLimit": float64(5), "throttlingRateLimit": 2.5},
		map[string]any{"routeKey": "GET /v1/inquiries/{id}", "throttlingBurstLimit": float64(200), "throttlingRateLimit": float64(10)},
	}, settings, "per-route settings")
	// And the stage waits for the routes its settings name
	rt := rec.Must(t, tRoute, "http-POST /v1/inquiries")
	assert.True(t, stage.DependsOnURN(rt.URN), "stage waits for the throttled route")
}

func TestAPIOptions(t *testing.T) {
	// Given a longer log retention and detailed metrics
	rec, _ := mustRun(t, func(f fns) *api.Args {
		return &api.Args{Routes: publicRoutes(f), LogRetention: 90 * 24 * time.Hour, DetailedMetrics: true}
	})
	logs := rec.Must(t, tLogGroup, "http-access-logs")
	assert.Equal(t, float64(90), logs.MustNumber(t, "retentionInDays"), "log retention")
	stage := rec.Must(t, tStage, "http")
	detailed, _ := stage.Input("defaultRouteSettings.detailedMetricsEnabled")
	assert.Equal(t, true, detailed, "detailed metrics")
}

func TestAPIPreview(t *testing.T) {
	// Given preview mode, where ids and ARNs are unknown
	rec, out := mustRun(t, func(f fns) *api.Args {
		return &api.Args{
			Routes: []api.Route{
				{Method: "GET", Path: "/healthz", Function: f.reader, Public: true},
				{Method: "GET", Path: "/v1/inquiries/{id}", Function: f.reader, Authorizer: "users"},
			},
			JWTAuthorizers: map[string]api.JWTAuthorizer{"users": {Issuer: issuer, Audiences: []string{"web"}}},
			Domain:         &api.Domain{Name: "api.example.com", CertificateARN: pulumi.String("arn:cert"), ZoneID: pulumi.String("Z1")},
		}
	}, componenttest.Preview())
	// Then the whole graph is registered with what is known
	comp := rec.Must(t, tAPI, "http")
	assert.Len(t, rec.Descendants(comp.URN), 13, "api, authorizer, integration, permission, 2 routes, log group, stage, domain, mapping, record, 2 alarms")
	rt := rec.Must(t, tRoute, "http-GET /v1/inquiries/{id}")
	assert.Empty(t, rt.ID, "no id in preview")
	assert.Equal(t, "GET /v1/inquiries/{id}", rt.InputString("routeKey"), "route key is known")
	assert.Equal(t, "JWT", rt.InputString("authorizationType"), "authorization type is known")
	_, known := rt.Input("target")
	assert.False(t, known, "the integration id is unknown in preview")
	stage := rec.Must(t, tStage, "http")
	assert.Equal(t, "$default", stage.InputString("name"), "stage name")
	assert.Equal(t, float64(100), stage.MustNumber(t, "defaultRouteSettings.throttlingBurstLimit"), "burst limit")
	perm := rec.Must(t, tPermission, "http-reader-invoke")
	assert.Equal(t, "apigateway.amazonaws.com", perm.InputString("principal"), "permission principal")
	_, known = perm.Input("sourceArn")
	assert.False(t, known, "the execution ARN is unknown in preview")
	assert.Empty(t, out.id, "the API id is unknown in preview")
	assert.Empty(t, out.executionArn, "the execution ARN is unknown in preview")
	assert.Equal(t, "https://api.example.com", out.url, "a custom domain's URL is known before deployment")
}

func TestAPIValidation(t *testing.T) {
	ok := func(f fns) api.Route { return api.Route{Method: "GET", Path: "/x", Function: f.reader, Public: true} }
	jwt := map[string]api.JWTAuthorizer{"users": {Issuer: issuer, Audiences: []string{"web"}}}
	tests := []struct {
		name  string
		build func(f fns) *api.Args
		want  []string
	}{
		{"no routes", func(f fns) *api.Args { return &api.Args{} }, []string{"Routes is empty"}},
		{"path API Gateway rejects", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f), {Method: "GET", Path: "/v1//x", Function: f.reader, Public: true}}}
		}, []string{"Routes[1].Path", `"/v1//x"`, "empty segment"}},
		{"path without leading slash", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{{Method: "GET", Path: "v1", Function: f.reader, Public: true}}}
		}, []string{"Routes[0].Path", `must start with "/"`}},
		{"greedy parameter not last", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{{Method: "GET", Path: "/{p+}/x", Function: f.reader, Public: true}}}
		}, []string{"Routes[0].Path", "greedy"}},
		{"trailing slash", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{{Method: "GET", Path: "/x/", Function: f.reader, Public: true}}}
		}, []string{"Routes[0].Path", "end with"}},
		{"unknown method", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{{Method: "TRACE", Path: "/x", Function: f.reader, Public: true}}}
		}, []string{"Routes[0].Method", `"TRACE"`}},
		{"lower-case method", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{{Method: "get", Path: "/x", Function: f.reader, Public: true}}}
		}, []string{"Routes[0].Method", `"get"`}},
		{"duplicate method and path", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f), ok(f)}}
		}, []string{"Routes[1] (GET /x)", "same method and path"}},
		{"two default routes", func(f fns) *api.Args {
			d := api.Route{Path: api.DefaultRoute, Function: f.reader, Public: true}
			return &api.Args{Routes: []api.Route{d, d}}
		}, []string{"Routes[1] ($default)", "same method and path"}},
		{"default path with a method", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{{Method: "GET", Path: api.DefaultRoute, Function: f.reader, Public: true}}}
		}, []string{"Routes[0].Path", `"$default"`}},
		{"duplicate path up to parameter names", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{
				{Method: "GET", Path: "/v1/{id}", Function: f.reader, Public: true},
				{Method: "GET", Path: "/v1/{key}", Function: f.writer, Public: true},
			}}
		}, []string{"Routes[1] (GET /v1/{key}) has the same method and path as Routes[0] (GET /v1/{id})"}},
		{"route without function", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{{Method: "GET", Path: "/x", Public: true}}}
		}, []string{"Routes[0] (GET /x).Function is nil"}},
		{"neither authorizer nor public", func(f fns) *api.Args {
			return &api.Args{JWTAuthorizers: jwt, Routes: []api.Route{{Method: "GET", Path: "/x", Function: f.reader}}}
		}, []string{"Routes[0] (GET /x)", "names no Authorizer and is not marked Public"}},
		{"both authorizer and public", func(f fns) *api.Args {
			return &api.Args{JWTAuthorizers: jwt, Routes: []api.Route{{Method: "GET", Path: "/x", Function: f.reader, Authorizer: "users", Public: true}}}
		}, []string{"Routes[0] (GET /x)", `is Public and names Authorizer "users"`}},
		{"scopes on a public route", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{{Method: "GET", Path: "/x", Function: f.reader, Public: true, AuthorizationScopes: []string{"x:read"}}}}
		}, []string{"Routes[0] (GET /x).AuthorizationScopes", `["x:read"]`, "only a route with a JWT authorizer", "names no authorizer"}},
		{"scopes on the default route", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{{Path: api.DefaultRoute, Function: f.reader, Public: true, AuthorizationScopes: []string{"x:read"}}}}
		}, []string{"Routes[0] ($default).AuthorizationScopes", "only a route with a JWT authorizer", "names no authorizer"}},
		{"empty scope", func(f fns) *api.Args {
			return &api.Args{JWTAuthorizers: jwt, Routes: []api.Route{{Method: "GET", Path: "/x", Function: f.reader, Authorizer: "users", AuthorizationScopes: []string{"a", ""}}}}
		}, []string{"Routes[0] (GET /x).AuthorizationScopes[1] is empty"}},
		{"scope with a space", func(f fns) *api.Args {
			return &api.Args{JWTAuthorizers: jwt, Routes: []api.Route{{Method: "GET", Path: "/x", Function: f.reader, Authorizer: "users", AuthorizationScopes: []string{"x read"}}}}
		}, []string{"Routes[0] (GET /x).AuthorizationScopes[0]", `"x read"`, "without spaces"}},
		{"scope twice", func(f fns) *api.Args {
			return &api.Args{JWTAuthorizers: jwt, Routes: []api.Route{{Method: "GET", Path: "/x", Function: f.reader, Authorizer: "users", AuthorizationScopes: []string{"x:read", "x:read"}}}}
		}, []string{"Routes[0] (GET /x).AuthorizationScopes[1]", `"x:read"`, "twice"}},
		{"unknown authorizer", func(f fns) *api.Args {
			return &api.Args{JWTAuthorizers: jwt, Routes: []api.Route{{Method: "GET", Path: "/x", Function: f.reader, Authorizer: "admins"}}}
		}, []string{"Routes[0] (GET /x).Authorizer", `"admins"`, "[users]"}},
		{"issuer not https", func(f fns) *api.Args {
			return &api.Args{JWTAuthorizers: map[string]api.JWTAuthorizer{"users": {Issuer: "http://issuer.example.com", Audiences: []string{"web"}}},
				Routes: []api.Route{ok(f)}}
		}, []string{"JWTAuthorizers[users].Issuer", `"http://issuer.example.com"`, "https://"}},
		{"issuer not a URL", func(f fns) *api.Args {
			return &api.Args{JWTAuthorizers: map[string]api.JWTAuthorizer{"users": {Issuer: "issuer.example.com", Audiences: []string{"web"}}},
				Routes: []api.Route{ok(f)}}
		}, []string{"JWTAuthorizers[users].Issuer", "https://"}},
		{"no audiences", func(f fns) *api.Args {
			return &api.Args{JWTAuthorizers: map[string]api.JWTAuthorizer{"users": {Issuer: issuer}}, Routes: []api.Route{ok(f)}}
		}, []string{"JWTAuthorizers[users].Audiences is empty"}},
		{"authorizer name", func(f fns) *api.Args {
			return &api.Args{JWTAuthorizers: map[string]api.JWTAuthorizer{"a b": {Issuer: issuer, Audiences: []string{"web"}}}, Routes: []api.Route{ok(f)}}
		}, []string{`JWTAuthorizers[a b] name "a b" must be letters, digits`}},
		{"negative stage burst", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, Throttle: api.Throttle{BurstLimit: -1}}
		}, []string{"Throttle.BurstLimit -1 is negative"}},
		{"negative route rate", func(f fns) *api.Args {
			r := ok(f)
			r.Throttle = &api.Throttle{RateLimit: -0.5}
			return &api.Args{Routes: []api.Route{r}}
		}, []string{"Routes[0] (GET /x).Throttle.RateLimit -0.5 is negative"}},
		{"log retention CloudWatch rejects", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, LogRetention: 2 * 24 * time.Hour}
		}, []string{"LogRetention", "2 days"}},
		{"negative 5xx threshold", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, ServerErrorThreshold: -1}
		}, []string{"ServerErrorThreshold -1"}},
		{"latency threshold below a millisecond", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, LatencyThreshold: 1500 * time.Microsecond}
		}, []string{"LatencyThreshold 1.5ms"}},
		{"CORS without origins", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, CORS: &api.CORS{}}
		}, []string{"CORS.AllowOrigins is empty"}},
		{"CORS any origin without opt-in", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, CORS: &api.CORS{AllowOrigins: []string{"https://a.example.com", "*"}}}
		}, []string{"CORS.AllowOrigins", `"*"`, "AllowAnyOrigin"}},
		{"CORS origin with a path", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, CORS: &api.CORS{AllowOrigins: []string{"https://a.example.com/app"}}}
		}, []string{"CORS.AllowOrigins", `"https://a.example.com/app"`, "not an origin"}},
		{"CORS credentials with any origin", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, CORS: &api.CORS{AllowOrigins: []string{"*"}, AllowAnyOrigin: true, AllowCredentials: true}}
		}, []string{"CORS.AllowCredentials"}},
		{"CORS max age over a day", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, CORS: &api.CORS{AllowOrigins: []string{"https://a.example.com"}, MaxAge: 25 * time.Hour}}
		}, []string{"CORS.MaxAge 90000s must be whole seconds from 0s to 86400s"}},
		{"CORS unknown method", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, CORS: &api.CORS{AllowOrigins: []string{"https://a.example.com"}, AllowMethods: []string{"FETCH"}}}
		}, []string{"CORS.AllowMethods", `"FETCH"`}},
		{"domain not a domain name", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, Domain: &api.Domain{Name: "localhost", CertificateARN: pulumi.String("arn:cert")}}
		}, []string{"Domain.Name", `"localhost"`}},
		{"domain with an invalid label", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, Domain: &api.Domain{Name: "API_.example.com", CertificateARN: pulumi.String("arn:cert")}}
		}, []string{"Domain.Name", `"API_"`}},
		{"domain without certificate", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, Domain: &api.Domain{Name: "api.example.com"}}
		}, []string{"Domain.CertificateARN is nil"}},
		{"audience empty", func(f fns) *api.Args {
			return &api.Args{JWTAuthorizers: map[string]api.JWTAuthorizer{"users": {Issuer: issuer, Audiences: []string{"web", " "}}}, Routes: []api.Route{ok(f)}}
		}, []string{"JWTAuthorizers[users].Audiences[1] is empty"}},
		{"name too long", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, Name: strings.Repeat("n", 129)}
		}, []string{"Name", "is 129 characters, over the 128 API Gateway allows"}},
		{"description too long", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, Description: strings.Repeat("d", 1025)}
		}, []string{"Description is 1025 characters, over the 1024 API Gateway allows"}},
		{"execute-api endpoint off without a domain", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, DisableExecuteAPIEndpoint: true}
		}, []string{"DisableExecuteAPIEndpoint is set without a Domain"}},
		{"Lambda authorizer without function", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, LambdaAuthorizers: map[string]api.LambdaAuthorizer{"partners": {}}}
		}, []string{"LambdaAuthorizers[partners].Function is nil"}},
		{"Lambda authorizer identity source", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, LambdaAuthorizers: map[string]api.LambdaAuthorizer{"partners": {
				Function: f.writer, IdentitySources: []string{"$request.header.X-Key", "header.Authorization"}}}}
		}, []string{`LambdaAuthorizers[partners].IdentitySources[1] "header.Authorization" is not $request.header.<name>`}},
		{"Lambda authorizer identity source twice", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, LambdaAuthorizers: map[string]api.LambdaAuthorizer{"partners": {
				Function: f.writer, IdentitySources: []string{"$context.sourceIp", "$context.sourceIp"}}}}
		}, []string{`LambdaAuthorizers[partners].IdentitySources[1] "$context.sourceIp" appears twice`}},
		{"Lambda authorizer without identity sources", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, LambdaAuthorizers: map[string]api.LambdaAuthorizer{"partners": {
				Function: f.writer, IdentitySources: []string{}}}}
		}, []string{"LambdaAuthorizers[partners].IdentitySources is empty"}},
		{"Lambda authorizer cache over an hour", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, LambdaAuthorizers: map[string]api.LambdaAuthorizer{"partners": {
				Function: f.writer, ResultTTL: 2 * time.Hour}}}
		}, []string{"LambdaAuthorizers[partners].ResultTTL 7200s must be whole seconds from 0s to 3600s"}},
		{"Lambda authorizer cache in fractions", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, LambdaAuthorizers: map[string]api.LambdaAuthorizer{"partners": {
				Function: f.writer, ResultTTL: 1500 * time.Millisecond}}}
		}, []string{"LambdaAuthorizers[partners].ResultTTL 1.5s must be whole seconds"}},
		{"Lambda authorizer named as a JWT one", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, JWTAuthorizers: jwt,
				LambdaAuthorizers: map[string]api.LambdaAuthorizer{"users": {Function: f.writer}}}
		}, []string{"LambdaAuthorizers[users] has the name of JWTAuthorizers[users]"}},
		{"Lambda authorizer name", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, LambdaAuthorizers: map[string]api.LambdaAuthorizer{"part.ners": {Function: f.writer}}}
		}, []string{`LambdaAuthorizers[part.ners] name "part.ners" must be letters, digits`}},
		{"Lambda authorizer name too long for any API name", func(f fns) *api.Args {
			return &api.Args{Routes: []api.Route{ok(f)}, LambdaAuthorizers: map[string]api.LambdaAuthorizer{strings.Repeat("p", 90): {Function: f.writer}}}
		}, []string{"LambdaAuthorizers[ppp", "name is 90 characters", "whatever the API's name"}},
		{"scopes on a Lambda-authorized route", func(f fns) *api.Args {
			return &api.Args{LambdaAuthorizers: map[string]api.LambdaAuthorizer{"partners": {Function: f.writer}},
				Routes: []api.Route{{Method: "GET", Path: "/x", Function: f.reader, Authorizer: "partners", AuthorizationScopes: []string{"x:read"}}}}
		}, []string{"Routes[0] (GET /x).AuthorizationScopes", `"partners" is a Lambda authorizer`}},
		{"unknown authorizer lists both kinds", func(f fns) *api.Args {
			return &api.Args{JWTAuthorizers: jwt, LambdaAuthorizers: map[string]api.LambdaAuthorizer{"partners": {Function: f.writer}},
				Routes: []api.Route{{Method: "GET", Path: "/x", Function: f.reader, Authorizer: "admins"}}}
		}, []string{`Routes[0] (GET /x).Authorizer "admins" is not in JWTAuthorizers or LambdaAuthorizers [partners users]`}},
	}
	for _, tc := range tests {
		for _, mode := range componenttest.Modes {
			t.Run(tc.name+"/"+mode.Name, func(t *testing.T) {
				rec, _, err := run(tc.build, mode.Options...)
				require.Error(t, err)
				assert.Contains(t, err.Error(), `api "http": `, "the error names the component")
				for _, w := range tc.want {
					assert.Contains(t, err.Error(), w)
				}
				assertOnlyFunctions(t, rec)
			})
		}
	}
}

func TestAPIReportsEveryInvalidField(t *testing.T) {
	for _, mode := range componenttest.Modes {
		t.Run(mode.Name, func(t *testing.T) {
			// Given Args with four invalid fields
			rec, _, err := run(func(f fns) *api.Args {
				return &api.Args{
					Routes: []api.Route{
						{Method: "GET", Path: "/x", Function: f.reader},
						{Method: "TRACE", Path: "/y", Function: f.reader, Public: true},
					},
					Throttle:             api.Throttle{BurstLimit: -1},
					ServerErrorThreshold: -1,
				}
			}, mode.Options...)
			// Then one error names the component and lists all four, and nothing is registered
			require.Error(t, err)
			for _, w := range []string{`api "http": 4 invalid fields:`, "\n  - Throttle.BurstLimit -1 is negative",
				"\n  - ServerErrorThreshold -1 is negative", "\n  - Routes[0] (GET /x) names no Authorizer", "\n  - Routes[1].Method \"TRACE\""} {
				assert.Contains(t, err.Error(), w)
			}
			assertOnlyFunctions(t, rec)
		})
	}
}

// assertOnlyFunctions checks that nothing but the two functions' resources was registered:
// the API registered nothing, not even its component, before the error.
func assertOnlyFunctions(t *testing.T, rec *componenttest.Recorder) {
	t.Helper()
	resources := rec.Resources()
	require.NotEmpty(t, resources, "the functions were registered")
	for _, r := range resources {
		assert.True(t, strings.HasPrefix(r.Name, "reader") || strings.HasPrefix(r.Name, "writer"),
			"only the functions' resources are registered, found %s %s", r.Type, r.Name)
	}
}

func TestAPIName(t *testing.T) {
	// The longest name with the two functions' permissions: "<name>-reader-invoke" and
	// Pulumi's 8 characters within a Lambda permission statement id's 100.
	longest := 100 - len("-reader-invoke") - 8
	tests := []struct {
		name string
		want []string
	}{
		{strings.Repeat("n", longest+1), []string{`-reader-invoke" (Lambda permission statement) would be named up to 101 characters, over the 100 AWS allows`,
			fmt.Sprintf("at most %d characters fit", longest)}},
		{"my api", []string{`name "my api" has ' ' at byte 2`}},
		{"", []string{"name is empty"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Given a name whose children's names would break AWS's limits
			rec, err := componenttest.Run(func(ctx *pulumi.Context) error {
				reader, err := function.New(ctx, "reader", &function.Args{Package: hello})
				if err != nil {
					return err
				}
				_, err = api.New(ctx, tc.name, &api.Args{Routes: []api.Route{{Method: "GET", Path: "/x", Function: reader, Public: true}}})
				return err
			})
			// Then New refuses it, naming the child and the limit, and registers nothing
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			_, registered := rec.Get(tAPI, tc.name)
			assert.False(t, registered, "the API is not registered")
		})
	}
	t.Run("longest", func(t *testing.T) {
		// Given the longest name that fits
		name := strings.Repeat("n", longest)
		rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
			reader, err := function.New(ctx, "reader", &function.Args{Package: hello})
			if err != nil {
				return err
			}
			_, err = api.New(ctx, name, &api.Args{Routes: []api.Route{{Method: "GET", Path: "/x", Function: reader, Public: true}}})
			return err
		})
		// Then every child named after it fits its kind's limit with Pulumi's suffix
		for _, tc := range []struct {
			typ, name string
			max       int
		}{
			{tApi, name, 128}, {tPermission, name + "-reader-invoke", 100}, {tLogGroup, name + "-access-logs", 512},
			{tAlarm, name + "-5xx", 255}, {tAlarm, name + "-latency-p99", 255},
		} {
			rec.Must(t, tc.typ, tc.name)
			assert.LessOrEqual(t, len(tc.name)+8, tc.max, "%s %s", tc.typ, tc.name)
		}
	})
}

func TestAPITwoFunctionsWithOneName(t *testing.T) {
	// Given two different functions that share a component name (under different parents)
	rec, err := componenttest.Run(func(ctx *pulumi.Context) error {
		a, err := function.New(ctx, "handler", &function.Args{Package: hello})
		if err != nil {
			return err
		}
		parent, err := function.New(ctx, "other", &function.Args{Package: hello})
		if err != nil {
			return err
		}
		b, err := function.New(ctx, "handler", &function.Args{Package: hello}, pulumi.Parent(parent))
		if err != nil {
			return err
		}
		_, err = api.New(ctx, "http", &api.Args{Routes: []api.Route{
			{Method: "GET", Path: "/a", Function: a, Public: true},
			{Method: "GET", Path: "/b", Function: b, Public: true},
		}})
		return err
	})
	// Then the integrations' names would collide: an error names the function
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Routes[1] (GET /b).Function is another function named "handler" than Routes[0] (GET /a)'s`)
	_, registered := rec.Get(tAPI, "http")
	assert.False(t, registered, "the API is not registered")
}

func TestDefaultRoute(t *testing.T) {
	// Given a $default route next to an ordinary one
	rec, _ := mustRun(t, func(f fns) *api.Args {
		return &api.Args{Routes: []api.Route{
			{Method: "GET", Path: "/x", Function: f.reader, Public: true},
			{Path: api.DefaultRoute, Function: f.reader, Public: true},
		}}
	})
	// Then it is registered with the route key "$default", to the same integration
	def := rec.Must(t, tRoute, "http-$default")
	x := rec.Must(t, tRoute, "http-GET /x")
	assert.Equal(t, "$default", def.InputString("routeKey"), "route key")
	assert.Equal(t, x.InputString("target"), def.InputString("target"), "same integration as the function's other routes")
	assert.Equal(t, "NONE", def.InputString("authorizationType"), "public")
	assert.Len(t, rec.ByType(tIntegration), 1, "one integration per function")
}
