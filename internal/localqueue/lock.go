package localqueue

import (
	"errors"
	"os"
)

// ErrInUse: another process holds the lock on a queue file (or on the file LockFile was
// given).
var ErrInUse = errors.New("in use by another process")

// LockFile takes an exclusive advisory lock on the file at path, created when missing, at once
// or not at all (an error wrapping ErrInUse when another process holds it), and returns the
// function that releases it. It is the lock the local server takes on its data directory's
// LOCK file, so `go run ./cmd/local repair` can refuse to run beside a server. The lock goes
// away with the process. Where advisory locks are not available it locks nothing.
func LockFile(path string) (release func() error, err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, err
	}
	return f.Close, nil // closing the file releases the lock
}
