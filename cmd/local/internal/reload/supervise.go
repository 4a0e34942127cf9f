//go:build unix

package reload

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Supervise runs the server under -watch until ctx is done, SIGINT or SIGTERM arrives, or
// cfg.StopWithParent's context is done.
func Supervise(ctx context.Context, cfg Config) error {
	log := slog.New(slog.NewTextHandler(cfg.Stderr, nil)) // reloads are news even with -quiet
	tg, err := thisTarget()
	if err != nil {
		return fmt.Errorf("-watch: %w", err)
	}
	deps, err := tg.deps(ctx)
	if err != nil {
		return fmt.Errorf("-watch: %w", err)
	}
	lock, err := cfg.LockDir(cfg.DataDir)
	if err != nil {
		return err
	}
	// The lock goes with the process anyway; an unlock that fails on the way out leaves
	// nothing to do.
	defer func() { _ = lock.Unlock() }()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	if err := lock.Listening(ln.Addr().String()); err != nil {
		log.Warn("cannot record the listening address in the data directory's lock file", "error", err)
	}
	lnFile, err := ln.(*net.TCPListener).File()
	if err != nil {
		return err
	}
	defer lnFile.Close()
	bins, err := os.MkdirTemp("", "groundwork-local-watch-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(bins)
	absData, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return err
	}

	s := &supervisor{
		log: log, stdout: cfg.Stdout, stderr: cfg.Stderr, args: cfg.Args, target: tg,
		lnFile: lnFile, lock: lock, bins: bins, root: deps.root, deps: deps,
	}
	skip := func(dir string) bool { return dir == absData || dir == bins }
	if s.w, err = watchSources(deps.root, skip, s.relevant, burstQuiet, log); err != nil {
		return fmt.Errorf("-watch: %w", err)
	}
	defer s.w.Close()

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	goRun := 0
	if cfg.StopWithParent != nil {
		var stopWatching func()
		ctx, goRun, stopWatching = cfg.StopWithParent(ctx, log)
		defer stopWatching()
	}
	process := fmt.Sprintf("pid %d", os.Getpid())
	if goRun != 0 {
		process += fmt.Sprintf(", stops when go run (pid %d) exits", goRun)
	}
	fmt.Fprintf(cfg.Stdout, "watching %s: a saved change to the server's Go code rebuilds it and swaps it in (supervisor %s)\n", deps.root, process)
	return s.run(ctx)
}

// supervisor runs the server as a child process and swaps in a rebuilt one on change.
type supervisor struct {
	log            *slog.Logger
	stdout, stderr io.Writer
	args           []string
	target         target
	lnFile         *os.File
	lock           Lock
	bins           string // where the built binaries go
	root           string // the module's directory
	w              *sourceWatcher

	mu   sync.Mutex
	deps *moduleDeps // nil when unknown (after a failed build): every Go file counts

	gen    int    // servers started
	builds int    // builds run
	cur    *child // the server that serves; nil when none does
}

func (s *supervisor) run(ctx context.Context) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("-watch: %w", err)
	}
	// The first server is this very binary: it was just built from the current code.
	if s.cur, err = s.start(ctx, exe); err != nil {
		if ctx.Err() != nil {
			return nil //nolint:nilerr // stopped (Ctrl-C) while the first server started: a clean exit
		}
		return fmt.Errorf("-watch: the server did not start: %w", err)
	}
	var (
		changed []string  // files changed since the last reload
		since   time.Time // when the first of them changed
	)
	for {
		var exited <-chan struct{}
		if s.cur != nil {
			exited = s.cur.exited
		}
		select {
		case <-ctx.Done():
			s.stop()
			return nil
		case <-exited:
			if stopped := s.serverExited(ctx); stopped {
				return nil
			}
		case <-s.w.Ready():
			files, first := s.w.Take()
			if len(files) == 0 {
				continue
			}
			if len(changed) == 0 {
				since = first
			}
			changed = mergeSorted(changed, files)
			if again := s.reload(ctx, changed, since); !again {
				changed = nil
			}
		}
	}
}

// serverExited deals with the exit of the server that was serving, not asked for: a clean
// stop (exit status 0, or killed by SIGINT or SIGTERM before it could drain) was asked for
// by someone, so the supervisor stops too (it returns true); anything else is a crash, and
// the same build is started again.
func (s *supervisor) serverExited(ctx context.Context) (stopped bool) {
	c := s.cur
	s.cur = nil
	var ee *exec.ExitError
	if c.err == nil {
		s.log.Info("the server stopped: stopping", "pid", c.pid())
		return true
	}
	if errors.As(c.err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && (ws.Signal() == syscall.SIGINT || ws.Signal() == syscall.SIGTERM) {
			s.log.Info("the server was stopped: stopping", "pid", c.pid(), "status", c.err)
			return true
		}
	}
	s.log.Error("the server exited: starting it again", "pid", c.pid(), "status", c.err)
	next, err := s.start(ctx, c.bin)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("no server is running: save a change to rebuild and start it", "error", err)
		}
		return false
	}
	s.cur = next
	return false
}

// reload rebuilds the server and swaps it in. It returns again when the build was left
// unused because files changed again while it ran: the caller waits for that burst to end
// and reloads with both.
func (s *supervisor) reload(ctx context.Context, changed []string, since time.Time) (again bool) {
	s.log.Info("rebuilding", "changed", changed)
	buildStart := time.Now()
	bin, out, err := s.build(ctx)
	switch {
	case ctx.Err() != nil:
		return false
	case s.w.Pending():
		os.Remove(bin)
		return true
	case err != nil:
		os.Remove(bin)
		// The compiler's own words, unchanged, so that editors and terminals can link
		// their file:line:col.
		// A terminal that refuses the output cannot be told so either.
		_, _ = s.stderr.Write(out)
		if len(out) == 0 || out[len(out)-1] != '\n' {
			_, _ = io.WriteString(s.stderr, "\n")
		}
		msg := "build failed: the server keeps running the previous build"
		if s.cur == nil {
			msg = "build failed: no server is running"
		}
		s.log.Error(msg, "changed", changed, "error", err)
		s.setDeps(nil) // the imports may have changed: until a build succeeds, every Go file counts
		return false
	}
	swapStart := time.Now()
	if err := s.swap(ctx, bin); err != nil {
		if ctx.Err() == nil && !errors.Is(err, errRolledBack) {
			s.log.Error("the rebuilt server did not start (its error is above)", "error", err)
		}
		return false
	}
	done := time.Now()
	s.log.Info(fmt.Sprintf("reloaded in %v", done.Sub(since).Round(time.Millisecond)),
		"changed", changed, "build", swapStart.Sub(buildStart).Round(time.Millisecond),
		"handover", done.Sub(swapStart).Round(time.Millisecond), "pid", s.cur.pid())
	go s.refreshDeps(ctx)
	return false
}

// build runs go build on the server's main package into a new binary.
func (s *supervisor) build(ctx context.Context) (bin string, output []byte, err error) {
	s.builds++
	bin = filepath.Join(s.bins, fmt.Sprintf("local-%d", s.builds))
	args := append([]string{"build", "-o", bin}, s.target.flags...)
	cmd := exec.CommandContext(ctx, s.target.goTool, append(args, s.target.pkg)...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) } // go build stops its compilers
	cmd.WaitDelay = 10 * time.Second
	output, err = cmd.CombinedOutput()
	return bin, output, err
}

// swap starts the server built at bin and hands the socket and the data directory over to
// it from the server that serves. When the new server fails before it is ready, the old
// one is left serving; when it fails after the old one has handed over, the old build is
// started again.
func (s *supervisor) swap(ctx context.Context, bin string) error {
	next, err := s.spawn(bin)
	if err != nil {
		return err
	}
	if err := s.await(ctx, next, msgReady); err != nil {
		next.stop()
		<-next.exited
		os.Remove(bin)
		return err
	}
	old := s.cur
	if old != nil {
		old.handover()
		<-old.exited // drained: in-flight requests answered, worker batch finished, files closed
		if old.err != nil {
			s.log.Warn("the previous server did not stop cleanly", "pid", old.pid(), "status", old.err)
		}
	}
	s.cur = nil
	next.send(msgOpen)
	if err := s.await(ctx, next, msgServing); err != nil {
		next.stop()
		<-next.exited
		os.Remove(bin)
		if ctx.Err() != nil || old == nil {
			return err
		}
		s.log.Error("the rebuilt server failed to start: starting the previous build again", "error", err)
		if s.cur, err = s.start(ctx, old.bin); err == nil {
			s.log.Info("the previous build serves again", "pid", s.cur.pid())
		} else if ctx.Err() == nil {
			s.log.Error("no server is running: save a change to rebuild and start it", "error", err)
		}
		return errRolledBack
	}
	s.cur = next
	if old != nil && old.bin != next.bin && filepath.Dir(old.bin) == s.bins {
		os.Remove(old.bin)
	}
	return nil
}

// errRolledBack: the rebuilt server failed to start after the old one had handed over, and
// the previous build was started again (swap logged it).
var errRolledBack = errors.New("the rebuilt server failed to start")

// start starts the server built at bin, with no other server running, and waits until it
// serves.
func (s *supervisor) start(ctx context.Context, bin string) (*child, error) {
	c, err := s.spawn(bin)
	if err != nil {
		return nil, err
	}
	err = s.await(ctx, c, msgReady)
	if err == nil {
		c.send(msgOpen)
		err = s.await(ctx, c, msgServing)
	}
	if err != nil {
		c.stop()
		<-c.exited
		return nil, err
	}
	return c, nil
}

// stop stops the server, as SIGTERM would, and waits for it to drain.
func (s *supervisor) stop() {
	if s.cur != nil {
		s.cur.stop()
		<-s.cur.exited
		s.cur = nil
	}
}

// child is a server process started by the supervisor.
type child struct {
	bin     string
	cmd     *exec.Cmd
	control *os.File      // the write end of its control pipe; nil once closed
	status  chan string   // the lines it reported
	exited  chan struct{} // closed once it has exited and been waited for
	err     error         // how it exited, once exited is closed
}

// spawn starts the server built at bin with the socket, the lock and its two pipes.
func (s *supervisor) spawn(bin string) (*child, error) {
	ctlR, ctlW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	stR, stW, err := os.Pipe()
	if err != nil {
		ctlR.Close()
		ctlW.Close()
		return nil, err
	}
	s.gen++
	cmd := exec.Command(bin, s.args...)
	cmd.Stdout, cmd.Stderr = s.stdout, s.stderr
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", childEnv, s.gen))
	cmd.ExtraFiles = make([]*os.File, fdStatus-2)
	cmd.ExtraFiles[fdListener-3] = s.lnFile
	cmd.ExtraFiles[fdLock-3] = s.lock.File()
	cmd.ExtraFiles[fdControl-3] = ctlR
	cmd.ExtraFiles[fdStatus-3] = stW
	err = cmd.Start()
	ctlR.Close() // the child's ends
	stW.Close()
	if err != nil {
		ctlW.Close()
		stR.Close()
		return nil, err
	}
	c := &child{bin: bin, cmd: cmd, control: ctlW, status: make(chan string, 4), exited: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stR)
		for sc.Scan() {
			select {
			case c.status <- sc.Text():
			default: // more than the protocol's lines: not ours to keep
			}
		}
		stR.Close()
		c.err = cmd.Wait()
		close(c.exited)
	}()
	return c, nil
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// send writes a line to the server's control pipe. A server that is gone does not read it:
// its exit is what the caller sees next.
func (c *child) send(msg string) {
	if c.control != nil {
		_, _ = c.control.WriteString(msg + "\n")
	}
}

// handover tells the server to stop for a rebuilt one.
func (c *child) handover() {
	c.send(msgHandover)
	c.stop()
}

// stop closes the server's control pipe: it stops as for SIGTERM.
func (c *child) stop() {
	if c.control != nil {
		c.control.Close()
		c.control = nil
	}
}

// await waits until the server reports want. It fails when the server exits first, or
// when ctx is done.
func (s *supervisor) await(ctx context.Context, c *child, want string) error {
	for {
		select {
		case got := <-c.status:
			if got == want {
				return nil
			}
		case <-c.exited:
			select {
			case got := <-c.status: // reported just before it exited
				if got == want {
					return nil
				}
			default:
			}
			return fmt.Errorf("the server (pid %d) exited before it was %s: %v", c.pid(), want, c.err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// relevant reports whether a change to the file at path needs a rebuild: go.mod, go.sum
// and go.work at the module's root, a Go file (not a test) of a package the server is built
// from (of any package, while that is unknown), or a file one of them embeds.
func (s *supervisor) relevant(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !sourceFile(s.root, path) {
		return s.deps != nil && s.deps.embeds[path]
	}
	if !strings.HasSuffix(path, ".go") || s.deps == nil {
		return true
	}
	return s.deps.dirs[filepath.Dir(path)]
}

func (s *supervisor) setDeps(d *moduleDeps) {
	s.mu.Lock()
	s.deps = d
	s.mu.Unlock()
}

// refreshDeps lists the server's packages again after a build: an edit may have added or
// dropped an import.
func (s *supervisor) refreshDeps(ctx context.Context) {
	d, err := s.target.deps(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("cannot list the server's packages: every Go file of the module counts as a change", "error", err)
		}
		d = nil
	}
	s.setDeps(d)
}

// target is what the supervisor builds: the main package this binary was built from, with
// the same flags, in the module the current directory is in.
type target struct {
	pkg    string
	goTool string
	flags  []string
}

// thisTarget describes the build of this binary.
func thisTarget() (target, error) {
	bi, _ := debug.ReadBuildInfo()
	t, err := targetOf(bi)
	if err != nil {
		return target{}, err
	}
	if t.goTool, err = exec.LookPath("go"); err != nil {
		// With no go on PATH, the Go this binary was built with (or $GOROOT) is the best guess
		// left; the Stat below says so when it is gone too.
		t.goTool = filepath.Join(runtime.GOROOT(), "bin", "go") //nolint:staticcheck // SA1019: see above
		if _, serr := os.Stat(t.goTool); serr != nil {
			return target{}, fmt.Errorf("no go command to rebuild the server with: %w", err)
		}
	}
	return t, nil
}

// targetOf is the package a binary was built from and the flags to build it again alike:
// those of bi that change what is built, -ldflags with -w added, and -buildvcs=false.
func targetOf(bi *debug.BuildInfo) (target, error) {
	if bi == nil || bi.Path == "" || bi.Path == "command-line-arguments" {
		return target{}, errors.New("this binary does not say which package it was built from: run it as `go run ./cmd/local -watch` from the module")
	}
	t := target{pkg: bi.Path, flags: []string{"-buildvcs=false"}}
	ldflags := "-w"
	for _, st := range bi.Settings {
		switch st.Key {
		case "-race", "-msan", "-asan", "-trimpath":
			if st.Value == "true" {
				t.flags = append(t.flags, st.Key)
			}
		case "-tags", "-gcflags", "-asmflags":
			t.flags = append(t.flags, st.Key+"="+st.Value)
		case "-ldflags":
			ldflags = st.Value + " -w"
		}
	}
	t.flags = append(t.flags, "-ldflags="+ldflags)
	return t, nil
}

// moduleDeps is where the server's code lives.
type moduleDeps struct {
	root   string          // the module's directory
	dirs   map[string]bool // the directories of its packages the server is built from
	embeds map[string]bool // the files those packages embed
}

// listTemplate prints, for each package of the main module among the dependencies, its
// import path, directory, module directory and embedded files, tab separated.
const listTemplate = `{{if and .Module .Module.Main}}{{.ImportPath}}{{"\t"}}{{.Dir}}{{"\t"}}{{.Module.Dir}}{{range .EmbedFiles}}{{"\t"}}{{.}}{{end}}{{end}}`

// deps lists the packages of the current module the server is built from.
func (t target) deps(ctx context.Context) (*moduleDeps, error) {
	args := append([]string{"list", "-deps", "-f", listTemplate}, t.flags...)
	cmd := exec.CommandContext(ctx, t.goTool, append(args, t.pkg)...)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			err = fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
		return nil, fmt.Errorf("%s cannot be rebuilt from here: run -watch from inside its module (go list: %w)", t.pkg, err)
	}
	d := &moduleDeps{dirs: map[string]bool{}, embeds: map[string]bool{}}
	for line := range strings.Lines(string(out)) {
		f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
		if len(f) < 3 {
			continue
		}
		d.dirs[f[1]] = true
		for _, e := range f[3:] {
			d.embeds[filepath.Join(f[1], e)] = true
		}
		if f[0] == t.pkg {
			d.root = f[2]
		}
	}
	if d.root == "" {
		return nil, fmt.Errorf("%s is not a package of the module the current directory is in: run -watch from inside its module, where its source is", t.pkg)
	}
	return d, nil
}
