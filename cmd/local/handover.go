package main

import (
	"context"
	"io"
	"log/slog"
	"net"

	"github.com/groundwork-dev/groundwork/cmd/local/internal/reload"
	"github.com/groundwork-dev/groundwork/internal/localserver"
)

// -watch lives in package reload, apart from this main package, which every rebuild
// recompiles (it imports the handlers' packages): there it is compiled once, and each
// rebuild is shorter by its compile time. This file is the glue.

// errStoppedBeforeOpen: the supervisor stopped before this server opened anything.
var errStoppedBeforeOpen = reload.ErrStoppedBeforeOpen

// supervise runs the server under -watch (see reload.Supervise) until ctx is done, a
// signal stops it, or the `go run` that started it exits.
func supervise(ctx context.Context, args []string, addr, data string, stdout, stderr io.Writer) error {
	return reload.Supervise(ctx, reload.Config{
		Args: args, Addr: addr, DataDir: data, Stdout: stdout, Stderr: stderr,
		LockDir:        func(dir string) (reload.Lock, error) { return localserver.LockDir(dir) },
		StopWithParent: stopWithGoRun,
	})
}

// handover is what a server started by the -watch supervisor got from it. A nil *handover
// stands for a server started otherwise; its methods then do what run does without -watch.
type handover struct {
	*reload.Server
	lock *localserver.DirLock
}

// takeHandover returns nil unless this process was started by the -watch supervisor (and
// watch is set); otherwise, once the supervisor says the data directory is free, the
// inherited listener and lock (reload.TakeOver).
func takeHandover(watch bool, dataDir string) (*handover, error) {
	s, err := reload.TakeOver(watch)
	if s == nil || err != nil {
		return nil, err
	}
	lock, err := localserver.InheritLock(dataDir, s.LockFile)
	if err != nil {
		s.Listener.Close()
		return nil, err
	}
	return &handover{Server: s, lock: lock}, nil
}

// dirLock is the inherited lock, for localserver.Config.Lock; nil without -watch.
func (h *handover) dirLock() *localserver.DirLock {
	if h == nil {
		return nil
	}
	return h.lock
}

// listen returns the inherited listener, or, without -watch, listens on addr.
func (h *handover) listen(srv *localserver.Server, addr string) (net.Listener, error) {
	if h == nil {
		return srv.Listen(addr)
	}
	return h.Listener, nil
}

// stopWith returns a context also cancelled when the supervisor says to hand over or is
// gone (the server's parent here), after telling the supervisor that this server serves;
// without -watch, it is stopWithGoRun.
func (h *handover) stopWith(ctx context.Context, log *slog.Logger) (_ context.Context, goRun int, stop func()) {
	if h == nil {
		return stopWithGoRun(ctx, log)
	}
	ctx, stop = h.Serving(ctx, log)
	return ctx, 0, stop
}

// first reports whether this is the first server of a -watch run, or a server without
// -watch: the one that prints the banner. The supervisor reports each reload itself.
func (h *handover) first() bool { return h == nil || h.Gen == 1 }

// handedOver reports whether this server stopped to hand over to a rebuilt one: its stop is
// then no news to print.
func (h *handover) handedOver() bool { return h != nil && h.HandedOver() }
