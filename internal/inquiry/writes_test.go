package inquiry_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/inquiry/memory"
	"github.com/groundwork-dev/groundwork/internal/inquiry/porttest"
)

// discard is a logger that drops everything.
var discard = slog.New(slog.DiscardHandler)

// faultyFixture is a fixture whose service writes through porttest.Faults.
type faultyFixture struct {
	*fixture
	faults *porttest.Faults
}

func newFaultyFixture(t *testing.T) *faultyFixture {
	f := newFixture(t)
	faults := porttest.NewFaults(nil)
	f.svc = inquiry.NewService(faults.Records(f.store), f.archive, faults.Publisher(f.pub),
		inquiry.WithClock(f.clock.Now), inquiry.WithLogger(discard))
	return &faultyFixture{fixture: f, faults: faults}
}

// stuck returns the records Create was asked for that are received with no event published.
func (f *faultyFixture) stuck(t *testing.T) []string {
	t.Helper()
	events := map[string]bool{}
	for _, e := range f.pub.Events() {
		events[e.InquiryID] = true
	}
	ids, err := porttest.Stuck(context.Background(), f.store, f.faults.IDs(), func(id string) bool { return events[id] })
	require.NoError(t, err)
	return ids
}

func TestSubmit_AFailedPublishStoresNothing(t *testing.T) {
	for _, key := range []string{"", "k-1"} {
		t.Run("key "+key, func(t *testing.T) {
			// Given a queue that refuses every event
			f := newFaultyFixture(t)
			down := errors.New("queue down")
			f.faults.FailPublish(down)

			// When an inquiry is submitted
			_, err := f.svc.Submit(context.Background(), ada, key)

			// Then the client gets the error, and no record exists that no event will process
			require.ErrorIs(t, err, down, "the publish failure is reported")
			assert.Empty(t, f.stuck(t), "no record is left received without its event")
			assert.Zero(t, f.store.Len(), "nothing is stored when the event could not be queued")

			// And when the client retries once the queue is back, one inquiry is accepted
			f.faults.FailPublish(nil)
			r, err := f.svc.Submit(context.Background(), ada, key)
			require.NoError(t, err)
			assert.Equal(t, 1, f.store.Len(), "the retry stores one record")
			assert.Equal(t, []inquiry.Event{{Type: inquiry.EventTypeReceived, InquiryID: r.ID, OccurredAt: f.clock.Now().Truncate(time.Millisecond)}},
				f.pub.Events(), "the retry's record has its event")
		})
	}
}

func TestSubmit_ACrashBetweenTheWritesLeavesNoStuckRecord(t *testing.T) {
	for _, key := range []string{"", "k-1"} {
		t.Run("key "+key, func(t *testing.T) {
			// Given a service that dies between the two writes of the next submission
			f := newFaultyFixture(t)
			f.faults.CrashBetweenWrites()

			// When an inquiry is submitted
			crashed := porttest.Survive(func() { _, _ = f.svc.Submit(context.Background(), ada, key) })

			// Then no record is received without an event; what is left is at most an
			// event without a record, which the worker drops once it is old enough
			require.True(t, crashed, "the crash was injected")
			assert.Empty(t, f.stuck(t), "no record is left received without its event")
			assert.Zero(t, f.store.Len(), "the event is queued first, so the crash cut off the record")
			events := f.pub.Events()
			require.Len(t, events, 1, "the event was queued before the crash")
			err := f.svc.Process(context.Background(), events[0])
			assert.ErrorIs(t, err, inquiry.ErrNotYetStored, "a young event without a record is retried")
			f.clock.Advance(inquiry.OrphanGrace)
			err = f.svc.Process(context.Background(), events[0])
			assert.ErrorIs(t, err, inquiry.ErrOrphanEvent, "past the grace period it is an orphan")

			// And a retry with the same key is a new submission, processed as usual
			r, err := f.svc.Submit(context.Background(), ada, key)
			require.NoError(t, err)
			assert.False(t, r.Replayed, "nothing of the crashed request was stored, so nothing is replayed")
			require.NoError(t, f.svc.Process(context.Background(), f.pub.Events()[1]))
			rec, err := f.svc.Get(context.Background(), r.ID)
			require.NoError(t, err)
			assert.Equal(t, inquiry.StatusProcessed, rec.Status)
		})
	}
}

// slowStore advances the clock while Create runs and records the context's deadline.
type slowStore struct {
	inquiry.RecordStore
	clock    *clock
	take     time.Duration
	deadline time.Time
	hasDL    bool
	creates  int
}

func (s *slowStore) Create(ctx context.Context, in inquiry.Inquiry, idem *inquiry.Idempotency) error {
	s.creates++
	s.deadline, s.hasDL = ctx.Deadline()
	s.clock.Advance(s.take)
	return s.RecordStore.Create(ctx, in, idem)
}

// slowPublisher advances the clock while Publish runs.
type slowPublisher struct {
	inquiry.Publisher
	clock *clock
	take  time.Duration
}

func (p *slowPublisher) Publish(ctx context.Context, e inquiry.Event) error {
	p.clock.Advance(p.take)
	return p.Publisher.Publish(ctx, e)
}

func TestSubmit_StoresTheRecordWithinTheWindowAfterItsEvent(t *testing.T) {
	ctx := context.Background()

	t.Run("the write gets a deadline no later than the window's end", func(t *testing.T) {
		f := newFixture(t)
		store := &slowStore{RecordStore: f.store, clock: f.clock}
		svc := inquiry.NewService(store, f.archive, f.pub, inquiry.WithClock(f.clock.Now), inquiry.WithLogger(discard))
		_, err := svc.Submit(ctx, ada, "")
		require.NoError(t, err)
		require.True(t, store.hasDL, "Create runs under a deadline, so a write cannot land long after its event")
		assert.LessOrEqual(t, time.Until(store.deadline), inquiry.StoreWindow, "the deadline is within StoreWindow")
	})

	t.Run("a publish that outlasts the window stores nothing", func(t *testing.T) {
		// Given a publish that takes the whole window (a stalled queue, a suspended process)
		f := newFixture(t)
		store := &slowStore{RecordStore: f.store, clock: f.clock}
		pub := &slowPublisher{Publisher: f.pub, clock: f.clock, take: inquiry.StoreWindow}
		svc := inquiry.NewService(store, f.archive, pub, inquiry.WithClock(f.clock.Now), inquiry.WithLogger(discard))
		// When an inquiry is submitted
		_, err := svc.Submit(ctx, ada, "k-1")
		// Then it fails without storing: the worker may already judge the event an orphan soon
		require.ErrorIs(t, err, inquiry.ErrStoreWindowClosed)
		assert.Zero(t, store.creates, "no write is started after the window")
		assert.Zero(t, f.store.Len())
	})

	t.Run("a write that outlasts the window publishes the event again", func(t *testing.T) {
		// Given a record write that returns only after the orphan grace period
		f := newFixture(t)
		store := &slowStore{RecordStore: f.store, clock: f.clock, take: inquiry.OrphanGrace}
		svc := inquiry.NewService(store, f.archive, f.pub, inquiry.WithClock(f.clock.Now), inquiry.WithLogger(discard))
		// When an inquiry is submitted
		r, err := svc.Submit(ctx, ada, "")
		// Then the record is accepted and a second, young event for it is queued, since the
		// worker may have dropped the first one as an orphan meanwhile
		require.NoError(t, err)
		events := f.pub.Events()
		require.Len(t, events, 2)
		assert.Equal(t, r.ID, events[1].InquiryID)
		assert.Equal(t, f.clock.Now(), events[1].OccurredAt, "the second event is stamped when it is sent")
		require.NoError(t, svc.Process(ctx, events[1]), "the second event processes the record")
	})
}

func TestSubmit_ConcurrentRequestsWithOneKeyLeaveOnlyOrphanEvents(t *testing.T) {
	// Given one idempotency key sent by 16 concurrent requests
	f := newFixture(t)
	ctx := context.Background()
	const n = 16
	var wg sync.WaitGroup
	ids := make([]string, n)
	for i := range n {
		wg.Go(func() {
			r, err := f.svc.Submit(ctx, ada, "race")
			assert.NoError(t, err)
			ids[i] = r.ID
		})
	}
	wg.Wait()

	// Then one record exists, and every event is either its event or an orphan the worker
	// drops once the grace period is over
	require.Equal(t, 1, f.store.Len())
	f.clock.Advance(inquiry.OrphanGrace)
	processed := 0
	for _, e := range f.pub.Events() {
		err := f.svc.Process(ctx, e)
		switch {
		case e.InquiryID == ids[0]:
			require.NoError(t, err, "the winner's event processes its record")
			processed++
		default:
			require.ErrorIs(t, err, inquiry.ErrOrphanEvent, "a loser's event is an orphan")
		}
	}
	assert.GreaterOrEqual(t, processed, 1, "the record's event was queued")
	rec, err := f.svc.Get(ctx, ids[0])
	require.NoError(t, err)
	assert.Equal(t, inquiry.StatusProcessed, rec.Status)
}

func TestProcess_AMissingRecordByTheEventsAge(t *testing.T) {
	received := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name       string
		occurredAt time.Time
		want       error // besides ErrNotFound, which every case wraps
		notWant    []error
	}{
		{"just published: the write is in flight", received, inquiry.ErrNotYetStored, []error{inquiry.ErrOrphanEvent}},
		{"stamped ahead of the worker's clock (skew)", received.Add(5 * time.Second), inquiry.ErrNotYetStored, []error{inquiry.ErrOrphanEvent}},
		{"just inside the grace period", received.Add(-inquiry.OrphanGrace + time.Millisecond), inquiry.ErrNotYetStored, []error{inquiry.ErrOrphanEvent}},
		{"at the end of the grace period", received.Add(-inquiry.OrphanGrace), inquiry.ErrOrphanEvent, []error{inquiry.ErrNotYetStored}},
		{"a day old", received.Add(-24 * time.Hour), inquiry.ErrOrphanEvent, []error{inquiry.ErrNotYetStored}},
		{"no occurredAt: age unknown, retried then dead-lettered", time.Time{}, inquiry.ErrNotFound, []error{inquiry.ErrNotYetStored, inquiry.ErrOrphanEvent}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a worker whose clock reads `received`, and no record for the event
			svc := inquiry.NewService(memory.NewStore(), memory.NewArchive(), &memory.Publisher{},
				inquiry.WithClock(func() time.Time { return received }), inquiry.WithLogger(discard))
			e := inquiry.Event{Type: inquiry.EventTypeReceived, InquiryID: inquiry.NewID(received), OccurredAt: tc.occurredAt}
			// When the event is processed
			err := svc.Process(context.Background(), e)
			// Then the error says whether to wait for the record or drop the event
			require.ErrorIs(t, err, inquiry.ErrNotFound)
			require.ErrorIs(t, err, tc.want)
			for _, nw := range tc.notWant {
				require.NotErrorIs(t, err, nw)
			}
		})
	}
}
