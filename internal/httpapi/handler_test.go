package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/apigw"
	"github.com/groundwork-dev/groundwork/internal/httpapi"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/inquiry/memory"
)

const validBody = `{"name":"Ada Lovelace","email":"ada@example.com","company":"Analytical Engines","message":"Hello"}`

type api struct {
	h     http.Handler
	store *memory.Store
	pub   *memory.Publisher
	svc   *inquiry.Service
}

func newAPI(t *testing.T) *api {
	t.Helper()
	a := &api{store: memory.NewStore(), pub: &memory.Publisher{}}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	a.svc = inquiry.NewService(a.store, memory.NewArchive(), a.pub, inquiry.WithLogger(quiet))
	a.h = httpapi.NewHandler(a.svc, httpapi.WithLogger(quiet))
	return a
}

type req struct {
	method, path, body string
	header             map[string]string
	// route, when set, makes the request from the API Gateway event for that route key
	// (through apigw, as the Lambda does), with params as its pathParameters.
	route  string
	params map[string]string
}

// readKey is the protected route's key.
const readKey = "GET /v1/inquiries/{id}"

func (a *api) do(t *testing.T, r req) *httptest.ResponseRecorder {
	t.Helper()
	hr := httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
	if r.method == http.MethodPost {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		if v == "" {
			hr.Header.Del(k)
		} else {
			hr.Header.Set(k, v)
		}
	}
	if r.route != "" {
		ev := apigw.EventFromRequest(hr, []byte(r.body), r.route, r.params)
		var err error
		hr, err = apigw.NewRequest(context.Background(), &ev)
		require.NoError(t, err)
	}
	w := httptest.NewRecorder()
	a.h.ServeHTTP(w, hr)
	return w
}

// problemBody is what every error response carries.
type problemBody struct {
	Type   string               `json:"type"`
	Title  string               `json:"title"`
	Status int                  `json:"status"`
	Detail string               `json:"detail"`
	Errors []inquiry.FieldError `json:"errors"`
}

// assertProblem checks status, content type and the problem's members, and returns it.
func assertProblem(t *testing.T, w *httptest.ResponseRecorder, status int, typ, title string) problemBody {
	t.Helper()
	require.Equal(t, status, w.Code, "status; body: %s", w.Body)
	assert.Equal(t, "application/problem+json", w.Header().Get("Content-Type"), "errors are RFC 9457 problems")
	var p problemBody
	dec := json.NewDecoder(w.Body)
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&p), "problem body is JSON with the RFC 9457 members only")
	assert.Equal(t, typ, p.Type, "problem type")
	assert.Equal(t, title, p.Title, "problem title")
	assert.Equal(t, status, p.Status, "problem status equals the HTTP status")
	assert.NotEmpty(t, p.Detail, "problem detail")
	return p
}

func TestHealthz(t *testing.T) {
	a := newAPI(t)
	w := a.do(t, req{method: "GET", path: "/healthz"})
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	assert.JSONEq(t, `{"status":"ok"}`, w.Body.String())
}

func TestPostInquiry_Accepted(t *testing.T) {
	a := newAPI(t)
	w := a.do(t, req{method: "POST", path: "/v1/inquiries", body: validBody,
		header: map[string]string{"Content-Type": "Application/JSON; charset=UTF-8"}})

	require.Equal(t, http.StatusAccepted, w.Code, "body: %s", w.Body)
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	var got map[string]string
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
	assert.Equal(t, "received", got["status"])
	assert.True(t, inquiry.ValidID(got["id"]), "id %q", got["id"])
	assert.Len(t, got, 2, "the body is exactly id and status")
	assert.Equal(t, "/v1/inquiries/"+got["id"], w.Header().Get("Location"))
	assert.Empty(t, w.Header().Get("Idempotent-Replayed"))
	assert.Equal(t, 1, a.store.Len())
	assert.Len(t, a.pub.Events(), 1, "an inquiry.received event is published")
}

func TestGetInquiry(t *testing.T) {
	a := newAPI(t)
	w := a.do(t, req{method: "POST", path: "/v1/inquiries", body: validBody})
	require.Equal(t, http.StatusAccepted, w.Code)
	loc := w.Header().Get("Location")
	id := strings.TrimPrefix(loc, "/v1/inquiries/")

	t.Run("a stored record is returned whole", func(t *testing.T) {
		w := a.do(t, req{method: "GET", path: loc, route: readKey, params: map[string]string{"id": id}})
		require.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
		assert.Equal(t, "no-store", w.Header().Get("Cache-Control"), "personal data is not cached")
		var got map[string]any
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
		for _, k := range []string{"id", "name", "email", "company", "message", "status", "receivedAt", "processedAt", "archiveKey"} {
			assert.Contains(t, got, k, "the record has %s", k)
		}
		assert.Equal(t, "Ada Lovelace", got["name"])
		assert.Equal(t, "received", got["status"])
		assert.Nil(t, got["processedAt"])
	})

	t.Run("after processing the record says so", func(t *testing.T) {
		require.NoError(t, a.svc.Process(t.Context(), a.pub.Events()[0]))
		w := a.do(t, req{method: "GET", path: loc, route: readKey, params: map[string]string{"id": id}})
		var got inquiry.Inquiry
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
		assert.Equal(t, inquiry.StatusProcessed, got.Status)
		assert.NotNil(t, got.ProcessedAt)
		assert.True(t, strings.HasPrefix(got.ArchiveKey, "inquiries/"), "archive key %q", got.ArchiveKey)
	})

	for _, unknown := range []string{inquiry.NewID(time.Now()), "not-an-id", ".."} {
		t.Run("unknown "+unknown, func(t *testing.T) {
			w := a.do(t, req{method: "GET", path: "/v1/inquiries/" + url.PathEscape(unknown), route: readKey, params: map[string]string{"id": unknown}})
			p := assertProblem(t, w, http.StatusNotFound, "about:blank", "Not Found")
			assert.Contains(t, p.Detail, "no inquiry", "the route's own 404, naming the id")
		})
	}
}

func TestPostInquiry_BadInput(t *testing.T) {
	big := `{"name":"A","email":"a@example.com","message":"` + strings.Repeat("x", httpapi.MaxBodyBytes) + `"}`
	cases := []struct {
		name   string
		req    req
		status int
		typ    string
		title  string
		fields []inquiry.FieldError
	}{
		{name: "malformed JSON", req: req{body: `{"name":`}, status: 400, typ: httpapi.TypeMalformedJSON, title: "Malformed JSON"},
		{name: "empty body", req: req{body: ``}, status: 400, typ: httpapi.TypeMalformedJSON, title: "Malformed JSON"},
		{name: "not an object", req: req{body: `["x"]`}, status: 400, typ: httpapi.TypeMalformedJSON, title: "Malformed JSON"},
		{name: "trailing garbage", req: req{body: validBody + `x`}, status: 400, typ: httpapi.TypeMalformedJSON, title: "Malformed JSON"},
		{name: "missing fields", req: req{body: `{}`}, status: 400, typ: httpapi.TypeInvalidFields, title: "Invalid fields", fields: []inquiry.FieldError{
			{Field: "name", Message: "is required"}, {Field: "email", Message: "is required"}, {Field: "message", Message: "is required"}}},
		{name: "invalid email and long name", req: req{body: `{"name":"` + strings.Repeat("n", 201) + `","email":"ada","message":"m"}`}, status: 400, typ: httpapi.TypeInvalidFields, title: "Invalid fields", fields: []inquiry.FieldError{
			{Field: "name", Message: "must be at most 200 characters (got 201)"},
			{Field: "email", Message: "must be a valid email address such as name@example.com"}}},
		{name: "long message and company", req: req{body: `{"name":"A","email":"a@example.com","company":"` + strings.Repeat("c", 201) + `","message":"` + strings.Repeat("m", 5001) + `"}`}, status: 400, typ: httpapi.TypeInvalidFields, title: "Invalid fields", fields: []inquiry.FieldError{
			{Field: "company", Message: "must be at most 200 characters (got 201)"},
			{Field: "message", Message: "must be at most 5000 characters (got 5001)"}}},
		{name: "unknown field", req: req{body: `{"name":"A","email":"a@example.com","message":"m","phone":"123"}`}, status: 400, typ: httpapi.TypeInvalidFields, title: "Invalid fields", fields: []inquiry.FieldError{
			{Field: "phone", Message: "is not a known field"}}},
		{name: "wrong type", req: req{body: `{"name":"A","email":"a@example.com","message":42}`}, status: 400, typ: httpapi.TypeInvalidFields, title: "Invalid fields", fields: []inquiry.FieldError{
			{Field: "message", Message: "must be a string"}}},
		{name: "bad idempotency key", req: req{body: validBody, header: map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}}, status: 400, typ: httpapi.TypeInvalidFields, title: "Invalid fields", fields: []inquiry.FieldError{
			{Field: "Idempotency-Key", Message: "must be 1 to 255 visible ASCII characters"}}},
		{name: "body over 64 KiB", req: req{body: big}, status: 413, typ: "about:blank", title: "Content Too Large"},
		{name: "body over 64 KiB, length unknown", req: req{body: big, header: map[string]string{"X-Unknown-Length": "1"}}, status: 413, typ: "about:blank", title: "Content Too Large"},
		{name: "text/plain", req: req{body: validBody, header: map[string]string{"Content-Type": "text/plain"}}, status: 415, typ: "about:blank", title: "Unsupported Media Type"},
		{name: "no content type", req: req{body: validBody, header: map[string]string{"Content-Type": ""}}, status: 415, typ: "about:blank", title: "Unsupported Media Type"},
		{name: "form", req: req{body: "name=A", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, status: 415, typ: "about:blank", title: "Unsupported Media Type"},
		{name: "JSON in another charset", req: req{body: validBody, header: map[string]string{"Content-Type": "application/json; charset=iso-8859-1"}}, status: 415, typ: "about:blank", title: "Unsupported Media Type"},
		{name: "unparsable content type", req: req{body: validBody, header: map[string]string{"Content-Type": "application/json; charset"}}, status: 415, typ: "about:blank", title: "Unsupported Media Type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given an empty API
			a := newAPI(t)
			tc.req.method, tc.req.path = "POST", "/v1/inquiries"
			// When the bad request is posted
			var w *httptest.ResponseRecorder
			if tc.req.header["X-Unknown-Length"] != "" {
				hr := httptest.NewRequest("POST", "/v1/inquiries", io.MultiReader(strings.NewReader(tc.req.body)))
				hr.Header.Set("Content-Type", "application/json")
				hr.ContentLength = -1
				w = httptest.NewRecorder()
				a.h.ServeHTTP(w, hr)
			} else {
				w = a.do(t, tc.req)
			}
			// Then it is refused with the expected problem, and nothing is stored
			p := assertProblem(t, w, tc.status, tc.typ, tc.title)
			assert.Equal(t, tc.fields, p.Errors, "per-field details")
			assert.Zero(t, a.store.Len(), "nothing is stored")
			assert.Empty(t, a.pub.Events(), "nothing is published")
		})
	}
}

func TestPostInquiry_Idempotency(t *testing.T) {
	a := newAPI(t)
	key := map[string]string{"Idempotency-Key": "5f0c7a4e-1d2b-4c8e-9a7f-3b6d2e1f0a9c"}
	first := a.do(t, req{method: "POST", path: "/v1/inquiries", body: validBody, header: key})
	require.Equal(t, http.StatusAccepted, first.Code)

	t.Run("same key, same body: the first answer, nothing new", func(t *testing.T) {
		// The same JSON, other key order and spacing.
		again := `{ "message":"Hello", "company":"Analytical Engines", "email":"ada@example.com", "name":"Ada Lovelace" }`
		w := a.do(t, req{method: "POST", path: "/v1/inquiries", body: again, header: key})
		require.Equal(t, http.StatusAccepted, w.Code)
		assert.JSONEq(t, first.Body.String(), w.Body.String(), "same body as the first answer")
		assert.Equal(t, first.Header().Get("Location"), w.Header().Get("Location"))
		assert.Equal(t, "true", w.Header().Get("Idempotent-Replayed"))
		assert.Equal(t, 1, a.store.Len(), "one record")
	})

	t.Run("same key, different body: 422", func(t *testing.T) {
		other := strings.Replace(validBody, "Hello", "Goodbye", 1)
		w := a.do(t, req{method: "POST", path: "/v1/inquiries", body: other, header: key})
		assertProblem(t, w, http.StatusUnprocessableEntity, httpapi.TypeIdempotencyKeyReused, "Idempotency key reused")
		assert.Equal(t, 1, a.store.Len(), "nothing new is stored")
	})
}

func TestServerErrorIsAProblemWithoutInternals(t *testing.T) {
	a := newAPI(t)
	a.pub.Fail = func(inquiry.Event) error { return errors.New("sqs: secret internal detail") }
	w := a.do(t, req{method: "POST", path: "/v1/inquiries", body: validBody})
	p := assertProblem(t, w, http.StatusInternalServerError, "about:blank", "Internal Server Error")
	assert.NotContains(t, p.Detail, "secret", "causes are logged, not shown")
}

func TestHeadOnAPublicGet(t *testing.T) {
	w := newAPI(t).do(t, req{method: "HEAD", path: "/healthz"})
	assert.Equal(t, 200, w.Code, "HEAD is served for a public GET route")
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	cases := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/", 404, ""},
		{"GET", "/nope", 404, ""},
		{"GET", "/v1/inquiries/", 404, ""},
		{"GET", "/v1/inquiries/a/b", 404, ""},
		{"POST", "/healthz/x", 404, ""},
		{"DELETE", "/healthz", 405, "GET, HEAD"},
		{"POST", "/healthz", 405, "GET, HEAD"},
		{"GET", "/v1/inquiries", 405, "POST"},
		{"PUT", "/v1/inquiries", 405, "POST"},
		// Without its route key a protected route is invisible: the answers are those of a path
		// no route has, whatever the method.
		{"GET", "/v1/inquiries/" + inquiry.NewID(time.Now()), 404, ""},
		{"DELETE", "/v1/inquiries/" + inquiry.NewID(time.Now()), 404, ""},
		{"HEAD", "/v1/inquiries/" + inquiry.NewID(time.Now()), 404, ""},
		// Paths are matched as they arrive: no cleaning, no redirect.
		{"GET", "//healthz", 404, ""},
		{"GET", "/v1/../healthz", 404, ""},
		{"GET", "/healthz/", 404, ""},
		{"GET", "/./healthz", 404, ""},
		{"get", "/healthz", 405, "GET, HEAD"},
	}
	a := newAPI(t)
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			w := a.do(t, req{method: tc.method, path: tc.path})
			title := map[int]string{404: "Not Found", 405: "Method Not Allowed"}[tc.status]
			assertProblem(t, w, tc.status, "about:blank", title)
			assert.Equal(t, tc.allow, w.Header().Get("Allow"), "Allow lists the route's methods")
		})
	}
}

func TestProtectedRoute_OnlyThroughItsOwnRouteKey(t *testing.T) {
	// Given a stored record
	a := newAPI(t)
	w := a.do(t, req{method: "POST", path: "/v1/inquiries", body: validBody})
	require.Equal(t, http.StatusAccepted, w.Code)
	id := strings.TrimPrefix(w.Header().Get("Location"), "/v1/inquiries/")
	path := "/v1/inquiries/" + id
	withID := map[string]string{"id": id}

	cases := []struct {
		name   string
		req    req
		status int
	}{
		// The one way in: an event of the route's own key (in AWS: past its authorizer).
		{"own route key", req{method: "GET", path: path, route: readKey, params: withID}, 200},
		{"own route key, parameters from the path", req{method: "GET", path: path, route: readKey}, 200},
		// Every other way gets what a path no route has gets.
		{"no event (plain net/http)", req{method: "GET", path: path}, 404},
		{"$default", req{method: "GET", path: path, route: "$default"}, 404},
		{"$default with path parameters", req{method: "GET", path: path, route: "$default", params: withID}, 404},
		{"another route's key, other method", req{method: "GET", path: path, route: "POST /v1/inquiries", params: withID}, 404},
		{"a key that differs in case", req{method: "GET", path: path, route: "GET /v1/inquiries/{ID}", params: withID}, 404},
		// Its own key with another method (API Gateway never sends one): a 405 naming GET.
		{"own key, HEAD", req{method: "HEAD", path: path, route: readKey, params: withID}, 405},
		{"own key, lower-case method", req{method: "get", path: path, route: readKey, params: withID}, 405},
		{"own key, no parameters, path with a trailing slash", req{method: "GET", path: path + "/", route: readKey}, 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := a.do(t, tc.req)
			assert.Equal(t, tc.status, w.Code, "status; body: %s", w.Body)
			if tc.status == 200 {
				assert.Contains(t, w.Body.String(), "ada@example.com", "the route serves the record")
				return
			}
			if tc.status == 405 {
				assertProblem(t, w, tc.status, "about:blank", "Method Not Allowed")
				assert.Equal(t, "GET", w.Header().Get("Allow"), "HEAD is not served for a protected GET")
				return
			}
			assertProblem(t, w, tc.status, "about:blank", "Not Found")
			assert.Empty(t, w.Header().Get("Allow"), "a protected route's method is not advertised")
		})
	}
}
