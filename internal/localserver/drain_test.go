package localserver

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serving is a server whose Serve runs on a loopback listener, with a hook that reports each
// connection it accepts.
type serving struct {
	addr     string
	accepted chan net.Conn // the server's side of each connection it accepted
	stop     context.CancelFunc
	done     chan struct{} // closed when Serve has returned
	err      error         // Serve's result, once done is closed
}

// wait waits for Serve to return and returns its result; a bound on a hang, not a speed
// requirement.
func (sv *serving) wait(t *testing.T) error {
	t.Helper()
	select {
	case <-sv.done:
		return sv.err
	case <-time.After(time.Minute):
		t.Fatal("Serve did not return within a minute of the stop")
		return nil
	}
}

func serveWithConnHook(t *testing.T, cfg Config) *serving {
	t.Helper()
	sv := &serving{accepted: make(chan net.Conn, 16), done: make(chan struct{})}
	cfg.DataDir, cfg.Logger = t.TempDir(), slog.New(slog.DiscardHandler)
	cfg.hooks.connState = func(c net.Conn, st http.ConnState) {
		if st == http.StateNew {
			sv.accepted <- c
		}
	}
	srv, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	sv.addr = ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	sv.stop = cancel
	go func() { sv.err = srv.Serve(ctx, ln); close(sv.done) }()
	// A test that cares about Serve's result waits for it itself; the cleanup only makes sure
	// Serve returned.
	t.Cleanup(func() { cancel(); _ = sv.wait(t) })
	return sv
}

// waitRefused waits until the server no longer accepts connections.
func (sv *serving) waitRefused(t *testing.T) {
	t.Helper()
	eventually(t, "the listener closed", func() bool {
		c, err := net.Dial("tcp", sv.addr)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
}

func TestStopAnswersARequestSentAfterItOnAConnectionAcceptedBefore(t *testing.T) {
	// Given a server that has accepted a connection on which nothing was sent yet, as when a
	// client connects just as the server is told to stop (or -watch swaps servers); the
	// grace for silent connections is long, so that a slow test still sends within it
	cfg := Config{NoWorker: true, ShutdownTimeout: time.Hour}
	cfg.hooks.grace = time.Hour
	sv := serveWithConnHook(t, cfg)
	conn, err := net.Dial("tcp", sv.addr)
	require.NoError(t, err)
	defer conn.Close()
	<-sv.accepted

	// When the server is told to stop, has stopped accepting, and the request arrives then
	sv.stop()
	sv.waitRefused(t)
	_, err = io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: local\r\n\r\n")
	require.NoError(t, err)

	// Then the request is answered, not dropped, and told the connection closes
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "the request on a connection accepted before the stop is answered")
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.True(t, resp.Close, "the answer says the connection closes")

	// And the stop completes
	require.NoError(t, sv.wait(t))
}

func TestStopClosesASilentConnectionWithoutWaitingForTheShutdownTimeout(t *testing.T) {
	// Given a server with an hour to drain, and a connection that sends nothing (a browser's
	// preconnect)
	sv := serveWithConnHook(t, Config{NoWorker: true, ShutdownTimeout: time.Hour})
	conn, err := net.Dial("tcp", sv.addr)
	require.NoError(t, err)
	defer conn.Close()
	<-sv.accepted

	// When the server is told to stop
	sv.stop()

	// Then it closes the silent connection, and its stop completes, long before the hour (the
	// bound is on a hang, not a speed requirement)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(time.Minute)))
	_, err = conn.Read(make([]byte, 1))
	require.ErrorIs(t, err, io.EOF, "the server closed the silent connection")
	require.NoError(t, sv.wait(t), "the stop completes")
}

func TestStopClosesAnIdleKeptAliveConnection(t *testing.T) {
	// Given a kept-alive connection, idle after its first answer
	sv := serveWithConnHook(t, Config{NoWorker: true, ShutdownTimeout: time.Hour})
	conn, err := net.Dial("tcp", sv.addr)
	require.NoError(t, err)
	defer conn.Close()
	r := bufio.NewReader(conn)
	_, err = io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: local\r\n\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(r, nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.False(t, resp.Close, "the connection is kept alive before the stop")

	// When the server is told to stop
	sv.stop()

	// Then it closes the idle connection, and the stop completes
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(time.Minute)))
	_, err = r.ReadByte()
	require.ErrorIs(t, err, io.EOF, "the server closed the idle connection")
	require.NoError(t, sv.wait(t), "the stop completes")
}
