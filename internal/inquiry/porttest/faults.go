package porttest

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

// ErrCrash is the value an injected crash panics with, unless Faults was given its own crash.
var ErrCrash = errors.New("porttest: injected crash")

// Faults injects failures into the two writes a submission makes, the record store's Create
// and the publisher's Publish, in whichever order the service makes them, and remembers every
// id it was asked to store. Give the service Records(store) and Publisher(pub) instead of the
// real ports. It is safe for concurrent use; the faults it injects are not tied to one
// request, so arm them while one submission runs at a time.
type Faults struct {
	crash func()

	mu         sync.Mutex
	failPub    error
	crashArmed bool
	crashAfter int // writes still to let through before the crash, while crashArmed
	ids        []string
}

// NewFaults returns an injector with no fault armed. crash is what an injected crash does;
// nil means panic(ErrCrash), which Survive recovers. A crash must not return: whatever it
// does, the write it interrupts is not made and the code after it does not run.
func NewFaults(crash func()) *Faults {
	if crash == nil {
		crash = func() { panic(ErrCrash) }
	}
	return &Faults{crash: crash}
}

// FailPublish makes every Publish fail with err, sending nothing, until FailPublish(nil).
func (f *Faults) FailPublish(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failPub = err
}

// CrashBetweenWrites arms one crash: the next write (Create or Publish, whichever the service
// makes first) goes through, and the write after it crashes before it is made, as a process
// killed between the two writes of a submission.
func (f *Faults) CrashBetweenWrites() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.crashArmed, f.crashAfter = true, 1
}

// Records returns rs with Create subject to the faults.
func (f *Faults) Records(rs inquiry.RecordStore) inquiry.RecordStore { return faultyRecords{f, rs} }

// Publisher returns p with Publish subject to the faults.
func (f *Faults) Publisher(p inquiry.Publisher) inquiry.Publisher { return faultyPublisher{f, p} }

// IDs returns every id Create was called with, stored or not, in call order.
func (f *Faults) IDs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.ids...)
}

// beforeWrite counts a write and crashes when the armed crash is due.
func (f *Faults) beforeWrite() {
	f.mu.Lock()
	due := f.crashArmed && f.crashAfter == 0
	if f.crashArmed {
		if due {
			f.crashArmed = false
		} else {
			f.crashAfter--
		}
	}
	f.mu.Unlock()
	if due {
		f.crash()
		panic("porttest: Faults crash returned") // a crash that returns would let the write happen
	}
}

type faultyRecords struct {
	f       *Faults
	records inquiry.RecordStore
}

func (r faultyRecords) Create(ctx context.Context, in inquiry.Inquiry, idem *inquiry.Idempotency) error {
	r.f.mu.Lock()
	r.f.ids = append(r.f.ids, in.ID)
	r.f.mu.Unlock()
	r.f.beforeWrite()
	return r.records.Create(ctx, in, idem)
}

func (r faultyRecords) Get(ctx context.Context, id string) (inquiry.Inquiry, error) {
	return r.records.Get(ctx, id)
}

func (r faultyRecords) GetIdempotency(ctx context.Context, key string) (inquiry.Idempotency, error) {
	return r.records.GetIdempotency(ctx, key)
}

func (r faultyRecords) MarkProcessed(ctx context.Context, id string, at time.Time, key string) (bool, error) {
	return r.records.MarkProcessed(ctx, id, at, key)
}

type faultyPublisher struct {
	f   *Faults
	pub inquiry.Publisher
}

func (p faultyPublisher) Publish(ctx context.Context, e inquiry.Event) error {
	p.f.mu.Lock()
	err := p.f.failPub
	p.f.mu.Unlock()
	if err != nil {
		return err
	}
	p.f.beforeWrite()
	return p.pub.Publish(ctx, e)
}

// Survive runs fn and reports whether it stopped at a crash injected with the default crash
// (a panic with ErrCrash), which it recovers; any other panic goes on.
func Survive(fn func()) (crashed bool) {
	defer func() {
		if p := recover(); p != nil {
			if p != ErrCrash { //nolint:errorlint // the panic value itself, never wrapped
				panic(p)
			}
			crashed = true
		}
	}()
	fn()
	return false
}

// Stuck returns the ids, among ids, of the records that are stored with status received
// while no event for them is pending (pending reports whether an event for an id is in the
// queue or its dead-letter queue). Those are the inquiries nothing will ever process: the
// defect the service's order of writes must rule out. An id with no record is not stuck.
func Stuck(ctx context.Context, records inquiry.RecordStore, ids []string, pending func(id string) bool) ([]string, error) {
	var stuck []string
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		rec, err := records.Get(ctx, id)
		if errors.Is(err, inquiry.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if rec.Status == inquiry.StatusReceived && !pending(id) {
			stuck = append(stuck, id)
		}
	}
	return stuck, nil
}
