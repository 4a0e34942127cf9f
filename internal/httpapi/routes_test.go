package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

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
	// Given the handler, when each route of the table is requested (path parameters filled
	// in), then none falls through to the catch-all's 404 or 405.
	h := httpapi.NewHandler(inquiry.NewService(memory.NewStore(), memory.NewArchive(), &memory.Publisher{}))
	for _, rt := range httpapi.Routes {
		path := rt.Path
		if rt.Path == "/v1/inquiries/{id}" {
			path = "/v1/inquiries/01ARZ3NDEKTSV4RRFFQ69G5FAV"
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(rt.Method, path, nil))
		if rt.Path == "/v1/inquiries/{id}" {
			// An unknown id is the route's own 404, which names the id.
			assert.Contains(t, w.Body.String(), "no inquiry", rt.Key())
			continue
		}
		assert.NotContains(t, []int{http.StatusNotFound, http.StatusMethodNotAllowed}, w.Code, rt.Key())
	}
}

func TestMatch(t *testing.T) {
	cases := []struct {
		method, path string
		wantKey      string
		wantParams   map[string]string
		wantAllowed  []string
	}{
		{"GET", "/healthz", "GET /healthz", nil, nil},
		{"POST", "/v1/inquiries", "POST /v1/inquiries", nil, nil},
		{"GET", "/v1/inquiries/abc", "GET /v1/inquiries/{id}", map[string]string{"id": "abc"}, nil},
		{"GET", "/v1/inquiries/a%2Fb", "GET /v1/inquiries/{id}", map[string]string{"id": "a/b"}, nil},
		{"GET", "/health%7A", "GET /healthz", nil, nil},
		{"GET", "/v1/inquiries/", "", nil, nil},
		{"GET", "/v1/inquiries/a/b", "", nil, nil},
		{"GET", "/v1/inquiries/%zz", "", nil, nil},
		{"GET", "/healthz/", "", nil, nil},
		{"GET", "", "", nil, nil},
		{"GET", "/v1/inquiries", "", nil, []string{"POST"}},
		{"DELETE", "/v1/inquiries/x", "", nil, []string{"GET"}},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			rt, params, ok, allowed := httpapi.Match(tc.method, tc.path)
			assert.Equal(t, tc.wantKey != "", ok, "matched")
			if ok {
				assert.Equal(t, tc.wantKey, rt.Key())
			}
			assert.Equal(t, tc.wantParams, params, "path parameters, unescaped")
			assert.Equal(t, tc.wantAllowed, allowed, "methods of routes with this path")
		})
	}
}
