package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// `go run` builds the server, starts it as a child and waits for it. It ignores SIGINT (the
// terminal sends Ctrl-C to the whole process group, so the child gets it too) but dies on
// SIGTERM or SIGKILL without passing anything on, which left the server running, holding
// the port and the data directory's lock, with nobody to stop it. So a server started by
// `go run` stops, gracefully, when the go command exits. A server started directly (a built
// binary, under nohup or a supervisor) does not: its parent exiting is no reason to stop.
//
// How the server notices that its parent exited:
//
//   - Linux's PR_SET_PDEATHSIG was weighed and not chosen: it is Linux only; the signal
//     comes when the *thread* that forked the child exits, not the process (the go command's
//     runtime may end that thread while it still runs: a spurious stop); and the child must
//     set it itself after it started, racing with a parent that dies in between.
//   - Unix: when the parent exits the kernel reparents the server (to init or a subreaper),
//     so os.Getppid changes. Polling it every parentPollInterval is portable (Linux, macOS,
//     BSDs), has none of those caveats, and costs one cheap system call per interval; the
//     price is that the stop begins up to one interval late.
//   - Windows: the parent process's handle is waited on.

// goRunParent returns the pid of the go command that runs this binary, or 0 when the
// binary was not started by `go run`.
func goRunParent() int {
	exe, err := os.Executable()
	if err != nil || !builtByGoRun(exe) {
		return 0
	}
	return os.Getppid()
}

// cacheEntry is the name of a build cache entry directory ("<sha256 hex>-d").
var cacheEntry = regexp.MustCompile(`^[0-9a-f]{64}-d$`)

// builtByGoRun reports whether exe is a binary that `go run` (or `go tool`) built and runs:
// one in the go command's temporary work directory ($GOTMPDIR or $TMPDIR, then
// go-build<N>/b<NNN>/exe/<name>), or, since Go 1.24 caches them, one in the build cache
// ($GOCACHE/<2 hex>/<64 hex>-d/<name>). A go test binary ($WORK/b<NNN>/<pkg>.test) is
// neither.
func builtByGoRun(exe string) bool {
	dir := filepath.Dir(exe)
	if filepath.Base(dir) == "exe" {
		action := filepath.Dir(dir)
		work := filepath.Base(filepath.Dir(action))
		return isNumbered(filepath.Base(action), "b") && isNumbered(work, "go-build")
	}
	entry := filepath.Base(dir)
	return cacheEntry.MatchString(entry) && filepath.Base(filepath.Dir(dir)) == entry[:2]
}

// isNumbered reports whether name is prefix followed by one or more decimal digits.
func isNumbered(name, prefix string) bool {
	digits, ok := strings.CutPrefix(name, prefix)
	return ok && digits != "" && strings.Trim(digits, "0123456789") == ""
}

// stopWithGoRun returns a context that is also cancelled, as a SIGTERM would cancel it,
// when the go command that runs this binary exits, and that command's pid; when the binary
// was not started by `go run` it returns ctx and 0. Call stop to end the watch.
func stopWithGoRun(ctx context.Context, log *slog.Logger) (_ context.Context, goRun int, stop func()) {
	goRun = goRunParent()
	if goRun == 0 {
		return ctx, 0, func() {}
	}
	watched, cancel := context.WithCancelCause(ctx)
	gone := watchParent(watched, goRun)
	if gone == nil { // no way to watch it here
		cancel(nil)
		return ctx, 0, func() {}
	}
	go func() {
		select {
		case <-gone:
			log.Warn("go run exited: stopping", "pid", goRun)
			cancel(fmt.Errorf("go run (pid %d) exited", goRun))
		case <-watched.Done():
		}
	}()
	return watched, goRun, func() { cancel(nil) }
}
