package reload

import (
	"context"
	"io"
	"log/slog"
	"os"
)

// Config configures Supervise.
type Config struct {
	// Args are the command's arguments, -watch among them: each server runs with them.
	Args []string
	// Addr is the address to listen on, as net.Listen takes it.
	Addr string
	// DataDir is the servers' data directory, whose lock the supervisor holds.
	DataDir string
	// Stdout and Stderr receive the supervisor's and the servers' output.
	Stdout, Stderr io.Writer
	// LockDir takes the data directory's lock (localserver.LockDir). Required.
	LockDir func(dir string) (Lock, error)
	// StopWithParent returns a context also done when the process that started the
	// supervisor exits, and that process's pid (0 when it is not watched). Nil means the
	// supervisor does not watch its parent.
	StopWithParent func(ctx context.Context, log *slog.Logger) (_ context.Context, parent int, stop func())
}

// Lock is the data directory's lock (a *localserver.DirLock), held by the supervisor and
// inherited by each server it starts.
type Lock interface {
	// Listening records the address the servers are reached on.
	Listening(addr string) error
	// File is the open lock file, which each server inherits.
	File() *os.File
	// Unlock releases the lock.
	Unlock() error
}
