package localqueue

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/groundwork-dev/groundwork/internal/fsutil"
)

// This file is the queue's storage: one bbolt file per queue directory, opened only after
// scanFile found it whole, and the group commit that makes each change durable before the
// call that made it returns. queue.go holds the queue's semantics, in memory.

// Names in a queue's directory.
const (
	fileName    = "queue.db"      // the queue file
	journalName = "journal.jsonl" // the journal of the versions before the queue file
	tmpSuffix   = ".tmp"          // a queue file being created; never the queue file itself
)

// boltOptions are the options every queue file is opened with. NoFreelistSync: bbolt does
// not write its list of free pages at each commit but finds them from the tree at Open
// (after scanFile has checked the tree), so a damaged freelist, which would make bbolt hand
// out pages still in use, cannot be read from disk; and a commit writes one page less.
// Timeout: bbolt's own lock, taken after lockFile's, never waits long.
func boltOptions(openFile func(string, int, os.FileMode) (*os.File, error)) *bolt.Options {
	return &bolt.Options{NoFreelistSync: true, FreelistType: bolt.FreelistMapType, Timeout: time.Second, OpenFile: openFile}
}

// store is an open queue file.
type store struct {
	path string
	db   *bolt.DB

	mu        sync.Mutex
	pending   []change // enqueued, not yet committed, in order
	enqueued  uint64   // tickets handed out
	committed uint64   // tickets durable
	failed    error    // a commit failed: memory is ahead of the file, so nothing more is written

	commitMu sync.Mutex // one commit at a time
}

// change is one message's change, applied to the file in the order the queue made them.
type change struct {
	seq    uint64
	id     string
	record []byte // the message's sealed record; nil deletes the message
	index  bool   // with a record: the message is new here, so the ids index gets it too
	count  uint64 // messages in the queue once this change is applied
}

// openStore opens the queue file in dir, after checking it whole. A damaged file is refused
// with a *DamageError and left untouched.
func openStore(path string) (*store, error) {
	var damage *DamageError
	openFile := func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag&^os.O_CREATE, perm) // the file exists: createFile made it
		if err != nil {
			return nil, err
		}
		if err := checkOpenFile(f, &damage); err != nil {
			f.Close()
			return nil, err
		}
		return f, nil
	}
	db, err := bolt.Open(path, 0o644, boltOptions(openFile))
	if damage != nil {
		return nil, damage
	}
	if err != nil {
		return nil, fmt.Errorf("localqueue: open %s: %w", path, err)
	}
	// bbolt's own consistency check, on a file whose pointers scanFile has followed safely:
	// what it finds, scanFile missed, and it is damage all the same.
	var problems []Damage
	err = db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			problems = append(problems, Damage{Where: "bbolt check", Problem: err.Error()})
		}
		return nil
	})
	if err == nil && len(problems) > 0 {
		err = &DamageError{File: path, Damage: problems}
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return &store{path: path, db: db}, nil
}

// checkOpenFile locks f and scans it; damage is set when it is damaged.
func checkOpenFile(f *os.File, damage **DamageError) error {
	res, err := lockAndScan(f)
	if err != nil {
		return err
	}
	if len(res.damage) > 0 {
		*damage = &DamageError{File: f.Name(), Damage: res.damage}
		return *damage
	}
	return nil
}

// lockAndScan takes f's lock (held until f is closed) and scans the whole file.
func lockAndScan(f *os.File) (*scanResult, error) {
	if err := lockFile(f); err != nil {
		return nil, fmt.Errorf("localqueue: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	res, err := scanFile(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("localqueue: read %s: %w", f.Name(), err)
	}
	return res, nil
}

// createFile makes a queue file at path holding msgs (and, when journal is set, the mark of
// the journal they were imported from): written in full under a temporary name, committed
// (bbolt fsyncs), then renamed over path and the directory fsynced. A crash leaves either no
// file at path, or the old one, or the complete new one: never a file that is half made, so
// a queue file that is empty or short is always damage.
func createFile(path string, msgs []storedMessage, journal string) error {
	tmp := path + tmpSuffix
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	db, err := bolt.Open(tmp, 0o644, boltOptions(nil))
	if err != nil {
		return err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		var bs [3]*bolt.Bucket
		for i, name := range [][]byte{bucketMessages, bucketIDs, bucketInfo} {
			b, err := tx.CreateBucket(name)
			if err != nil {
				return err
			}
			bs[i] = b
		}
		msgsB, idsB, info := bs[0], bs[1], bs[2]
		msgsB.FillPercent, idsB.FillPercent = 0.9, 0.9 // written once in key order here
		for _, m := range msgs {
			if err := msgsB.Put(seqKey(m.seq), encodeMessage(m)); err != nil {
				return err
			}
			if err := idsB.Put([]byte(m.id), encodeSeq(m.id, m.seq)); err != nil {
				return err
			}
		}
		if err := info.Put(keyFormat, encodeUint(keyFormat, formatVersion)); err != nil {
			return err
		}
		if err := info.Put(keyCount, encodeUint(keyCount, uint64(len(msgs)))); err != nil {
			return err
		}
		if journal != "" {
			return info.Put(keyJournal, seal(nil, keyJournal, []byte(journal)))
		}
		return nil
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = fsutil.SyncDir(filepath.Dir(path))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("localqueue: create %s: %w", path, err)
	}
	return nil
}

// load reads every message, in seq order, and the import mark.
func (s *store) load() (msgs []storedMessage, journal string, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		b, info := tx.Bucket(bucketMessages), tx.Bucket(bucketInfo)
		if b == nil || info == nil {
			return errors.New("a bucket is missing")
		}
		if err := b.ForEach(func(k, v []byte) error {
			m, err := decodeMessage(k, v)
			if err != nil {
				return fmt.Errorf("message #%x: %w", k, err)
			}
			msgs = append(msgs, m)
			return nil
		}); err != nil {
			return err
		}
		if v := info.Get(keyJournal); v != nil {
			p, err := unseal(keyJournal, v)
			if err != nil {
				return err
			}
			journal = string(p)
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("localqueue: load %s: %w", s.path, err)
	}
	return msgs, journal, nil
}

// broken is the error every change fails with once a commit has failed.
func (s *store) broken() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

// enqueue adds changes to the next commit and returns the ticket to wait for. Callers hold
// their queue's lock, so changes are enqueued (and committed) in the order they were made.
func (s *store) enqueue(cs ...change) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(s.pending, cs...)
	s.enqueued++
	return s.enqueued
}

// wait returns once the changes of ticket t are committed, durably. Concurrent callers share
// commits (group commit): while one commit runs the others wait, and the next commit takes
// every change enqueued meanwhile; no caller waits for a timer, as bbolt's own Batch does.
func (s *store) wait(t uint64) error {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	return s.commitLocked(t)
}

func (s *store) commitLocked(t uint64) error {
	s.mu.Lock()
	if s.committed >= t {
		s.mu.Unlock()
		return nil
	}
	if s.failed != nil {
		s.mu.Unlock()
		return s.failed
	}
	batch, last := s.pending, s.enqueued
	s.pending = nil
	s.mu.Unlock()
	err := s.db.Update(func(tx *bolt.Tx) error { return apply(tx, batch) })
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		// The queue's memory holds changes the file does not: writing later changes on top
		// would make the file disagree with both. Stop here; a restart reloads the file.
		s.failed = fmt.Errorf("localqueue: commit to %s failed; the queue accepts no more changes until it is reopened: %w", s.path, err)
		return s.failed
	}
	s.committed = last
	return nil
}

// apply writes a batch of changes in one transaction.
func apply(tx *bolt.Tx, batch []change) error {
	msgs, ids, info := tx.Bucket(bucketMessages), tx.Bucket(bucketIDs), tx.Bucket(bucketInfo)
	if msgs == nil || ids == nil || info == nil {
		return errors.New("a bucket is missing")
	}
	for _, c := range batch {
		k := seqKey(c.seq)
		if c.record == nil {
			if err := msgs.Delete(k); err != nil {
				return err
			}
			if err := ids.Delete([]byte(c.id)); err != nil {
				return err
			}
			continue
		}
		if err := msgs.Put(k, c.record); err != nil {
			return err
		}
		if c.index {
			if err := ids.Put([]byte(c.id), encodeSeq(c.id, c.seq)); err != nil {
				return err
			}
		}
	}
	if len(batch) == 0 {
		return nil
	}
	return info.Put(keyCount, encodeUint(keyCount, batch[len(batch)-1].count))
}

// close commits what is still pending and closes the file.
func (s *store) close() error {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	s.mu.Lock()
	t := s.enqueued
	s.mu.Unlock()
	err := s.commitLocked(t)
	if cerr := s.db.Close(); err == nil {
		err = cerr
	}
	return err
}

// asideName returns a name for setting path aside that no file has yet:
// path.<what>-<UTC time>, with a counter when one second holds several.
func asideName(path, what string) (string, error) {
	base := path + "." + what + "-" + time.Now().UTC().Format("20060102T150405Z")
	for i := 1; ; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		_, err := os.Lstat(name)
		if errors.Is(err, fs.ErrNotExist) {
			return name, nil
		}
		if err != nil {
			return "", err
		}
		if i > 1000 {
			return "", fmt.Errorf("no free name beside %s", path)
		}
	}
}
