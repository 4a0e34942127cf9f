package apigw_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/apigw"
)

// requireSameEvent checks that AppendEventJSON's output decodes to the event that
// encoding/json's output decodes to.
func requireSameEvent(t *testing.T, e *events.APIGatewayV2HTTPRequest) {
	t.Helper()
	ours, err := apigw.AppendEventJSON(nil, e)
	require.NoError(t, err)
	std, err := json.Marshal(e)
	require.NoError(t, err)
	require.True(t, json.Valid(ours), "AppendEventJSON writes valid JSON: %s", ours)
	var got, want events.APIGatewayV2HTTPRequest
	require.NoError(t, json.Unmarshal(ours, &got))
	require.NoError(t, json.Unmarshal(std, &want))
	require.Equal(t, want, got, "AppendEventJSON and encoding/json describe the same event")
}

func TestEventJSONMatchesEncodingJSON(t *testing.T) {
	cases := []struct {
		name, method, target, body string
		header                     map[string]string
		routeKey                   string
		params                     map[string]string
	}{
		{"healthz", "GET", "/healthz", "", nil, "GET /healthz", nil},
		{"post with JSON body", "POST", "/v1/inquiries", `{"name":"Ådä \"q\" \\ <b>&</b>","message":"line\nbreak\ttab\u2028sep"}`,
			map[string]string{"Content-Type": "application/json", "Idempotency-Key": `"abc"`}, "POST /v1/inquiries", nil},
		{"binary body is base64", "POST", "/v1/inquiries", "\x00\x01\xff\xfe", map[string]string{"Content-Type": "application/octet-stream"}, "POST /v1/inquiries", nil},
		{"invalid UTF-8 in a text body", "POST", "/v1/inquiries", "a\xffb", map[string]string{"Content-Type": "text/plain"}, "POST /v1/inquiries", nil},
		{"path parameters, query and cookies", "GET", "/v1/inquiries/01JDQ?a=1&a=2&b=%20x&c", "",
			map[string]string{"Cookie": "s=1; t=2", "X-Multi": "v1"}, "GET /v1/inquiries/{id}", map[string]string{"id": "01JDQ"}},
		{"control characters in headers", "GET", "/x", "", map[string]string{"X-Ctl": "a\x01b\x7fc"}, "$default", nil},
		{"unknown route", "DELETE", "/nope/%2F/é", "", nil, "$default", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "http://127.0.0.1:8080"+tc.target, strings.NewReader(tc.body))
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			e := apigw.EventFromRequest(r, []byte(tc.body), tc.routeKey, tc.params)
			requireSameEvent(t, &e)
		})
	}
}

func TestEventJSONKeepsWhatAPIGatewaySetsOnly(t *testing.T) {
	// Given events with and without an authorizer, mutual TLS and stage variables
	e := apigw.EventFromRequest(httptest.NewRequest("GET", "/healthz", nil), nil, "GET /healthz", nil)
	plain, err := apigw.AppendEventJSON(nil, &e)
	require.NoError(t, err)
	require.NotContains(t, string(plain), `"authentication"`, "no mTLS block without a client certificate, as API Gateway")
	require.NotContains(t, string(plain), `"authorizer"`)

	e.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "u1"}, Scopes: []string{"read"}},
	}
	e.RequestContext.Authentication.ClientCert.SerialNumber = "42"
	e.StageVariables = map[string]string{"env": "local"}
	requireSameEvent(t, &e)
}

func FuzzEventJSON(f *testing.F) {
	f.Add("POST", "/v1/inquiries?x=1", "application/json", `{"a":"b"}`, "k", "v", "c=1")
	f.Add("GET", "/v1/inquiries/%F0%9F%98%80", "text/plain", "\xff\x00", "X-\u2028", "\x01", "")
	f.Fuzz(func(t *testing.T, method, target, contentType, body, hk, hv, cookie string) {
		r, err := httptestRequest(method, target)
		if err != nil {
			t.Skip()
		}
		r.Header.Set("Content-Type", contentType)
		r.Header[hk] = []string{hv}
		r.Header.Set("Cookie", cookie)
		e := apigw.EventFromRequest(r, []byte(body), "$default", map[string]string{hk: hv})
		requireSameEvent(t, &e)
	})
}

// httptestRequest is httptest.NewRequest without its panics on bad input.
func httptestRequest(method, target string) (r *http.Request, err error) {
	defer func() {
		if recover() != nil {
			err = errBadRequest
		}
	}()
	return httptest.NewRequest(method, "http://127.0.0.1:8080/"+strings.TrimPrefix(target, "/"), nil), nil
}

var errBadRequest = errors.New("bad request")
