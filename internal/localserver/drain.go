package localserver

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// silentGrace is how long a stopping server waits for a connection it accepted to send its
// first request before it closes that connection. A client on loopback sends its request
// within a millisecond of connecting; a connection still silent after this is a
// speculative one (a browser's preconnect), which its client retries on a new connection
// without having lost anything.
const silentGrace = 250 * time.Millisecond

// connTracker follows an http.Server's connections through its ConnState hook.
type connTracker struct {
	mu      sync.Mutex
	conns   map[net.Conn]http.ConnState
	changed chan struct{} // gets a token when a connection changes state
	hook    func(net.Conn, http.ConnState)
}

// trackConns sets srv's ConnState hook to follow its connections, calling hook too when
// it is not nil.
func trackConns(srv *http.Server, hook func(net.Conn, http.ConnState)) *connTracker {
	t := &connTracker{conns: map[net.Conn]http.ConnState{}, changed: make(chan struct{}, 1), hook: hook}
	srv.ConnState = t.state
	return t
}

func (t *connTracker) state(c net.Conn, st http.ConnState) {
	t.mu.Lock()
	if st == http.StateClosed || st == http.StateHijacked {
		delete(t.conns, c)
	} else {
		t.conns[c] = st
	}
	t.mu.Unlock()
	select {
	case t.changed <- struct{}{}:
	default:
	}
	if t.hook != nil {
		t.hook(c, st)
	}
}

// open counts the connections not closed yet.
func (t *connTracker) open() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.conns)
}

// closeSilent closes the connections on which no request has been read yet.
func (t *connTracker) closeSilent() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for c, st := range t.conns {
		if st == http.StateNew {
			c.Close()
		}
	}
}

// drain stops srv, which serves ln, without leaving a request unanswered, within
// Config.ShutdownTimeout; served delivers srv.Serve's result.
//
// http.Server.Shutdown alone is not enough: it closes, unanswered, a connection whose
// request it reads after the shutdown began, even one it accepted before (net/http's
// conn.serve returns when it finds the server shutting down after reading a request). A
// client that had just connected, as happens to some whenever -watch swaps servers under
// load, would get EOF. So: stop accepting first (connections not accepted yet wait in the
// listening socket's backlog, for the next server on it when the socket is shared), turn
// keep-alives off (idle connections close, and every response from now on closes its
// connection), close the connections still silent after silentGrace, and wait for the rest
// to be answered and closed. Only then Shutdown, which finds nothing left unless the time
// ran out.
//
// A client that sends a request on a kept-alive connection just as the server closes it
// idle gets no answer there; that race is HTTP/1.1's (RFC 9112, section 9.3.1), and
// clients retry such a request when it is idempotent, as Go's does (GET, HEAD, or any
// request with an Idempotency-Key).
func (s *Server) drain(ctx context.Context, srv *http.Server, conns *connTracker, ln net.Listener, served <-chan error) error {
	deadline := time.Now().Add(s.cfg.ShutdownTimeout)
	ln.Close()
	// The accept loop is over (Serve's error only says the listener closed); the connections
	// accepted are still served.
	<-served //nolint:errcheck // see above
	srv.SetKeepAlivesEnabled(false)
	grace := silentGrace
	if s.cfg.hooks.grace > 0 {
		grace = s.cfg.hooks.grace
	}
	silent := time.NewTimer(grace)
	defer silent.Stop()
	limit := time.NewTimer(time.Until(deadline))
	defer limit.Stop()
wait:
	for conns.open() > 0 {
		select {
		case <-conns.changed:
		case <-silent.C:
			conns.closeSilent()
		case <-limit.C:
			break wait
		}
	}
	sctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("drain requests: %w", err)
	}
	return nil
}
