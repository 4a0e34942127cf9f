package apigw_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/apigw"
)

var _ lambda.Handler = apigw.Handler(nil) // what lambda.Start needs

// docEvent is the example event of the API Gateway developer guide (payload format 2.0),
// with a JWT authorizer.
const docEvent = `{
  "version": "2.0",
  "routeKey": "POST /my/path",
  "rawPath": "/my/path",
  "rawQueryString": "parameter1=value1&parameter1=value2&parameter2=value",
  "cookies": ["cookie1=a", "cookie2=b"],
  "headers": {"header1": "value1", "header2": "value1,value2", "content-type": "text/plain", "host": "id.execute-api.us-east-1.amazonaws.com"},
  "queryStringParameters": {"parameter1": "value1,value2", "parameter2": "value"},
  "requestContext": {
    "accountId": "123456789012",
    "apiId": "api-id",
    "authorizer": {"jwt": {"claims": {"sub": "user-1", "scope": "read"}, "scopes": ["read"]}},
    "domainName": "id.execute-api.us-east-1.amazonaws.com",
    "domainPrefix": "id",
    "http": {"method": "POST", "path": "/my/path", "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "agent"},
    "requestId": "id",
    "routeKey": "POST /my/path",
    "stage": "$default",
    "time": "12/Mar/2020:19:03:58 +0000",
    "timeEpoch": 1583348638390
  },
  "body": "Hello from Lambda",
  "pathParameters": {"parameter1": "value1"},
  "isBase64Encoded": false,
  "stageVariables": {"stageVariable1": "value1"}
}`

// seen is what a capturing handler saw of a request.
type seen struct {
	method, path, rawQuery, requestURI, host, remoteAddr, proto string
	header                                                      http.Header
	body                                                        []byte
	contentLength                                               int64
	event                                                       *events.APIGatewayV2HTTPRequest
}

func capture(dst *seen) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ev, _ := apigw.EventFromContext(r.Context())
		*dst = seen{r.Method, r.URL.Path, r.URL.RawQuery, r.RequestURI, r.Host, r.RemoteAddr, r.Proto,
			r.Header.Clone(), b, r.ContentLength, ev}
		w.WriteHeader(http.StatusNoContent)
	})
}

func TestInvoke_RequestFromDocumentedEvent(t *testing.T) {
	// Given the documented example event, when it is invoked
	var got seen
	out, err := apigw.Handler(capture(&got)).Invoke(context.Background(), []byte(docEvent))
	require.NoError(t, err)
	require.JSONEq(t, `{"statusCode":204,"headers":{},"body":""}`, string(out))

	// Then the handler sees the request a server would have read
	assert.Equal(t, "POST", got.method)
	assert.Equal(t, "/my/path", got.path)
	assert.Equal(t, "parameter1=value1&parameter1=value2&parameter2=value", got.rawQuery)
	assert.Equal(t, "/my/path?parameter1=value1&parameter1=value2&parameter2=value", got.requestURI)
	assert.Equal(t, "id.execute-api.us-east-1.amazonaws.com", got.host)
	assert.Equal(t, "192.0.2.1", got.remoteAddr)
	assert.Equal(t, "HTTP/1.1", got.proto)
	assert.Equal(t, http.Header{
		"Header1":      {"value1"},
		"Header2":      {"value1,value2"},
		"Content-Type": {"text/plain"},
		"Cookie":       {"cookie1=a; cookie2=b"},
	}, got.header, "canonical names, Host moved out, cookies in one Cookie header")
	assert.Equal(t, "Hello from Lambda", string(got.body))
	assert.EqualValues(t, len("Hello from Lambda"), got.contentLength)
	require.NotNil(t, got.event, "the event is in the request's context")
	assert.Equal(t, "user-1", got.event.RequestContext.Authorizer.JWT.Claims["sub"], "authorizer claims reach the handler")
	assert.Equal(t, "id", got.event.RequestContext.RequestID)
}

func TestNewRequest_Errors(t *testing.T) {
	base := func() *events.APIGatewayV2HTTPRequest {
		return &events.APIGatewayV2HTTPRequest{RawPath: "/x", RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET"}}}
	}
	cases := []struct {
		name   string
		mutate func(e *events.APIGatewayV2HTTPRequest)
		want   string
	}{
		{"no method", func(e *events.APIGatewayV2HTTPRequest) { e.RequestContext.HTTP.Method = "" }, "invalid method"},
		{"method with space", func(e *events.APIGatewayV2HTTPRequest) { e.RequestContext.HTTP.Method = "G T" }, "invalid method"},
		{"relative path", func(e *events.APIGatewayV2HTTPRequest) { e.RawPath = "x" }, "does not start with /"},
		{"header name with space", func(e *events.APIGatewayV2HTTPRequest) { e.Headers = map[string]string{"a b": "1"} }, "invalid header name"},
		{"header value with CRLF", func(e *events.APIGatewayV2HTTPRequest) { e.Headers = map[string]string{"a": "1\r\nb: 2"} }, "invalid value"},
		{"bad base64", func(e *events.APIGatewayV2HTTPRequest) { e.Body, e.IsBase64Encoded = "!!!", true }, "not valid base64"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := base()
			tc.mutate(e)
			_, err := apigw.NewRequest(context.Background(), e)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestInvoke_BadPayloads(t *testing.T) {
	h := apigw.Handler(http.NotFoundHandler())
	for name, p := range map[string]string{
		"not JSON":         `{"rawPath":`,
		"not an object":    `[]`,
		"no method":        `{"rawPath":"/"}`,
		"mistyped headers": `{"rawPath":"/","headers":{"a":1},"requestContext":{"http":{"method":"GET"}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			out, err := h.Invoke(context.Background(), []byte(p))
			assert.Error(t, err, "a payload that is no HTTP API event is an invocation error")
			assert.Nil(t, out)
		})
	}
}

func TestRoundTrip_RequestEventRequest(t *testing.T) {
	binary := []byte{0x00, 0xff, 0x10, 'P', 'N', 'G', 0x80}
	cases := []struct {
		name        string
		method, url string
		header      http.Header
		body        []byte
		wantBase64  bool
	}{
		{"GET with query, repeated header and cookies", "GET", "/v1/inquiries/01ARZ3NDEKTSV4RRFFQ69G5FAV?a=1&a=2&b=x%20y",
			http.Header{"Accept": {"text/html", "application/json"}, "X-Custom-Thing": {"v"}, "Cookie": {"c1=v1; c2=v2", "c3=v3"}}, nil, false},
		{"POST JSON", "POST", "/v1/inquiries", http.Header{"Content-Type": {"application/json"}}, []byte(`{"name":"Ada"}`), false},
		{"PUT binary", "PUT", "/upload", http.Header{"Content-Type": {"image/png"}}, binary, true},
		{"text type but invalid UTF-8", "POST", "/t", http.Header{"Content-Type": {"text/plain"}}, []byte{'a', 0xff}, true},
		{"escaped path", "GET", "/files/a%20b/%C3%A9", nil, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a request as the local server receives it
			in := httptest.NewRequest(tc.method, "http://127.0.0.1:8080"+tc.url, bytes.NewReader(tc.body))
			in.RemoteAddr = "127.0.0.1:50000"
			for k, vs := range tc.header {
				in.Header[k] = vs
			}
			// When it becomes an event (what API Gateway does), travels as JSON, and is invoked
			ev := apigw.EventFromRequest(in, tc.body, "$default", map[string]string{"id": "x"})
			payload, err := json.Marshal(ev)
			require.NoError(t, err)
			var got seen
			_, err = apigw.Handler(capture(&got)).Invoke(context.Background(), payload)
			require.NoError(t, err)

			// Then the event has API Gateway's shape
			for k := range ev.Headers {
				assert.Equal(t, strings.ToLower(k), k, "header names are lower case in events")
			}
			assert.NotContains(t, ev.Headers, "cookie", "cookies are not headers in events")
			assert.Equal(t, tc.wantBase64, ev.IsBase64Encoded, "binary bodies are base64")
			assert.Equal(t, map[string]string{"id": "x"}, ev.PathParameters)
			assert.Equal(t, "$default", ev.RequestContext.Stage)
			assert.Equal(t, "127.0.0.1", ev.RequestContext.HTTP.SourceIP)

			// And the request the handler sees is the request that came in
			assert.Equal(t, in.Method, got.method, "method")
			assert.Equal(t, in.URL.Path, got.path, "path")
			assert.Equal(t, in.URL.RawQuery, got.rawQuery, "raw query")
			assert.Equal(t, in.Host, got.host, "host")
			assert.Equal(t, "127.0.0.1", got.remoteAddr)
			for k, vs := range tc.header {
				if k == "Cookie" {
					continue
				}
				assert.Equal(t, strings.Join(vs, ","), got.header.Get(k), "header %s, repeated values joined", k)
			}
			if c := tc.header["Cookie"]; c != nil {
				assert.Equal(t, []string{"c1=v1", "c2=v2", "c3=v3"}, ev.Cookies)
				assert.Equal(t, "c1=v1; c2=v2; c3=v3", got.header.Get("Cookie"), "cookies come back as one Cookie header")
			}
			assert.Equal(t, string(tc.body), string(got.body), "body bytes")
			assert.EqualValues(t, len(tc.body), got.contentLength)
			assert.Equal(t, []string{"x"}, []string{got.event.PathParameters["id"]}, "path parameters reach the handler's event")
		})
	}
}

func TestEventFromRequest_APIGatewayHeaders(t *testing.T) {
	in := httptest.NewRequest("GET", "http://localhost:8080/healthz?x=1&x=2&y", nil)
	in.RemoteAddr = "10.0.0.9:1234"
	in.Header.Set("X-Forwarded-For", "198.51.100.1")
	in.Header.Set("User-Agent", "curl/8.5.0")

	before := time.Now().UTC().Truncate(time.Millisecond)
	ev := apigw.EventFromRequest(in, nil, "GET /healthz", nil)

	assert.Equal(t, "2.0", ev.Version)
	assert.Equal(t, "GET /healthz", ev.RouteKey)
	assert.Equal(t, "GET /healthz", ev.RequestContext.RouteKey)
	assert.Equal(t, "localhost:8080", ev.Headers["host"])
	assert.Equal(t, "0", ev.Headers["content-length"])
	assert.Equal(t, "198.51.100.1, 10.0.0.9", ev.Headers["x-forwarded-for"], "the client address is appended")
	assert.Equal(t, "http", ev.Headers["x-forwarded-proto"])
	assert.Equal(t, "8080", ev.Headers["x-forwarded-port"])
	assert.Regexp(t, `^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$`, ev.Headers["x-amzn-trace-id"])
	assert.Equal(t, map[string]string{"x": "1,2", "y": ""}, ev.QueryStringParameters, "repeated parameters joined with commas")
	assert.Equal(t, "localhost", ev.RequestContext.DomainName)
	assert.Equal(t, "localhost", ev.RequestContext.DomainPrefix)
	assert.Equal(t, "curl/8.5.0", ev.RequestContext.HTTP.UserAgent)
	assert.Len(t, ev.RequestContext.RequestID, 16)
	at, err := time.Parse("02/Jan/2006:15:04:05 -0700", ev.RequestContext.Time)
	require.NoError(t, err, "time in API Gateway's format")
	assert.False(t, at.Before(before.Truncate(time.Second)))
	assert.False(t, time.UnixMilli(ev.RequestContext.TimeEpoch).Before(before))
	assert.Empty(t, ev.Body)
	assert.False(t, ev.IsBase64Encoded)
}

func TestIsText(t *testing.T) {
	text := []string{"text/plain", "text/html; charset=utf-8", "TEXT/CSV", "application/json", "application/json; charset=utf-8",
		"application/problem+json", "application/vnd.api+json", "application/xml", "application/atom+xml", "application/javascript",
		"application/x-www-form-urlencoded"}
	binary := []string{"", "image/png", "application/octet-stream", "application/pdf", "multipart/form-data; boundary=x",
		"application/zip", "text", "application/jsonx", "video/mp4"}
	for _, ct := range text {
		assert.True(t, apigw.IsText(ct), "%q travels as text", ct)
	}
	for _, ct := range binary {
		assert.False(t, apigw.IsText(ct), "%q travels as base64", ct)
	}
}

func TestNewRequest_Base64Body(t *testing.T) {
	raw := []byte{0, 1, 2, 250, 251}
	e := &events.APIGatewayV2HTTPRequest{RawPath: "/u", Body: base64.StdEncoding.EncodeToString(raw), IsBase64Encoded: true,
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "PUT"}}}
	r, err := apigw.NewRequest(context.Background(), e)
	require.NoError(t, err)
	b, _ := io.ReadAll(r.Body)
	assert.Equal(t, raw, b, "the handler reads the decoded bytes")
	assert.EqualValues(t, len(raw), r.ContentLength)
	got, ok := apigw.EventFromContext(r.Context())
	assert.True(t, ok)
	assert.Same(t, e, got)
}
