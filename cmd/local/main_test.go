package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/httpapi"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestRunPrintsURLAndRoutesServesAndStops(t *testing.T) {
	// Given the command started on a free loopback port
	ctx, cancel := context.WithCancel(context.Background())
	url, stdout, done := startRun(t, ctx, t.TempDir())

	// Then the banner lists every route, and the server answers
	for _, rt := range httpapi.Routes {
		require.Contains(t, stdout.String(), rt.Method, "banner lists %s", rt.Key())
		require.Contains(t, stdout.String(), url+rt.Path, "banner lists %s", rt.Key())
	}
	resp, err := http.Get(url + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	// When it is stopped
	cancel()

	// Then it returns cleanly and says so
	require.NoError(t, <-done)
	require.Contains(t, stdout.String(), "stopped")
}

func TestRunRefusesBadFlags(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	cases := map[string][]string{
		"unknown flag":       {"-nope"},
		"stray argument":     {"extra"},
		"batch out of range": {"-batch", "11", "-data", t.TempDir()},
		"address in use":     {"-addr", busy.Addr().String(), "-data", t.TempDir()},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			var out, errOut strings.Builder
			err := run(context.Background(), args, &out, &errOut)
			require.Error(t, err, "%s is refused", name)
			require.NotContains(t, out.String(), "routes:", "nothing is served")
		})
	}
}

// startRun starts the command on a free loopback port and returns its URL, its output and
// the channel its result arrives on.
func startRun(t *testing.T, ctx context.Context, data string) (string, *syncBuffer, chan error) {
	t.Helper()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-data", data, "-quiet"}, &stdout, &stderr)
	}()
	var url string
	for deadline := time.Now().Add(30 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if m := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+) `).FindStringSubmatch(stdout.String()); m != nil {
			url = m[1]
		}
	}
	require.NotEmpty(t, url, "the banner names the URL: %s %s", stdout.String(), stderr.String())
	return url, &stdout, done
}
