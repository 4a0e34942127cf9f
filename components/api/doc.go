// Package api is an API Gateway HTTP API as a Pulumi component: routes given as a plain Go
// list, each sent to a [function.Function] through one payload format 2.0 AWS_PROXY
// integration per function, with a Lambda permission that admits this API only
// (its execution ARN + "/*/*"), never every API in the account.
//
// Secure and observable by default, without switches to forget:
//
//   - every route either names a JWT authorizer or is explicitly Public; a route with
//     neither is an error, so no route is left open by omission; a JWT route can also
//     require OAuth scopes (Route.AuthorizationScopes, the route's authorizationScopes);
//   - the $default stage auto-deploys, throttles every route (burst 100, 50 requests per
//     second unless Args or the route says otherwise) and writes one JSON access log line per
//     request to its own log group (30 days unless LogRetention says otherwise);
//   - CORS exists only when origins are given, and "*" needs CORS.AllowAnyOrigin;
//   - a custom domain uses a regional endpoint with the TLS 1.2 security policy;
//   - 5xx responses and the p99 latency are alarmed (to Args.AlarmTopic).
//
// Everything that changes the graph (routes, authorizers, CORS, the domain) is a plain Go
// value, checked in [New] before anything is registered; errors name the component and the
// field: `api "http": Routes[2] (GET /v1/x): names no Authorizer and is not marked Public`.
// [CheckPath] is the same path check on its own, for route tables built elsewhere (such as
// the application's internal/httpapi.Routes).
//
// The stage's DefaultRouteSettings never set LoggingLevel: on HTTP APIs it only produces a
// diff on every `pulumi up` (pulumi-aws #2364).
package api
