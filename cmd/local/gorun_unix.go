//go:build unix

package main

import (
	"context"
	"os"
	"time"
)

// parentPollInterval is how often the server checks that its parent is still there: short
// enough that the port and the lock come free about as soon as `go run` is gone, long
// enough to cost nothing measurable.
const parentPollInterval = 250 * time.Millisecond

// watchParent returns a channel closed once parent is no longer this process's parent, that
// is once it has exited and the process has been reparented; it stops watching when ctx is
// done.
func watchParent(ctx context.Context, parent int) <-chan struct{} {
	gone := make(chan struct{})
	go func() {
		t := time.NewTicker(parentPollInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if os.Getppid() != parent {
					close(gone)
					return
				}
			}
		}
	}()
	return gone
}
