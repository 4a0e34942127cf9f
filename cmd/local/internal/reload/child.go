package reload

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
)

// The server's side: a server process started by the supervisor inherits the listening
// socket and the data directory's lock, says when it runs, opens the data directory only
// once told the previous server has released it, and stops as for SIGTERM when told to hand
// over or when the supervisor is gone.

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

// ErrStoppedBeforeOpen is TakeOver's error when the supervisor stopped before this server
// opened anything: there is nothing to stop or to report.
var ErrStoppedBeforeOpen = errors.New("the -watch supervisor stopped before handing the data directory over")

// Server is what a server process started by the supervisor got from it.
type Server struct {
	// Gen is the server's generation: 1 for the first the supervisor started.
	Gen int
	// Listener is the supervisor's listening socket (a duplicate: closing it leaves the
	// socket open for the next server).
	Listener net.Listener
	// LockFile is the data directory's lock file, locked by the supervisor: pass it to
	// localserver.InheritLock.
	LockFile *os.File

	status  *os.File
	control *bufio.Reader
	done    chan struct{} // closed when told to hand over, or when the supervisor is gone
	handed  atomic.Bool   // told to hand over, rather than to stop
}

// TakeOver returns nil when this process was not started by the supervisor (or watch is
// false: the supervisor passes -watch on). Otherwise it tells the supervisor that it runs,
// waits until the supervisor says the previous server has released the data directory, and
// returns the listener and the lock file it inherited. It returns ErrStoppedBeforeOpen when
// the supervisor stopped instead.
func TakeOver(watch bool) (*Server, error) {
	v, ok := os.LookupEnv(childEnv)
	if !ok || !watch {
		return nil, nil
	}
	os.Unsetenv(childEnv)
	gen, err := strconv.Atoi(v)
	if err != nil || gen < 1 {
		return nil, fmt.Errorf("%s=%q: not a server generation", childEnv, v)
	}
	s := &Server{
		Gen:     gen,
		status:  os.NewFile(fdStatus, "watch-status"),
		control: bufio.NewReader(os.NewFile(fdControl, "watch-control")),
		done:    make(chan struct{}),
	}
	if err := s.report(msgReady); err != nil {
		return nil, err
	}
	switch line, err := s.control.ReadString('\n'); {
	case err != nil:
		return nil, ErrStoppedBeforeOpen
	case strings.TrimSuffix(line, "\n") != msgOpen:
		return nil, fmt.Errorf("-watch supervisor: %q where %q was expected", line, msgOpen)
	}
	lf := os.NewFile(fdListener, "watch-listener")
	s.Listener, err = net.FileListener(lf) // a duplicate: the supervisor's socket stays open
	lf.Close()
	if err != nil {
		return nil, fmt.Errorf("inherited listener: %w", err)
	}
	s.LockFile = os.NewFile(fdLock, "watch-lock")
	go func() {
		line, _ := s.control.ReadString('\n') // the next line, or EOF when the supervisor is gone
		s.handed.Store(strings.TrimSuffix(line, "\n") == msgHandover)
		close(s.done)
	}()
	return s, nil
}

// report sends msg to the supervisor.
func (s *Server) report(msg string) error {
	if _, err := s.status.WriteString(msg + "\n"); err != nil {
		return fmt.Errorf("-watch supervisor: report %s: %w", msg, err)
	}
	return nil
}

// Serving tells the supervisor that this server serves, and returns a context also
// cancelled when the supervisor says to hand over or is gone (then the server should stop as
// for SIGTERM). Call stop to release the context's resources.
func (s *Server) Serving(ctx context.Context, log *slog.Logger) (_ context.Context, stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-s.done:
			if s.handed.Load() {
				log.Info("handing over to the rebuilt server")
			} else {
				log.Info("the -watch supervisor stopped: stopping")
			}
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := s.report(msgServing); err != nil {
		log.Warn("cannot tell the -watch supervisor that the server serves", "error", err)
	}
	return ctx, cancel
}

// HandedOver reports whether the server was told to stop for a rebuilt one (rather than
// to stop).
func (s *Server) HandedOver() bool { return s.handed.Load() }
