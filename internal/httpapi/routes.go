// Package httpapi is the inquiries service's HTTP API: the route table and the http.Handler
// that serves it. The same handler runs behind API Gateway in the api Lambda (through
// internal/apigw) and in the local server, and the stack program creates API Gateway routes
// from the same table, so routes are declared once.
//
// Every error is an RFC 9457 problem (Content-Type application/problem+json); validation
// problems list the fields at fault under "errors".
//
// # Which route serves a request
//
// The handler decides once, from Routes, and never from net/http's ServeMux (whose path
// cleaning and redirects answered //healthz with a text/html 307):
//
//   - A route that is not Public is served only for a request made from an API Gateway event
//     whose route key is exactly that route's key (see [Route.ReachableThrough]). In AWS such
//     an event has passed the route's JWT authorizer.
//   - Any other request (an event for the public $default route or for another route, or a
//     plain net/http request with no event at all) reaches public routes only, matched on the
//     path exactly as it arrived: no cleaning, no dot segments resolved, no trailing or double
//     slash forgiven. A protected route is invisible to it: the answer is the same 404, or 405
//     with Allow, as for a path no route has.
//
// So the protection of a route no longer depends on API Gateway's router and the handler
// agreeing on a path's spelling: whatever the spelling, only the route's own key opens it.
package httpapi

import (
	"net/http"
	"net/url"
	"strings"
)

// Route is one route of the API.
type Route struct {
	// Method is the HTTP method, upper case ("GET", "POST").
	Method string
	// Path is the path in API Gateway form: literal segments and {name} path parameters,
	// e.g. "/v1/inquiries/{id}".
	Path string
	// Public routes need no authorization. False means the route needs the API's JWT
	// authorizer in AWS, and the handler serves it only for an event of its own route key.
	Public bool
}

// Key is the route's API Gateway route key: "GET /v1/inquiries/{id}".
func (r Route) Key() string { return r.Method + " " + r.Path }

// hasKey reports whether k is the route's key, without building the key.
func (r Route) hasKey(k string) bool {
	m := len(r.Method)
	return len(k) == m+1+len(r.Path) && k[:m] == r.Method && k[m] == ' ' && k[m+1:] == r.Path
}

// ReachableThrough reports whether the handler may serve the route for a request that came
// through the API Gateway route routeKey: a public route through any key (its own, "$default",
// another route's, or "" for a request made from no event); a protected route only through
// its own key, the one route in AWS whose authorizer guards it.
func (r Route) ReachableThrough(routeKey string) bool { return r.Public || r.hasKey(routeKey) }

// Routes is the API's route table: the handler, the stack program's API Gateway routes and
// the local server's route choice are all built from it.
var Routes = []Route{
	{Method: "GET", Path: "/healthz", Public: true},
	{Method: "POST", Path: "/v1/inquiries", Public: true},
	{Method: "GET", Path: "/v1/inquiries/{id}", Public: false},
}

// Match finds the route API Gateway would choose for a method and an escaped request path
// (as the client sent it), and the route's path parameters (nil for a route without any).
// ok is false when no route matches: API Gateway then hands the request to the $default
// route. It follows what is known of API Gateway HTTP APIs (see the local server's package
// doc for the sources):
//
//   - the method must equal the route's exactly (route keys are upper case; HTTP methods are
//     case-sensitive);
//   - the path is percent-decoded before matching, so an encoded letter ("%69") matches its
//     letter and an encoded slash ("%2F") separates segments;
//   - empty segments (a double or trailing slash) are ignored;
//   - segments compare case-sensitively, and a {name} segment takes any one segment;
//   - a dot segment ("." or ".."), whose treatment by API Gateway is not established, matches
//     nothing: the safe choice, as no route is ever reached by resolving one.
func Match(method, escapedPath string) (route Route, params map[string]string, ok bool) {
	path, err := url.PathUnescape(escapedPath)
	if err != nil || !strings.HasPrefix(path, "/") {
		return Route{}, nil, false
	}
	var segs []string
	for s := range strings.SplitSeq(path[1:], "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	for _, rt := range Routes {
		if rt.Method != method {
			continue
		}
		if p, ok := matchSegments(rt.Path, segs); ok {
			return rt, p, true
		}
	}
	return Route{}, nil, false
}

// matchSegments matches decoded, non-empty path segments against a route path.
func matchSegments(pattern string, segs []string) (map[string]string, bool) {
	var params map[string]string
	i := 0
	for pseg := range strings.SplitSeq(strings.TrimPrefix(pattern, "/"), "/") {
		if pseg == "" { // the root path "/"
			continue
		}
		if i == len(segs) || isDotSegment(segs[i]) {
			return nil, false
		}
		if name, ok := paramName(pseg); ok {
			if params == nil {
				params = map[string]string{}
			}
			params[name] = segs[i]
		} else if pseg != segs[i] {
			return nil, false
		}
		i++
	}
	if i != len(segs) {
		return nil, false
	}
	return params, true
}

// paramName returns name for a "{name}" segment.
func paramName(seg string) (string, bool) {
	if len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}' {
		return seg[1 : len(seg)-1], true
	}
	return "", false
}

func isDotSegment(s string) bool { return s == "." || s == ".." }

// entry is a route as the handler dispatches it.
type entry struct {
	Route
	segs   []string // the route path's segments
	params []string // the names of its {name} segments
	serve  http.HandlerFunc
}

// table is the handler's view of Routes.
type table []entry

// resolve is the handler's one decision: which route serves a request with this method and
// (decoded) path, made from an event for routeKey ("" for no event) that carried eventParams
// as its path parameters. It returns the route's entry and its path parameters, or nil and
// the methods to list in Allow (none: a 404; some: a 405).
//
// First the route the event names, when it is one of the table's with this method: API
// Gateway chose it (and ran its authorizer), so its path parameters are the event's. Then the
// path as it arrived, exactly, against the routes the route key may reach.
func (t table) resolve(method, path, routeKey string, eventParams map[string]string) (*entry, map[string]string, []string) {
	for i := range t {
		e := &t[i]
		if e.Method != method || !e.hasKey(routeKey) {
			continue
		}
		if p, ok := e.eventParams(eventParams); ok {
			return e, p, nil
		}
		break // no parameters in the event: the path below decides
	}
	var allowed []string
	for i := range t {
		e := &t[i]
		if !e.ReachableThrough(routeKey) {
			continue // invisible: the answer is the one for a path no route has
		}
		p, ok := e.matchExact(path)
		if !ok {
			continue
		}
		headOK := e.Public && e.Method == http.MethodGet // HEAD only for public GETs
		if e.Method == method || (headOK && method == http.MethodHead) {
			return e, p, nil
		}
		allowed = append(allowed, e.Method)
		if headOK {
			allowed = append(allowed, http.MethodHead)
		}
	}
	return nil, nil, allowed
}

// eventParams returns the route's path parameters from an event's, when it has them all.
func (e *entry) eventParams(ev map[string]string) (map[string]string, bool) {
	if len(e.params) == 0 {
		return nil, true
	}
	for _, n := range e.params {
		if v, ok := ev[n]; !ok || v == "" {
			return nil, false
		}
	}
	return ev, true
}

// matchExact matches a decoded path, exactly as it arrived, against the route's segments:
// one "/" between segments, none at the end, no empty segment, a {name} segment any one
// segment but "." or "..".
func (e *entry) matchExact(path string) (map[string]string, bool) {
	if !strings.HasPrefix(path, "/") {
		return nil, false
	}
	rest := path[1:]
	if len(e.segs) == 0 {
		return nil, rest == ""
	}
	var params map[string]string
	for i, pseg := range e.segs {
		seg, tail, more := strings.Cut(rest, "/")
		if more != (i < len(e.segs)-1) || seg == "" {
			return nil, false
		}
		if name, ok := paramName(pseg); ok {
			if isDotSegment(seg) {
				return nil, false
			}
			if params == nil {
				params = make(map[string]string, len(e.params))
			}
			params[name] = seg
		} else if seg != pseg {
			return nil, false
		}
		rest = tail
	}
	return params, true
}

// newTable prepares routes for dispatch, with the handler function of each route's key.
func newTable(routes []Route, funcs map[string]http.HandlerFunc) table {
	t := make(table, 0, len(routes))
	for _, rt := range routes {
		f, ok := funcs[rt.Key()]
		if !ok {
			panic("httpapi: no handler for route " + rt.Key())
		}
		e := entry{Route: rt, serve: f}
		if p := strings.TrimPrefix(rt.Path, "/"); p != "" {
			e.segs = strings.Split(p, "/")
		}
		for _, s := range e.segs {
			if n, ok := paramName(s); ok {
				e.params = append(e.params, n)
			}
		}
		t = append(t, e)
	}
	return t
}
