package localserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/adapters/local"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/localqueue"
	"github.com/groundwork-dev/groundwork/internal/worker"
)

// countingStore counts the MarkProcessed calls that changed a record, per id.
type countingStore struct {
	inquiry.RecordStore
	mu     sync.Mutex
	marked map[string]int
}

func (c *countingStore) MarkProcessed(ctx context.Context, id string, at time.Time, key string) (bool, error) {
	ok, err := c.RecordStore.MarkProcessed(ctx, id, at, key)
	if ok {
		c.mu.Lock()
		c.marked[id]++
		c.mu.Unlock()
	}
	return ok, err
}

// flakyWorker fails a share of attempts at random (seeded): half of the failures before
// doing anything, half after doing the work (as a worker that crashes before its batch is
// acknowledged), so redeliveries of finished work happen too. Events of inquiries whose id
// ends in "Z" (about 1 in 32) always fail, so the dead-letter path is taken for sure.
type flakyWorker struct {
	worker.Processor
	mu                      sync.Mutex
	rng                     *rand.Rand
	rate                    float64
	attempts, before, after int
}

var errInjected = errors.New("injected failure")

func isPoison(id string) bool { return strings.HasSuffix(id, "Z") }

func (f *flakyWorker) Process(ctx context.Context, e inquiry.Event) error {
	f.mu.Lock()
	x := f.rng.Float64()
	f.attempts++
	switch {
	case x < f.rate/2:
		f.before++
	case x < f.rate:
		f.after++
	}
	f.mu.Unlock()
	if x < f.rate/2 || isPoison(e.InquiryID) {
		return errInjected
	}
	if err := f.Processor.Process(ctx, e); err != nil {
		return err
	}
	if x < f.rate {
		return errInjected
	}
	return nil
}

// postMany posts n inquiries from 8 clients and returns the ids of the accepted ones.
func postMany(t *testing.T, url string, n, from int) []string {
	t.Helper()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		ids  []string
		errs []error
	)
	next := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range next {
				body := fmt.Sprintf(`{"name":"Sender %d","email":"s%d@example.com","message":"inquiry %d"}`, i, i, i)
				resp, err := http.Post(url+"/v1/inquiries", "application/json", strings.NewReader(body))
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					continue
				}
				var rc struct{ ID string }
				err = json.NewDecoder(resp.Body).Decode(&rc)
				resp.Body.Close()
				mu.Lock()
				if resp.StatusCode != http.StatusAccepted || err != nil || rc.ID == "" {
					errs = append(errs, fmt.Errorf("POST #%d: status %d, id %q, %v", i, resp.StatusCode, rc.ID, err))
				} else {
					ids = append(ids, rc.ID)
				}
				mu.Unlock()
			}
		})
	}
	for i := range n {
		next <- from + i
	}
	close(next)
	wg.Wait()
	require.Empty(t, errs, "every POST is accepted")
	return ids
}

func TestNothingIsLost(t *testing.T) {
	if testing.Short() {
		t.Skip("posts 2,000 inquiries")
	}
	// Given a server whose worker fails 20% of its attempts, restarted halfway through
	const perPhase = 1000
	dir := fastTempDir(t)
	counting := &countingStore{marked: map[string]int{}}
	flaky := &flakyWorker{rng: rand.New(rand.NewPCG(2026, 11)), rate: 0.2}
	cfg := Config{DataDir: dir, VisibilityTimeout: 300 * time.Millisecond, MaxReceiveCount: 5, BatchSize: 10, Concurrency: 4}
	cfg.hooks.records = func(rs inquiry.RecordStore) inquiry.RecordStore { counting.RecordStore = rs; return counting }
	cfg.hooks.processor = func(p worker.Processor) worker.Processor { flaky.Processor = p; return flaky }

	// When 2,000 inquiries are posted, with a graceful restart after the first 1,000, and
	// the worker runs until the queue is empty
	s := start(t, cfg)
	accepted := postMany(t, s.url, perPhase, 0)
	s.stop() // the worker is mid-way: unprocessed events must survive
	s = start(t, cfg)
	accepted = append(accepted, postMany(t, s.url, perPhase, perPhase)...)
	q, _ := s.Queues()
	eventually(t, "queue drained", func() bool { return q.Stats() == localqueue.Stats{} })
	s.stop()

	// Then every accepted inquiry was processed exactly once, or its event is dead-lettered
	ctx := context.Background()
	records, err := local.Open(dir + "/table")
	require.NoError(t, err)
	archive, err := local.NewArchive(dir + "/archive")
	require.NoError(t, err)
	dlq, err := localqueue.Open(localqueue.Config{Dir: dir + "/queues/events-dlq"})
	require.NoError(t, err)
	defer dlq.Close()
	dead := map[string]bool{}
	for _, m := range dlq.Messages() {
		ev, err := worker.Decode(m.Body)
		require.NoError(t, err)
		dead[ev.InquiryID] = true
	}
	keys, err := archive.List(ctx, "inquiries/")
	require.NoError(t, err)
	archived := map[string]bool{}
	for _, k := range keys {
		archived[k] = true
	}

	require.Len(t, accepted, 2*perPhase)
	var processed, deadLettered, lost []string
	wantKeys := map[string]bool{}
	for _, id := range accepted {
		rec, err := records.Get(ctx, id)
		require.NoError(t, err, "record %s of an accepted inquiry exists", id)
		switch {
		case rec.Status == inquiry.StatusProcessed:
			processed = append(processed, id)
			require.Equal(t, 1, counting.marked[id], "inquiry %s was marked processed exactly once", id)
			require.True(t, archived[rec.ArchiveKey], "processed inquiry %s has its archive object", id)
			wantKeys[rec.ArchiveKey] = true
		case dead[id]:
			deadLettered = append(deadLettered, id)
			require.False(t, archived[inquiry.ArchiveKey(rec)], "unprocessed inquiry %s has no archive object", id)
			require.Zero(t, counting.marked[id], "unprocessed inquiry %s was never marked", id)
		default:
			lost = append(lost, id)
		}
	}
	require.Empty(t, lost, "no inquiry is neither processed nor dead-lettered")
	poison := 0
	for _, id := range accepted {
		if isPoison(id) {
			poison++
			require.True(t, dead[id], "always-failing inquiry %s ends in the DLQ", id)
		}
	}
	require.Greater(t, poison, 0, "some inquiries always fail")
	require.Equal(t, len(wantKeys), len(keys), "one archive object per processed inquiry, no other")
	for k := range wantKeys {
		require.True(t, archived[k])
	}
	require.Equal(t, len(accepted), len(counting.marked)+len(deadLettered), "every inquiry is accounted for once")
	flaky.mu.Lock()
	t.Logf("accepted %d, processed %d, dead-lettered %d; %d attempts, %d failed before work, %d after",
		len(accepted), len(processed), len(deadLettered), flaky.attempts, flaky.before, flaky.after)
	require.Greater(t, flaky.after, 0, "redeliveries of finished work were exercised")
	flaky.mu.Unlock()
}

// fastTempDir returns a temporary directory on tmpfs (/dev/shm) where there is one, else
// t.TempDir(). Every write still goes through temporary file, fsync and rename, but the
// fsyncs cost nothing on tmpfs: this test checks delivery semantics, not the disk, and
// takes a few seconds instead of ten or more with some 14,000 fsyncs on a real disk.
func fastTempDir(t *testing.T) string {
	t.Helper()
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if dir, err := os.MkdirTemp("/dev/shm", "groundwork-test-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}
