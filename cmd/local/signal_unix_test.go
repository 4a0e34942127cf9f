//go:build unix

package main

import (
	"context"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSIGTERMStopsGracefullyAndARestartKeepsTheData(t *testing.T) {
	// Given the command serving (its signal handler is installed before the banner prints)
	data := t.TempDir()
	url, stdout, done := startRun(t, context.Background(), data)
	resp, err := http.Post(url+"/v1/inquiries", "application/json",
		strings.NewReader(`{"name":"Ada","email":"ada@example.com","message":"hello"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	location := resp.Header.Get("Location")
	require.NotEmpty(t, location)

	// When the process gets SIGTERM, as `docker stop` or a supervisor would send
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))

	// Then the command returns cleanly, having drained
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("the command did not stop within 30s of SIGTERM")
	}
	require.Contains(t, stdout.String(), "stopped: requests drained, worker batch finished")

	// And a restart on the same data directory serves the inquiry again
	ctx, cancel := context.WithCancel(context.Background())
	url, _, done = startRun(t, ctx, data)
	resp, err = http.Get(url + location)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "the record survived the restart")
	cancel()
	require.NoError(t, <-done)
}
