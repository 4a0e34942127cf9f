package local

import (
	"context"

	"testing"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/inquiry/porttest"
)

func TestStoreContract(t *testing.T) {
	porttest.RecordStore(t, func(t *testing.T) inquiry.RecordStore {
		s, err := Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestStoreContractReopened(t *testing.T) {
	// The same suite against a store that is reopened on its directory for every subtest,
	// so everything it checks must also hold for what was read back from disk.
	dir := t.TempDir()
	porttest.RecordStore(t, func(t *testing.T) inquiry.RecordStore {
		s, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		return reopening{s, dir, t}
	})
}

// reopening reads through a fresh Store on the same directory, so reads come from disk.
type reopening struct {
	*Store
	dir string
	t   *testing.T
}

func (r reopening) Get(ctx context.Context, id string) (inquiry.Inquiry, error) {
	return r.fresh().Get(ctx, id)
}

func (r reopening) GetIdempotency(ctx context.Context, key string) (inquiry.Idempotency, error) {
	return r.fresh().GetIdempotency(ctx, key)
}

func (r reopening) fresh() *Store {
	s, err := Open(r.dir)
	if err != nil {
		r.t.Fatal(err)
	}
	return s
}

func TestArchiveContract(t *testing.T) {
	porttest.ArchiveStore(t, func(t *testing.T) inquiry.ArchiveStore {
		a, err := NewArchive(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return a
	})
}
