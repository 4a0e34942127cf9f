package localserver

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/adapters/local"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/inquiry/porttest"
	"github.com/groundwork-dev/groundwork/internal/worker"
)

// lockedBuffer collects log output from the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// skewClock is the wall clock plus an offset a test can move forward, so the worker can
// judge an event old without the test waiting.
type skewClock struct{ offset atomic.Int64 }

func (c *skewClock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *skewClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// writesConfig is a server whose record store and publisher go through faults, on clock.
func writesConfig(dir string, faults *porttest.Faults, clock *skewClock, logs *lockedBuffer) Config {
	cfg := Config{
		DataDir: dir, VisibilityTimeout: time.Second, MaxReceiveCount: 5, Now: clock.Now,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	cfg.hooks.records = faults.Records
	cfg.hooks.publisher = faults.Publisher
	return cfg
}

// storedIDs lists the records in the data directory (table/records/<id>.json).
func storedIDs(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "table", "records"))
	require.NoError(t, err)
	var ids []string
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// stuckRecords returns the stored records that are received with no event for them in the
// events queue or its dead-letter queue: inquiries nothing will ever process.
func stuckRecords(t *testing.T, s *running, dir string, faults *porttest.Faults) []string {
	t.Helper()
	q, dlq := s.Queues()
	pending := map[string]bool{}
	for _, m := range append(q.Messages(), dlq.Messages()...) {
		ev, err := worker.Decode(m.Body)
		require.NoError(t, err)
		pending[ev.InquiryID] = true
	}
	records, err := local.Open(filepath.Join(dir, "table"))
	require.NoError(t, err)
	stuck, err := porttest.Stuck(context.Background(), records, append(storedIDs(t, dir), faults.IDs()...),
		func(id string) bool { return pending[id] })
	require.NoError(t, err)
	return stuck
}

const adaBody = `{"name":"Ada Lovelace","email":"ada@example.com","message":"Hello"}`

func TestLocalServerAFailedPublishStoresNoRecord(t *testing.T) {
	// Given a local server whose events queue refuses the next event
	dir := t.TempDir()
	faults, clock, logs := porttest.NewFaults(nil), &skewClock{}, &lockedBuffer{}
	s := start(t, writesConfig(dir, faults, clock, logs))
	faults.FailPublish(errors.New("queue unavailable"))

	// When an inquiry is posted
	resp := do(t, http.DefaultClient, "POST", s.url+"/v1/inquiries", "application/json", []byte(adaBody))

	// Then the client gets a server error, and no record is left that no event will process
	require.Equal(t, http.StatusInternalServerError, resp.status, "the failure is reported: %s", resp.body)
	assert.Empty(t, stuckRecords(t, s, dir, faults), "no record is received without its event")
	assert.Empty(t, storedIDs(t, dir), "nothing is stored when the event could not be queued")

	// And when the client retries once the queue is back, the inquiry is processed
	faults.FailPublish(nil)
	resp = do(t, http.DefaultClient, "POST", s.url+"/v1/inquiries", "application/json", []byte(adaBody))
	require.Equal(t, http.StatusAccepted, resp.status)
	id, _ := resp.json(t)["id"].(string)
	records, err := local.Open(filepath.Join(dir, "table"))
	require.NoError(t, err)
	eventually(t, "the retried inquiry is processed", func() bool {
		rec, err := records.Get(context.Background(), id)
		return err == nil && rec.Status == inquiry.StatusProcessed
	})
	assert.Equal(t, []string{id}, storedIDs(t, dir), "one record in all")
}

func TestLocalServerACrashBetweenTheWritesLeavesNoStuckRecord(t *testing.T) {
	// Given a local server that dies between the two writes of the next request: the
	// request's goroutine stops there, its connection is dropped, as with kill -9
	dir := t.TempDir()
	faults, clock, logs := porttest.NewFaults(func() { panic(http.ErrAbortHandler) }), &skewClock{}, &lockedBuffer{}
	cfg := writesConfig(dir, faults, clock, logs)
	s := start(t, cfg)
	faults.CrashBetweenWrites()

	// When an inquiry is posted, and the server is restarted
	resp, err := http.Post(s.url+"/v1/inquiries", "application/json", strings.NewReader(adaBody))
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err, "the client sees the connection drop")
	s.stop()
	require.Empty(t, stuckRecords(t, s, dir, faults), "no record is received without its event")
	require.Empty(t, storedIDs(t, dir), "the event is queued first, so the crash cut off the record")
	s = start(t, cfg)

	// Then the event left without a record is dropped as an orphan once it is old enough,
	// with a warning, rather than dead-lettered
	q, dlq := s.Queues()
	require.Len(t, q.Messages(), 1, "the orphan event is in the queue")
	clock.Advance(inquiry.OrphanGrace)
	eventually(t, "the orphan event is dropped", func() bool { return len(q.Messages()) == 0 })
	assert.Empty(t, dlq.Messages(), "the orphan was not dead-lettered")
	assert.Contains(t, logs.String(), "orphan event dropped")
	assert.Contains(t, logs.String(), "inquiryId="+faults.IDs()[0])
	assert.Empty(t, stuckRecords(t, s, dir, faults))
}
