package api

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckPathAccepts(t *testing.T) {
	for _, path := range []string{
		"/",
		"/healthz",
		"/v1/inquiries",
		"/v1/inquiries/{id}",
		"/v1/inquiries/{id}/events/{eventId}",
		"/{proxy+}",
		"/files/{key+}",
		"/v1/items/{id}/status.json",
		"/a_b/c-d/e:f",
	} {
		assert.NoError(t, CheckPath(path), "API Gateway accepts %q", path)
	}
}

func TestCheckPathRejects(t *testing.T) {
	tests := []struct{ path, want string }{
		{"", "empty"},
		{"healthz", `must start with "/"`},
		{"/v1/inquiries/", `must not end with "/"`},
		{"/v1//inquiries", "empty segment"},
		{"/{proxy+}/more", "greedy parameter"},
		{"/v1/{id}/x/{id}", `parameter "id" appears twice`},
		{"/v1/inquiries/{id", "whole {name}"},
		{"/v1/{id}.json", "whole {name}"},
		{"/v1/{}", "whole {name}"},
		{"/v1/{a b}", "whole {name}"},
		{"/v1/../admin", "dot segment"},
		{"/v1/./x", "dot segment"},
		{"/v1/inquiries?x=1", "may hold only"},
		{"/v1/in quiries", "may hold only"},
		{"/v1/%20", "may hold only"},
		{"/v1/inquiries#frag", "may hold only"},
	}
	for _, tc := range tests {
		err := CheckPath(tc.path)
		if assert.Error(t, err, "API Gateway rejects %q", tc.path) {
			assert.Contains(t, err.Error(), tc.want, tc.path)
		}
	}
}

func TestCheckMethod(t *testing.T) {
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"} {
		assert.NoError(t, CheckMethod(m), m)
	}
	for _, m := range []string{"", "get", "TRACE", "CONNECT", "$default"} {
		assert.Error(t, CheckMethod(m), "%q is refused", m)
	}
}

func TestShapeErasesParameterNames(t *testing.T) {
	assert.Equal(t, shape("/v1/x/{id}"), shape("/v1/x/{key}"), "parameters match by position")
	assert.NotEqual(t, shape("/v1/x/{id}"), shape("/v1/x/{id+}"), "greedy differs from single-segment")
	assert.NotEqual(t, shape("/v1/x/{id}"), shape("/v1/x/id"), "a parameter differs from a literal")
}

func TestAccessLogFormatIsJSON(t *testing.T) {
	// Given the access log format, with $context variables where API Gateway substitutes
	// values (or "-" for a missing one)
	// Then it is one JSON object whose values are all strings, so a substituted "-" or
	// number still makes a JSON line
	var fields map[string]string
	require.NoError(t, json.Unmarshal([]byte(AccessLogFormat()), &fields), "the format is a JSON object of strings")
	// And it holds the fields an operator needs
	for k, v := range map[string]string{
		"requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "requestTime": "$context.requestTime",
		"httpMethod": "$context.httpMethod", "routeKey": "$context.routeKey", "status": "$context.status",
		"protocol": "$context.protocol", "responseLength": "$context.responseLength",
		"integrationError": "$context.integrationErrorMessage",
	} {
		assert.Equal(t, v, fields[k], "access log field %s", k)
	}
}

func TestRouteMethodsForCORS(t *testing.T) {
	assert.Equal(t, []string{"GET", "POST"}, routeMethods([]Route{{Method: "POST"}, {Method: "GET"}, {Method: "GET"}}),
		"distinct methods in a fixed order")
	assert.Equal(t, []string{"*"}, routeMethods([]Route{{Method: "GET"}, {Method: "ANY"}}), "ANY allows every method")
}

func TestCheckScope(t *testing.T) {
	for _, ok := range []string{"inquiries:read", "groundwork-api/inquiries.read", "https://api.example.com/read", "a", "!#[]~"} {
		assert.NoError(t, CheckScope(ok), "%q is a scope-token", ok)
	}
	for _, bad := range []string{"", "two words", "tab\there", `quote"`, `back\\slash`, "caf\u00e9", "new\nline"} {
		assert.Error(t, CheckScope(bad), "%q is not a scope-token", bad)
	}
}
