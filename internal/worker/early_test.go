package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/inquiry/memory"
)

// fakeClock is the worker's clock; the fake sleep advances it, nothing reads the wall clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// world is a worker over the real service with memory ports, a fake clock and a fake sleep.
type world struct {
	clock   *fakeClock
	store   *memory.Store
	svc     *inquiry.Service
	h       *Handler
	logs    bytes.Buffer
	slept   []time.Duration
	onSleep func(n int) // called after the clock has advanced for the nth sleep (1-based)
	refuse  bool        // the sleep refuses to wait, as Sleep does near a deadline
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{clock: &fakeClock{t: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}, store: memory.NewStore()}
	w.store.Now = w.clock.Now
	w.svc = inquiry.NewService(w.store, memory.NewArchive(), &memory.Publisher{}, inquiry.WithClock(w.clock.Now),
		inquiry.WithLogger(slog.New(slog.DiscardHandler)))
	w.h = New(w.svc, slog.New(slog.NewJSONHandler(&w.logs, nil)), WithSleep(func(_ context.Context, d time.Duration) error {
		if w.refuse {
			return ErrNoTimeToWait
		}
		w.slept = append(w.slept, d)
		w.clock.Advance(d)
		if w.onSleep != nil {
			w.onSleep(len(w.slept))
		}
		return nil
	}))
	return w
}

// event returns a message carrying an inquiry.received event for id, stamped age ago.
func (w *world) event(t *testing.T, msgID, id string, age time.Duration) events.SQSMessage {
	t.Helper()
	body, err := json.Marshal(inquiry.Event{Type: inquiry.EventTypeReceived, InquiryID: id, OccurredAt: w.clock.Now().Add(-age)})
	require.NoError(t, err)
	return events.SQSMessage{MessageId: msgID, Body: string(body), Attributes: map[string]string{"ApproximateReceiveCount": "1"}}
}

// store writes the record of id, as the API does after queueing its event.
func (w *world) write(t *testing.T, id string) {
	t.Helper()
	require.NoError(t, w.store.Create(context.Background(), inquiry.Inquiry{
		ID: id, Name: "Ada", Email: "ada@example.com", Message: "hello", Status: inquiry.StatusReceived, ReceivedAt: w.clock.Now(),
	}, nil))
}

func (w *world) status(t *testing.T, id string) inquiry.Status {
	t.Helper()
	rec, err := w.store.Get(context.Background(), id)
	if errors.Is(err, inquiry.ErrNotFound) {
		return ""
	}
	require.NoError(t, err)
	return rec.Status
}

func failedIDs(resp events.SQSEventResponse) []string {
	ids := []string{}
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

func sum(ds []time.Duration) (s time.Duration) {
	for _, d := range ds {
		s += d
	}
	return s
}

func TestHandleWaitsBrieflyForARecordStillBeingWritten(t *testing.T) {
	cases := []struct {
		name       string
		landsAt    int // the sleep during which the API's write lands; 0 means never
		wantFailed []string
		wantSlept  []time.Duration
		wantStatus inquiry.Status
	}{
		{"the write lands during the second wait", 2, []string{}, recheckDelays[:2], inquiry.StatusProcessed},
		{"the write lands during the last wait", len(recheckDelays), []string{}, recheckDelays, inquiry.StatusProcessed},
		{"the write has not landed after every wait", 0, []string{"m1"}, recheckDelays, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given an event that reaches the worker before its record is written
			w := newWorld(t)
			id := inquiry.NewID(w.clock.Now())
			w.onSleep = func(n int) {
				if n == tc.landsAt {
					w.write(t, id)
				}
			}

			// When its batch is handled
			resp, err := w.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{w.event(t, "m1", id, 0)}})

			// Then the worker reads again after short waits, within the bound, and processes
			// the record once it is there, or fails the message for the queue to retry it
			require.NoError(t, err)
			assert.Equal(t, tc.wantFailed, failedIDs(resp))
			assert.Equal(t, tc.wantSlept, w.slept, "the waits are the bounded backoff, stopping once the record is found")
			assert.Less(t, sum(w.slept), inquiry.OrphanGrace, "the whole wait stays far inside the grace period")
			assert.Equal(t, tc.wantStatus, w.status(t, id))
			if tc.landsAt == 0 {
				assert.Contains(t, w.logs.String(), "not stored yet", "the retry is logged")
				assert.NotContains(t, w.logs.String(), "orphan", "a young event is not dropped")
			}
		})
	}
}

func TestHandleDropsOrphanEventsWithAWarning(t *testing.T) {
	cases := []struct {
		name       string
		age        time.Duration
		wantFailed []string
		wantSlept  int
		wantLog    string
	}{
		{"older than the grace period", inquiry.OrphanGrace + time.Second, []string{}, 0, "orphan event dropped"},
		{"exactly the grace period old", inquiry.OrphanGrace, []string{}, 0, "orphan event dropped"},
		{"turning orphan during the waits", inquiry.OrphanGrace - recheckDelays[0], []string{}, 1, "orphan event dropped"},
		{"young, with no record yet", inquiry.OrphanGrace - sum(recheckDelays) - time.Millisecond, []string{"m1"}, len(recheckDelays), "not stored yet"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given an event whose record was never written (the API died after queueing it)
			w := newWorld(t)
			id := inquiry.NewID(w.clock.Now())

			// When its batch is handled
			resp, err := w.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{w.event(t, "m1", id, tc.age)}})

			// Then an event at least OrphanGrace old is acknowledged, with a warning naming
			// the inquiry, rather than retried into the dead-letter queue
			require.NoError(t, err)
			assert.Equal(t, tc.wantFailed, failedIDs(resp))
			assert.Len(t, w.slept, tc.wantSlept)
			assert.Contains(t, w.logs.String(), tc.wantLog)
			assert.Contains(t, w.logs.String(), `"inquiryId":"`+id+`"`)
			assert.Contains(t, w.logs.String(), `"level":"WARN"`)
			assert.Empty(t, w.status(t, id), "nothing is created for an orphan")
		})
	}
}

func TestHandleWaitsOnceForAllTheEarlyEventsOfABatch(t *testing.T) {
	// Given a batch of: an event processed at once, two events whose records land during the
	// first wait, an orphan, a malformed body, and an event without occurredAt whose record
	// is missing (its age unknown: retried, then dead-lettered)
	w := newWorld(t)
	now := w.clock.Now()
	done, early1, early2, orphan := inquiry.NewID(now), inquiry.NewID(now), inquiry.NewID(now), inquiry.NewID(now)
	w.write(t, done)
	w.onSleep = func(int) { w.write(t, early1); w.write(t, early2) }
	undated := events.SQSMessage{MessageId: "m6", Body: `{"type":"inquiry.received","inquiryId":"` + inquiry.NewID(now) + `"}`}
	batch := events.SQSEvent{Records: []events.SQSMessage{
		w.event(t, "m1", done, 0),
		w.event(t, "m2", early1, 0),
		w.event(t, "m3", orphan, 2*inquiry.OrphanGrace),
		w.event(t, "m4", early2, 0),
		{MessageId: "m5", Body: "not json"},
		undated,
	}}

	// When it is handled
	resp, err := w.h.Handle(context.Background(), batch)

	// Then the early events share one wait, the orphan is dropped, and only the malformed and
	// the undated messages fail
	require.NoError(t, err)
	assert.Equal(t, []string{"m5", "m6"}, failedIDs(resp))
	assert.Equal(t, recheckDelays[:1], w.slept, "one wait serves every early event of the batch")
	for _, id := range []string{done, early1, early2} {
		assert.Equal(t, inquiry.StatusProcessed, w.status(t, id), "inquiry %s is processed", id)
	}
}

func TestHandleStopsWaitingWhenTheSleepRefuses(t *testing.T) {
	// Given an early event and a deadline too close to wait (Sleep refuses)
	w := newWorld(t)
	w.refuse = true
	id := inquiry.NewID(w.clock.Now())

	// When its batch is handled
	resp, err := w.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{w.event(t, "m1", id, 0)}})

	// Then the message fails at once, for the queue to retry it
	require.NoError(t, err)
	assert.Equal(t, []string{"m1"}, failedIDs(resp))
	assert.Empty(t, w.slept)
}

func TestSleepRefusesWaitsItCannotFinish(t *testing.T) {
	t.Run("a deadline closer than twice the wait", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		defer cancel()
		assert.ErrorIs(t, Sleep(ctx, time.Hour), ErrNoTimeToWait, "a wait past the deadline is not started")
	})
	t.Run("a context already done", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		assert.ErrorIs(t, Sleep(ctx, time.Hour), context.Canceled)
	})
	t.Run("no deadline, no wait", func(t *testing.T) {
		assert.NoError(t, Sleep(context.Background(), 0))
	})
}
