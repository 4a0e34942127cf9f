// Package apigw translates between API Gateway HTTP API events (payload format 2.0) and
// net/http, both ways, so one http.Handler serves in the api Lambda and in the local server
// through the same code:
//
//   - NewRequest turns an event into an *http.Request (what the Lambda receives);
//   - EventFromRequest turns an *http.Request into an event (what API Gateway sends; the
//     local server uses it), and AppendEventJSON encodes it;
//   - Handler runs an http.Handler as an aws-lambda-go lambda.Handler: event JSON in,
//     response JSON out;
//   - WriteResponse writes a Lambda's response JSON to an http.ResponseWriter (what API
//     Gateway does with it; the local server uses it).
//
// The translation follows API Gateway's documented behaviour for HTTP APIs: header names in
// events are lower case and repeated headers are joined with commas; cookies travel in their
// own field, not in the headers; rawPath is the decoded path (API Gateway decodes it) and
// rawQueryString the query as the client sent it; bodies of binary content types are
// base64-encoded with isBase64Encoded set; Set-Cookie response headers go to the response's
// cookies. The event's route key and path parameters reach the handler through the request's
// context (RouteFromContext), so a handler can tell which API Gateway route, and so which
// authorizer, a request came through.
//
// # How API Gateway HTTP APIs treat request paths
//
// What is established, and where from (the local server's route choice, in
// internal/httpapi.Match and internal/localserver, follows it):
//
//   - Routes match the decoded path, and rawPath is decoded. AWS: "API Gateway decodes
//     URL-encoded request parameters before passing them to your backend integration"
//     (Developer Guide, "Create routes for HTTP APIs"). Live captures from a $default-route
//     HTTP API (github.com/hotsock/voker, vokerhttp/testdata/ingress-paths.json, from its
//     examples/aws-ingress-probe) show rawPath "/capture/slash/value" for
//     "/capture/slash%2Fvalue", a space for %20, "λ" for %CE%BB; they also show a second
//     decoding ("%252F" arrives as "/"), the path cut at a decoded "?" (%3F), and a 400 for
//     "%25" before non-hex characters.
//   - An encoded slash separates segments when routing: "/a%2Fb/thing" was reported not to
//     match the route "/{example}/thing" (the Stack Overflow question "How to encode
//     parameters for AWS API Gateway (HTTP API)?", as reproduced at errorhandle.ai), and an
//     AWS developer testing API Gateway found it "cannot handle %2f" (aws/aws-lambda-dotnet
//     #1901). So GET /v1/inquiries%2F<id> meets the protected route, and its authorizer, in
//     AWS. These are reports, not documentation.
//   - A double slash does not prevent a match ("//hello" was served by GET /hello on AWS,
//     per localstack/localstack#8170), nor, as reported, does a trailing slash ("/hello/"
//     reached the /hello integration, aws-powertools/powertools-lambda-python#1552); rawPath
//     keeps the trailing slash (floci-io/floci#2136, an emulator's bug report against AWS).
//
// Not established, so the safe choice is made and said: whether a lower-case request method
// matches an upper-case route key (methods are case-sensitive, RFC 9110 section 9.1: no
// match), whether path segments compare case-insensitively (no: case-sensitive), and how dot
// segments are treated (never resolved; a dot segment matches no route). None of this is
// trusted for protection: the handler in internal/httpapi serves a protected route only for
// an event of that route's own key, whatever the path's spelling.
package apigw

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
)

// eventKey is the context key of the event a request was made from.
type eventKey struct{}

// EventFromContext returns the event a request made by NewRequest or by Invoke came from
// (for the authorizer's claims, the request id, the stage), or false for other requests.
// Under Invoke the full event is decoded on the first call, with encoding/json; false then
// also means the payload does not decode as an events.APIGatewayV2HTTPRequest.
func EventFromContext(ctx context.Context) (*events.APIGatewayV2HTTPRequest, bool) {
	switch v := ctx.Value(eventKey{}).(type) {
	case *events.APIGatewayV2HTTPRequest:
		return v, true
	case *lazyEvent:
		v.once.Do(func() {
			var e events.APIGatewayV2HTTPRequest
			if json.Unmarshal([]byte(v.payload), &e) == nil {
				v.e = &e
			}
		})
		return v.e, v.e != nil
	}
	return nil, false
}

// RouteFromContext returns the route key of the event a request was made from (by NewRequest
// or by Invoke) and the event's path parameters (nil when it has none); ok is false for a
// request made from no event. The key is the event's routeKey ("GET /v1/inquiries/{id}",
// "$default"), which API Gateway also repeats as requestContext.routeKey: when the event
// gives both and they differ, the key is "", a route key no route has. Under Invoke the two
// come from the fast decoder, without decoding the rest of the event.
func RouteFromContext(ctx context.Context) (routeKey string, pathParams map[string]string, ok bool) {
	switch v := ctx.Value(eventKey{}).(type) {
	case *events.APIGatewayV2HTTPRequest:
		return eventRouteKey(v.RouteKey, v.RequestContext.RouteKey), v.PathParameters, true
	case *lazyEvent:
		return v.routeKey, v.params, true
	}
	return "", nil, false
}

// eventRouteKey is the route key of an event from its two copies: either when the other is
// missing, and nothing when they disagree (API Gateway never sends that; a handler must not
// trust either then).
func eventRouteKey(top, rc string) string {
	switch {
	case top == rc, rc == "":
		return top
	case top == "":
		return rc
	}
	return ""
}

// lazyEvent is an event payload decoded in full only when a handler asks for it, with the
// route it names, decoded at once.
type lazyEvent struct {
	payload  string // a copy: the runtime reuses its buffer after Invoke
	routeKey string
	params   map[string]string
	once     sync.Once
	e        *events.APIGatewayV2HTTPRequest
}

// wire is what a request is made from: the event fields NewRequest uses.
type wire struct {
	method, rawPath, rawQuery, protocol, sourceIP, domainName, body string
	isBase64                                                        bool
	// routeKey and rcRouteKey are the event's routeKey and requestContext.routeKey.
	routeKey, rcRouteKey string
	// headers have canonical names, all HTTP tokens, in a deterministic order.
	headers []header
	cookies []string
	// params are the event's pathParameters, in no particular order.
	params []header
}

type header struct{ name, value string }

// setHeaders takes an event's header map: names must be tokens; they are canonicalized, in
// sorted order of the event's names (so "a" and "A" give their values in a fixed order).
func (w *wire) setHeaders(m map[string]string) error {
	names := slices.Sorted(maps.Keys(m))
	w.headers = w.headers[:0]
	for _, k := range names {
		if !isToken(k) {
			return fmt.Errorf("apigw: invalid header name %q", k)
		}
		w.headers = append(w.headers, header{name: textproto.CanonicalMIMEHeaderKey(k), value: m[k]})
	}
	return nil
}

// setParams takes an event's pathParameters.
func (w *wire) setParams(m map[string]string) {
	w.params = w.params[:0]
	for k, v := range m {
		w.params = append(w.params, header{name: k, value: v})
	}
}

// requestAlloc puts a request's URL and its lazy event in one allocation.
type requestAlloc struct {
	u    url.URL
	lazy lazyEvent
}

// NewRequest returns the request an event describes, as a server would have read it:
//
//   - Method from requestContext.http.method; URL.Path is rawPath (decoded, as API Gateway
//     sends it) and URL.RawQuery is rawQueryString; RequestURI is their escaped form;
//   - headers under their canonical names (a header repeated by the client arrives joined
//     with commas, and stays so); "host" becomes Host (else requestContext.domainName) and
//     leaves the header map, as in net/http's server; cookies become one Cookie header,
//     joined with "; ", replacing any cookie header;
//   - Body is the body, base64-decoded when isBase64Encoded; ContentLength is its length;
//   - Proto from requestContext.http.protocol (HTTP/1.1 when it does not parse);
//   - RemoteAddr is requestContext.http.sourceIp (an address without port);
//   - the context is ctx, carrying e for EventFromContext and its route for
//     RouteFromContext.
//
// It fails on what API Gateway never sends: a method that is not an HTTP token, a rawPath
// not starting with "/", header names or values that net/http would refuse, a body that is
// not valid base64.
func NewRequest(ctx context.Context, e *events.APIGatewayV2HTTPRequest) (*http.Request, error) {
	w := wire{
		method: e.RequestContext.HTTP.Method, rawPath: e.RawPath, rawQuery: e.RawQueryString,
		protocol: e.RequestContext.HTTP.Protocol, sourceIP: e.RequestContext.HTTP.SourceIP,
		domainName: e.RequestContext.DomainName, body: e.Body, isBase64: e.IsBase64Encoded,
		cookies: e.Cookies,
	}
	if err := w.setHeaders(e.Headers); err != nil {
		return nil, err
	}
	return newRequest(ctx, &w, nil, e)
}

// newRequest makes the request; the context carries a lazy event for payload when a is not
// nil, else e.
func newRequest(ctx context.Context, w *wire, a *requestAlloc, e *events.APIGatewayV2HTTPRequest) (*http.Request, error) {
	if !isToken(w.method) {
		return nil, fmt.Errorf("apigw: invalid method %q", w.method)
	}
	if !strings.HasPrefix(w.rawPath, "/") {
		return nil, fmt.Errorf("apigw: rawPath %q does not start with /", w.rawPath)
	}

	n := len(w.headers)
	if len(w.cookies) > 0 {
		n++
	}
	h := make(http.Header, n)
	vals := make([]string, n) // one backing array for all single values
	i := 0
	host := w.domainName
	for _, hd := range w.headers {
		if !validHeaderValue(hd.value) {
			return nil, fmt.Errorf("apigw: invalid value for header %q", hd.name)
		}
		switch {
		case hd.name == "Host":
			host = hd.value
			continue
		case hd.name == "Cookie" && len(w.cookies) > 0:
			continue // the cookies field is authoritative
		}
		if old, dup := h[hd.name]; dup { // "a" and "A" both in the event
			h[hd.name] = append(old[:len(old):len(old)], hd.value)
			continue
		}
		vals[i] = hd.value
		h[hd.name] = vals[i : i+1 : i+1]
		i++
	}
	if len(w.cookies) > 0 {
		c := strings.Join(w.cookies, "; ")
		if !validHeaderValue(c) {
			return nil, errors.New("apigw: invalid cookie")
		}
		vals[i] = c
		h["Cookie"] = vals[i : i+1 : i+1]
	}

	var body io.ReadCloser = http.NoBody
	var length int64
	switch {
	case w.isBase64 && w.body != "":
		b, err := base64.StdEncoding.DecodeString(w.body)
		if err != nil {
			return nil, fmt.Errorf("apigw: body is not valid base64: %w", err)
		}
		body, length = &bytesBody{b: b}, int64(len(b))
	case w.body != "":
		body, length = io.NopCloser(strings.NewReader(w.body)), int64(len(w.body))
	}

	major, minor, ok := http.ParseHTTPVersion(w.protocol)
	proto := w.protocol
	if !ok {
		major, minor, proto = 1, 1, "HTTP/1.1"
	}

	var ev any = e
	if a == nil {
		a = &requestAlloc{}
	} else {
		ev = &a.lazy
		a.lazy.routeKey = eventRouteKey(w.routeKey, w.rcRouteKey)
		if len(w.params) > 0 {
			a.lazy.params = make(map[string]string, len(w.params))
			for _, p := range w.params {
				a.lazy.params[p.name] = p.value
			}
		}
	}
	a.u = url.URL{Path: w.rawPath, RawQuery: w.rawQuery}
	r := http.Request{ // on the stack: WithContext copies it to the heap once
		Method:        w.method,
		URL:           &a.u,
		Proto:         proto,
		ProtoMajor:    major,
		ProtoMinor:    minor,
		Header:        h,
		Body:          body,
		ContentLength: length,
		Host:          host,
		RemoteAddr:    w.sourceIP,
		RequestURI:    a.u.RequestURI(),
	}
	return r.WithContext(context.WithValue(ctx, eventKey{}, ev)), nil
}

// bytesBody is a request body over a byte slice.
type bytesBody struct {
	b []byte
	i int
}

func (r *bytesBody) Read(p []byte) (int, error) {
	if r.i >= len(r.b) {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.i:])
	r.i += n
	return n, nil
}

func (r *bytesBody) Close() error { return nil }

// isToken reports whether s is an RFC 9110 token (a method or a header name).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || !tokenChars[c] {
			return false
		}
	}
	return true
}

var tokenChars = func() (t [128]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// validHeaderValue refuses what net/http refuses in a field value: NUL, CR, LF and other
// control characters except horizontal tab.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
