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
