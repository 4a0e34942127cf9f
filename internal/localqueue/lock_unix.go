//go:build unix

package localqueue

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on f, at once or not at all. bbolt takes the same
// lock on the same descriptor when it opens the file (which a descriptor that holds it
// already is granted), so the lock taken here, before the file is checked, is held until
// the queue is closed: no other process writes the file between the check and the use.
func lockFile(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return fmt.Errorf("%s: %w", f.Name(), ErrInUse)
	}
	if err != nil {
		return fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return nil
}
