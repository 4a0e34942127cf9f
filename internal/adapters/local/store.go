// Package local holds the inquiry ports' local adapters: a record store and an archive that
// keep their data as JSON files under a directory, for the local server and for tests. Every
// write is atomic (temporary file, fsync, rename, fsync of the directory), so a crash or a
// kill -9 leaves either the old or the new state, and both types are safe for concurrent use
// within one process. Two processes must not share a directory. A Store that finds a
// damaged file refuses to open, and Repair sets such files aside (damage.go).
package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/groundwork-dev/groundwork/internal/fsutil"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock a Store uses to decide whether an idempotency record has expired.
// Without it the Store uses time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// Store is an inquiry.RecordStore that keeps each record as a JSON file under its directory:
//
//	records/<id>.json        one inquiry record
//	idem/<sha256(key)>.json  one idempotency record (hashed: any header value is a safe name)
//	pending/<id>.json        a Create with an idempotency key, committed but not yet applied
//	tmp/                     temporary files of writes in progress
//
// A Create that stores a record and an idempotency key writes both into pending/<id>.json
// first (the commit point), then into their own files (the record first), then removes the
// pending file; Open finishes a Create that a crash interrupted, so the two are stored
// together or not at all.
//
// Writes lock only the id and key they check and change (striped locks), so writes of
// different records, and their fsyncs, run in parallel. Reads take no lock: every file is
// replaced by a rename, so a read sees a whole version.
type Store struct {
	dir string
	now func() time.Time

	stripes [64]sync.Mutex // writers of the ids and keys hashing to a stripe
}

var _ inquiry.RecordStore = (*Store)(nil)

// pendingCreate is the content of pending.json.
type pendingCreate struct {
	Record inquiry.Inquiry     `json:"record"`
	Idem   inquiry.Idempotency `json:"idem"`
}

// Open returns the Store kept under dir, creating dir when it does not exist, and completes a
// Create that was interrupted by a crash. A store with a damaged file is refused with a
// *DamageError, every file left as it is (see Repair).
func Open(dir string, opts ...Option) (*Store, error) {
	s := &Store{dir: dir, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	for _, d := range []string{s.dir, s.path("records"), s.path("idem"), s.path("pending")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("local store: %w", err)
		}
	}
	if err := cleanTmp(s.path("tmp")); err != nil {
		return nil, fmt.Errorf("local store: %w", err)
	}
	if err := checkDir(s.dir); err != nil { // before recover writes anything (damage.go)
		return nil, err
	}
	if err := s.recover(); err != nil {
		return nil, fmt.Errorf("local store: recover: %w", err)
	}
	return s, nil
}

func (s *Store) path(elem ...string) string {
	return filepath.Join(append([]string{s.dir}, elem...)...)
}

func (s *Store) recordPath(id string) string { return s.path("records", id+".json") }

func (s *Store) idemPath(key string) string {
	sum := sha256.Sum256([]byte(key))
	return s.path("idem", hex.EncodeToString(sum[:])+".json")
}

// recover applies the pending Creates a crash left, and removes them.
func (s *Store) recover() error {
	entries, err := os.ReadDir(s.path("pending"))
	if err != nil {
		return err
	}
	for _, e := range entries {
		p := s.path("pending", e.Name())
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var pc pendingCreate
		if err := json.Unmarshal(data, &pc); err != nil {
			// Pending files are only ever renamed into place whole: not a torn write.
			return fmt.Errorf("decode %s: %w", p, err)
		}
		if err := s.apply(pc); err != nil {
			return fmt.Errorf("apply %s: %w", p, err)
		}
	}
	return nil
}

func (s *Store) pendingPath(id string) string { return s.path("pending", id+".json") }

// apply writes a committed Create with an idempotency key into the record's and the key's
// files, then removes the commit record.
func (s *Store) apply(p pendingCreate) error {
	if err := s.writeJSON(s.recordPath(p.Record.ID), p.Record); err != nil {
		return err
	}
	if err := s.writeJSON(s.idemPath(p.Idem.Key), p.Idem); err != nil {
		return err
	}
	return removeDurably(s.pendingPath(p.Record.ID))
}

// lock locks the stripes of the given names (in stripe order, so two writers never wait
// for each other crosswise) and returns the unlock.
func (s *Store) lock(names ...string) (unlock func()) {
	var idx []int
	for _, n := range names {
		h := fnv.New32a()
		h.Write([]byte(n))
		i := int(h.Sum32() % uint32(len(s.stripes)))
		if !slices.Contains(idx, i) {
			idx = append(idx, i)
		}
	}
	slices.Sort(idx)
	for _, i := range idx {
		s.stripes[i].Lock()
	}
	return func() {
		for _, i := range slices.Backward(idx) {
			s.stripes[i].Unlock()
		}
	}
}

func (s *Store) writeJSON(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return fsutil.WriteFile(s.path("tmp"), path, data)
}

// readJSON decodes the file at path into v; a missing file is inquiry.ErrNotFound.
func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return inquiry.ErrNotFound
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("local store: decode %s: %w", path, err)
	}
	return nil
}

// Create implements inquiry.RecordStore. Times are stored in UTC. The id must be usable as a file name (ASCII letters,
// digits and ".-_", at most 200 bytes); any other id is refused with an error that is not
// ErrExists.
func (s *Store) Create(ctx context.Context, in inquiry.Inquiry, idem *inquiry.Idempotency) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !validName(in.ID) {
		return fmt.Errorf("local store: invalid inquiry id %q", in.ID)
	}
	in.ReceivedAt = in.ReceivedAt.UTC()
	if in.ProcessedAt != nil {
		at := in.ProcessedAt.UTC()
		in.ProcessedAt = &at
	}
	names := []string{"record:" + in.ID}
	if idem != nil {
		names = append(names, "idem:"+idem.Key)
	}
	defer s.lock(names...)()

	if _, err := os.Stat(s.recordPath(in.ID)); err == nil {
		return fmt.Errorf("inquiry %s: %w", in.ID, inquiry.ErrExists)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("local store: %w", err)
	}
	if idem == nil {
		if err := s.writeJSON(s.recordPath(in.ID), in); err != nil {
			return fmt.Errorf("local store: %w", err)
		}
		return nil
	}
	if _, err := s.getIdempotency(idem.Key); err == nil {
		return fmt.Errorf("idempotency key: %w", inquiry.ErrExists)
	} else if !errors.Is(err, inquiry.ErrNotFound) {
		return err
	}
	p := pendingCreate{Record: in, Idem: *idem}
	if err := s.writeJSON(s.pendingPath(in.ID), p); err != nil {
		return fmt.Errorf("local store: %w", err)
	}
	if err := s.apply(p); err != nil {
		// Committed but not applied: the next Open applies it. Until then this Store may
		// not see it, so report the failure rather than pretend.
		return fmt.Errorf("local store: apply create (completed on next open): %w", err)
	}
	return nil
}

// Get implements inquiry.RecordStore. An id that could not have been stored (see Create) is
// ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (inquiry.Inquiry, error) {
	if err := ctx.Err(); err != nil {
		return inquiry.Inquiry{}, err
	}
	if !validName(id) {
		return inquiry.Inquiry{}, inquiry.ErrNotFound
	}
	var in inquiry.Inquiry
	if err := readJSON(s.recordPath(id), &in); err != nil {
		return inquiry.Inquiry{}, err
	}
	return in, nil
}

// GetIdempotency implements inquiry.RecordStore.
func (s *Store) GetIdempotency(ctx context.Context, key string) (inquiry.Idempotency, error) {
	if err := ctx.Err(); err != nil {
		return inquiry.Idempotency{}, err
	}
	return s.getIdempotency(key)
}

func (s *Store) getIdempotency(key string) (inquiry.Idempotency, error) {
	var idem inquiry.Idempotency
	if err := readJSON(s.idemPath(key), &idem); err != nil {
		return inquiry.Idempotency{}, err
	}
	if !idem.ExpiresAt.After(s.now()) {
		return inquiry.Idempotency{}, inquiry.ErrNotFound
	}
	return idem, nil
}

// MarkProcessed implements inquiry.RecordStore.
func (s *Store) MarkProcessed(ctx context.Context, id string, at time.Time, archiveKey string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if !validName(id) {
		return false, inquiry.ErrNotFound
	}
	defer s.lock("record:" + id)()
	var in inquiry.Inquiry
	if err := readJSON(s.recordPath(id), &in); err != nil {
		return false, err
	}
	if in.Status != inquiry.StatusReceived {
		return false, nil
	}
	in.Status = inquiry.StatusProcessed
	at = at.UTC()
	in.ProcessedAt = &at
	in.ArchiveKey = archiveKey
	if err := s.writeJSON(s.recordPath(id), in); err != nil {
		return false, fmt.Errorf("local store: %w", err)
	}
	return true, nil
}
