package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

var t0 = time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)

func newInquiry(id string) inquiry.Inquiry {
	return inquiry.Inquiry{
		ID: id, Name: "Ada", Email: "ada@example.com", Message: "hello",
		Status: inquiry.StatusReceived, ReceivedAt: t0,
	}
}

// fakeClock is a settable clock for expiry tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func TestStoreKeepsRecordsAndKeysAcrossReopen(t *testing.T) {
	// Given a store with one plain record and one created with an idempotency key, one processed
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir)
	require.NoError(t, err)
	idem := inquiry.Idempotency{Key: "k-1", BodyHash: "h", InquiryID: "b", ExpiresAt: time.Now().Add(time.Hour).UTC()}
	require.NoError(t, s.Create(ctx, newInquiry("a"), nil))
	require.NoError(t, s.Create(ctx, newInquiry("b"), &idem))
	ok, err := s.MarkProcessed(ctx, "a", t0.Add(time.Minute), "inquiries/2026/11/26/a.json")
	require.NoError(t, err)
	require.True(t, ok)

	// When the directory is opened again
	s2, err := Open(dir)
	require.NoError(t, err)

	// Then both records, the processed state and the key are there, unchanged
	a, err := s2.Get(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, inquiry.StatusProcessed, a.Status, "processed status survives a reopen")
	require.Equal(t, "inquiries/2026/11/26/a.json", a.ArchiveKey)
	require.NotNil(t, a.ProcessedAt)
	require.True(t, a.ProcessedAt.Equal(t0.Add(time.Minute)), "processedAt survives a reopen")
	b, err := s2.Get(ctx, "b")
	require.NoError(t, err)
	require.Equal(t, newInquiry("b"), b, "record survives a reopen byte for byte")
	got, err := s2.GetIdempotency(ctx, "k-1")
	require.NoError(t, err)
	require.Equal(t, idem.InquiryID, got.InquiryID, "idempotency key survives a reopen")
}

func TestStoreCreateIsConditional(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: t0}
	s, err := Open(t.TempDir(), WithClock(clock.Now))
	require.NoError(t, err)
	idem := func(id string) *inquiry.Idempotency {
		return &inquiry.Idempotency{Key: "same key", BodyHash: "h-" + id, InquiryID: id, ExpiresAt: t0.Add(24 * time.Hour)}
	}
	require.NoError(t, s.Create(ctx, newInquiry("first"), idem("first")))

	// Given the id "first" and the key "same key" are taken
	// When another Create reuses the id, or reuses the key while it is unexpired
	errID := s.Create(ctx, newInquiry("first"), nil)
	errKey := s.Create(ctx, newInquiry("second"), idem("second"))

	// Then both are ErrExists and nothing of them is stored
	require.ErrorIs(t, errID, inquiry.ErrExists, "an existing id is refused")
	require.ErrorIs(t, errKey, inquiry.ErrExists, "an unexpired key is refused")
	_, err = s.Get(ctx, "second")
	require.ErrorIs(t, err, inquiry.ErrNotFound, "a refused Create stores no record")
	got, err := s.GetIdempotency(ctx, "same key")
	require.NoError(t, err)
	require.Equal(t, "first", got.InquiryID, "a refused Create leaves the key's first record")

	// When the key has expired
	clock.Set(t0.Add(24 * time.Hour))
	_, err = s.GetIdempotency(ctx, "same key")
	require.ErrorIs(t, err, inquiry.ErrNotFound, "an expired key is not found")
	require.NoError(t, s.Create(ctx, newInquiry("second"), &inquiry.Idempotency{
		Key: "same key", BodyHash: "h2", InquiryID: "second", ExpiresAt: t0.Add(48 * time.Hour)}))

	// Then the key can be used again and points at the new record
	got, err = s.GetIdempotency(ctx, "same key")
	require.NoError(t, err)
	require.Equal(t, "second", got.InquiryID, "an expired key is replaced")
}

func TestStoreMarkProcessedOnlyFromReceived(t *testing.T) {
	ctx := context.Background()
	s, err := Open(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, s.Create(ctx, newInquiry("a"), nil))

	first, err1 := s.MarkProcessed(ctx, "a", t0.Add(time.Minute), "k1")
	again, err2 := s.MarkProcessed(ctx, "a", t0.Add(time.Hour), "k2")
	_, errMissing := s.MarkProcessed(ctx, "nope", t0, "k")

	require.NoError(t, err1)
	require.NoError(t, err2)
	require.True(t, first, "the first MarkProcessed changes the record")
	require.False(t, again, "a redelivered MarkProcessed changes nothing")
	require.ErrorIs(t, errMissing, inquiry.ErrNotFound)
	got, err := s.Get(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, "k1", got.ArchiveKey, "the second call did not overwrite the archive key")
	require.True(t, got.ProcessedAt.Equal(t0.Add(time.Minute)), "the second call did not overwrite processedAt")
}

func TestStoreRefusesIdsThatAreNotFileNames(t *testing.T) {
	ctx := context.Background()
	parent := t.TempDir()
	dir := filepath.Join(parent, "store")
	s, err := Open(dir)
	require.NoError(t, err)
	for _, id := range []string{"", ".", "..", "../escaped", "../../escaped", "/tmp/escaped", "a/b", `a\b`, "a\x00b", "é"} {
		t.Run(id, func(t *testing.T) {
			err := s.Create(ctx, newInquiry(id), nil)
			require.Error(t, err, "id %q is refused", id)
			require.NotErrorIs(t, err, inquiry.ErrExists, "a bad id is not reported as taken")
			_, err = s.Get(ctx, id)
			require.ErrorIs(t, err, inquiry.ErrNotFound, "a bad id is never found")
			_, err = s.MarkProcessed(ctx, id, t0, "k")
			require.ErrorIs(t, err, inquiry.ErrNotFound)
		})
	}
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	require.Len(t, entries, 1, "nothing was written next to the store's directory")
}

func TestStoreAnyIdempotencyKeyIsSafe(t *testing.T) {
	// Given keys that would be dangerous as file names
	ctx := context.Background()
	parent := t.TempDir()
	s, err := Open(filepath.Join(parent, "store"))
	require.NoError(t, err)
	for i, key := range []string{"../../x", "/etc/passwd", "a/b", "", "ключ"} {
		id := string(rune('a' + i))
		// When each is used to create a record
		require.NoError(t, s.Create(ctx, newInquiry(id), &inquiry.Idempotency{Key: key, InquiryID: id, ExpiresAt: time.Now().Add(time.Hour)}))
		// Then it is found again under that exact key
		got, err := s.GetIdempotency(ctx, key)
		require.NoError(t, err)
		require.Equal(t, id, got.InquiryID, "key %q maps to its own record", key)
	}
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	require.Len(t, entries, 1, "nothing was written next to the store's directory")
}

func TestOpenCompletesAnInterruptedCreate(t *testing.T) {
	// Given a crash after the commit record of a Create with a key was written, before the
	// record and key files were
	dir := t.TempDir()
	_, err := Open(dir)
	require.NoError(t, err)
	p := pendingCreate{Record: newInquiry("crashed"), Idem: inquiry.Idempotency{Key: "k", InquiryID: "crashed", ExpiresAt: time.Now().Add(time.Hour)}}
	data, err := json.Marshal(p)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pending", "crashed.json"), data, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tmp", "w-123"), []byte("torn"), 0o644))

	// When the store is opened
	s, err := Open(dir)
	require.NoError(t, err)

	// Then the record and the key are both there, and the leftovers are gone
	ctx := context.Background()
	_, err = s.Get(ctx, "crashed")
	require.NoError(t, err, "the committed record is applied")
	got, err := s.GetIdempotency(ctx, "k")
	require.NoError(t, err, "the committed key is applied")
	require.Equal(t, "crashed", got.InquiryID)
	_, err = os.Stat(filepath.Join(dir, "pending", "crashed.json"))
	require.ErrorIs(t, err, os.ErrNotExist, "the commit record is removed once applied")
	left, err := os.ReadDir(filepath.Join(dir, "tmp"))
	require.NoError(t, err)
	require.Empty(t, left, "temporary files of unfinished writes are removed")
}

func TestStoreIsSafeForConcurrentUse(t *testing.T) {
	// Given 32 goroutines racing to create records under one idempotency key, then to mark
	// one record processed
	ctx := context.Background()
	s, err := Open(t.TempDir())
	require.NoError(t, err)
	const n = 32
	var wg sync.WaitGroup
	created := make(chan string, n)
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprintf("r%d", i)
			err := s.Create(ctx, newInquiry(id), &inquiry.Idempotency{Key: "race", InquiryID: id, ExpiresAt: time.Now().Add(time.Hour)})
			if err == nil {
				created <- id
			} else if !errors.Is(err, inquiry.ErrExists) {
				t.Errorf("Create: %v", err)
			}
		})
	}
	wg.Wait()
	close(created)
	var winners []string
	for id := range created {
		winners = append(winners, id)
	}
	require.Len(t, winners, 1, "exactly one Create wins an idempotency key")

	marked := make(chan bool, n)
	for range n {
		wg.Go(func() {
			ok, err := s.MarkProcessed(ctx, winners[0], t0, "k")
			if err != nil {
				t.Errorf("MarkProcessed: %v", err)
			}
			marked <- ok
		})
	}
	wg.Wait()
	close(marked)
	trues := 0
	for ok := range marked {
		if ok {
			trues++
		}
	}
	require.Equal(t, 1, trues, "exactly one concurrent MarkProcessed reports a change")
}
