// Package httpapi is the inquiries service's HTTP API: the route table and the http.Handler
// that serves it. The same handler runs behind API Gateway in the api Lambda (through
// internal/apigw) and in the local server, and the stack program creates API Gateway routes
// from the same table, so routes are declared once.
//
// Every error is an RFC 9457 problem (Content-Type application/problem+json); validation
// problems list the fields at fault under "errors".
package httpapi

import (
	"net/url"
	"strings"
)

// Route is one route of the API.
type Route struct {
	// Method is the HTTP method, upper case ("GET", "POST").
	Method string
	// Path is the path in API Gateway form: literal segments and {name} path parameters,
	// e.g. "/v1/inquiries/{id}". The same form is a net/http ServeMux path pattern.
	Path string
	// Public routes need no authorization. False means the route needs the API's JWT
	// authorizer in AWS.
	Public bool
}

// Key is the route's API Gateway route key and its ServeMux pattern: "GET /v1/inquiries/{id}".
func (r Route) Key() string { return r.Method + " " + r.Path }

// Routes is the API's route table: the handler's mux, the stack program's API Gateway
// routes and the local server are all built from it.
var Routes = []Route{
	{Method: "GET", Path: "/healthz", Public: true},
	{Method: "POST", Path: "/v1/inquiries", Public: true},
	{Method: "GET", Path: "/v1/inquiries/{id}", Public: false},
}

// Match finds the route for a method and an escaped request path the way API Gateway
// does: segment by segment, a {name} segment matching any one non-empty segment. It
// returns the route and its path parameters (unescaped; nil for a route without any). ok is
// false when no route matches; then allowed lists the methods of the routes whose path
// matches (a 405 rather than a 404), in table order.
func Match(method, escapedPath string) (route Route, params map[string]string, ok bool, allowed []string) {
	for _, rt := range Routes {
		p, pathOK := matchPath(rt.Path, escapedPath)
		if !pathOK {
			continue
		}
		if rt.Method == method {
			return rt, p, true, nil
		}
		allowed = append(allowed, rt.Method)
	}
	return Route{}, nil, false, allowed
}

// matchPath matches an escaped path against a route path with {name} segments.
func matchPath(pattern, path string) (map[string]string, bool) {
	var params map[string]string
	for {
		pseg, prest, pmore := strings.Cut(strings.TrimPrefix(pattern, "/"), "/")
		seg, rest, more := strings.Cut(strings.TrimPrefix(path, "/"), "/")
		if !strings.HasPrefix(pattern, "/") || !strings.HasPrefix(path, "/") {
			return nil, false
		}
		v, err := url.PathUnescape(seg)
		if err != nil {
			return nil, false
		}
		if len(pseg) > 2 && pseg[0] == '{' && pseg[len(pseg)-1] == '}' {
			if v == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[pseg[1:len(pseg)-1]] = v
		} else if pseg != v {
			return nil, false
		}
		if pmore != more {
			return nil, false
		}
		if !pmore {
			return params, true
		}
		pattern, path = "/"+prest, "/"+rest
	}
}
