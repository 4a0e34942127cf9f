//go:build unix

package localserver

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// File is the open lock file, for a child process to inherit (exec.Cmd.ExtraFiles) and pass
// to InheritLock. Closing it releases nothing while another process keeps it open.
func (l *DirLock) File() *os.File { return l.l.f }

// Unlock empties the lock file's record and releases the lock. A lock from InheritLock is
// only closed in this process: it stays held by the process that passed it on.
func (l *DirLock) Unlock() error {
	if l.inherited {
		return l.l.f.Close()
	}
	return l.l.unlock()
}

// InheritLock returns the lock on the data directory dir that the process which started
// this one holds and passed on as f (DirLock.File, inherited as an extra file). It refuses
// a file that is not dir's lock file, and one on which the lock is held by another open
// file: a server that is not the one the directory was handed to.
func InheritLock(dir string, f *os.File) (*DirLock, error) {
	path := filepath.Join(dir, "LOCK")
	want, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("localserver: inherited lock: %w", err)
	}
	got, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("localserver: inherited lock %s: %w", f.Name(), err)
	}
	if !os.SameFile(want, got) {
		return nil, fmt.Errorf("localserver: inherited file %s is not %s, the data directory's lock file", f.Name(), path)
	}
	// Locking again through the same open file is a no-op when it holds the lock already;
	// through another open file it fails while the lock is held there.
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("localserver: inherited file %s is not the one the lock is held on: data directory %s is in use by another local server: %s",
				f.Name(), dir, describeHolder(path))
		}
		return nil, fmt.Errorf("localserver: inherited lock %s: %w", f.Name(), err)
	}
	return &DirLock{dir: dir, l: &dirLock{f: f, holder: thisProcess()}, inherited: true}, nil
}
