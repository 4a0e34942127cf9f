package api

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/internal/check"
	"github.com/groundwork-dev/groundwork/components/internal/metricalarm"
	"github.com/groundwork-dev/groundwork/components/internal/naming"
	"github.com/groundwork-dev/groundwork/components/transform"
)

// Defaults for the zero values of Args.
const (
	// DefaultBurstLimit and DefaultRateLimit throttle every route of the stage unless Args or
	// the route says otherwise. 50 requests per second sustained is about 130 million
	// requests in a 30-day month, some $130 at HTTP APIs' $1.00 per million (us-east-1, first
	// 300 million) before the functions' cost: a runaway client or a retry loop costs dollars,
	// not thousands, and cannot take from other services the account's regional API Gateway
	// quota (10,000 requests per second, burst 5,000, shared by every API) or Lambda's default
	// 1,000 concurrent executions. The burst of 100 is two seconds' worth of that rate, so the
	// parallel requests of one page load are not refused. Raise them (Args.Throttle,
	// Route.Throttle) once a service's load is known.
	DefaultBurstLimit = 100
	DefaultRateLimit  = 50.0
	// DefaultLogRetention is how long access logs are kept: a month covers an incident
	// found weeks later (a customer's complaint, a monthly report), and CloudWatch Logs'
	// storage ($0.03 per GB-month) costs little next to ingestion ($0.50 per GB), which
	// retention does not change. A stack under an audit regime sets a year or more.
	DefaultLogRetention = 30 * check.Day
	// DefaultServerErrorThreshold is how many 5xx responses in five minutes fire the 5xx
	// alarm: one, because every 5xx is a request the API failed to serve (a function error,
	// timeout or bad response), and a quiet service should hear about the first.
	DefaultServerErrorThreshold = 1
	// DefaultLatencyThreshold is the p99 latency that fires the latency alarm when it holds
	// for LatencyEvaluationPeriods consecutive five-minute periods. A warm Go function
	// answers in milliseconds and a cold start adds about 41 ms of init (provided.al2023
	// arm64, maxday/lambda-perf), so a p99 of a second for 15 minutes means a slow
	// dependency or a saturated function, not cold starts; and it fires long before HTTP
	// APIs' 30-second integration timeout turns slowness into 503s.
	DefaultLatencyThreshold = time.Second
	// LatencyEvaluationPeriods is how many consecutive five-minute periods the p99 latency
	// must breach: a single slow request (a cold start) in a quiet period is not an incident.
	LatencyEvaluationPeriods = 3
	// DefaultIdentitySource is what a Lambda authorizer reads when its IdentitySources is
	// nil: the Authorization header, where clients send bearer tokens (RFC 6750) and where
	// JWT authorizers read theirs. A request without it is refused with 401 before the
	// authorizer function is invoked (and billed).
	DefaultIdentitySource = "$request.header.Authorization"
	// MaxCORSMaxAge is the longest preflight caching API Gateway accepts.
	MaxCORSMaxAge = 24 * time.Hour
	// MaxResultTTL is the longest API Gateway caches a Lambda authorizer's answer.
	MaxResultTTL = time.Hour
	// MaxDescriptionLen is the longest description API Gateway accepts for an API.
	MaxDescriptionLen = 1024

	// StageName is the stage every API gets: the one served at the API's root URL.
	StageName = "$default"
)

// Args configures an API.
type Args struct {
	// Name is the HTTP API's name in API Gateway: at most 128 characters. Empty means a name
	// Pulumi derives from the component's ("<name>-" and seven random characters), which
	// lets a replacement API be created before the old one is deleted.
	Name string
	// Description is the HTTP API's description, at most 1024 characters. Empty means
	// "The <name> HTTP API".
	Description string
	// Routes are the API's routes; each sends "Method Path" to a function. At least one is
	// required; no two may share a method and path.
	Routes []Route
	// JWTAuthorizers are the JWT authorizers routes may name, by name (letters, digits, '-',
	// '_'). Nil means none.
	JWTAuthorizers map[string]JWTAuthorizer
	// LambdaAuthorizers are the Lambda (REQUEST) authorizers routes may name, by name
	// (letters, digits, '-', '_'; not a name of JWTAuthorizers). Nil means none. Each gets a
	// Lambda permission that lets this API invoke its function as that authorizer only.
	LambdaAuthorizers map[string]LambdaAuthorizer
	// Throttle is the stage-wide throttling of every route without its own. Zero fields mean
	// DefaultBurstLimit (100) and DefaultRateLimit (50 requests per second).
	Throttle Throttle
	// CORS answers browsers' cross-origin requests. Nil means no CORS configuration: API
	// Gateway adds no CORS headers, so browsers on other origins cannot call the API.
	CORS *CORS
	// Domain serves the API on a custom domain name. Nil means the execute-api URL only.
	Domain *Domain
	// DisableExecuteAPIEndpoint turns off the default
	// https://<id>.execute-api.<region>.amazonaws.com endpoint, so that clients reach the API
	// only through Domain (which it requires), where its TLS policy and any WAF or
	// CloudFront in front apply. False keeps both endpoints.
	DisableExecuteAPIEndpoint bool
	// LogRetention is how long the access log group keeps events: a whole number of days
	// that CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...). Zero means 30 days.
	LogRetention time.Duration
	// DetailedMetrics turns on per-route CloudWatch metrics (billed as custom metrics).
	// False means per-API metrics only, which the alarms use.
	DetailedMetrics bool
	// AlarmTopic is the ARN of the SNS topic the 5xx and latency alarms notify. Nil means
	// the alarms exist without actions (visible in the console only).
	AlarmTopic pulumi.StringInput
	// ServerErrorThreshold is how many 5xx responses within five minutes fire the 5xx alarm.
	// Zero means 1.
	ServerErrorThreshold int
	// LatencyThreshold is the p99 latency (whole milliseconds) that fires the latency alarm
	// when it holds for 15 minutes. Zero means 1s.
	LatencyThreshold time.Duration
	// Transform customizes the children before they are registered. The zero value changes
	// nothing.
	Transform Transform
}

// Transform holds one typed transform per kind of child (see package transform). A kind
// with several children (routes, integrations, permissions, authorizers, alarms) has one
// transform that runs for each, with the child's logical name (listed in the package doc)
// to tell them apart. Nil fields leave their children as New builds them.
type Transform struct {
	// HTTPAPI is the API Gateway HTTP API, "<name>".
	HTTPAPI transform.Func[apigatewayv2.ApiArgs]
	// Stage is the $default stage, "<name>" (its access logs, throttling, route settings).
	Stage transform.Func[apigatewayv2.StageArgs]
	// Integration is each function's integration, "<name>-<function>".
	Integration transform.Func[apigatewayv2.IntegrationArgs]
	// Permission is each Lambda permission: "<name>-<function>-invoke" for a route
	// function, "<name>-<authorizer>-authorizer-invoke" for a Lambda authorizer's function.
	Permission transform.Func[lambda.PermissionArgs]
	// Route is each route, "<name>-<route key>" ("http-GET /v1/items/{id}", "http-$default").
	Route transform.Func[apigatewayv2.RouteArgs]
	// Authorizer is each JWT or Lambda authorizer, "<name>-<authorizer>".
	Authorizer transform.Func[apigatewayv2.AuthorizerArgs]
	// LogGroup is the access log group, "<name>-access-logs".
	LogGroup transform.Func[cloudwatch.LogGroupArgs]
	// DomainName is the custom domain, "<name>-domain".
	DomainName transform.Func[apigatewayv2.DomainNameArgs]
	// APIMapping maps the custom domain to the stage, "<name>-mapping".
	APIMapping transform.Func[apigatewayv2.ApiMappingArgs]
	// DNSRecord is the domain's Route 53 alias record, "<name>-dns".
	DNSRecord transform.Func[route53.RecordArgs]
	// Alarm is each metric alarm: "<name>-5xx" and "<name>-latency-p99".
	Alarm transform.Func[cloudwatch.MetricAlarmArgs]
}

// Route sends requests that match Method and Path to Function. Every route either names an
// Authorizer or is explicitly Public; neither, or both, is an error.
type Route struct {
	// Method is GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY (upper case); empty
	// for the DefaultRoute.
	Method string
	// Path is the route path, such as "/v1/inquiries/{id}" (see CheckPath), or DefaultRoute.
	Path string
	// Function handles the route (through a payload format 2.0 AWS_PROXY integration).
	// Required.
	Function *function.Function
	// Authorizer names the entry of Args.JWTAuthorizers or Args.LambdaAuthorizers that must
	// accept the request. Empty means none, which only a Public route may have.
	Authorizer string
	// Public marks a route that needs no authorization. False means the route must name an
	// Authorizer. The baseline reports every public route (policy rule
	// api-route-authorization) until a suppression gives its reason: policy.PublicRoute(
	// "<api>-<route key>", why), so every plan lists the public routes with their reasons.
	Public bool
	// AuthorizationScopes are the OAuth scopes the route requires (the HTTP API route's
	// authorizationScopes): the token must carry at least one of them in its scope or scp
	// claim, or API Gateway answers 403. Only a route with a JWT authorizer can require
	// scopes (a Lambda authorizer decides by itself); each is an OAuth scope-token (see
	// CheckScope), named once. Nil means none: any token the authorizer accepts, including
	// an OpenID Connect ID token, which AWS recommends against for API authorization.
	AuthorizationScopes []string
	// Throttle overrides the stage's throttling for this route. Nil means the stage's; zero
	// fields mean the stage's value for that field.
	Throttle *Throttle
}

// DefaultRoute is the Path of the route that catches every request no other route matches
// (its Method stays empty). With it, unknown paths and wrong methods reach the function,
// which answers them itself, instead of API Gateway's bare {"message":"Not Found"}.
const DefaultRoute = "$default"

// Key is the route's API Gateway route key, such as "GET /v1/inquiries/{id}" or "$default".
func (r Route) Key() string {
	if r.isDefault() {
		return DefaultRoute
	}
	return r.Method + " " + r.Path
}

func (r Route) isDefault() bool { return r.Method == "" && r.Path == DefaultRoute }

// Throttle limits the requests a route serves; API Gateway answers 429 beyond them.
type Throttle struct {
	// BurstLimit is how many requests may arrive at once. Zero means the default.
	BurstLimit int
	// RateLimit is the sustained requests per second. Zero means the default.
	RateLimit float64
}

// JWTAuthorizer accepts requests whose Authorization header holds a JWT from Issuer for one of
// Audiences.
type JWTAuthorizer struct {
	// Issuer is the token issuer's https URL (its iss claim), such as
	// "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc". Required.
	Issuer string
	// Audiences are the accepted aud (or client_id) values. At least one is required.
	Audiences []string
}

// LambdaAuthorizer accepts the requests its function allows. API Gateway invokes the
// function with payload format 2.0 (events.APIGatewayV2CustomAuthorizerV2Request in
// aws-lambda-go), and the function answers with a simple response
// ({"isAuthorized": true|false, "context": {...}},
// events.APIGatewayV2CustomAuthorizerSimpleResponse) unless IAMPolicyResponses is set.
type LambdaAuthorizer struct {
	// Function decides. Required. The component adds a Lambda permission that lets this API
	// invoke it as this authorizer only (the API's execution ARN + "/authorizers/<id>").
	Function *function.Function
	// IdentitySources are the request values the decision depends on, each
	// "$request.header.<name>", "$request.querystring.<name>", "$context.<name>" or
	// "$stageVariables.<name>", named once. API Gateway refuses a request missing any of them
	// with 401 without invoking the function, and keys its cache by them. Nil means
	// DefaultIdentitySource (the Authorization header).
	IdentitySources []string
	// ResultTTL is how long API Gateway caches the function's answer for the same identity
	// sources: whole seconds up to 1 hour. Zero means no caching: every request invokes the
	// function, so a revoked credential is refused at once; caching saves invocations and
	// latency at the price of that delay.
	ResultTTL time.Duration
	// IAMPolicyResponses means the function answers with an IAM policy
	// (events.APIGatewayV2CustomAuthorizerIAMPolicyResponse) instead of a simple response.
	// False means simple responses.
	IAMPolicyResponses bool
}

// CORS is the API's cross-origin resource sharing configuration; API Gateway answers
// preflight requests itself.
type CORS struct {
	// AllowOrigins are the origins ("https://app.example.com") allowed to call the API. At
	// least one is required; "*" is refused unless AllowAnyOrigin is set.
	AllowOrigins []string
	// AllowAnyOrigin allows "*" in AllowOrigins: any web page may call the API. False
	// refuses "*".
	AllowAnyOrigin bool
	// AllowMethods are the methods browsers may use. Nil means the methods of the routes
	// ("*" when a route is ANY).
	AllowMethods []string
	// AllowHeaders are the request headers browsers may send. Nil means "authorization" and
	// "content-type".
	AllowHeaders []string
	// ExposeHeaders are the response headers scripts may read. Nil means none beyond the
	// CORS-safelisted ones.
	ExposeHeaders []string
	// AllowCredentials lets browsers send cookies and credentials. False means they don't;
	// it cannot be combined with AllowAnyOrigin.
	AllowCredentials bool
	// MaxAge is how long browsers may cache a preflight answer, whole seconds up to 24h.
	// Zero means no Access-Control-Max-Age header (browsers then cache for 5 seconds).
	MaxAge time.Duration
}

// Domain is a custom domain name for the API.
type Domain struct {
	// Name is the domain name, such as "api.example.com". Required.
	Name string
	// CertificateARN is the ARN of an ACM certificate for Name in the API's region. Required.
	CertificateARN pulumi.StringInput
	// ZoneID is the Route 53 hosted zone in which to create an alias record for Name. Nil
	// means no DNS record: point Name at the domain's target yourself.
	ZoneID pulumi.StringInput
}

// API is an API Gateway HTTP API with its routes, integrations, Lambda permissions,
// authorizers, $default stage, access log group, alarms and (optionally) custom domain.
type API struct {
	pulumi.ResourceState

	// The children, for escape hatches.
	HTTPAPI *apigatewayv2.Api
	Stage   *apigatewayv2.Stage
	// Integrations and Permissions hold one integration and one invoke permission per route
	// function, by the function component's name.
	Integrations map[string]*apigatewayv2.Integration
	Permissions  map[string]*lambda.Permission
	// Routes holds the routes by route key ("GET /v1/inquiries/{id}").
	Routes map[string]*apigatewayv2.Route
	// Authorizers holds the JWT and Lambda authorizers by their name in Args.
	Authorizers map[string]*apigatewayv2.Authorizer
	// AuthorizerPermissions holds each Lambda authorizer's invoke permission, by its name.
	AuthorizerPermissions map[string]*lambda.Permission
	// LogGroup receives the stage's access logs.
	LogGroup *cloudwatch.LogGroup
	// DomainName and APIMapping are nil without Args.Domain; DNSRecord is nil without
	// Domain.ZoneID.
	DomainName *apigatewayv2.DomainName
	APIMapping *apigatewayv2.ApiMapping
	DNSRecord  *route53.Record
	// Alarms are the 5xx and p99 latency alarms.
	Alarms []*cloudwatch.MetricAlarm

	// URL is where the API is served, without a trailing slash: "https://<domain>" with a
	// custom domain, else the $default stage's invoke URL.
	URL pulumi.StringOutput
	// ID is the API's id; ExecutionARN its execute-api ARN (what permissions are scoped to).
	ID           pulumi.StringOutput
	ExecutionARN pulumi.StringOutput
}

// accessLogFields are the JSON access log's fields, in order, with the $context variables
// they hold.
var accessLogFields = [][2]string{
	{"requestId", "$context.requestId"},
	{"ip", "$context.identity.sourceIp"},
	{"requestTime", "$context.requestTime"},
	{"httpMethod", "$context.httpMethod"},
	{"routeKey", "$context.routeKey"},
	{"path", "$context.path"},
	{"status", "$context.status"},
	{"protocol", "$context.protocol"},
	{"responseLength", "$context.responseLength"},
	{"responseLatency", "$context.responseLatency"},
	{"integrationStatus", "$context.integration.status"},
	{"integrationLatency", "$context.integration.latency"},
	{"integrationError", "$context.integrationErrorMessage"},
	{"authorizerError", "$context.authorizer.error"},
	{"userAgent", "$context.identity.userAgent"},
}

// AccessLogFormat is the stage's access log format: one JSON object per request, which
// CloudWatch Logs Insights parses into fields without a parse clause. Its fields answer what
// an incident asks: which request (requestId, to find the function's log lines), from whom
// (ip, userAgent), what it asked (method, route key, path), what it got and how fast
// (status, length, latency, with the integration's own status and latency beside API
// Gateway's), and why it failed (integrationError, authorizerError). Every value is a
// quoted string, so a "-" API Gateway writes for a missing value keeps the line JSON.
func AccessLogFormat() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range accessLogFields {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f[0])
		v, _ := json.Marshal(f[1])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.String()
}

// registrar registers one component's children, each after its transform, under the
// component; the first error stops New and names the component.
type registrar struct {
	ctx    *pulumi.Context
	parent pulumi.ResourceOption
}

// register runs tf on args and registers the child name with newFn, under the API.
func register[A any, R any](g registrar, newFn func(*pulumi.Context, string, *A, ...pulumi.ResourceOption) (R, error),
	tf transform.Func[A], name string, args *A, opts ...pulumi.ResourceOption) (R, error) {
	return transform.Register(g.ctx, newFn, tf, name, args, append([]pulumi.ResourceOption{g.parent}, opts...)...)
}

// New validates args and registers the API and its children. Every invalid field is reported
// at once, before anything, even the component, is registered.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*API, error) {
	if args == nil {
		args = &Args{}
	}
	s, err := resolve(name, *args)
	if err != nil {
		return nil, err
	}
	c := &API{
		Integrations:          map[string]*apigatewayv2.Integration{},
		Permissions:           map[string]*lambda.Permission{},
		Routes:                map[string]*apigatewayv2.Route{},
		Authorizers:           map[string]*apigatewayv2.Authorizer{},
		AuthorizerPermissions: map[string]*lambda.Permission{},
	}
	if err := ctx.RegisterComponentResource("groundwork:api:API", name, c, opts...); err != nil {
		return nil, err
	}
	if err := c.build(registrar{ctx: ctx, parent: pulumi.Parent(c)}, name, s); err != nil {
		return nil, fmt.Errorf("api %q: %w", name, err)
	}
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"url":          c.URL,
		"id":           c.ID,
		"executionArn": c.ExecutionARN,
	})
}

// build registers the children of the API named name with the resolved settings s.
func (c *API) build(g registrar, name string, s settings) error {
	tf := s.Transform
	apiArgs := &apigatewayv2.ApiArgs{
		ProtocolType: pulumi.String("HTTP"),
		Description:  pulumi.String(s.Description),
	}
	if s.Name != "" {
		apiArgs.Name = pulumi.String(s.Name)
	}
	if s.DisableExecuteAPIEndpoint {
		apiArgs.DisableExecuteApiEndpoint = pulumi.Bool(true)
	}
	if s.cors != nil {
		apiArgs.CorsConfiguration = corsArgs(*s.cors)
	}
	var err error
	if c.HTTPAPI, err = register(g, apigatewayv2.NewApi, tf.HTTPAPI, name, apiArgs); err != nil {
		return err
	}
	apiID := c.HTTPAPI.ID().ToStringOutput()
	c.ID, c.ExecutionARN = apiID, c.HTTPAPI.ExecutionArn

	if err := c.authorizers(g, name, s, apiID); err != nil {
		return err
	}

	// One integration and one permission per function, however many routes it serves. The
	// permission admits this API only (any stage, method and path of it), never every API
	// in the account.
	sourceARN := pulumi.Sprintf("%s/*/*", c.HTTPAPI.ExecutionArn)
	for _, fn := range s.functions {
		fname := fn.PulumiResourceName()
		c.Integrations[fname], err = register(g, apigatewayv2.NewIntegration, tf.Integration, naming.Child(name, fname), &apigatewayv2.IntegrationArgs{
			ApiId:                apiID,
			IntegrationType:      pulumi.String("AWS_PROXY"),
			IntegrationMethod:    pulumi.String("POST"),
			IntegrationUri:       fn.InvokeARN,
			PayloadFormatVersion: pulumi.String("2.0"),
		})
		if err != nil {
			return err
		}
		if c.Permissions[fname], err = register(g, lambda.NewPermission, tf.Permission, naming.Child(name, fname+roleInvoke), invokePermission(fn, sourceARN)); err != nil {
			return err
		}
	}

	routes := make([]pulumi.Resource, 0, len(s.Routes))
	var routeSettings apigatewayv2.StageRouteSettingArray
	for _, rt := range s.Routes {
		rargs := &apigatewayv2.RouteArgs{
			ApiId:             apiID,
			RouteKey:          pulumi.String(rt.Key()),
			Target:            pulumi.Sprintf("integrations/%s", c.Integrations[rt.Function.PulumiResourceName()].ID()),
			AuthorizationType: pulumi.String(s.authorizationType(rt.Authorizer)),
		}
		if rt.Authorizer != "" {
			rargs.AuthorizerId = c.Authorizers[rt.Authorizer].ID()
			if len(rt.AuthorizationScopes) > 0 {
				rargs.AuthorizationScopes = pulumi.ToStringArray(rt.AuthorizationScopes)
			}
		}
		r, err := register(g, apigatewayv2.NewRoute, tf.Route, naming.Child(name, rt.Key()), rargs)
		if err != nil {
			return err
		}
		c.Routes[rt.Key()] = r
		routes = append(routes, r)
		if t := rt.Throttle; t != nil {
			routeSettings = append(routeSettings, apigatewayv2.StageRouteSettingArgs{
				RouteKey:             pulumi.String(rt.Key()),
				ThrottlingBurstLimit: pulumi.Int(t.BurstLimit),
				ThrottlingRateLimit:  pulumi.Float64(t.RateLimit),
			})
		}
	}

	if c.LogGroup, err = register(g, cloudwatch.NewLogGroup, tf.LogGroup, naming.Child(name, roleAccessLogs), &cloudwatch.LogGroupArgs{
		RetentionInDays: pulumi.Int(int(s.LogRetention / check.Day)),
	}); err != nil {
		return err
	}
	// DefaultRouteSettings leaves LoggingLevel unset: on HTTP APIs it shows a diff on every
	// run (pulumi-aws #2364) and only applies to WebSocket APIs anyway.
	stageArgs := &apigatewayv2.StageArgs{
		ApiId:      apiID,
		Name:       pulumi.String(StageName),
		AutoDeploy: pulumi.Bool(true),
		AccessLogSettings: &apigatewayv2.StageAccessLogSettingsArgs{
			DestinationArn: c.LogGroup.Arn,
			Format:         pulumi.String(AccessLogFormat()),
		},
		DefaultRouteSettings: &apigatewayv2.StageDefaultRouteSettingsArgs{
			ThrottlingBurstLimit:   pulumi.Int(s.Throttle.BurstLimit),
			ThrottlingRateLimit:    pulumi.Float64(s.Throttle.RateLimit),
			DetailedMetricsEnabled: pulumi.Bool(s.DetailedMetrics),
		},
	}
	if len(routeSettings) > 0 {
		stageArgs.RouteSettings = routeSettings
	}
	// Route settings name route keys, which API Gateway refuses before the routes exist; and
	// a removed route's settings must leave the stage before the route is deleted.
	if c.Stage, err = register(g, apigatewayv2.NewStage, tf.Stage, name, stageArgs, pulumi.DependsOn(routes)); err != nil {
		return err
	}
	c.URL = c.Stage.InvokeUrl.ApplyT(func(u string) string { return strings.TrimSuffix(u, "/") }).(pulumi.StringOutput)

	if s.Domain != nil {
		if err := c.domain(g, name, *s.Domain, tf); err != nil {
			return err
		}
	}
	return c.alarms(g, name, s)
}

// authorizers registers the JWT and Lambda authorizers, and each Lambda authorizer's
// permission, scoped to that authorizer of this API.
func (c *API) authorizers(g registrar, name string, s settings, apiID pulumi.StringOutput) error {
	var err error
	for _, k := range slices.Sorted(maps.Keys(s.JWTAuthorizers)) {
		j := s.JWTAuthorizers[k]
		c.Authorizers[k], err = register(g, apigatewayv2.NewAuthorizer, s.Transform.Authorizer, naming.Child(name, k), &apigatewayv2.AuthorizerArgs{
			ApiId:           apiID,
			AuthorizerType:  pulumi.String("JWT"),
			IdentitySources: pulumi.StringArray{pulumi.String(DefaultIdentitySource)},
			JwtConfiguration: &apigatewayv2.AuthorizerJwtConfigurationArgs{
				Issuer:    pulumi.String(j.Issuer),
				Audiences: pulumi.ToStringArray(j.Audiences),
			},
		})
		if err != nil {
			return err
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.LambdaAuthorizers)) {
		l := s.LambdaAuthorizers[k]
		a, err := register(g, apigatewayv2.NewAuthorizer, s.Transform.Authorizer, naming.Child(name, k), &apigatewayv2.AuthorizerArgs{
			ApiId:                          apiID,
			AuthorizerType:                 pulumi.String("REQUEST"),
			AuthorizerUri:                  l.Function.InvokeARN,
			AuthorizerPayloadFormatVersion: pulumi.String("2.0"),
			EnableSimpleResponses:          pulumi.Bool(!l.IAMPolicyResponses),
			IdentitySources:                pulumi.ToStringArray(l.IdentitySources),
			AuthorizerResultTtlInSeconds:   pulumi.Int(int(l.ResultTTL / time.Second)),
		})
		if err != nil {
			return err
		}
		c.Authorizers[k] = a
		sourceARN := pulumi.Sprintf("%s/authorizers/%s", c.HTTPAPI.ExecutionArn, a.ID())
		if c.AuthorizerPermissions[k], err = register(g, lambda.NewPermission, s.Transform.Permission, naming.Child(name, k+roleAuthorizerInvoke), invokePermission(l.Function, sourceARN)); err != nil {
			return err
		}
	}
	return nil
}

// invokePermission lets API Gateway invoke fn on behalf of sourceARN only.
func invokePermission(fn *function.Function, sourceARN pulumi.StringInput) *lambda.PermissionArgs {
	return &lambda.PermissionArgs{
		Action:    pulumi.String("lambda:InvokeFunction"),
		Function:  fn.Name,
		Principal: pulumi.String("apigateway.amazonaws.com"),
		SourceArn: sourceARN,
	}
}

func corsArgs(cors CORS) *apigatewayv2.ApiCorsConfigurationArgs {
	cfg := &apigatewayv2.ApiCorsConfigurationArgs{
		AllowOrigins:     pulumi.ToStringArray(cors.AllowOrigins),
		AllowMethods:     pulumi.ToStringArray(cors.AllowMethods),
		AllowHeaders:     pulumi.ToStringArray(cors.AllowHeaders),
		AllowCredentials: pulumi.Bool(cors.AllowCredentials),
	}
	if len(cors.ExposeHeaders) > 0 {
		cfg.ExposeHeaders = pulumi.ToStringArray(cors.ExposeHeaders)
	}
	if cors.MaxAge > 0 {
		cfg.MaxAge = pulumi.Int(int(cors.MaxAge / time.Second))
	}
	return cfg
}

// domain registers the custom domain, its mapping to the stage and (with a zone) its alias
// record; the API's URL becomes the domain's.
func (c *API) domain(g registrar, name string, d Domain, tf Transform) error {
	var err error
	c.DomainName, err = register(g, apigatewayv2.NewDomainName, tf.DomainName, naming.Child(name, roleDomain), &apigatewayv2.DomainNameArgs{
		DomainName: pulumi.String(d.Name),
		DomainNameConfiguration: &apigatewayv2.DomainNameDomainNameConfigurationArgs{
			CertificateArn: d.CertificateARN,
			EndpointType:   pulumi.String("REGIONAL"),
			SecurityPolicy: pulumi.String("TLS_1_2"),
		},
	})
	if err != nil {
		return err
	}
	c.APIMapping, err = register(g, apigatewayv2.NewApiMapping, tf.APIMapping, naming.Child(name, roleMapping), &apigatewayv2.ApiMappingArgs{
		ApiId:      c.ID,
		DomainName: c.DomainName.DomainName,
		Stage:      c.Stage.Name,
	})
	if err != nil {
		return err
	}
	if d.ZoneID != nil {
		target := c.DomainName.DomainNameConfiguration
		c.DNSRecord, err = register(g, route53.NewRecord, tf.DNSRecord, naming.Child(name, roleDNS), &route53.RecordArgs{
			Name:   pulumi.String(d.Name),
			Type:   pulumi.String("A"),
			ZoneId: d.ZoneID,
			Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{
				Name:                 target.TargetDomainName().Elem(),
				ZoneId:               target.HostedZoneId().Elem(),
				EvaluateTargetHealth: pulumi.Bool(false),
			}},
		})
		if err != nil {
			return err
		}
	}
	// The URL comes from the mapping, so whoever uses it waits until the domain serves this
	// API.
	c.URL = pulumi.Sprintf("https://%s", c.APIMapping.DomainName)
	return nil
}

// alarms registers the 5xx and p99 latency alarms on the API's metrics.
func (c *API) alarms(g registrar, name string, s settings) error {
	dims := pulumi.StringMap{"ApiId": c.ID}
	for _, spec := range []metricalarm.Spec{
		{Suffix: role5xx, Description: "The " + name + " API answered 5xx: requests failed in the function or its integration.",
			Namespace: "AWS/ApiGateway", Metric: "5xx", Dimensions: dims, Statistic: "Sum",
			Threshold: float64(s.ServerErrorThreshold), Period: 5 * time.Minute},
		{Suffix: roleLatency, Description: fmt.Sprintf("The %s API's p99 latency stayed at or above %v for 15 minutes.", name, s.LatencyThreshold),
			Namespace: "AWS/ApiGateway", Metric: "Latency", Dimensions: dims, ExtendedStatistic: "p99",
			Threshold: float64(s.LatencyThreshold / time.Millisecond), Period: 5 * time.Minute, EvaluationPeriods: LatencyEvaluationPeriods},
	} {
		al, err := metricalarm.New(g.ctx, name, spec, s.AlarmTopic, s.Transform.Alarm, g.parent)
		if err != nil {
			return err
		}
		c.Alarms = append(c.Alarms, al)
	}
	return nil
}
