package inquiry_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/inquiry/memory"
)

// clock is a settable test clock shared by the service and the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

type fixture struct {
	svc     *inquiry.Service
	store   *memory.Store
	archive *memory.Archive
	pub     *memory.Publisher
	clock   *clock
}

func newFixture(t *testing.T, opts ...inquiry.Option) *fixture {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 26, 23, 59, 59, 999_999_999, time.UTC)}
	f := &fixture{store: memory.NewStore(), archive: memory.NewArchive(), pub: &memory.Publisher{}, clock: c}
	f.store.Now = c.Now
	opts = append([]inquiry.Option{inquiry.WithClock(c.Now), inquiry.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}, opts...)
	f.svc = inquiry.NewService(f.store, f.archive, f.pub, opts...)
	return f
}

var ada = inquiry.Submission{Name: "Ada Lovelace", Email: "ada@example.com", Company: "Analytical Engines", Message: "Hello"}

func TestSubmit_StoresRecordAndPublishesEvent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	r, err := f.svc.Submit(ctx, ada, "")
	require.NoError(t, err)

	assert.True(t, inquiry.ValidID(r.ID))
	assert.Equal(t, inquiry.StatusReceived, r.Status)
	assert.False(t, r.Replayed)
	rec, err := f.svc.Get(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, inquiry.Inquiry{
		ID: r.ID, Name: ada.Name, Email: ada.Email, Company: ada.Company, Message: ada.Message,
		Status:     inquiry.StatusReceived,
		ReceivedAt: time.Date(2026, 11, 26, 23, 59, 59, 999_000_000, time.UTC), // millisecond precision
	}, rec)
	assert.Equal(t, []inquiry.Event{{Type: inquiry.EventTypeReceived, InquiryID: r.ID, OccurredAt: rec.ReceivedAt}}, f.pub.Events())
}

func TestSubmit_RejectsInvalidSubmissionAndKey(t *testing.T) {
	f := newFixture(t)
	bad := ada
	bad.Email = "nope"
	_, err := f.svc.Submit(context.Background(), bad, "key with spaces")
	var v *inquiry.ValidationError
	require.ErrorAs(t, err, &v)
	assert.Equal(t, []inquiry.FieldError{
		{Field: "email", Message: "must be a valid email address such as name@example.com"},
		{Field: "Idempotency-Key", Message: "must be 1 to 255 visible ASCII characters"},
	}, v.Fields)
	assert.Zero(t, f.store.Len(), "nothing is stored for an invalid submission")
	assert.Empty(t, f.pub.Events(), "nothing is published for an invalid submission")
}

func TestSubmit_Idempotency(t *testing.T) {
	ctx := context.Background()

	t.Run("same key and body return the first answer and create nothing", func(t *testing.T) {
		f := newFixture(t)
		first, err := f.svc.Submit(ctx, ada, "k-1")
		require.NoError(t, err)
		f.clock.Advance(23 * time.Hour)

		// Same body modulo surrounding spaces, which normalization removes.
		again := ada
		again.Name = "  " + ada.Name
		second, err := f.svc.Submit(ctx, again, "k-1")
		require.NoError(t, err)

		assert.Equal(t, first.ID, second.ID, "the replay answers with the first id")
		assert.Equal(t, inquiry.StatusReceived, second.Status)
		assert.True(t, second.Replayed)
		assert.Equal(t, 1, f.store.Len(), "one record only")
	})

	t.Run("a quoted structured-field key is the same key", func(t *testing.T) {
		f := newFixture(t)
		first, err := f.svc.Submit(ctx, ada, "abc")
		require.NoError(t, err)
		second, err := f.svc.Submit(ctx, ada, `"abc"`)
		require.NoError(t, err)
		assert.Equal(t, first.ID, second.ID)
		assert.Equal(t, 1, f.store.Len())
	})

	t.Run("same key with a different body is refused", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.svc.Submit(ctx, ada, "k-1")
		require.NoError(t, err)
		other := ada
		other.Message = "Something else"
		_, err = f.svc.Submit(ctx, other, "k-1")
		assert.ErrorIs(t, err, inquiry.ErrIdempotencyMismatch)
		assert.Equal(t, 1, f.store.Len(), "nothing new is stored")
	})

	t.Run("an expired key creates a new inquiry", func(t *testing.T) {
		f := newFixture(t)
		first, err := f.svc.Submit(ctx, ada, "k-1")
		require.NoError(t, err)
		f.clock.Advance(24 * time.Hour)
		second, err := f.svc.Submit(ctx, ada, "k-1")
		require.NoError(t, err)
		assert.NotEqual(t, first.ID, second.ID, "a key older than 24 h is forgotten")
		assert.False(t, second.Replayed)
		assert.Equal(t, 2, f.store.Len())
	})

	t.Run("replay of a record still received republishes its event", func(t *testing.T) {
		// Given an accepted inquiry whose event may since have been dead-lettered
		f := newFixture(t)
		first, err := f.svc.Submit(ctx, ada, "k-1")
		require.NoError(t, err)
		f.clock.Advance(time.Minute)

		// When the client repeats the request
		r, err := f.svc.Submit(ctx, ada, "k-1")

		// Then the answer is replayed and the record's event is queued again
		require.NoError(t, err)
		assert.True(t, r.Replayed)
		assert.Equal(t, first.ID, r.ID)
		events := f.pub.Events()
		require.Len(t, events, 2)
		assert.Equal(t, inquiry.Event{Type: inquiry.EventTypeReceived, InquiryID: r.ID, OccurredAt: f.clock.Now()}, events[1],
			"the replay publishes a fresh event for the record still received")
	})

	t.Run("replay whose republish fails reports it and changes nothing", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.svc.Submit(ctx, ada, "k-1")
		require.NoError(t, err)
		failing := errors.New("queue down")
		f.pub.Fail = func(inquiry.Event) error { return failing }
		_, err = f.svc.Submit(ctx, ada, "k-1")
		require.ErrorIs(t, err, failing, "a failed publish is reported")
		assert.Equal(t, 1, f.store.Len(), "the replay stores nothing")
	})

	t.Run("replay of a processed record publishes nothing", func(t *testing.T) {
		f := newFixture(t)
		r, err := f.svc.Submit(ctx, ada, "k-1")
		require.NoError(t, err)
		require.NoError(t, f.svc.Process(ctx, f.pub.Events()[0]))
		_, err = f.svc.Submit(ctx, ada, "k-1")
		require.NoError(t, err)
		assert.Len(t, f.pub.Events(), 1, "no event for an inquiry already processed")
		assert.Equal(t, r.ID, f.pub.Events()[0].InquiryID)
	})

	t.Run("concurrent requests with one key create one record", func(t *testing.T) {
		f := newFixture(t)
		const n = 16
		ids := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				r, err := f.svc.Submit(ctx, ada, "race")
				ids[i], errs[i] = r.ID, err
			})
		}
		wg.Wait()
		for i := range n {
			require.NoError(t, errs[i])
			assert.Equal(t, ids[0], ids[i], "every request gets the winner's id")
		}
		assert.Equal(t, 1, f.store.Len())
	})
}

func TestSubmit_RetriesATakenID(t *testing.T) {
	// Given an id generator that repeats its first id once
	taken := inquiry.NewID(time.Now())
	calls := 0
	f := newFixture(t, inquiry.WithIDs(func(t time.Time) string {
		calls++
		if calls <= 2 {
			return taken
		}
		return inquiry.NewID(t)
	}))
	first, err := f.svc.Submit(context.Background(), ada, "")
	require.NoError(t, err)
	second, err := f.svc.Submit(context.Background(), ada, "")
	require.NoError(t, err)
	assert.Equal(t, taken, first.ID)
	assert.NotEqual(t, taken, second.ID, "a collision is retried with a new id, never overwrites")
	assert.Equal(t, 2, f.store.Len())
}

func TestGet_UnknownAndMalformedIDs(t *testing.T) {
	f := newFixture(t)
	for _, id := range []string{inquiry.NewID(time.Now()), "", "nope", "../x"} {
		_, err := f.svc.Get(context.Background(), id)
		assert.ErrorIs(t, err, inquiry.ErrNotFound, "id %q", id)
	}
}

func TestProcess_ArchivesAndMarksProcessed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r, err := f.svc.Submit(ctx, ada, "")
	require.NoError(t, err)
	ev := f.pub.Events()[0]
	f.clock.Advance(2 * time.Second) // processed the next day (UTC); archived under the day received

	require.NoError(t, f.svc.Process(ctx, ev))

	wantKey := "inquiries/2026/11/26/" + r.ID + ".json"
	keys, err := f.archive.List(ctx, "inquiries/")
	require.NoError(t, err)
	assert.Equal(t, []string{wantKey}, keys)

	rec, err := f.svc.Get(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, inquiry.StatusProcessed, rec.Status)
	assert.Equal(t, wantKey, rec.ArchiveKey)
	require.NotNil(t, rec.ProcessedAt)
	assert.Equal(t, f.clock.Now(), *rec.ProcessedAt)

	body, err := f.archive.Get(ctx, wantKey)
	require.NoError(t, err)
	var archived inquiry.Inquiry
	require.NoError(t, json.Unmarshal(body, &archived))
	assert.Equal(t, r.ID, archived.ID)
	assert.Equal(t, ada.Message, archived.Message)
	assert.Equal(t, wantKey, archived.ArchiveKey)
}

func TestProcess_RedeliveryChangesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r, err := f.svc.Submit(ctx, ada, "")
	require.NoError(t, err)
	ev := f.pub.Events()[0]
	require.NoError(t, f.svc.Process(ctx, ev))
	before, err := f.svc.Get(ctx, r.ID)
	require.NoError(t, err)
	puts := f.archive.Puts()

	f.clock.Advance(time.Hour)
	require.NoError(t, f.svc.Process(ctx, ev), "a redelivery is not an error")

	after, err := f.svc.Get(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, before, after, "the record is unchanged")
	assert.Equal(t, puts, f.archive.Puts(), "nothing is written again")
}

func TestProcess_ConcurrentDeliveriesWriteOneObject(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r, err := f.svc.Submit(ctx, ada, "")
	require.NoError(t, err)
	ev := f.pub.Events()[0]

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { assert.NoError(t, f.svc.Process(ctx, ev)) })
	}
	wg.Wait()

	keys, err := f.archive.List(ctx, "")
	require.NoError(t, err)
	assert.Len(t, keys, 1, "one archive object")
	rec, err := f.svc.Get(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, inquiry.StatusProcessed, rec.Status)
}

func TestProcess_Errors(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)

	err := f.svc.Process(ctx, inquiry.Event{Type: "inquiry.deleted", InquiryID: inquiry.NewID(time.Now())})
	assert.ErrorContains(t, err, "unknown type")

	err = f.svc.Process(ctx, inquiry.Event{Type: inquiry.EventTypeReceived, InquiryID: inquiry.NewID(time.Now())})
	assert.ErrorIs(t, err, inquiry.ErrNotFound, "a missing record is an error, so the message is retried")

	noArchive := inquiry.NewService(f.store, nil, f.pub)
	err = noArchive.Process(ctx, inquiry.Event{Type: inquiry.EventTypeReceived, InquiryID: "x"})
	assert.ErrorIs(t, err, inquiry.ErrNoArchive)
}
