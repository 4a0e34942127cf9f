package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/apigw"
	"github.com/groundwork-dev/groundwork/internal/httpapi"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/inquiry/memory"
)

func TestRoutes_TableIsWhatTheIssueSpecifies(t *testing.T) {
	assert.Equal(t, []httpapi.Route{
		{Method: "GET", Path: "/healthz", Public: true},
		{Method: "POST", Path: "/v1/inquiries", Public: true},
		{Method: "GET", Path: "/v1/inquiries/{id}", Public: false},
	}, httpapi.Routes, "reading an inquiry needs the JWT authorizer; health and submission are public")
	assert.Equal(t, "GET /v1/inquiries/{id}", httpapi.Routes[2].Key())
}

func TestRoutes_EveryRouteIsServed(t *testing.T) {
	// Given the handler, when each route of the table is requested through its own route key
	// (path parameters filled in), then none falls through to the catch-all's 404 or 405.
	h := httpapi.NewHandler(inquiry.NewService(memory.NewStore(), memory.NewArchive(), &memory.Publisher{}))
	for _, rt := range httpapi.Routes {
		path, params := rt.Path, map[string]string(nil)
		if rt.Path == "/v1/inquiries/{id}" {
			path, params = "/v1/inquiries/01ARZ3NDEKTSV4RRFFQ69G5FAV", map[string]string{"id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}
		}
		hr := httptest.NewRequest(rt.Method, path, nil)
		ev := apigw.EventFromRequest(hr, nil, rt.Key(), params)
		r, err := apigw.NewRequest(context.Background(), &ev)
		require.NoError(t, err)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if rt.Path == "/v1/inquiries/{id}" {
			// An unknown id is the route's own 404, which names the id.
			assert.Contains(t, w.Body.String(), "no inquiry", rt.Key())
			continue
		}
		assert.NotContains(t, []int{http.StatusNotFound, http.StatusMethodNotAllowed}, w.Code, rt.Key())
	}
}

func TestMatch_AsAPIGatewayChoosesRoutes(t *testing.T) {
	// Given the route table, when API Gateway's route choice is asked for a request, then it
	// is the route AWS would pick (decoded path, empty segments ignored, exact method), or
	// none ($default).
	id := "01ARZ3NDEKTSV4RRFFQ69G5FAV"
	cases := []struct {
		method, path string
		wantKey      string
		wantParams   map[string]string
	}{
		{"GET", "/healthz", "GET /healthz", nil},
		{"POST", "/v1/inquiries", "POST /v1/inquiries", nil},
		{"GET", "/v1/inquiries/" + id, "GET /v1/inquiries/{id}", map[string]string{"id": id}},
		{"GET", "/health%7A", "GET /healthz", nil},
		{"GET", "/v1/%69nquiries/" + id, "GET /v1/inquiries/{id}", map[string]string{"id": id}},
		{"GET", "/v1/inquiries%2F" + id, "GET /v1/inquiries/{id}", map[string]string{"id": id}},
		{"GET", "/v1/inquiries%2f" + id, "GET /v1/inquiries/{id}", map[string]string{"id": id}},
		{"GET", "/v1/inquiries/a%20b", "GET /v1/inquiries/{id}", map[string]string{"id": "a b"}},
		{"GET", "//healthz", "GET /healthz", nil},
		{"GET", "/healthz/", "GET /healthz", nil},
		{"GET", "/v1//inquiries/" + id + "/", "GET /v1/inquiries/{id}", map[string]string{"id": id}},
		{"GET", "/v1/../healthz", "", nil},
		{"GET", "/v1/inquiries/..", "", nil},
		{"GET", "/v1/inquiries/%2e", "", nil},
		{"GET", "/HEALTHZ", "", nil},
		{"get", "/healthz", "", nil},
		{"HEAD", "/healthz", "", nil},
		{"GET", "/v1/inquiries/", "", nil},
		{"GET", "/v1/inquiries/a/b", "", nil},
		{"GET", "/v1/inquiries/%zz", "", nil},
		{"GET", "", "", nil},
		{"GET", "*", "", nil},
		{"GET", "/v1/inquiries", "", nil},
		{"DELETE", "/v1/inquiries/x", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			rt, params, ok := httpapi.Match(tc.method, tc.path)
			assert.Equal(t, tc.wantKey != "", ok, "a route matched")
			if ok {
				assert.Equal(t, tc.wantKey, rt.Key(), "the route chosen")
			}
			assert.Equal(t, tc.wantParams, params, "path parameters, decoded")
		})
	}
}

func TestReachableThrough(t *testing.T) {
	health, read := httpapi.Routes[0], httpapi.Routes[2]
	require.True(t, health.Public)
	require.False(t, read.Public)
	for _, key := range []string{"GET /healthz", "$default", "POST /v1/inquiries", "GET /v1/inquiries/{id}", ""} {
		assert.True(t, health.ReachableThrough(key), "a public route through %q", key)
	}
	assert.True(t, read.ReachableThrough("GET /v1/inquiries/{id}"), "a protected route through its own key")
	for _, key := range []string{"$default", "", "GET /healthz", "GET /v1/inquiries/{ID}", "GET /v1/inquiries/{id} ", "get /v1/inquiries/{id}", "GET /v1/inquiries/{id}x"} {
		assert.False(t, read.ReachableThrough(key), "a protected route never through %q", key)
	}
}
