// Package memory holds in-memory implementations of the inquiry ports, for tests,
// benchmarks and examples. They keep the ports' contracts (conditional writes, expiry of
// idempotency keys, sorted listings), are safe for concurrent use, and persist nothing.
package memory

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

// Store is an inquiry.RecordStore. The zero value is not usable: call NewStore.
type Store struct {
	// Now is the clock used to expire idempotency keys. Nil means time.Now. Set it before
	// first use.
	Now func() time.Time

	mu      sync.Mutex
	records map[string]inquiry.Inquiry
	idem    map[string]inquiry.Idempotency
}

var _ inquiry.RecordStore = (*Store)(nil)

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{records: map[string]inquiry.Inquiry{}, idem: map[string]inquiry.Idempotency{}}
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Create implements inquiry.RecordStore.
func (s *Store) Create(ctx context.Context, in inquiry.Inquiry, idem *inquiry.Idempotency) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.records[in.ID]; ok {
		return inquiry.ErrExists
	}
	if idem != nil {
		if old, ok := s.idem[idem.Key]; ok && s.now().Before(old.ExpiresAt) {
			return inquiry.ErrExists
		}
		s.idem[idem.Key] = *idem
	}
	s.records[in.ID] = clone(in)
	return nil
}

// Get implements inquiry.RecordStore.
func (s *Store) Get(ctx context.Context, id string) (inquiry.Inquiry, error) {
	if err := ctx.Err(); err != nil {
		return inquiry.Inquiry{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.records[id]
	if !ok {
		return inquiry.Inquiry{}, inquiry.ErrNotFound
	}
	return clone(in), nil
}

// GetIdempotency implements inquiry.RecordStore.
func (s *Store) GetIdempotency(ctx context.Context, key string) (inquiry.Idempotency, error) {
	if err := ctx.Err(); err != nil {
		return inquiry.Idempotency{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	idem, ok := s.idem[key]
	if !ok || !s.now().Before(idem.ExpiresAt) {
		return inquiry.Idempotency{}, inquiry.ErrNotFound
	}
	return idem, nil
}

// MarkProcessed implements inquiry.RecordStore.
func (s *Store) MarkProcessed(ctx context.Context, id string, at time.Time, archiveKey string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.records[id]
	if !ok {
		return false, inquiry.ErrNotFound
	}
	if in.Status != inquiry.StatusReceived {
		return false, nil
	}
	in.Status = inquiry.StatusProcessed
	in.ProcessedAt = &at
	in.ArchiveKey = archiveKey
	s.records[id] = in
	return true, nil
}

// Len returns the number of inquiry records stored.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.records)
}

// clone copies the one pointer field, so callers never share a record with the store.
func clone(in inquiry.Inquiry) inquiry.Inquiry {
	if in.ProcessedAt != nil {
		t := *in.ProcessedAt
		in.ProcessedAt = &t
	}
	return in
}

// Archive is an inquiry.ArchiveStore. The zero value is not usable: call NewArchive.
type Archive struct {
	mu   sync.Mutex
	objs map[string][]byte
	puts int
}

var _ inquiry.ArchiveStore = (*Archive)(nil)

// NewArchive returns an empty archive.
func NewArchive() *Archive { return &Archive{objs: map[string][]byte{}} }

// Put implements inquiry.ArchiveStore.
func (a *Archive) Put(ctx context.Context, key string, body []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.objs[key] = slices.Clone(body)
	a.puts++
	return nil
}

// Get implements inquiry.ArchiveStore.
func (a *Archive) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	b, ok := a.objs[key]
	if !ok {
		return nil, inquiry.ErrNotFound
	}
	return slices.Clone(b), nil
}

// List implements inquiry.ArchiveStore.
func (a *Archive) List(ctx context.Context, prefix string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var keys []string
	for k := range a.objs {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys, nil
}

// Puts returns how many times Put was called (overwrites included).
func (a *Archive) Puts() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.puts
}

// Publisher is an inquiry.Publisher that keeps the events it is given. The zero value is
// ready to use.
type Publisher struct {
	// Fail, when not nil, is called before each publish; a non-nil result is returned and
	// the event is not kept. Set it before first use, or guard it yourself.
	Fail func(inquiry.Event) error

	mu     sync.Mutex
	events []inquiry.Event
}

var _ inquiry.Publisher = (*Publisher)(nil)

// Publish implements inquiry.Publisher.
func (p *Publisher) Publish(ctx context.Context, e inquiry.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Fail != nil {
		if err := p.Fail(e); err != nil {
			return err
		}
	}
	p.events = append(p.events, e)
	return nil
}

// Events returns a copy of the events published so far, in order.
func (p *Publisher) Events() []inquiry.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.events)
}

// Reset forgets the events published so far (benchmarks use it to bound memory).
func (p *Publisher) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = nil
}
