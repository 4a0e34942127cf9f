package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/groundwork-dev/groundwork/internal/localserver"
)

// The server's side of -watch (watch.go has the supervisor's side and the design): a server
// process started by the supervisor inherits the listening socket and the data directory's
// lock, says when it runs, opens the data directory only once told the previous server has
// released it, and stops as for SIGTERM when told to hand over or when the supervisor is
// gone.

// childEnv names the environment variable the supervisor sets for each server process it
// starts: the server's generation, 1 for the first. Nothing else sets it, and the server
// unsets it at once, so that processes it might start do not take it for theirs.
const childEnv = "GROUNDWORK_LOCAL_WATCH_CHILD"

// The files a server process inherits from the supervisor, after stdin, stdout and stderr.
const (
	fdListener = 3 + iota // the listening socket, open for the supervisor's whole life
	fdLock                // the data directory's lock file, locked by the supervisor
	fdControl             // supervisor to server: msgOpen, then msgHandover; closed to stop
	fdStatus              // server to supervisor: msgReady, then msgServing
)

// The lines of the protocol on fdControl and fdStatus.
const (
	msgReady    = "ready"    // the new binary runs and waits for the data directory
	msgOpen     = "open"     // the previous server released the data directory: open it, serve
	msgServing  = "serving"  // the data directory is open; the listener is being served
	msgHandover = "handover" // stop as for SIGTERM: a rebuilt server takes over
)

// errStoppedBeforeOpen: the supervisor stopped before this server opened anything.
var errStoppedBeforeOpen = errors.New("the -watch supervisor stopped before handing the data directory over")

// handover is what a server started by the -watch supervisor got from it. A nil *handover
// stands for a server started otherwise; its methods then do what run does without -watch.
type handover struct {
	gen     int
	ln      net.Listener
	lock    *localserver.DirLock
	status  *os.File
	control *bufio.Reader
	done    chan struct{} // closed when told to hand over, or when the supervisor is gone
	handed  atomic.Bool   // told to hand over, rather than to stop
}

// takeHandover returns nil when this process was not started by the -watch supervisor (or
// watch is false). Otherwise it tells the supervisor that it runs, waits until the
// supervisor says the previous server has released the data directory, and returns the
// listener and the lock it inherited. It returns errStoppedBeforeOpen when the supervisor
// stopped instead.
func takeHandover(watch bool, dataDir string) (*handover, error) {
	v, ok := os.LookupEnv(childEnv)
	if !ok || !watch {
		return nil, nil
	}
	os.Unsetenv(childEnv)
	gen, err := strconv.Atoi(v)
	if err != nil || gen < 1 {
		return nil, fmt.Errorf("%s=%q: not a server generation", childEnv, v)
	}
	h := &handover{
		gen:     gen,
		status:  os.NewFile(fdStatus, "watch-status"),
		control: bufio.NewReader(os.NewFile(fdControl, "watch-control")),
		done:    make(chan struct{}),
	}
	if err := h.report(msgReady); err != nil {
		return nil, err
	}
	switch line, err := h.control.ReadString('\n'); {
	case err != nil:
		return nil, errStoppedBeforeOpen
	case strings.TrimSuffix(line, "\n") != msgOpen:
		return nil, fmt.Errorf("-watch supervisor: %q where %q was expected", line, msgOpen)
	}
	lf := os.NewFile(fdListener, "watch-listener")
	h.ln, err = net.FileListener(lf) // a duplicate: the supervisor's socket stays open
	lf.Close()
	if err != nil {
		return nil, fmt.Errorf("inherited listener: %w", err)
	}
	if h.lock, err = localserver.InheritLock(dataDir, os.NewFile(fdLock, "watch-lock")); err != nil {
		h.ln.Close()
		return nil, err
	}
	go func() {
		line, _ := h.control.ReadString('\n') // the next line, or EOF when the supervisor is gone
		h.handed.Store(strings.TrimSuffix(line, "\n") == msgHandover)
		close(h.done)
	}()
	return h, nil
}

// report sends msg to the supervisor.
func (h *handover) report(msg string) error {
	if _, err := h.status.WriteString(msg + "\n"); err != nil {
		return fmt.Errorf("-watch supervisor: report %s: %w", msg, err)
	}
	return nil
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
	return h.ln, nil
}

// stopWith returns a context also cancelled when the supervisor says to hand over or is
// gone (the server's parent here), after telling the supervisor that this server serves;
// without -watch, it is stopWithGoRun.
func (h *handover) stopWith(ctx context.Context, log *slog.Logger) (_ context.Context, goRun int, stop func()) {
	if h == nil {
		return stopWithGoRun(ctx, log)
	}
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-h.done:
			if h.handed.Load() {
				log.Info("handing over to the rebuilt server")
			} else {
				log.Info("the -watch supervisor stopped: stopping")
			}
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := h.report(msgServing); err != nil {
		log.Warn("cannot tell the -watch supervisor that the server serves", "error", err)
	}
	return ctx, 0, cancel
}

// first reports whether this is the first server of a -watch run, or a server without
// -watch: the one that prints the banner. The supervisor reports each reload itself.
func (h *handover) first() bool { return h == nil || h.gen == 1 }

// handedOver reports whether this server stopped to hand over to a rebuilt one: its stop is
// then no news to print.
func (h *handover) handedOver() bool { return h != nil && h.handed.Load() }
