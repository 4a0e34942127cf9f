package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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
	cases := []struct {
		name string
		args []string
		want []string // in the error
	}{
		{"unknown flag", []string{"-nope"}, []string{"-nope"}},
		{"stray argument", []string{"extra"}, []string{`"extra"`}},
		{"address in use", []string{"-addr", busy.Addr().String()}, []string{busy.Addr().String()}}, // the case's -addr comes last and wins
		{"batch 0", []string{"-batch", "0"}, []string{"-batch 0 is out of range", "1 to 10"}},
		{"batch negative", []string{"-batch", "-1"}, []string{"-batch -1 is out of range", "1 to 10"}},
		{"batch over 10", []string{"-batch", "11"}, []string{"-batch 11 is out of range", "1 to 10"}},
		{"visibility 0s", []string{"-visibility", "0s"}, []string{"-visibility 0s is out of range", "1s to 12h"}},
		{"visibility negative", []string{"-visibility", "-5s"}, []string{"-visibility -5s is out of range", "1s to 12h"}},
		{"visibility not whole seconds", []string{"-visibility", "1500ms"}, []string{"-visibility 1.5s is out of range", "whole seconds"}},
		{"visibility over 12h", []string{"-visibility", "12h0m1s"}, []string{"-visibility 12h0m1s is out of range", "1s to 12h"}},
		{"max-receive 0", []string{"-max-receive", "0"}, []string{"-max-receive 0 is out of range", "1 to 1000"}},
		{"max-receive negative", []string{"-max-receive", "-3"}, []string{"-max-receive -3 is out of range", "1 to 1000"}},
		{"max-receive over 1000", []string{"-max-receive", "1001"}, []string{"-max-receive 1001 is out of range", "1 to 1000"}},
		{"every range at once", []string{"-batch", "0", "-visibility", "0s", "-max-receive", "0"}, []string{"-batch 0", "-visibility 0s", "-max-receive 0"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a data directory that does not exist yet
			data := filepath.Join(t.TempDir(), "data")
			var out, errOut strings.Builder

			// When the command runs with a bad flag (its context already done, so that a
			// regression that accepts the flag stops at once instead of serving forever)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := run(ctx, append([]string{"-addr", "127.0.0.1:0", "-data", data}, tc.args...), &out, &errOut)

			// Then it is refused with an error naming the flag (and its range), and nothing runs
			require.Error(t, err, "%s is refused", tc.name)
			for _, w := range tc.want {
				assert.Contains(t, err.Error()+errOut.String(), w, "the error names the flag and its range")
			}
			assert.NotContains(t, out.String(), "routes:", "nothing is served")
			if !strings.HasPrefix(tc.name, "address") {
				assert.NoDirExists(t, data, "the data directory is not touched")
			}
		})
	}
}

func TestBannerShowsTheSettingsInEffect(t *testing.T) {
	cases := []struct {
		name, worker string
		args         []string
	}{
		{"defaults", "batch 10, visibility 30s, dead-letter after 5 tries", nil},
		{"lower bounds", "batch 1, visibility 1s, dead-letter after 1 tries", []string{"-batch", "1", "-visibility", "1s", "-max-receive", "1"}},
		{"upper bounds", "batch 10, visibility 12h0m0s, dead-letter after 1000 tries", []string{"-batch", "10", "-visibility", "12h", "-max-receive", "1000"}},
		{"worker off", "off (-no-worker): events stay in the queue", []string{"-no-worker"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given the command started with the flags
			ctx, cancel := context.WithCancel(context.Background())
			_, stdout, done := startRun(t, ctx, t.TempDir(), tc.args...)
			cancel()
			require.NoError(t, <-done)

			// Then the banner shows the worker's settings in effect, and this process
			assert.Regexp(t, `worker\s+`+regexp.QuoteMeta(tc.worker)+"\n", stdout.String(), "the worker settings in effect")
			assert.Regexp(t, fmt.Sprintf(`process\s+pid %d\n`, os.Getpid()), stdout.String(),
				"the banner names the pid, and no go run to stop with (a test binary is not run by go run)")
		})
	}
}

func TestSecondServerOnADataDirectoryNamesTheFirst(t *testing.T) {
	// Given the command serving on a data directory
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	url, _, done := startRun(t, ctx, data)
	defer func() { cancel(); require.NoError(t, <-done) }()

	// When a second one is started on the same directory
	var out, errOut strings.Builder
	stopped, cancelSecond := context.WithCancel(context.Background())
	cancelSecond() // should it start after all, it stops at once
	err := run(stopped, []string{"-addr", "127.0.0.1:0", "-data", data}, &out, &errOut)

	// Then it is refused, naming the process and the address that hold the directory
	require.Error(t, err)
	assert.Contains(t, err.Error(), "data directory "+data+" is in use", "names the directory")
	assert.Contains(t, err.Error(), fmt.Sprintf("pid %d (", os.Getpid()), "names the holding process")
	assert.Contains(t, err.Error(), "listening on "+strings.TrimPrefix(url, "http://"), "names the holder's address")
}

// startRun starts the command on a free loopback port and returns its URL, its output and
// the channel its result arrives on.
func startRun(t *testing.T, ctx context.Context, data string, flags ...string) (string, *syncBuffer, chan error) {
	t.Helper()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	args := append([]string{"-addr", "127.0.0.1:0", "-data", data, "-quiet"}, flags...)
	go func() {
		done <- run(ctx, args, &stdout, &stderr)
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
