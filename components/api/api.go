package api

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
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
)

// Defaults for the zero values of Args.
const (
	// DefaultBurstLimit and DefaultRateLimit throttle every route of the stage unless Args or
	// the route says otherwise: a burst of 100 requests, 50 requests per second sustained.
	DefaultBurstLimit = 100
	DefaultRateLimit  = 50.0
	// DefaultLogRetention is how long access logs are kept.
	DefaultLogRetention = 30 * check.Day
	// DefaultServerErrorThreshold is how many 5xx responses in five minutes fire the 5xx
	// alarm: one, because every 5xx is a request the API failed to serve (a function error,
	// timeout or bad response), and a quiet service should hear about the first.
	DefaultServerErrorThreshold = 1
	// DefaultLatencyThreshold is the p99 latency that fires the latency alarm when it holds
	// for LatencyEvaluationPeriods consecutive five-minute periods.
	DefaultLatencyThreshold = time.Second
	// LatencyEvaluationPeriods is how many consecutive five-minute periods the p99 latency
	// must breach: a single slow request (a cold start) in a quiet period is not an incident.
	LatencyEvaluationPeriods = 3
	// MaxCORSMaxAge is the longest preflight caching API Gateway accepts.
	MaxCORSMaxAge = 24 * time.Hour

	// StageName is the stage every API gets: the one served at the API's root URL.
	StageName = "$default"
	// maxNameLen and maxAuthorizerNameLen keep an authorizer's auto-name (name + "-" + its
	// key + Pulumi's 8-character suffix) within API Gateway's 128 characters; every other
	// name derived from the component's has more room.
	maxNameLen           = 55
	maxAuthorizerNameLen = 64
)

// Args configures an API.
type Args struct {
	// Routes are the API's routes; each sends "Method Path" to a function. At least one is
	// required; no two may share a method and path.
	Routes []Route
	// Authorizers are the JWT authorizers routes may name, by name (letters, digits, '-', '_').
	// Nil means none, so every route must be Public.
	Authorizers map[string]JWTAuthorizer
	// Throttle is the stage-wide throttling of every route without its own. Zero fields mean
	// DefaultBurstLimit (100) and DefaultRateLimit (50 requests per second).
	Throttle Throttle
	// CORS answers browsers' cross-origin requests. Nil means no CORS configuration: API
	// Gateway adds no CORS headers, so browsers on other origins cannot call the API.
	CORS *CORS
	// Domain serves the API on a custom domain name. Nil means the execute-api URL only.
	Domain *Domain
	// LogRetention is how long the access log group keeps events: a whole number of days
	// that CloudWatch Logs accepts (see function.CheckLogRetention). Zero means 30 days.
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
	// Authorizer names the entry of Args.Authorizers that must accept the request's bearer
	// token. Empty means none, which only a Public route may have.
	Authorizer string
	// Public marks a route that needs no authorization. False means the route must name an
	// Authorizer.
	Public bool
	// AuthorizationScopes are the OAuth scopes the route requires (the HTTP API route's
	// authorizationScopes): the token must carry at least one of them in its scope or scp
	// claim, or API Gateway answers 403. Only a route with an Authorizer can require scopes;
	// each is an OAuth scope-token (see CheckScope), named once. Nil means none: any token the
	// authorizer accepts, including an OpenID Connect ID token, which AWS recommends against
	// for API authorization.
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
	// Integrations and Permissions hold one integration and one invoke permission per
	// function, by the function component's name.
	Integrations map[string]*apigatewayv2.Integration
	Permissions  map[string]*lambda.Permission
	// Routes holds the routes by route key ("GET /v1/inquiries/{id}").
	Routes map[string]*apigatewayv2.Route
	// Authorizers holds the JWT authorizers by their name in Args.Authorizers.
	Authorizers map[string]*apigatewayv2.Authorizer
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

var (
	namePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	hostLabel   = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	originHost  = regexp.MustCompile(`^[A-Za-z0-9.-]+(:[0-9]{1,5})?$`)
	headerName  = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
)

// defaultCORSHeaders are what AllowHeaders means when nil: what a JSON API with bearer
// tokens needs.
var defaultCORSHeaders = []string{"authorization", "content-type"}

// resolved is Args after validation, with defaults applied.
type resolved struct {
	Args
	// functions in order of first appearance in Routes.
	functions []*function.Function
	// cors is nil without Args.CORS; else it has every default applied.
	cors *CORS
}

// resolve validates a and applies defaults; the error names the offending field.
func (a Args) resolve() (*resolved, error) {
	r := &resolved{Args: a}
	if r.LogRetention == 0 {
		r.LogRetention = DefaultLogRetention
	}
	if err := function.CheckLogRetention(r.LogRetention); err != nil {
		return nil, fmt.Errorf("LogRetention: %w", err)
	}
	if err := checkThrottle("Throttle", r.Throttle); err != nil {
		return nil, err
	}
	if r.Throttle.BurstLimit == 0 {
		r.Throttle.BurstLimit = DefaultBurstLimit
	}
	if r.Throttle.RateLimit == 0 {
		r.Throttle.RateLimit = DefaultRateLimit
	}
	if r.ServerErrorThreshold < 0 {
		return nil, fmt.Errorf("ServerErrorThreshold %d is negative", r.ServerErrorThreshold)
	}
	if r.ServerErrorThreshold == 0 {
		r.ServerErrorThreshold = DefaultServerErrorThreshold
	}
	if r.LatencyThreshold < 0 || r.LatencyThreshold%time.Millisecond != 0 {
		return nil, fmt.Errorf("LatencyThreshold %v must be positive whole milliseconds", r.LatencyThreshold)
	}
	if r.LatencyThreshold == 0 {
		r.LatencyThreshold = DefaultLatencyThreshold
	}

	for _, k := range sortedKeys(a.Authorizers) {
		if err := checkAuthorizer(k, a.Authorizers[k]); err != nil {
			return nil, err
		}
	}

	if len(a.Routes) == 0 {
		return nil, fmt.Errorf("Routes is empty: an API needs at least one route")
	}
	seen := map[string]string{}                // method + shape -> route key
	fnNames := map[string]*function.Function{} // component name -> function
	for i, rt := range a.Routes {
		field := fmt.Sprintf("Routes[%d]", i)
		k := DefaultRoute
		if !rt.isDefault() {
			if err := CheckMethod(rt.Method); err != nil {
				return nil, fmt.Errorf("%s.Method: %w", field, err)
			}
			if err := CheckPath(rt.Path); err != nil {
				return nil, fmt.Errorf("%s.Path: %w", field, err)
			}
			k = rt.Method + " " + shape(rt.Path)
		}
		field = fmt.Sprintf("Routes[%d] (%s)", i, rt.Key())
		if prev, dup := seen[k]; dup {
			return nil, fmt.Errorf("%s: same method and path as %q (path parameters match by position)", field, prev)
		}
		seen[k] = rt.Key()
		if rt.Function == nil {
			return nil, fmt.Errorf("%s.Function is nil", field)
		}
		fname := rt.Function.PulumiResourceName()
		if other, ok := fnNames[fname]; !ok {
			fnNames[fname] = rt.Function
			r.functions = append(r.functions, rt.Function)
		} else if other != rt.Function {
			return nil, fmt.Errorf("%s.Function: two different functions are named %q", field, fname)
		}
		switch {
		case rt.Public && rt.Authorizer != "":
			return nil, fmt.Errorf("%s: Public is set and Authorizer %q is named; choose one", field, rt.Authorizer)
		case !rt.Public && rt.Authorizer == "":
			return nil, fmt.Errorf("%s: names no Authorizer and is not marked Public; every route needs an authorization decision", field)
		case rt.Authorizer != "":
			if _, ok := a.Authorizers[rt.Authorizer]; !ok {
				return nil, fmt.Errorf("%s.Authorizer: %q is not in Authorizers %v", field, rt.Authorizer, sortedKeys(a.Authorizers))
			}
		}
		if err := checkScopes(field+".AuthorizationScopes", rt); err != nil {
			return nil, err
		}
		if rt.Throttle != nil {
			if err := checkThrottle(field+".Throttle", *rt.Throttle); err != nil {
				return nil, err
			}
		}
	}

	if a.CORS != nil {
		c, err := resolveCORS(*a.CORS, a.Routes)
		if err != nil {
			return nil, err
		}
		r.cors = c
	}
	if a.Domain != nil {
		if err := checkDomain(*a.Domain); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func checkThrottle(field string, t Throttle) error {
	if t.BurstLimit < 0 {
		return fmt.Errorf("%s.BurstLimit %d is negative", field, t.BurstLimit)
	}
	if t.RateLimit < 0 {
		return fmt.Errorf("%s.RateLimit %g is negative", field, t.RateLimit)
	}
	return nil
}

func checkAuthorizer(name string, j JWTAuthorizer) error {
	field := fmt.Sprintf("Authorizers[%s]", name)
	if !namePattern.MatchString(name) || len(name) > maxAuthorizerNameLen {
		return fmt.Errorf("%s: the name must be 1-%d letters, digits, '-' or '_'", field, maxAuthorizerNameLen)
	}
	u, err := url.Parse(j.Issuer)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%s.Issuer %q must be an https:// URL", field, j.Issuer)
	}
	if len(j.Audiences) == 0 {
		return fmt.Errorf("%s.Audiences is empty: name at least one accepted audience", field)
	}
	for _, aud := range j.Audiences {
		if strings.TrimSpace(aud) == "" {
			return fmt.Errorf("%s.Audiences holds an empty audience", field)
		}
	}
	return nil
}

// resolveCORS validates c and fills its defaults from the routes.
func resolveCORS(c CORS, routes []Route) (*CORS, error) {
	if len(c.AllowOrigins) == 0 {
		return nil, fmt.Errorf("CORS.AllowOrigins is empty: name the origins allowed to call the API")
	}
	for _, o := range c.AllowOrigins {
		if o == "*" {
			if !c.AllowAnyOrigin {
				return nil, fmt.Errorf("CORS.AllowOrigins: \"*\" lets any web page call the API; set CORS.AllowAnyOrigin to mean it")
			}
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || !originHost.MatchString(u.Host) ||
			u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.HasSuffix(o, "/") {
			return nil, fmt.Errorf("CORS.AllowOrigins: %q is not an origin (scheme://host[:port], no path)", o)
		}
	}
	if c.AllowCredentials && c.AllowAnyOrigin {
		return nil, fmt.Errorf("CORS.AllowCredentials cannot be combined with CORS.AllowAnyOrigin")
	}
	if c.MaxAge < 0 || c.MaxAge > MaxCORSMaxAge || c.MaxAge%time.Second != 0 {
		return nil, fmt.Errorf("CORS.MaxAge %v must be whole seconds from 0 to %v", c.MaxAge, MaxCORSMaxAge)
	}
	for _, m := range c.AllowMethods {
		if m != "*" && (m == "ANY" || CheckMethod(m) != nil) {
			return nil, fmt.Errorf("CORS.AllowMethods: %q is not an HTTP method or \"*\"", m)
		}
	}
	for _, field := range []struct {
		name string
		vals []string
	}{{"AllowHeaders", c.AllowHeaders}, {"ExposeHeaders", c.ExposeHeaders}} {
		for _, h := range field.vals {
			if h != "*" && !headerName.MatchString(h) {
				return nil, fmt.Errorf("CORS.%s: %q is not a header name", field.name, h)
			}
		}
	}
	if c.AllowMethods == nil {
		c.AllowMethods = routeMethods(routes)
	}
	if c.AllowHeaders == nil {
		c.AllowHeaders = defaultCORSHeaders
	}
	return &c, nil
}

// routeMethods are the distinct methods of routes in Methods order; "*" when one is ANY.
func routeMethods(routes []Route) []string {
	var out []string
	for _, m := range Methods {
		for _, r := range routes {
			if r.Method == m {
				if m == "ANY" {
					return []string{"*"}
				}
				out = append(out, m)
				break
			}
		}
	}
	return out
}

func checkDomain(d Domain) error {
	name := strings.TrimPrefix(d.Name, "*.")
	labels := strings.Split(name, ".")
	if len(d.Name) > 253 || len(labels) < 2 {
		return fmt.Errorf("Domain.Name %q is not a fully qualified domain name", d.Name)
	}
	for _, l := range labels {
		if !hostLabel.MatchString(l) {
			return fmt.Errorf("Domain.Name %q: label %q must be 1-63 lowercase letters, digits or '-', not starting or ending with '-'", d.Name, l)
		}
	}
	if d.CertificateARN == nil {
		return fmt.Errorf("Domain.CertificateArn is nil: a custom domain needs an ACM certificate")
	}
	return nil
}

func checkName(name string) error {
	if !namePattern.MatchString(name) || len(name) > maxNameLen {
		return fmt.Errorf("name must be 1-%d letters, digits, '-' or '_' so the names derived from it fit AWS limits", maxNameLen)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
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

// AccessLogFormat is the stage's access log format: one JSON object per request. Every value
// is a quoted string, so a "-" API Gateway writes for a missing value keeps the line JSON.
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

// New validates args and registers the API and its children. Every invalid field is reported
// before anything, even the component, is registered.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*API, error) {
	if args == nil {
		args = &Args{}
	}
	err := checkName(name)
	var a *resolved
	if err == nil {
		a, err = args.resolve()
	}
	if err != nil {
		return nil, fmt.Errorf("api %q: %w", name, err)
	}

	c := &API{
		Integrations: map[string]*apigatewayv2.Integration{},
		Permissions:  map[string]*lambda.Permission{},
		Routes:       map[string]*apigatewayv2.Route{},
		Authorizers:  map[string]*apigatewayv2.Authorizer{},
	}
	if err := ctx.RegisterComponentResource("groundwork:api:API", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)

	apiArgs := &apigatewayv2.ApiArgs{
		ProtocolType: pulumi.String("HTTP"),
		Description:  pulumi.Sprintf("The %s HTTP API", name),
	}
	if cors := a.cors; cors != nil {
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
		apiArgs.CorsConfiguration = cfg
	}
	if c.HTTPAPI, err = apigatewayv2.NewApi(ctx, name, apiArgs, parent); err != nil {
		return nil, err
	}
	apiID := c.HTTPAPI.ID().ToStringOutput()

	for _, k := range sortedKeys(a.Authorizers) {
		j := a.Authorizers[k]
		c.Authorizers[k], err = apigatewayv2.NewAuthorizer(ctx, name+"-"+k, &apigatewayv2.AuthorizerArgs{
			ApiId:           apiID,
			AuthorizerType:  pulumi.String("JWT"),
			IdentitySources: pulumi.StringArray{pulumi.String("$request.header.Authorization")},
			JwtConfiguration: &apigatewayv2.AuthorizerJwtConfigurationArgs{
				Issuer:    pulumi.String(j.Issuer),
				Audiences: pulumi.ToStringArray(j.Audiences),
			},
		}, parent)
		if err != nil {
			return nil, err
		}
	}

	// One integration and one permission per function, however many routes it serves. The
	// permission admits this API only (any stage, method and path of it), never every API
	// in the account.
	sourceArn := pulumi.Sprintf("%s/*/*", c.HTTPAPI.ExecutionArn)
	for _, fn := range a.functions {
		fname := fn.PulumiResourceName()
		integ, err := apigatewayv2.NewIntegration(ctx, name+"-"+fname, &apigatewayv2.IntegrationArgs{
			ApiId:                apiID,
			IntegrationType:      pulumi.String("AWS_PROXY"),
			IntegrationMethod:    pulumi.String("POST"),
			IntegrationUri:       fn.InvokeARN,
			PayloadFormatVersion: pulumi.String("2.0"),
		}, parent)
		if err != nil {
			return nil, err
		}
		c.Integrations[fname] = integ
		perm, err := lambda.NewPermission(ctx, name+"-"+fname+"-invoke", &lambda.PermissionArgs{
			Action:    pulumi.String("lambda:InvokeFunction"),
			Function:  fn.Name,
			Principal: pulumi.String("apigateway.amazonaws.com"),
			SourceArn: sourceArn,
		}, parent)
		if err != nil {
			return nil, err
		}
		c.Permissions[fname] = perm
	}

	routes := make([]pulumi.Resource, 0, len(a.Routes))
	var routeSettings apigatewayv2.StageRouteSettingArray
	for _, rt := range a.Routes {
		rargs := &apigatewayv2.RouteArgs{
			ApiId:             apiID,
			RouteKey:          pulumi.String(rt.Key()),
			Target:            pulumi.Sprintf("integrations/%s", c.Integrations[rt.Function.PulumiResourceName()].ID()),
			AuthorizationType: pulumi.String("NONE"),
		}
		if rt.Authorizer != "" {
			rargs.AuthorizationType = pulumi.String("JWT")
			rargs.AuthorizerId = c.Authorizers[rt.Authorizer].ID()
			if len(rt.AuthorizationScopes) > 0 {
				rargs.AuthorizationScopes = pulumi.ToStringArray(rt.AuthorizationScopes)
			}
		}
		r, err := apigatewayv2.NewRoute(ctx, name+"-"+rt.Key(), rargs, parent)
		if err != nil {
			return nil, err
		}
		c.Routes[rt.Key()] = r
		routes = append(routes, r)
		if t := rt.Throttle; t != nil {
			eff := *t
			if eff.BurstLimit == 0 {
				eff.BurstLimit = a.Throttle.BurstLimit
			}
			if eff.RateLimit == 0 {
				eff.RateLimit = a.Throttle.RateLimit
			}
			routeSettings = append(routeSettings, apigatewayv2.StageRouteSettingArgs{
				RouteKey:             pulumi.String(rt.Key()),
				ThrottlingBurstLimit: pulumi.Int(eff.BurstLimit),
				ThrottlingRateLimit:  pulumi.Float64(eff.RateLimit),
			})
		}
	}

	c.LogGroup, err = cloudwatch.NewLogGroup(ctx, name+"-access-logs", &cloudwatch.LogGroupArgs{
		RetentionInDays: pulumi.Int(int(a.LogRetention / check.Day)),
	}, parent)
	if err != nil {
		return nil, err
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
			ThrottlingBurstLimit:   pulumi.Int(a.Throttle.BurstLimit),
			ThrottlingRateLimit:    pulumi.Float64(a.Throttle.RateLimit),
			DetailedMetricsEnabled: pulumi.Bool(a.DetailedMetrics),
		},
	}
	if len(routeSettings) > 0 {
		stageArgs.RouteSettings = routeSettings
	}
	// Route settings name route keys, which API Gateway refuses before the routes exist; and
	// a removed route's settings must leave the stage before the route is deleted.
	if c.Stage, err = apigatewayv2.NewStage(ctx, name, stageArgs, parent, pulumi.DependsOn(routes)); err != nil {
		return nil, err
	}
	c.URL = c.Stage.InvokeUrl.ApplyT(func(u string) string { return strings.TrimSuffix(u, "/") }).(pulumi.StringOutput)

	if d := a.Domain; d != nil {
		c.DomainName, err = apigatewayv2.NewDomainName(ctx, name+"-domain", &apigatewayv2.DomainNameArgs{
			DomainName: pulumi.String(d.Name),
			DomainNameConfiguration: &apigatewayv2.DomainNameDomainNameConfigurationArgs{
				CertificateArn: d.CertificateARN,
				EndpointType:   pulumi.String("REGIONAL"),
				SecurityPolicy: pulumi.String("TLS_1_2"),
			},
		}, parent)
		if err != nil {
			return nil, err
		}
		c.APIMapping, err = apigatewayv2.NewApiMapping(ctx, name+"-mapping", &apigatewayv2.ApiMappingArgs{
			ApiId:      apiID,
			DomainName: c.DomainName.DomainName,
			Stage:      c.Stage.Name,
		}, parent)
		if err != nil {
			return nil, err
		}
		if d.ZoneID != nil {
			target := c.DomainName.DomainNameConfiguration
			c.DNSRecord, err = route53.NewRecord(ctx, name+"-dns", &route53.RecordArgs{
				Name:   pulumi.String(d.Name),
				Type:   pulumi.String("A"),
				ZoneId: d.ZoneID,
				Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{
					Name:                 target.TargetDomainName().Elem(),
					ZoneId:               target.HostedZoneId().Elem(),
					EvaluateTargetHealth: pulumi.Bool(false),
				}},
			}, parent)
			if err != nil {
				return nil, err
			}
		}
		// The URL comes from the mapping, so whoever uses it waits until the domain serves
		// this API.
		c.URL = pulumi.Sprintf("https://%s", c.APIMapping.DomainName)
	}

	dims := pulumi.StringMap{"ApiId": apiID}
	for _, spec := range []metricalarm.Spec{
		{Suffix: "5xx", Description: "The " + name + " API answered 5xx: requests failed in the function or its integration.",
			Namespace: "AWS/ApiGateway", Metric: "5xx", Dimensions: dims, Statistic: "Sum",
			Threshold: float64(a.ServerErrorThreshold), Period: 5 * time.Minute},
		{Suffix: "latency-p99", Description: fmt.Sprintf("The %s API's p99 latency stayed at or above %v for 15 minutes.", name, a.LatencyThreshold),
			Namespace: "AWS/ApiGateway", Metric: "Latency", Dimensions: dims, ExtendedStatistic: "p99",
			Threshold: float64(a.LatencyThreshold / time.Millisecond), Period: 5 * time.Minute, EvaluationPeriods: LatencyEvaluationPeriods},
	} {
		al, err := metricalarm.New(ctx, name, spec, a.AlarmTopic, nil, parent)
		if err != nil {
			return nil, err
		}
		c.Alarms = append(c.Alarms, al)
	}

	c.ID, c.ExecutionARN = apiID, c.HTTPAPI.ExecutionArn
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"url":          c.URL,
		"id":           c.ID,
		"executionArn": c.ExecutionARN,
	})
}
