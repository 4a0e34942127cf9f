package localserver

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawRequest sends one request exactly as written (Go's client would clean the path) and
// reads the answer. line is the request line without the protocol ("GET /x"); extra holds
// header lines ("Name: value").
func rawRequest(t *testing.T, s *running, line string, extra ...string) response {
	t.Helper()
	addr := strings.TrimPrefix(s.url, "http://")
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	// A bound on a broken server, not an assertion on its speed.
	require.NoError(t, conn.SetDeadline(time.Now().Add(60*time.Second)))
	var b strings.Builder
	fmt.Fprintf(&b, "%s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", line, addr)
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	_, err = io.WriteString(conn, b.String())
	require.NoError(t, err)
	method, _, _ := strings.Cut(line, " ")
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{resp.StatusCode, resp.Header, body}
}

// TestProtectedRouteNeverThroughDefault sends the local server raw requests for variants of
// the protected route's path and method. The audit's reproduction is the first: before the
// fix, GET /v1/inquiries%2F<id> went to the handler as $default with the decoded path, and
// the protected handler answered 200 with the record.
func TestProtectedRouteNeverThroughDefault(t *testing.T) {
	// Given a stored inquiry
	s := start(t, Config{DataDir: t.TempDir(), NoWorker: true})
	post := do(t, &http.Client{}, "POST", s.url+"/v1/inquiries", "application/json", []byte(validBody))
	require.Equal(t, http.StatusAccepted, post.status, "%s", post.body)
	id, _ := post.json(t)["id"].(string)
	require.NotEmpty(t, id)
	personal := []string{"Ada Lovelace", "ada@example.com"}

	// The control: its plain path (no authorizer runs locally) reads the record, so the
	// checks below can see a leak.
	plain := rawRequest(t, s, "GET /v1/inquiries/"+id)
	require.Equal(t, http.StatusOK, plain.status, "%s", plain.body)
	require.Contains(t, string(plain.body), personal[1])

	enc := fmt.Sprintf("%%%02X", id[0]) + id[1:] // the id's first character percent-encoded
	override := "X-HTTP-Method-Override: GET"
	cases := []struct {
		name, line string
		extra      []string
		status     int
		allow      string
	}{
		{name: "encoded slash (the audit's reproduction)", line: "GET /v1/inquiries%2F" + id, status: 404},
		{name: "encoded slash, lower case", line: "GET /v1/inquiries%2f" + id, status: 404},
		{name: "encoded letter in the path", line: "GET /v1/%69nquiries/" + id, status: 404},
		{name: "encoded character in the id", line: "GET /v1/inquiries/" + enc, status: 404},
		{name: "double slash in front", line: "GET //v1/inquiries/" + id, status: 404},
		{name: "double slash inside", line: "GET /v1//inquiries/" + id, status: 404},
		{name: "dot segment", line: "GET /v1/./inquiries/" + id, status: 404},
		{name: "dot-dot segment", line: "GET /v1/x/../inquiries/" + id, status: 404},
		{name: "trailing slash", line: "GET /v1/inquiries/" + id + "/", status: 404},
		{name: "upper-case path", line: "GET /V1/INQUIRIES/" + id, status: 404},
		{name: "lower-case method", line: "get /v1/inquiries/" + id, status: 404},
		{name: "HEAD", line: "HEAD /v1/inquiries/" + id, status: 404},
		{name: "OPTIONS", line: "OPTIONS /v1/inquiries/" + id, status: 404},
		{name: "X-HTTP-Method-Override on POST", line: "POST /v1/inquiries/" + id, extra: []string{override, "Content-Length: 0"}, status: 404},
		{name: "the id in the query string", line: "GET /v1/inquiries?id=" + id, status: 405, allow: "POST"},
		{name: "the id in the query string, trailing slash", line: "GET /v1/inquiries/?id=" + id, status: 404},
		{name: "CONNECT to a host", line: "CONNECT example.com:443", status: 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// When the request is sent as written
			r := rawRequest(t, s, tc.line, tc.extra...)

			// Then it is a problem without the record's personal data
			assert.Equal(t, tc.status, r.status, "status; body %s", r.body)
			assert.Equal(t, "application/problem+json", r.header.Get("Content-Type"), "answered as a problem")
			assert.Equal(t, tc.allow, r.header.Get("Allow"), "Allow names public routes' methods only")
			for _, p := range personal {
				assert.NotContains(t, string(r.body), p, "the record's personal data")
			}
		})
	}
}

// TestPathSpellingsOfAPublicRoute: the local server answers other spellings of a public path
// as API Gateway does (or, where that is not established, with a problem), never with
// net/http's text/html redirect.
func TestPathSpellingsOfAPublicRoute(t *testing.T) {
	s := start(t, Config{DataDir: t.TempDir(), NoWorker: true})
	cases := []struct {
		line        string
		status      int
		contentType string
	}{
		{"GET /healthz", 200, "application/json"},
		{"GET //healthz", 200, "application/json"},  // API Gateway ignores empty segments
		{"GET /healthz/", 200, "application/json"},  // ... a trailing slash too
		{"GET /health%7A", 200, "application/json"}, // and decodes before matching
		{"GET /v1/../healthz", 404, "application/problem+json"},
		{"GET /./healthz", 404, "application/problem+json"},
		{"HEAD /healthz", 200, "application/json"},
		{"DELETE /healthz", 405, "application/problem+json"},
	}
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			r := rawRequest(t, s, tc.line)
			assert.Equal(t, tc.status, r.status, "status; body %s", r.body)
			assert.Equal(t, tc.contentType, r.header.Get("Content-Type"), "never HTML")
			assert.Empty(t, r.header.Get("Location"), "never a redirect")
			if tc.status == 200 && !strings.HasPrefix(tc.line, "HEAD") {
				assert.JSONEq(t, `{"status":"ok"}`, string(r.body))
			}
		})
	}
}

func TestChooseRoute(t *testing.T) {
	// Given request paths as clients send them, when the local server picks the event's
	// route, then it is API Gateway's choice, except that a protected route takes only its
	// plain spelling.
	id := "01ARZ3NDEKTSV4RRFFQ69G5FAV"
	withID := map[string]string{"id": id}
	cases := []struct {
		method, path string
		key          string
		params       map[string]string
	}{
		{"GET", "/healthz", "GET /healthz", nil},
		{"GET", "//healthz", "GET /healthz", nil},
		{"GET", "/health%7a", "GET /healthz", nil},
		{"POST", "/v1/inquiries/", "POST /v1/inquiries", nil},
		{"GET", "/v1/inquiries/" + id, "GET /v1/inquiries/{id}", withID},
		{"GET", "/v1/inquiries%2F" + id, "$default", nil},
		{"GET", "/v1/%69nquiries/" + id, "$default", nil},
		{"GET", "/v1//inquiries/" + id, "$default", nil},
		{"GET", "/v1/inquiries/" + id + "/", "$default", nil},
		{"GET", "/v1/inquiries/..", "$default", nil},
		{"get", "/v1/inquiries/" + id, "$default", nil},
		{"HEAD", "/v1/inquiries/" + id, "$default", nil},
		{"GET", "/nope", "$default", nil},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			key, params := chooseRoute(tc.method, tc.path)
			assert.Equal(t, tc.key, key, "route key")
			assert.Equal(t, tc.params, params, "path parameters")
		})
	}
}
