package porttest

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

// Receive returns the next n events delivered to the consumers of a publisher's queue,
// failing t (t.Fatal) when fewer than n arrive in the time the adapter allows. It may
// acknowledge (delete) what it returns.
type Receive func(t *testing.T, n int) []inquiry.Event

// Publisher runs the inquiry.Publisher contract. newPublisher is called once per subtest and
// returns a publisher on a queue no other subtest uses, with the Receive that reads it.
func Publisher(t *testing.T, newPublisher func(t *testing.T) (inquiry.Publisher, Receive)) {
	t.Helper()

	t.Run("a published event is received unchanged", func(t *testing.T) {
		// Given a publisher
		p, receive := newPublisher(t)
		e := newEvent(0)
		// When it publishes an event
		if err := p.Publish(t.Context(), e); err != nil {
			t.Fatalf("Publish: %v", err)
		}
		// Then a consumer receives the same event
		got := receive(t, 1)
		if len(got) != 1 {
			t.Fatalf("received %d events, want 1", len(got))
		}
		assertEvent(t, e, got[0])
	})

	t.Run("every published event is received once", func(t *testing.T) {
		// Given a publisher
		p, receive := newPublisher(t)
		const n = 5
		want := make([]inquiry.Event, n)
		// When it publishes several events
		for i := range want {
			want[i] = newEvent(i)
			if err := p.Publish(t.Context(), want[i]); err != nil {
				t.Fatalf("Publish #%d: %v", i, err)
			}
		}
		// Then each arrives exactly once, in any order
		got := receive(t, n)
		if len(got) != n {
			t.Fatalf("received %d events, want %d", len(got), n)
		}
		byID := func(a, b inquiry.Event) int { return cmp.Compare(a.InquiryID, b.InquiryID) }
		slices.SortFunc(want, byID)
		slices.SortFunc(got, byID)
		for i := range want {
			assertEvent(t, want[i], got[i])
		}
	})
}

func newEvent(i int) inquiry.Event {
	return inquiry.Event{
		Type:       inquiry.EventTypeReceived,
		InquiryID:  randomID(),
		OccurredAt: baseTime.Add(time.Duration(i) * time.Millisecond),
	}
}

func assertEvent(t *testing.T, want, got inquiry.Event) {
	t.Helper()
	if got.Type != want.Type || got.InquiryID != want.InquiryID || !got.OccurredAt.Equal(want.OccurredAt) {
		t.Errorf("received event %+v, want %+v", got, want)
	}
}
