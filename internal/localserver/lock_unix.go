//go:build unix

package localserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// dirLock is an exclusive advisory lock (flock) on dir/LOCK, whose contents name the holder.
type dirLock struct {
	f      *os.File
	holder holder
}

// lockDir takes an exclusive advisory lock on dir/LOCK, so that a second server on the same
// data directory fails at once instead of corrupting the first one's files, and writes this
// process's pid and command line into the file. The lock goes away with the process, so a
// crash leaves nothing to clean up; the record a crashed holder left is overwritten by the
// next one and only read while the lock is held.
func lockDir(dir string) (*dirLock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "LOCK")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("data directory %s is in use by another local server: %s", dir, describeHolder(path))
		}
		return nil, fmt.Errorf("lock data directory %s: %w", dir, err)
	}
	l := &dirLock{f: f, holder: thisProcess()}
	if err := l.write(); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock data directory %s: %w", dir, err)
	}
	return l, nil
}

// listening adds the address the holder listens on to its record.
func (l *dirLock) listening(addr string) error {
	l.holder.Addr = addr
	return l.write()
}

// write replaces the lock file's contents with the holder record.
func (l *dirLock) write() error {
	b, err := json.Marshal(l.holder)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if _, err := l.f.WriteAt(b, 0); err != nil {
		return err
	}
	return l.f.Truncate(int64(len(b)))
}

// unlock empties the record and releases the lock (closing the file releases it).
func (l *dirLock) unlock() error {
	return errors.Join(l.f.Truncate(0), l.f.Close())
}
