package porttest

import (
	"crypto/rand"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

// concurrentMarkers is how many goroutines race to mark one record processed.
const concurrentMarkers = 8

// RecordStore runs the inquiry.RecordStore contract against the stores newStore returns.
// newStore is called once per subtest and should register its own cleanup with t.
//
// Expiry of idempotency keys is judged by the store against the wall clock; the suite uses
// keys that expired an hour ago or expire in a day, so clock granularity never matters.
func RecordStore(t *testing.T, newStore func(t *testing.T) inquiry.RecordStore) {
	t.Helper()

	t.Run("Get returns what Create stored, times equal and in UTC", func(t *testing.T) {
		cases := []struct {
			name string
			in   inquiry.Inquiry
		}{
			{"every field set", newInquiry()},
			{"optional company empty", func() inquiry.Inquiry { in := newInquiry(); in.Company = ""; return in }()},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				// Given a store
				s, ctx := newStore(t), t.Context()
				// When a record is created
				mustCreate(t, s, tc.in, nil)
				// Then Get returns the same record
				got, err := s.Get(ctx, tc.in.ID)
				if err != nil {
					t.Fatalf("Get after Create: %v", err)
				}
				assertInquiry(t, "record read back after Create", tc.in, got)
				if got.ReceivedAt.Location() != time.UTC {
					t.Errorf("ReceivedAt location = %v, want UTC", got.ReceivedAt.Location())
				}
			})
		}
	})

	t.Run("Get of an unknown id returns ErrNotFound", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		_, err := s.Get(ctx, randomID())
		if !errors.Is(err, inquiry.ErrNotFound) {
			t.Fatalf("Get(unknown) error = %v, want ErrNotFound", err)
		}
	})

	t.Run("Create of a taken id returns ErrExists and keeps the stored record", func(t *testing.T) {
		// Given a stored record
		s, ctx := newStore(t), t.Context()
		first := newInquiry()
		mustCreate(t, s, first, nil)
		// When another record with the same id is created
		second := newInquiry()
		second.ID, second.Name, second.Message = first.ID, "Someone Else", "a different message"
		err := s.Create(ctx, second, nil)
		// Then it is refused and the first record is unchanged
		if !errors.Is(err, inquiry.ErrExists) {
			t.Fatalf("Create(taken id) error = %v, want ErrExists", err)
		}
		got, err := s.Get(ctx, first.ID)
		if err != nil {
			t.Fatalf("Get after refused Create: %v", err)
		}
		assertInquiry(t, "stored record after refused Create", first, got)
	})

	t.Run("Create of a taken id stores nothing for its idempotency key", func(t *testing.T) {
		// Given a stored record
		s, ctx := newStore(t), t.Context()
		first := newInquiry()
		mustCreate(t, s, first, nil)
		// When a record with the same id is created together with a new idempotency key
		second := newInquiry()
		second.ID = first.ID
		idem := newIdempotency(second.ID, time.Now().UTC().Add(24*time.Hour))
		err := s.Create(ctx, second, &idem)
		// Then it is refused and the key was not stored either (one atomic write)
		if !errors.Is(err, inquiry.ErrExists) {
			t.Fatalf("Create(taken id, new key) error = %v, want ErrExists", err)
		}
		if _, err := s.GetIdempotency(ctx, idem.Key); !errors.Is(err, inquiry.ErrNotFound) {
			t.Fatalf("GetIdempotency after refused Create: error = %v, want ErrNotFound (key must not be stored)", err)
		}
	})

	t.Run("Create with an idempotency key stores the record and the key together", func(t *testing.T) {
		// Given a store
		s, ctx := newStore(t), t.Context()
		in := newInquiry()
		idem := newIdempotency(in.ID, time.Now().UTC().Add(24*time.Hour))
		// When a record is created with an idempotency key
		mustCreate(t, s, in, &idem)
		// Then both read back
		got, err := s.Get(ctx, in.ID)
		if err != nil {
			t.Fatalf("Get after Create with key: %v", err)
		}
		assertInquiry(t, "record created with a key", in, got)
		gotIdem, err := s.GetIdempotency(ctx, idem.Key)
		if err != nil {
			t.Fatalf("GetIdempotency after Create with key: %v", err)
		}
		assertIdempotency(t, "key created with the record", idem, gotIdem)
	})

	t.Run("Create with an unexpired idempotency key returns ErrExists and creates no record", func(t *testing.T) {
		// Given a record created with a key that expires tomorrow
		s, ctx := newStore(t), t.Context()
		first := newInquiry()
		idem := newIdempotency(first.ID, time.Now().UTC().Add(24*time.Hour))
		mustCreate(t, s, first, &idem)
		// When another record is created with the same key
		second := newInquiry()
		idem2 := newIdempotency(second.ID, time.Now().UTC().Add(24*time.Hour))
		idem2.Key = idem.Key
		err := s.Create(ctx, second, &idem2)
		// Then it is refused, the second record does not exist and the key still names the first
		if !errors.Is(err, inquiry.ErrExists) {
			t.Fatalf("Create(used key) error = %v, want ErrExists", err)
		}
		if _, err := s.Get(ctx, second.ID); !errors.Is(err, inquiry.ErrNotFound) {
			t.Fatalf("Get(second id) after refused Create: error = %v, want ErrNotFound (no record may be created)", err)
		}
		gotIdem, err := s.GetIdempotency(ctx, idem.Key)
		if err != nil {
			t.Fatalf("GetIdempotency after refused Create: %v", err)
		}
		assertIdempotency(t, "key after a refused reuse", idem, gotIdem)
	})

	t.Run("GetIdempotency of an expired key returns ErrNotFound", func(t *testing.T) {
		// Given a record created with a key that expired an hour ago
		s, ctx := newStore(t), t.Context()
		in := newInquiry()
		idem := newIdempotency(in.ID, time.Now().UTC().Add(-time.Hour))
		mustCreate(t, s, in, &idem)
		// When the key is read
		_, err := s.GetIdempotency(ctx, idem.Key)
		// Then it is not found
		if !errors.Is(err, inquiry.ErrNotFound) {
			t.Fatalf("GetIdempotency(expired) error = %v, want ErrNotFound", err)
		}
	})

	t.Run("Create may reuse an expired idempotency key", func(t *testing.T) {
		// Given a key that expired an hour ago
		s, ctx := newStore(t), t.Context()
		first := newInquiry()
		expired := newIdempotency(first.ID, time.Now().UTC().Add(-time.Hour))
		mustCreate(t, s, first, &expired)
		// When another record is created with the same key
		second := newInquiry()
		fresh := newIdempotency(second.ID, time.Now().UTC().Add(24*time.Hour))
		fresh.Key = expired.Key
		mustCreate(t, s, second, &fresh)
		// Then the key names the second record
		gotIdem, err := s.GetIdempotency(ctx, fresh.Key)
		if err != nil {
			t.Fatalf("GetIdempotency after reuse: %v", err)
		}
		assertIdempotency(t, "reused key", fresh, gotIdem)
	})

	t.Run("GetIdempotency of an unknown key returns ErrNotFound", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		_, err := s.GetIdempotency(ctx, randomID())
		if !errors.Is(err, inquiry.ErrNotFound) {
			t.Fatalf("GetIdempotency(unknown) error = %v, want ErrNotFound", err)
		}
	})

	t.Run("MarkProcessed of a received record returns true and sets status, processedAt and archiveKey", func(t *testing.T) {
		// Given a received record
		s, ctx := newStore(t), t.Context()
		in := newInquiry()
		mustCreate(t, s, in, nil)
		// When it is marked processed
		at := in.ReceivedAt.Add(3*time.Second + 456*time.Microsecond)
		key := archiveKey(in)
		changed, err := s.MarkProcessed(ctx, in.ID, at, key)
		// Then the call reports a change and the record carries the new fields
		if err != nil || !changed {
			t.Fatalf("MarkProcessed(received) = (%v, %v), want (true, nil)", changed, err)
		}
		got, err := s.Get(ctx, in.ID)
		if err != nil {
			t.Fatalf("Get after MarkProcessed: %v", err)
		}
		want := in
		want.Status, want.ProcessedAt, want.ArchiveKey = inquiry.StatusProcessed, &at, key
		assertInquiry(t, "record after MarkProcessed", want, got)
	})

	t.Run("MarkProcessed of a processed record returns false and changes nothing", func(t *testing.T) {
		// Given a processed record
		s, ctx := newStore(t), t.Context()
		in := newInquiry()
		mustCreate(t, s, in, nil)
		at := in.ReceivedAt.Add(time.Second)
		key := archiveKey(in)
		if changed, err := s.MarkProcessed(ctx, in.ID, at, key); err != nil || !changed {
			t.Fatalf("first MarkProcessed = (%v, %v), want (true, nil)", changed, err)
		}
		// When it is marked again, as a redelivered event would, with other values
		changed, err := s.MarkProcessed(ctx, in.ID, at.Add(time.Hour), "inquiries/other.json")
		// Then the call reports no change and the first values stay
		if err != nil || changed {
			t.Fatalf("second MarkProcessed = (%v, %v), want (false, nil)", changed, err)
		}
		got, err := s.Get(ctx, in.ID)
		if err != nil {
			t.Fatalf("Get after second MarkProcessed: %v", err)
		}
		want := in
		want.Status, want.ProcessedAt, want.ArchiveKey = inquiry.StatusProcessed, &at, key
		assertInquiry(t, "record after a repeated MarkProcessed", want, got)
	})

	t.Run("MarkProcessed of an unknown id returns ErrNotFound", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		changed, err := s.MarkProcessed(ctx, randomID(), time.Now().UTC(), "inquiries/x.json")
		if !errors.Is(err, inquiry.ErrNotFound) || changed {
			t.Fatalf("MarkProcessed(unknown) = (%v, %v), want (false, ErrNotFound)", changed, err)
		}
	})

	t.Run("concurrent MarkProcessed on one record: exactly one returns true", func(t *testing.T) {
		// Given a received record
		s, ctx := newStore(t), t.Context()
		in := newInquiry()
		mustCreate(t, s, in, nil)
		// When several workers mark it at once, each with its own archive key
		type result struct {
			changed bool
			err     error
		}
		results := make([]result, concurrentMarkers)
		keys := make([]string, concurrentMarkers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range concurrentMarkers {
			keys[i] = archiveKey(in) + "." + string(rune('a'+i))
			wg.Go(func() {
				<-start
				changed, err := s.MarkProcessed(ctx, in.ID, in.ReceivedAt.Add(time.Duration(i+1)*time.Second), keys[i])
				results[i] = result{changed, err}
			})
		}
		close(start)
		wg.Wait()
		// Then exactly one wins, the others see (false, nil), and the record holds the winner's key
		winner := -1
		for i, r := range results {
			if r.err != nil {
				t.Errorf("worker %d: MarkProcessed error = %v, want nil", i, r.err)
			}
			if r.changed {
				if winner >= 0 {
					t.Errorf("workers %d and %d both got true: want exactly one", winner, i)
				}
				winner = i
			}
		}
		if winner < 0 {
			t.Fatalf("no worker got true: want exactly one")
		}
		got, err := s.Get(ctx, in.ID)
		if err != nil {
			t.Fatalf("Get after concurrent MarkProcessed: %v", err)
		}
		if got.Status != inquiry.StatusProcessed || got.ArchiveKey != keys[winner] {
			t.Errorf("record after race: status %q archiveKey %q, want %q and the winner's key %q",
				got.Status, got.ArchiveKey, inquiry.StatusProcessed, keys[winner])
		}
	})
}

// baseTime has nanoseconds so that a store that truncates times fails the round trip.
var baseTime = time.Date(2026, time.November, 26, 9, 30, 15, 123456789, time.UTC)

func newInquiry() inquiry.Inquiry {
	id := randomID()
	return inquiry.Inquiry{
		ID:         id,
		Name:       "Ada Lovelace",
		Email:      "ada@example.com",
		Company:    "Analytical Engines Ltd",
		Message:    "Hello,\nplease call me back. Ünïcödé ✓",
		Status:     inquiry.StatusReceived,
		ReceivedAt: baseTime,
	}
}

func newIdempotency(inquiryID string, expires time.Time) inquiry.Idempotency {
	return inquiry.Idempotency{
		Key:       "key-" + randomID(),
		BodyHash:  "sha256:" + randomID(),
		InquiryID: inquiryID,
		ExpiresAt: expires,
	}
}

func archiveKey(in inquiry.Inquiry) string {
	return in.ReceivedAt.Format("inquiries/2006/01/02/") + in.ID + ".json"
}

// randomID returns a fresh id (26 base32 characters), so subtests sharing a store never meet.
func randomID() string { return rand.Text() }

func mustCreate(t *testing.T, s inquiry.RecordStore, in inquiry.Inquiry, idem *inquiry.Idempotency) {
	t.Helper()
	if err := s.Create(t.Context(), in, idem); err != nil {
		t.Fatalf("Create(%s): %v", in.ID, err)
	}
}

func assertInquiry(t *testing.T, what string, want, got inquiry.Inquiry) {
	t.Helper()
	if got.ID != want.ID || got.Name != want.Name || got.Email != want.Email ||
		got.Company != want.Company || got.Message != want.Message ||
		got.Status != want.Status || got.ArchiveKey != want.ArchiveKey {
		t.Errorf("%s: got %+v, want %+v", what, got, want)
	}
	if !got.ReceivedAt.Equal(want.ReceivedAt) {
		t.Errorf("%s: receivedAt %v, want %v", what, got.ReceivedAt, want.ReceivedAt)
	}
	switch {
	case want.ProcessedAt == nil && got.ProcessedAt != nil:
		t.Errorf("%s: processedAt %v, want nil", what, *got.ProcessedAt)
	case want.ProcessedAt != nil && got.ProcessedAt == nil:
		t.Errorf("%s: processedAt nil, want %v", what, *want.ProcessedAt)
	case want.ProcessedAt != nil && !got.ProcessedAt.Equal(*want.ProcessedAt):
		t.Errorf("%s: processedAt %v, want %v", what, *got.ProcessedAt, *want.ProcessedAt)
	}
}

func assertIdempotency(t *testing.T, what string, want, got inquiry.Idempotency) {
	t.Helper()
	if got.Key != want.Key || got.BodyHash != want.BodyHash || got.InquiryID != want.InquiryID ||
		!got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("%s: got %+v, want %+v", what, got, want)
	}
}
