package memory_test

import (
	"testing"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/inquiry/memory"
	"github.com/groundwork-dev/groundwork/internal/inquiry/porttest"
)

func TestStoreContract(t *testing.T) {
	porttest.RecordStore(t, func(t *testing.T) inquiry.RecordStore { return memory.NewStore() })
}

func TestArchiveContract(t *testing.T) {
	porttest.ArchiveStore(t, func(t *testing.T) inquiry.ArchiveStore { return memory.NewArchive() })
}

func TestPublisherContract(t *testing.T) {
	porttest.Publisher(t, func(t *testing.T) (inquiry.Publisher, porttest.Receive) {
		p := &memory.Publisher{}
		next := 0
		return p, func(t *testing.T, n int) []inquiry.Event {
			t.Helper()
			evs := p.Events()[next:]
			if len(evs) < n {
				t.Fatalf("received %d events, want %d", len(evs), n)
			}
			next += n
			return evs[:n]
		}
	})
}
