package apigw

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRouteFromContext(t *testing.T) {
	// Given events naming their route in routeKey, in requestContext.routeKey, in both, or in
	// neither, with or without path parameters
	cases := []struct {
		name, payload string
		key           string
		params        map[string]string
		fast          bool // the hot path takes it
	}{
		{"both keys agree, with parameters",
			`{"routeKey":"GET /v1/inquiries/{id}","rawPath":"/v1/inquiries/a","pathParameters":{"id":"a"},"requestContext":{"routeKey":"GET /v1/inquiries/{id}","http":{"method":"GET"}}}`,
			"GET /v1/inquiries/{id}", map[string]string{"id": "a"}, true},
		{"$default", `{"routeKey":"$default","rawPath":"/x","requestContext":{"routeKey":"$default","http":{"method":"GET"}}}`,
			"$default", nil, true},
		{"only the top-level key", `{"routeKey":"GET /healthz","rawPath":"/healthz","requestContext":{"http":{"method":"GET"}}}`,
			"GET /healthz", nil, true},
		{"only requestContext.routeKey", `{"rawPath":"/healthz","requestContext":{"routeKey":"GET /healthz","http":{"method":"GET"}}}`,
			"GET /healthz", nil, true},
		{"the two keys disagree: no route is trusted",
			`{"routeKey":"GET /v1/inquiries/{id}","rawPath":"/v1/inquiries/a","requestContext":{"routeKey":"$default","http":{"method":"GET"}}}`,
			"", nil, true},
		{"no key", `{"rawPath":"/","requestContext":{"http":{"method":"GET"}}}`, "", nil, true},
		{"escaped parameter names and values",
			`{"routeKey":"GET /{id}","rawPath":"/\u00e9","pathParameters":{"\u0069d":"\u00e9"},"requestContext":{"http":{"method":"GET"}}}`,
			"GET /{id}", map[string]string{"id": "é"}, true},
		{"a repeated parameter: the reference decoder's last one",
			`{"routeKey":"GET /{id}","rawPath":"/b","pathParameters":{"id":"a","id":"b"},"requestContext":{"http":{"method":"GET"}}}`,
			"GET /{id}", map[string]string{"id": "b"}, false},
		{"a key in another case: encoding/json's field",
			`{"RouteKey":"GET /healthz","rawPath":"/healthz","requestContext":{"http":{"method":"GET"}}}`,
			"GET /healthz", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var d fastDecoder
			var w wire
			_, ok := d.decode([]byte(tc.payload), &w)
			assert.Equal(t, tc.fast, ok, "fast decoder takes it")

			// When Invoke serves it, then the handler sees the event's route
			var key string
			var params map[string]string
			var found bool
			h := Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				key, params, found = RouteFromContext(r.Context())
			}))
			_, err := h.Invoke(context.Background(), []byte(tc.payload))
			require.NoError(t, err)
			assert.True(t, found, "a request made from an event has a route")
			assert.Equal(t, tc.key, key, "route key under Invoke")
			assert.Equal(t, tc.params, params, "path parameters under Invoke")

			// And NewRequest, from the decoded event, agrees
			e, ok := decodeEvent(t, tc.payload)
			require.True(t, ok)
			r, err := NewRequest(context.Background(), e)
			require.NoError(t, err)
			k2, p2, ok := RouteFromContext(r.Context())
			assert.True(t, ok)
			assert.Equal(t, tc.key, k2, "route key under NewRequest")
			if len(tc.params) > 0 {
				assert.Equal(t, tc.params, p2, "path parameters under NewRequest")
			}
		})
	}

	t.Run("a request made from no event has none", func(t *testing.T) {
		r, _ := http.NewRequest("GET", "/v1/inquiries/a", nil)
		key, params, ok := RouteFromContext(r.Context())
		assert.False(t, ok)
		assert.Empty(t, key)
		assert.Nil(t, params)
	})
}

// decodeEvent decodes a payload as the full event, as EventFromContext does.
func decodeEvent(t *testing.T, payload string) (*events.APIGatewayV2HTTPRequest, bool) {
	t.Helper()
	l := &lazyEvent{payload: payload}
	ctx := context.WithValue(context.Background(), eventKey{}, l)
	return EventFromContext(ctx)
}
