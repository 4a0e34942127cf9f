package localserver

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

const validBody = `{"name":"Ada Lovelace","email":"ada@example.com","company":"Engines","message":"Please call me."}`

func TestEndToEndSurvivesRestarts(t *testing.T) {
	c := &http.Client{}
	dir := t.TempDir()

	// Given a running local server
	s := start(t, Config{DataDir: dir, VisibilityTimeout: time.Second})
	health := do(t, c, "GET", s.url+"/healthz", "", nil)
	require.Equal(t, http.StatusOK, health.status)
	require.JSONEq(t, `{"status":"ok"}`, string(health.body))

	// When an inquiry is posted
	post := do(t, c, "POST", s.url+"/v1/inquiries", "application/json", []byte(validBody))

	// Then it is accepted, and processed by the worker: record processed, archive written
	require.Equal(t, http.StatusAccepted, post.status, "POST answers 202: %s", post.body)
	id, _ := post.json(t)["id"].(string)
	require.NotEmpty(t, id)
	require.Equal(t, "received", post.json(t)["status"])
	require.Equal(t, "/v1/inquiries/"+id, post.header.Get("Location"))
	require.NotEmpty(t, post.header.Get("Apigw-Requestid"), "the gateway's request id header is set")
	var first map[string]any
	eventually(t, "first inquiry processed", func() bool {
		r := do(t, c, "GET", s.url+"/v1/inquiries/"+id, "", nil)
		require.Equal(t, http.StatusOK, r.status)
		first = r.json(t)
		return first["status"] == "processed"
	})
	receivedAt, err := time.Parse(time.RFC3339Nano, first["receivedAt"].(string))
	require.NoError(t, err)
	wantKey := receivedAt.UTC().Format("inquiries/2006/01/02/") + id + ".json"
	require.Equal(t, wantKey, first["archiveKey"], "the archive key is inquiries/YYYY/MM/DD/<id>.json of receivedAt")
	require.Equal(t, "Ada Lovelace", first["name"])
	require.NotNil(t, first["processedAt"])
	archived := readArchive(t, dir, wantKey)
	require.Equal(t, id, archived.ID, "the archive object holds the inquiry")

	// When the server stops and restarts without its worker, and a second inquiry is posted
	s.stop()
	s = start(t, Config{DataDir: dir, VisibilityTimeout: time.Second, NoWorker: true})
	again := do(t, c, "GET", s.url+"/v1/inquiries/"+id, "", nil)
	require.Equal(t, http.StatusOK, again.status, "a record survives a restart")
	require.Equal(t, first, again.json(t), "the record is unchanged by a restart")
	post2 := do(t, c, "POST", s.url+"/v1/inquiries", "application/json", []byte(validBody))
	require.Equal(t, http.StatusAccepted, post2.status)
	id2 := post2.json(t)["id"].(string)
	r2 := do(t, c, "GET", s.url+"/v1/inquiries/"+id2, "", nil)
	require.Equal(t, "received", r2.json(t)["status"], "without a worker the event waits")
	q, _ := s.Queues()
	require.Equal(t, 1, q.Stats().Visible, "its event is in the queue")
	s.stop()

	// Then a restart with the worker processes the event left in the queue
	s = start(t, Config{DataDir: dir, VisibilityTimeout: time.Second})
	eventually(t, "second inquiry processed after restart", func() bool {
		return do(t, c, "GET", s.url+"/v1/inquiries/"+id2, "", nil).json(t)["status"] == "processed"
	})
	second := do(t, c, "GET", s.url+"/v1/inquiries/"+id2, "", nil).json(t)
	require.Equal(t, id2, readArchive(t, dir, second["archiveKey"].(string)).ID)
	require.Equal(t, first, do(t, c, "GET", s.url+"/v1/inquiries/"+id, "", nil).json(t), "the first record is still there")
	keys, err := s.archive.List(context.Background(), "inquiries/")
	require.NoError(t, err)
	require.ElementsMatch(t, []string{wantKey, second["archiveKey"].(string)}, keys, "exactly two archive objects")
}

func readArchive(t *testing.T, dir, key string) inquiry.Inquiry {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "archive", "objects", filepath.FromSlash(key)))
	require.NoError(t, err, "archive object %s exists", key)
	var in inquiry.Inquiry
	require.NoError(t, json.Unmarshal(data, &in))
	return in
}

func TestGatewayAnswers(t *testing.T) {
	s := start(t, Config{DataDir: t.TempDir(), NoWorker: true})
	c := &http.Client{}
	cases := []struct {
		name, method, path, contentType string
		body                            []byte
		wantStatus                      int
		wantType                        string
		wantHeader                      [2]string
	}{
		{"unknown route is the handler's 404 problem", "GET", "/nope", "", nil, 404, "application/problem+json", [2]string{}},
		{"wrong method is the handler's 405 with Allow", "DELETE", "/v1/inquiries", "", nil, 405, "application/problem+json", [2]string{"Allow", "POST"}},
		{"unknown id is 404", "GET", "/v1/inquiries/01JDQZZZZZZZZZZZZZZZZZZZZZ", "", nil, 404, "application/problem+json", [2]string{}},
		{"wrong content type is 415", "POST", "/v1/inquiries", "text/plain", []byte(validBody), 415, "application/problem+json", [2]string{}},
		{"body over 64 KiB is the handler's 413", "POST", "/v1/inquiries", "application/json", []byte(`{"name":"` + strings.Repeat("a", 70<<10) + `"}`), 413, "application/problem+json", [2]string{}},
		{"body over API Gateway's limit is the gateway's 413", "POST", "/v1/inquiries", "application/json", make([]byte, MaxRequestBytes+1), 413, "application/json", [2]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, c, tc.method, s.url+tc.path, tc.contentType, tc.body)
			require.Equal(t, tc.wantStatus, r.status, "%s", r.body)
			require.Equal(t, tc.wantType, r.header.Get("Content-Type"))
			if tc.wantHeader[0] != "" {
				require.Equal(t, tc.wantHeader[1], r.header.Get(tc.wantHeader[0]))
			}
		})
	}
}

// gate blocks Create until released, to hold a request in flight.
type gate struct {
	inquiry.RecordStore
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func (g *gate) Create(ctx context.Context, in inquiry.Inquiry, idem *inquiry.Idempotency) error {
	g.once.Do(func() { close(g.entered) })
	<-g.release
	return g.RecordStore.Create(ctx, in, idem)
}

func TestStopDrainsInFlightRequests(t *testing.T) {
	// Given a POST that is in the middle of storing its record
	dir := t.TempDir()
	g := &gate{entered: make(chan struct{}), release: make(chan struct{})}
	cfg := Config{DataDir: dir, NoWorker: true}
	cfg.hooks.records = func(rs inquiry.RecordStore) inquiry.RecordStore { g.RecordStore = rs; return g }
	s := start(t, cfg)
	type answer struct {
		status int
		body   map[string]any
		err    error
	}
	posted := make(chan answer, 1)
	go func() {
		resp, err := http.Post(s.url+"/v1/inquiries", "application/json", strings.NewReader(validBody))
		if err != nil {
			posted <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		var a answer
		a.status, a.err = resp.StatusCode, json.NewDecoder(resp.Body).Decode(&a.body)
		posted <- a
	}()
	<-g.entered

	// When the server is told to stop (its listener is closed), and the request then completes
	stopped := make(chan struct{})
	go func() { s.stop(); close(stopped) }()
	eventually(t, "listener closed", func() bool {
		conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
		if err == nil {
			conn.Close()
		}
		return err != nil
	})
	close(g.release)
	<-stopped

	// Then the request got its answer, and its record and event were kept
	r := <-posted
	require.NoError(t, r.err)
	require.Equal(t, http.StatusAccepted, r.status, "an in-flight request is answered during shutdown")
	id := r.body["id"].(string)
	s = start(t, Config{DataDir: dir, NoWorker: true})
	require.Equal(t, http.StatusOK, do(t, &http.Client{}, "GET", s.url+"/v1/inquiries/"+id, "", nil).status, "its record was stored")
	q, _ := s.Queues()
	require.Len(t, q.Messages(), 1, "its event was queued")
}

func TestDataDirectoryServesOneServerAtATime(t *testing.T) {
	// Given a server on a data directory
	dir := t.TempDir()
	first, err := New(Config{DataDir: dir})
	require.NoError(t, err)

	// When a second one is started on it
	_, err = New(Config{DataDir: dir})

	// Then it is refused until the first is closed
	require.ErrorContains(t, err, "in use", "a second server on one data directory is refused")
	require.NoError(t, first.Close())
	second, err := New(Config{DataDir: dir})
	require.NoError(t, err, "the directory is free again after Close")
	require.NoError(t, second.Close())
}
