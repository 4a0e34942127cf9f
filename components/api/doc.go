// Package api is an API Gateway HTTP API as a Pulumi component: routes given as a plain Go
// list, each sent to a [function.Function] through one payload format 2.0 AWS_PROXY
// integration per function, with a Lambda permission that admits this API only
// (its execution ARN + "/*/*"), never every API in the account.
//
// Secure and observable by default, without switches to forget:
//
//   - every route either names an authorizer or is explicitly Public; a route with neither
//     is an error, so no route is left open by omission. An authorizer is a JWT authorizer
//     (Args.JWTAuthorizers; a route can also require OAuth scopes, Route.AuthorizationScopes)
//     or a Lambda (REQUEST) authorizer (Args.LambdaAuthorizers: payload format 2.0, simple
//     responses, no caching unless ResultTTL says so), whose function only this API may
//     invoke, and only as that authorizer (the execution ARN + "/authorizers/<id>");
//   - the $default stage auto-deploys, throttles every route (burst 100, 50 requests per
//     second unless Args or the route says otherwise; [DefaultRateLimit] says why) and
//     writes one JSON access log line per request ([AccessLogFormat]) to its own log group
//     (30 days unless LogRetention says otherwise);
//   - CORS exists only when origins are given, and "*" needs CORS.AllowAnyOrigin;
//   - a custom domain uses a regional endpoint with the TLS 1.2 security policy, and
//     DisableExecuteAPIEndpoint makes it the only way in;
//   - 5xx responses and the p99 latency are alarmed (to Args.AlarmTopic).
//
// Everything that changes the graph (routes, authorizers, CORS, the domain) is a plain Go
// value, checked in [New] before anything is registered; every invalid field is reported at
// once, each named: `api "http": Routes[2] (GET /v1/x) names no Authorizer and is not marked
// Public: ...`. [CheckPath] is the same path check on its own, for route tables built
// elsewhere (such as the application's internal/httpapi.Routes).
//
// # Children
//
// An API named "http" registers, as its children (logical names; physical names are Pulumi's
// auto-names, the logical name and 8 characters, where the type has a name):
//
//   - "http": the HTTP API (aws:apigatewayv2/api), and its $default stage
//     (aws:apigatewayv2/stage), which names the API by id, sends its access logs to the log
//     group's ARN, and depends on every route, since its route settings name route keys;
//   - "http-access-logs": the access log group;
//   - "http-<function>": one integration per route function (by the function component's
//     name), calling the function's invoke ARN; "http-<function>-invoke": its Lambda
//     permission, naming the function and scoped to the API's execution ARN;
//   - "http-<authorizer>": one authorizer per entry of JWTAuthorizers and LambdaAuthorizers;
//     a Lambda authorizer calls its function's invoke ARN, and
//     "http-<authorizer>-authorizer-invoke" is its permission, scoped to the execution ARN
//     and the authorizer's id;
//   - "http-<route key>" ("http-GET /v1/inquiries/{id}", "http-$default"): one route each,
//     targeting its function's integration and naming its authorizer's id;
//   - "http-domain", "http-mapping" (domain -> stage) and "http-dns" (an alias to the
//     domain's regional target), with Args.Domain and Domain.ZoneID;
//   - "http-5xx" and "http-latency-p99": the alarms on the API's id.
//
// New refuses a name for which any of these physical names would break AWS's limits for its
// type (HTTP API and authorizer 128, Lambda permission statement id 100, log group 512,
// alarm 255), naming the child and the limit.
//
// # Customization
//
// Args.Transform has one typed transform per kind of child (see package transform); a kind
// with many children (routes, integrations, permissions, authorizers, alarms) has one
// transform that receives each child's logical name. The component runs it just before it
// registers the child, so the recording mocks of componenttest, policy.Check and the
// deployment see the same resource.
//
// The stage's DefaultRouteSettings never set LoggingLevel: on HTTP APIs it only produces a
// diff on every `pulumi up` (pulumi-aws #2364).
package api
