//go:build linux

package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/localserver"
)

// These tests run the server as its own process under a parent that dies: `go run` itself,
// and sh standing in for it (or for a shell that exits after starting the server). This
// test process becomes a child subreaper, so the orphaned server is reparented to it (as it
// would be to init) and can be reaped here, its exit status read.

func TestServerStopsWhenGoRunIsTerminated(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go run, which builds and links cmd/local")
	}
	becomeSubreaper(t)

	// Given the server started by `go run`, as a developer starts it
	data := t.TempDir()
	out := newProcessOutput(t)
	goRun := exec.Command(goTool(t), "run", ".", "-addr", "127.0.0.1:0", "-data", data, "-quiet")
	goRun.Stdout, goRun.Stderr = out.stdout, out.stderr
	require.NoError(t, goRun.Start())
	srv := out.waitBanner(t)
	require.Equal(t, goRun.Process.Pid, srv.goRun, "the banner says the server stops with this go run")
	assertServes(t, srv.url)

	// When go run gets SIGTERM (as from an IDE's stop button, a supervisor or kill), which it
	// does not pass on to the server
	require.NoError(t, goRun.Process.Signal(syscall.SIGTERM))
	require.Error(t, goRun.Wait(), "go run died of the signal")

	// Then the server stops gracefully, and the port and the data directory come free
	assertStoppedAndReleased(t, srv, out, data, "go run exited: stopping")
}

func TestServerUnderAParentThatDies(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and links cmd/local")
	}
	becomeSubreaper(t)
	bin := buildLocal(t)

	t.Run("go run's binary stops when its parent is killed", func(t *testing.T) {
		// Given the binary in a directory laid out as go run's, started by a parent that
		// waits for it (sh without exec, as go run does)
		exe := copyBinary(t, bin, filepath.Join(t.TempDir(), "go-build4242", "b001", "exe"))
		data := t.TempDir()
		out := newProcessOutput(t)
		parent := exec.Command("sh", "-c", `"$0" "$@"; exit $?`, exe, "-addr", "127.0.0.1:0", "-data", data, "-quiet")
		parent.Stdout, parent.Stderr = out.stdout, out.stderr
		require.NoError(t, parent.Start())
		srv := out.waitBanner(t)
		require.Equal(t, parent.Process.Pid, srv.goRun, "the banner says the server stops with its parent")
		assertServes(t, srv.url)

		// When the parent is killed with SIGKILL: nothing it could do on its way out
		require.NoError(t, parent.Process.Kill())
		require.Error(t, parent.Wait(), "the parent died of the signal")

		// Then the server stops gracefully, and the port and the data directory come free
		assertStoppedAndReleased(t, srv, out, data, "go run exited: stopping")
	})

	t.Run("a binary started directly outlives its parent", func(t *testing.T) {
		// Given the binary started directly from an ordinary directory by a shell, as with
		// `nohup ./local &`
		exe := copyBinary(t, bin, filepath.Join(t.TempDir(), "bin"))
		data := t.TempDir()
		out := newProcessOutput(t)
		parent := exec.Command("sh", "-c", `"$0" "$@"; exit $?`, exe, "-addr", "127.0.0.1:0", "-data", data, "-quiet")
		parent.Stdout, parent.Stderr = out.stdout, out.stderr
		require.NoError(t, parent.Start())
		srv := out.waitBanner(t)
		require.Zero(t, srv.goRun, "the banner names no go run to stop with: nothing watches the parent")

		// When the shell goes away
		require.NoError(t, parent.Process.Kill())
		require.Error(t, parent.Wait())

		// Then the server, reparented, keeps serving
		waitFor(t, "the server to be reparented to this process", func() bool { return parentOf(srv.pid) == os.Getpid() })
		assertServes(t, srv.url)

		// And it still stops gracefully when it is itself told to
		require.NoError(t, syscall.Kill(srv.pid, syscall.SIGTERM))
		assertStoppedAndReleased(t, srv, out, data, "")
		assert.NotContains(t, out.stderrText(), "go run exited", "it stopped for its own SIGTERM, not for its parent")
	})
}

// server is what the banner of a server process says about it.
type server struct {
	url   string
	pid   int
	goRun int // 0 when the banner names no go run
	reap  func() (syscall.WaitStatus, error)
}

// processOutput is a server process's stdout and stderr, as files: they outlive the parent.
type processOutput struct {
	stdout, stderr *os.File
}

func newProcessOutput(t *testing.T) *processOutput {
	t.Helper()
	dir := t.TempDir()
	o := &processOutput{}
	var err error
	o.stdout, err = os.Create(filepath.Join(dir, "stdout"))
	require.NoError(t, err)
	o.stderr, err = os.Create(filepath.Join(dir, "stderr"))
	require.NoError(t, err)
	t.Cleanup(func() { o.stdout.Close(); o.stderr.Close() })
	return o
}

func (o *processOutput) stdoutText() string { b, _ := os.ReadFile(o.stdout.Name()); return string(b) }
func (o *processOutput) stderrText() string { b, _ := os.ReadFile(o.stderr.Name()); return string(b) }

var (
	bannerProcess = regexp.MustCompile(`process\s+pid (\d+)(?:, stops when go run \(pid (\d+)\) exits)?\n`)
)

// waitBanner waits for the server's banner and returns what it says; the server process is
// killed at the end of the test if it is still running then.
func (o *processOutput) waitBanner(t *testing.T) *server {
	t.Helper()
	var m []string
	var url string
	waitFor(t, "the server's banner", func() bool {
		s := o.stdoutText()
		if u := bannerURL.FindStringSubmatch(s); u != nil {
			url = u[1]
		}
		m = bannerProcess.FindStringSubmatch(s)
		return url != "" && m != nil
	}, o)
	srv := &server{url: url}
	srv.pid, _ = strconv.Atoi(m[1])
	srv.goRun, _ = strconv.Atoi(m[2])
	require.NotZero(t, srv.pid)
	var once sync.Once
	var status syscall.WaitStatus
	var waitErr error
	srv.reap = func() (syscall.WaitStatus, error) {
		once.Do(func() { _, waitErr = syscall.Wait4(srv.pid, &status, 0, nil) })
		return status, waitErr
	}
	t.Cleanup(func() {
		if syscall.Kill(srv.pid, 0) == nil {
			_ = syscall.Kill(srv.pid, syscall.SIGKILL) // the server this test started, by its pid
			_, _ = srv.reap()
		}
	})
	return srv
}

// assertStoppedAndReleased waits for the server process to exit, and asserts that it
// stopped gracefully (exit status 0, having drained), that it logged why (when why is not
// empty), and that its port and data directory are free again.
func assertStoppedAndReleased(t *testing.T, srv *server, out *processOutput, data, why string) {
	t.Helper()
	exited := make(chan syscall.WaitStatus, 1)
	go func() {
		st, err := srv.reap()
		if err != nil {
			t.Errorf("wait for the server (pid %d): %v", srv.pid, err)
		}
		exited <- st
	}()
	var st syscall.WaitStatus
	select {
	case st = <-exited:
	case <-time.After(60 * time.Second): // a bound on a hang, not a speed requirement
		t.Fatalf("the server (pid %d) is still running\nstdout:\n%s\nstderr:\n%s", srv.pid, out.stdoutText(), out.stderrText())
	}
	require.True(t, st.Exited(), "the server exited rather than being killed (status %v)", st)
	assert.Equal(t, 0, st.ExitStatus(), "the server exited cleanly")
	assert.Contains(t, out.stdoutText(), "stopped: requests drained, worker batch finished", "the server drained before it exited")
	if why != "" {
		assert.Contains(t, out.stderrText(), why, "the server says why it stopped")
	}
	assertReleased(t, srv.url, data)
}

// assertReleased asserts that the port of url and the data directory are free.
func assertReleased(t *testing.T, url, data string) {
	t.Helper()
	ln, err := net.Listen("tcp", strings.TrimPrefix(url, "http://"))
	require.NoError(t, err, "the port is free again")
	ln.Close()
	next, err := localserver.New(localserver.Config{DataDir: data, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err, "the data directory is free again")
	require.NoError(t, next.Close())
}

// assertServes asserts that the server at url answers its health check.
func assertServes(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "the server answers")
}

// waitFor polls cond until it holds, failing the test after a generous bound (a bound on a
// hang, not a speed requirement).
func waitFor(t *testing.T, what string, cond func() bool, out ...*processOutput) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	msg := "timed out waiting for " + what
	for _, o := range out {
		msg += "\nstdout:\n" + o.stdoutText() + "\nstderr:\n" + o.stderrText()
	}
	t.Fatal(msg)
}

// becomeSubreaper makes this process the one orphaned descendants are reparented to, for
// the test's duration (prctl PR_SET_CHILD_SUBREAPER).
func becomeSubreaper(t *testing.T) {
	t.Helper()
	const prSetChildSubreaper = 36
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		t.Skipf("cannot become a child subreaper: %v", errno)
	}
	t.Cleanup(func() {
		if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 0, 0); errno != 0 {
			t.Errorf("cannot stop being a child subreaper: %v", errno)
		}
	})
}

// parentOf returns the parent pid of pid, from /proc, or 0.
func parentOf(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// pid (comm) state ppid ...; comm may hold spaces and parentheses
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(fields[1])
	return ppid
}

// copyBinary copies the binary at src into dir (created) as "local" and returns its path.
func copyBinary(t *testing.T, src, dir string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	dst := filepath.Join(dir, "local")
	require.NoError(t, os.WriteFile(dst, b, 0o755))
	return dst
}
