//go:build windows

package main

import (
	"context"
	"os"
)

// watchParent returns a channel closed once the process parent has exited. Windows does not
// reparent, so os.Getppid never changes; but its processes can wait on any process they can
// open, child or not, which os.Process.Wait does. (Untested here: no Windows runner.)
func watchParent(_ context.Context, parent int) <-chan struct{} {
	p, err := os.FindProcess(parent)
	if err != nil {
		return nil // already gone, or not ours to watch: do not stop on a guess
	}
	gone := make(chan struct{})
	go func() {
		if _, err := p.Wait(); err == nil {
			close(gone)
		}
	}()
	return gone
}
