package localserver

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// invokeFunc makes a function a lambda.Handler.
type invokeFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f invokeFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

func TestWrapAPIStandsBetweenTheGatewayAndTheHandler(t *testing.T) {
	// Given a server whose WrapAPI records each event on its way to the in-process handler
	var mu sync.Mutex
	var seen []events.APIGatewayV2HTTPRequest
	record := func(h lambda.Handler) lambda.Handler {
		return invokeFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			var e events.APIGatewayV2HTTPRequest
			require.NoError(t, json.Unmarshal(payload, &e))
			mu.Lock()
			seen = append(seen, e)
			mu.Unlock()
			return h.Invoke(ctx, payload)
		})
	}
	s := start(t, Config{DataDir: t.TempDir(), NoWorker: true, WrapAPI: record})

	// When a client asks for /healthz with a query string
	resp := do(t, http.DefaultClient, "GET", s.url+"/healthz?probe=1", "", nil)

	// Then the wrapper got the event API Gateway would send, and the handler's answer went back
	require.Equal(t, http.StatusOK, resp.status, "the in-process handler answered: %s", resp.body)
	require.Len(t, seen, 1, "one event per request")
	assert.Equal(t, "GET /healthz", seen[0].RouteKey, "the event's route key")
	assert.Equal(t, "probe=1", seen[0].RawQueryString, "the event's query string")

	// And a wrapper that answers in the handler's place is what the client gets
	replace := func(lambda.Handler) lambda.Handler {
		return invokeFunc(func(context.Context, []byte) ([]byte, error) {
			return []byte(`{"statusCode":418,"headers":{"X-From":"wrapper"},"body":"brewed elsewhere"}`), nil
		})
	}
	s2 := start(t, Config{DataDir: t.TempDir(), NoWorker: true, WrapAPI: replace})
	resp = do(t, http.DefaultClient, "GET", s2.url+"/healthz", "", nil)
	assert.Equal(t, http.StatusTeapot, resp.status, "the wrapper's status")
	assert.Equal(t, "wrapper", resp.header.Get("X-From"), "the wrapper's headers")
	assert.Equal(t, "brewed elsewhere", string(resp.body), "the wrapper's body")
}

func TestWorkerHandlerProcessesABatchAsTheConsumerWould(t *testing.T) {
	// Given a server without its consumer, and an inquiry whose event is queued
	srv, err := New(Config{DataDir: t.TempDir(), NoWorker: true, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	post := httptest.NewRequest("POST", "/v1/inquiries", strings.NewReader(`{"name":"Ada","email":"ada@example.com","message":"Hello"}`))
	post.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, post)
	require.Equal(t, http.StatusAccepted, rec.Code, "submitted: %s", rec.Body)
	id := strings.TrimPrefix(rec.Header().Get("Location"), "/v1/inquiries/")
	queue, _ := srv.Queues()
	msgs, err := queue.Receive(t.Context(), 10)
	require.NoError(t, err)
	require.Len(t, msgs, 1, "the inquiry's event is queued")

	// When a batch of that event and a malformed message goes to WorkerHandler
	bad := events.SQSMessage{MessageId: "bad", Body: "not json"}
	resp, err := srv.WorkerHandler()(t.Context(), events.SQSEvent{Records: []events.SQSMessage{msgs[0], bad}})

	// Then the malformed message alone is reported failed, and the inquiry is processed
	require.NoError(t, err)
	assert.Equal(t, []events.SQSBatchItemFailure{{ItemIdentifier: "bad"}}, resp.BatchItemFailures)
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/inquiries/"+id, nil))
	require.Equal(t, http.StatusOK, rec.Code, "%s", rec.Body)
	assert.Contains(t, rec.Body.String(), `"status":"processed"`, "the worker processed the inquiry")
}
