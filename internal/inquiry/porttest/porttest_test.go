package porttest_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/inquiry/porttest"
)

// The suites run here against minimal in-memory references, which shows that a correct
// adapter can pass them. Adapters run them from their own packages.

func TestRecordStoreSuiteAcceptsReference(t *testing.T) {
	porttest.RecordStore(t, func(t *testing.T) inquiry.RecordStore { return newMemStore() })
}

func TestArchiveStoreSuiteAcceptsReference(t *testing.T) {
	porttest.ArchiveStore(t, func(t *testing.T) inquiry.ArchiveStore { return &memArchive{objects: map[string][]byte{}} })
}

func TestPublisherSuiteAcceptsReference(t *testing.T) {
	porttest.Publisher(t, newMemPublisher(""))
}

func newMemPublisher(bug string) func(t *testing.T) (inquiry.Publisher, porttest.Receive) {
	return func(t *testing.T) (inquiry.Publisher, porttest.Receive) {
		q := &memQueue{bug: bug}
		return q, func(t *testing.T, n int) []inquiry.Event {
			q.mu.Lock()
			defer q.mu.Unlock()
			if len(q.events) < n {
				t.Fatalf("queue holds %d events, want %d", len(q.events), n)
			}
			got := q.events[:n]
			q.events = q.events[n:]
			return got
		}
	}
}

type memStore struct {
	mu      sync.Mutex
	records map[string]inquiry.Inquiry
	idems   map[string]inquiry.Idempotency
	now     func() time.Time
	bug     string // a defect from mutants, or "" for the correct reference
}

func newMemStore() *memStore {
	return &memStore{records: map[string]inquiry.Inquiry{}, idems: map[string]inquiry.Idempotency{}, now: time.Now}
}

func (s *memStore) Create(_ context.Context, in inquiry.Inquiry, idem *inquiry.Idempotency) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bug == "truncating times" {
		in.ReceivedAt = in.ReceivedAt.Truncate(time.Second)
	}
	if idem != nil && s.bug == "key stored before the id check" {
		s.idems[idem.Key] = *idem
	}
	if _, ok := s.records[in.ID]; ok && s.bug != "overwriting create" {
		return inquiry.ErrExists
	}
	if s.bug == "record stored before the key check" {
		s.records[in.ID] = in
	}
	if idem != nil {
		if old, ok := s.idems[idem.Key]; ok && (s.now().Before(old.ExpiresAt) || s.bug == "keys never expire") {
			return inquiry.ErrExists
		}
		s.idems[idem.Key] = *idem
	}
	s.records[in.ID] = in
	return nil
}

func (s *memStore) Get(_ context.Context, id string) (inquiry.Inquiry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.records[id]
	if !ok {
		return inquiry.Inquiry{}, inquiry.ErrNotFound
	}
	return in, nil
}

func (s *memStore) GetIdempotency(_ context.Context, key string) (inquiry.Idempotency, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	idem, ok := s.idems[key]
	if !ok || (!s.now().Before(idem.ExpiresAt) && s.bug != "keys never expire") {
		return inquiry.Idempotency{}, inquiry.ErrNotFound
	}
	return idem, nil
}

func (s *memStore) MarkProcessed(_ context.Context, id string, at time.Time, key string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.records[id]
	if !ok {
		return false, inquiry.ErrNotFound
	}
	if in.Status != inquiry.StatusReceived && s.bug != "unconditional mark" {
		return false, nil
	}
	in.Status, in.ProcessedAt, in.ArchiveKey = inquiry.StatusProcessed, &at, key
	s.records[id] = in
	return true, nil
}

type memArchive struct {
	mu      sync.Mutex
	objects map[string][]byte
	bug     string // a defect from mutants, or "" for the correct reference
}

func (a *memArchive) Put(_ context.Context, key string, body []byte) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.objects[key] = slices.Clone(body)
	return nil
}

func (a *memArchive) Get(_ context.Context, key string) ([]byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	b, ok := a.objects[key]
	if !ok && a.bug != "missing object is empty" {
		return nil, inquiry.ErrNotFound
	}
	return slices.Clone(b), nil
}

func (a *memArchive) List(_ context.Context, prefix string) ([]string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var keys []string
	for k := range a.objects {
		if strings.HasPrefix(k, prefix) || a.bug == "prefix ignored" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if a.bug == "reverse order" {
		slices.Reverse(keys)
	}
	return keys, nil
}

type memQueue struct {
	mu     sync.Mutex
	events []inquiry.Event
	bug    string // a defect from mutants, or "" for the correct reference
}

func (q *memQueue) Publish(_ context.Context, e inquiry.Event) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.bug == "type dropped" {
		e.Type = ""
	}
	q.events = append(q.events, e)
	if q.bug == "duplicate delivery" {
		q.events = append(q.events, e)
	}
	return nil
}
