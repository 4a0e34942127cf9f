package reload

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// burstQuiet is how long the module's files must stay unchanged before a change is acted on.
// A save is often a burst of writes: several files at once (save all, a rename across
// packages), an editor writing a temporary file and renaming it over the original, a
// formatter run after the write. They come within milliseconds of one another; 50 ms of
// quiet ends the burst while adding little to the reload. A write that comes later still
// is not lost: a build that files changed under is not swapped in, and the next one has
// both.
const burstQuiet = 50 * time.Millisecond

// sourceWatcher watches a module's directories for changes to the files a build reads and
// reports each burst of them once it is over.
//
// fsnotify (inotify on Linux, kqueue on macOS and the BSDs) rather than polling: a change is
// seen at once, where polling would add up to its interval to every reload and stat every
// file of the module at every interval, on a machine that also runs an editor and the
// build. Its watches are per directory, so every directory of the module is watched, and a
// directory created later is added when it appears.
type sourceWatcher struct {
	root     string
	skipDir  func(path string) bool // directories not to watch (the data directory)
	relevant func(path string) bool // whether a change to the file at path needs a rebuild
	quiet    time.Duration
	log      *slog.Logger
	fsw      *fsnotify.Watcher

	mu      sync.Mutex
	pending map[string]bool // changed files not yet taken, by path
	first   time.Time       // when the first of them changed
	ready   chan struct{}   // gets a token when a burst of changes is over
	kick    chan struct{}   // restarts the quiet period
	closed  chan struct{}
	done    chan struct{} // closed when loop has returned
}

// watchSources starts watching every directory under root except those ignored (see
// ignoredDir) and those skipDir names.
func watchSources(root string, skipDir, relevant func(string) bool, quiet time.Duration, log *slog.Logger) (*sourceWatcher, error) {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &sourceWatcher{
		root: root, skipDir: skipDir, relevant: relevant, quiet: quiet, log: log, fsw: fsw,
		pending: map[string]bool{},
		ready:   make(chan struct{}, 1),
		kick:    make(chan struct{}, 1),
		closed:  make(chan struct{}),
		done:    make(chan struct{}),
	}
	if err := w.addTree(root, false); err != nil {
		fsw.Close()
		return nil, err
	}
	go w.loop()
	return w, nil
}

// Close stops watching.
func (w *sourceWatcher) Close() error {
	close(w.closed)
	err := w.fsw.Close()
	<-w.done
	return err
}

// Ready gets a token when a burst of changes is over: call Take.
func (w *sourceWatcher) Ready() <-chan struct{} { return w.ready }

// Take returns the files changed since the last Take, relative to the root and sorted, and
// when the first of them changed; none when there are none.
func (w *sourceWatcher) Take() (files []string, since time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for p := range w.pending {
		if rel, err := filepath.Rel(w.root, p); err == nil {
			p = rel
		}
		files = append(files, p)
	}
	slices.Sort(files)
	since = w.first
	clear(w.pending)
	w.first = time.Time{}
	return files, since
}

// Pending reports whether changes are waiting to be taken, their burst over or not.
func (w *sourceWatcher) Pending() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.pending) > 0
}

func (w *sourceWatcher) loop() {
	defer close(w.done)
	timer := time.NewTimer(w.quiet)
	timer.Stop()
	for {
		select {
		case <-w.closed:
			return
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			w.event(ev)
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: whatever changed is unknown, so rebuild.
				w.log.Warn("file events overflowed: rebuilding to be sure", "error", err)
				w.note(filepath.Join(w.root, "(events lost)"))
				continue
			}
			w.log.Warn("watching the module's files", "error", err)
		case <-w.kick:
			timer.Reset(w.quiet)
		case <-timer.C:
			select {
			case w.ready <- struct{}{}:
			default: // a token is already waiting
			}
		}
	}
}

// event records a change the build may read, and watches a directory that appeared.
func (w *sourceWatcher) event(ev fsnotify.Event) {
	if ev.Op == fsnotify.Chmod {
		return // a mode or time change: no content changed
	}
	if ev.Has(fsnotify.Create) {
		if st, err := os.Lstat(ev.Name); err == nil && st.IsDir() {
			// A directory that appeared may already hold files (a checkout, a move): they
			// count as changed.
			if err := w.addTree(ev.Name, true); err != nil {
				w.log.Warn("cannot watch a new directory", "dir", ev.Name, "error", err)
			}
			return
		}
	}
	if w.relevant(ev.Name) {
		w.note(ev.Name)
	}
}

// note records a change to path and restarts the quiet period.
func (w *sourceWatcher) note(path string) {
	w.mu.Lock()
	if len(w.pending) == 0 {
		w.first = time.Now()
	}
	w.pending[path] = true
	w.mu.Unlock()
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// addTree watches dir and the directories under it, except those ignored; with changed, the
// source files found count as changed.
func (w *sourceWatcher) addTree(dir string, changed bool) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path != dir && errors.Is(err, fs.ErrNotExist) {
				return nil // gone meanwhile
			}
			return err
		}
		if !d.IsDir() {
			if changed && w.relevant(path) {
				w.note(path)
			}
			return nil
		}
		if path != w.root && (ignoredDir(path) || w.skipDir(path)) {
			return filepath.SkipDir
		}
		return w.fsw.Add(path)
	})
}

// ignoredDir reports whether the directory at path holds nothing a build of the module
// reads: directories the go command ignores (names starting with "." or "_", testdata),
// vendor and node_modules, and a nested module (a directory with its own go.mod), which is
// not part of this one. The data directory (.groundwork/local by default) is under a
// dot-directory; a -data elsewhere in the module is skipped by the caller.
func ignoredDir(path string) bool {
	name := filepath.Base(path)
	switch {
	case strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_"),
		name == "testdata", name == "vendor", name == "node_modules":
		return true
	}
	_, err := os.Stat(filepath.Join(path, "go.mod"))
	return err == nil
}

// sourceFile reports whether a change to the file at path can change what a build of the
// module's main package produces: a Go file that is not a test, or go.mod, go.sum or
// go.work at the root. Editors' temporary and backup files (".x.go.swp", "x.go~",
// "#x.go#", ".#x.go", "x.go___jb_tmp___", vim's "4913") are none of these; the go command
// ignores Go files whose names start with "." or "_". Embedded files are not among them.
func sourceFile(root, path string) bool {
	name := filepath.Base(path)
	if filepath.Dir(path) == root && (name == "go.mod" || name == "go.sum" || name == "go.work" || name == "go.work.sum") {
		return true
	}
	return strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") &&
		!strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "_")
}

// mergeSorted returns the sorted union of two sorted lists.
func mergeSorted(a, b []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(append(slices.Clip(a), b...))))
}
