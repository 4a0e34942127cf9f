package localserver

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/httpapi"
	"github.com/groundwork-dev/groundwork/internal/localauth"
)

const readScope = "groundwork-api/inquiries.read"

// eventRecorder keeps the events the api handler is invoked with.
type eventRecorder struct {
	mu     sync.Mutex
	events []events.APIGatewayV2HTTPRequest
}

func (e *eventRecorder) wrap(h lambda.Handler) lambda.Handler {
	return handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(payload, &ev); err == nil {
			e.mu.Lock()
			e.events = append(e.events, ev)
			e.mu.Unlock()
		}
		return h.Invoke(ctx, payload)
	})
}

func (e *eventRecorder) last(t *testing.T) events.APIGatewayV2HTTPRequest {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	require.NotEmpty(t, e.events, "the handler was invoked")
	return e.events[len(e.events)-1]
}

func (e *eventRecorder) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.events)
}

type handlerFunc func(context.Context, []byte) ([]byte, error)

func (f handlerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// withTokens starts a server whose protected routes are guarded as a stack with the local
// issuer and a read scope guards them, and returns it with the key that signs its tokens.
func withTokens(t *testing.T) (*running, *localauth.LocalKey, *eventRecorder) {
	t.Helper()
	key, err := localauth.LoadOrCreateKey(filepath.Join(t.TempDir(), localauth.KeyFile))
	require.NoError(t, err)
	routes := map[string][]string{}
	for _, rt := range httpapi.Routes {
		if !rt.Public {
			var scopes []string
			if rt.Method == "GET" {
				scopes = []string{readScope}
			}
			routes[rt.Key()] = scopes
		}
	}
	a, err := localauth.New(localauth.Config{Issuer: localauth.LocalIssuer, Audiences: []string{localauth.LocalAudience}, Routes: routes, Keys: key.Keys()})
	require.NoError(t, err)
	rec := &eventRecorder{}
	cfg := Config{DataDir: t.TempDir(), NoWorker: true, Authorizer: a}
	cfg.WrapAPI = rec.wrap
	return start(t, cfg), key, rec
}

// A protected route is served only to a valid token with its scope; refusals are API
// Gateway's own answers, and the handler never sees the request.
func TestProtectedRoutesCheckTokens(t *testing.T) {
	s, key, rec := withTokens(t)
	c := &http.Client{}
	post := do(t, c, "POST", s.url+"/v1/inquiries", "application/json", []byte(validBody))
	require.Equal(t, http.StatusAccepted, post.status, "a public route needs no token: %s", post.body)
	id, _ := post.json(t)["id"].(string)
	readURL := s.url + "/v1/inquiries/" + id
	invoked := rec.count()

	good, err := key.Mint(localauth.Token{Scopes: []string{readScope}, Subject: "dev-1"})
	require.NoError(t, err)
	noScope, err := key.Mint(localauth.Token{Scopes: []string{"openid"}})
	require.NoError(t, err)
	expired, err := key.Mint(localauth.Token{Scopes: []string{readScope}, IssuedAt: time.Now().Add(-2 * time.Hour), TTL: time.Hour})
	require.NoError(t, err)

	tests := []struct {
		name   string
		header []string
		status int
		body   string
		www    string
	}{
		{"no token", nil, 401, `{"message":"Unauthorized"}`, "Bearer"},
		{"an expired token", []string{"Authorization", "Bearer " + expired}, 401, `{"message":"Unauthorized"}`,
			`Bearer scope="" error="invalid_token" error_description="the token has expired"`},
		{"a token without the read scope", []string{"Authorization", "Bearer " + noScope}, 403, `{"message":"Forbidden"}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := do(t, c, "GET", readURL, "", nil, tc.header...)
			assert.Equal(t, tc.status, resp.status)
			assert.Equal(t, tc.body, string(resp.body), "API Gateway's body")
			assert.Equal(t, "application/json", resp.header.Get("Content-Type"))
			assert.Equal(t, tc.www, resp.header.Get("Www-Authenticate"), "the www-authenticate header")
			assert.NotEmpty(t, resp.header.Get("Apigw-Requestid"), "API Gateway's request id, as on every answer")
			assert.NotContains(t, string(resp.body), "Ada", "no personal data")
			assert.Equal(t, invoked, rec.count(), "the handler is not invoked")
		})
	}

	// A valid token with the scope reads the inquiry, and its claims reach the handler
	resp := do(t, c, "GET", readURL, "", nil, "Authorization", "Bearer "+good)
	require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)
	assert.Contains(t, string(resp.body), "ada@example.com")
	ev := rec.last(t)
	require.NotNil(t, ev.RequestContext.Authorizer, "requestContext.authorizer is set")
	require.NotNil(t, ev.RequestContext.Authorizer.JWT)
	assert.Equal(t, "dev-1", ev.RequestContext.Authorizer.JWT.Claims["sub"])
	assert.Equal(t, localauth.LocalIssuer, ev.RequestContext.Authorizer.JWT.Claims["iss"])
	assert.Equal(t, readScope, ev.RequestContext.Authorizer.JWT.Claims["scope"])
	assert.Equal(t, []string{readScope}, ev.RequestContext.Authorizer.JWT.Scopes, "the token's scopes, on a route with scopes")
	assert.Equal(t, "Bearer "+good, ev.Headers["authorization"], "the header reaches the handler too, as in AWS")
}

// Public routes and $default take no token, and their events carry no authorizer.
func TestPublicRoutesAndDefaultAreNotChecked(t *testing.T) {
	s, _, rec := withTokens(t)
	c := &http.Client{}
	for _, tc := range []struct{ method, path string }{
		{"GET", "/healthz"},
		{"POST", "/v1/inquiries"},
		{"GET", "/no/such/route"},          // $default: the handler's 404
		{"GET", "/v1/inquiries%2Fx"},       // a protected path's other spelling: $default locally
		{"DELETE", "/v1/inquiries/abc123"}, // a wrong method: $default's 405
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			before := rec.count()
			body := []byte(nil)
			if tc.method == "POST" {
				body = []byte(validBody)
			}
			resp := do(t, c, tc.method, s.url+tc.path, "application/json", body, "Authorization", "Bearer garbage")
			assert.NotEqual(t, http.StatusUnauthorized, resp.status, "%s", resp.body)
			require.Equal(t, before+1, rec.count(), "the handler is invoked")
			assert.Nil(t, rec.last(t).RequestContext.Authorizer, "no authorizer context")
		})
	}
}

// Without an Authorizer the server behaves as before: protected routes are served to anyone.
func TestNoAuthorizerNoCheck(t *testing.T) {
	s := start(t, Config{DataDir: t.TempDir(), NoWorker: true})
	post := do(t, &http.Client{}, "POST", s.url+"/v1/inquiries", "application/json", []byte(validBody))
	id, _ := post.json(t)["id"].(string)
	resp := do(t, &http.Client{}, "GET", s.url+"/v1/inquiries/"+id, "", nil)
	assert.Equal(t, http.StatusOK, resp.status, "%s", resp.body)
}
