//go:build !unix

package localserver

import (
	"errors"
	"os"
)

// File returns nil: there is no lock file to pass on here.
func (l *DirLock) File() *os.File { return nil }

// Unlock releases the lock.
func (l *DirLock) Unlock() error { return l.l.unlock() }

// InheritLock fails: advisory file locks, and so their handing over, are Unix only here.
func InheritLock(dir string, f *os.File) (*DirLock, error) {
	return nil, errors.New("localserver: a data directory's lock cannot be inherited on this system")
}
