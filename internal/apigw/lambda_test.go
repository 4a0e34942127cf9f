package apigw_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The inquiries API through the full Lambda path: what API Gateway would get back.
func TestLambda_InquiriesAPI(t *testing.T) {
	l, pub := newLambda()
	call := func(t *testing.T, payload []byte) events.APIGatewayV2HTTPResponse {
		t.Helper()
		out, err := l.Invoke(context.Background(), payload)
		require.NoError(t, err)
		var resp events.APIGatewayV2HTTPResponse
		require.NoError(t, json.Unmarshal(out, &resp))
		return resp
	}
	body := `{"name":"Ada","email":"ada@example.com","message":"Hi"}`

	// Given an accepted inquiry
	resp := call(t, curlEvent(t, "POST", "/v1/inquiries", body, map[string]string{"Content-Type": "application/json"}))
	require.Equal(t, 202, resp.StatusCode, resp.Body)
	loc := resp.Headers["Location"]
	require.True(t, strings.HasPrefix(loc, "/v1/inquiries/"), loc)
	assert.Len(t, pub.Events(), 1)

	// When it is read back, then the record comes whole
	resp = call(t, curlEvent(t, "GET", loc, "", nil))
	assert.Equal(t, 200, resp.StatusCode)
	var rec map[string]any
	require.NoError(t, json.Unmarshal([]byte(resp.Body), &rec))
	assert.Equal(t, "Ada", rec["name"])

	// And errors come back as problems
	for _, tc := range []struct {
		name    string
		payload []byte
		status  int
	}{
		{"415", curlEvent(t, "POST", "/v1/inquiries", "name=Ada", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}), 415},
		{"400", curlEvent(t, "POST", "/v1/inquiries", `{"name":""}`, map[string]string{"Content-Type": "application/json"}), 400},
		{"413", curlEvent(t, "POST", "/v1/inquiries", strings.Repeat(" ", 64<<10+1), map[string]string{"Content-Type": "application/json"}), 413},
		{"404", curlEvent(t, "GET", "/nowhere", "", nil), 404},
		{"405", curlEvent(t, "PATCH", "/v1/inquiries", "", nil), 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := call(t, tc.payload)
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, "application/problem+json", resp.Headers["Content-Type"])
			assert.False(t, resp.IsBase64Encoded, "problems travel as text")
			var p struct {
				Status int `json:"status"`
			}
			require.NoError(t, json.Unmarshal([]byte(resp.Body), &p))
			assert.Equal(t, tc.status, p.Status)
		})
	}
}

// apiGatewayEvent is the payload 2.0 event API Gateway sends for a request it routed to
// routeKey, with rawPath as it sends it (decoded).
func apiGatewayEvent(t *testing.T, routeKey, method, rawPath, rawQuery string, header map[string]string, params map[string]string) []byte {
	t.Helper()
	headers := map[string]string{"host": "abc123def4.execute-api.eu-west-1.amazonaws.com", "user-agent": "curl/8.5.0"}
	for k, v := range header {
		headers[strings.ToLower(k)] = v
	}
	e := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: routeKey, RawPath: rawPath, RawQueryString: rawQuery,
		Headers: headers, PathParameters: params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: routeKey, Stage: "$default", DomainName: "abc123def4.execute-api.eu-west-1.amazonaws.com",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: method, Path: rawPath, Protocol: "HTTP/1.1", SourceIP: "203.0.113.7", UserAgent: "curl/8.5.0",
			},
		},
	}
	b, err := json.Marshal(e)
	require.NoError(t, err)
	return b
}

// TestLambda_ProtectedRouteNeverThroughDefault sends the api Lambda the events API Gateway
// would send its public $default route for variants of the protected route's path and
// method: none may reach the protected handler. Before the fix, the handler dispatched on
// rawPath alone and served the record to the plain $default event.
func TestLambda_ProtectedRouteNeverThroughDefault(t *testing.T) {
	// Given a stored inquiry
	l, _ := newLambda()
	invoke := func(t *testing.T, payload []byte) events.APIGatewayV2HTTPResponse {
		t.Helper()
		out, err := l.Invoke(context.Background(), payload)
		require.NoError(t, err)
		var resp events.APIGatewayV2HTTPResponse
		require.NoError(t, json.Unmarshal(out, &resp))
		return resp
	}
	body := `{"name":"Ada Lovelace","email":"ada@example.com","message":"Hi"}`
	resp := invoke(t, curlEvent(t, "POST", "/v1/inquiries", body, map[string]string{"Content-Type": "application/json"}))
	require.Equal(t, 202, resp.StatusCode, resp.Body)
	id := strings.TrimPrefix(resp.Headers["Location"], "/v1/inquiries/")
	path := "/v1/inquiries/" + id
	personal := []string{"Ada Lovelace", "ada@example.com"}

	// The control: through its own route key (past the authorizer, in AWS) the record comes.
	own := invoke(t, apiGatewayEvent(t, "GET /v1/inquiries/{id}", "GET", path, "", nil, map[string]string{"id": id}))
	require.Equal(t, 200, own.StatusCode, own.Body)
	require.Contains(t, own.Body, personal[1], "the control reads the record, so the checks below can see a leak")

	override := map[string]string{"X-HTTP-Method-Override": "GET"}
	cases := []struct {
		name, method, rawPath, rawQuery string
		header, params                  map[string]string
		status                          int
		allow                           string
	}{
		{name: "the plain path", method: "GET", rawPath: path, status: 404},
		{name: "path parameters smuggled into a $default event", method: "GET", rawPath: path, params: map[string]string{"id": id}, status: 404},
		{name: "encoded slash, decoded by API Gateway (%2F)", method: "GET", rawPath: "/v1/inquiries/" + id, status: 404},
		{name: "encoded slash, passed on encoded", method: "GET", rawPath: "/v1/inquiries%2F" + id, status: 404},
		{name: "encoded slash, lower case, passed on encoded", method: "GET", rawPath: "/v1/inquiries%2f" + id, status: 404},
		{name: "encoded letters, passed on encoded", method: "GET", rawPath: "/v1/%69nquiries/" + id, status: 404},
		{name: "double slash in front", method: "GET", rawPath: "/" + path, status: 404},
		{name: "double slash inside", method: "GET", rawPath: "/v1//inquiries/" + id, status: 404},
		{name: "dot segment", method: "GET", rawPath: "/v1/./inquiries/" + id, status: 404},
		{name: "dot-dot segment", method: "GET", rawPath: "/v1/x/../inquiries/" + id, status: 404},
		{name: "trailing slash", method: "GET", rawPath: path + "/", status: 404},
		{name: "upper-case path", method: "GET", rawPath: strings.ToUpper("/v1/inquiries/") + id, status: 404},
		{name: "mixed-case path", method: "GET", rawPath: "/v1/Inquiries/" + id, status: 404},
		{name: "lower-case method", method: "get", rawPath: path, status: 404},
		{name: "HEAD", method: "HEAD", rawPath: path, status: 404},
		{name: "OPTIONS", method: "OPTIONS", rawPath: path, status: 404},
		{name: "X-HTTP-Method-Override on POST", method: "POST", rawPath: path, header: override, status: 404},
		{name: "X-HTTP-Method-Override on the public POST route", method: "POST", rawPath: "/v1/inquiries", header: override, status: 415},
		{name: "the id in the query string", method: "GET", rawPath: "/v1/inquiries", rawQuery: "id=" + id, status: 405, allow: "POST"},
		{name: "the id in the query string, trailing slash", method: "GET", rawPath: "/v1/inquiries/", rawQuery: "id=" + id, status: 404},
		{name: "CONNECT", method: "CONNECT", rawPath: path, status: 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// When API Gateway sends it as the $default route's event
			resp := invoke(t, apiGatewayEvent(t, "$default", tc.method, tc.rawPath, tc.rawQuery, tc.header, tc.params))

			// Then it is a problem, and no personal data comes back
			assert.Equal(t, tc.status, resp.StatusCode, "status; body %s", resp.Body)
			assert.Equal(t, "application/problem+json", resp.Headers["Content-Type"], "answered as a problem")
			assert.Equal(t, tc.allow, resp.Headers["Allow"], "Allow names public routes' methods only")
			for _, p := range personal {
				assert.NotContains(t, resp.Body, p, "the record's personal data")
			}
		})
	}
}
