package reload

import (
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSourceFile(t *testing.T) {
	root := filepath.FromSlash("/m")
	cases := []struct {
		path string
		want bool
	}{
		{"/m/internal/httpapi/handler.go", true},
		{"/m/main.go", true},
		{"/m/go.mod", true},
		{"/m/go.sum", true},
		{"/m/go.work", true},
		{"/m/sub/go.mod", false}, // a nested module's, or a test's
		{"/m/internal/httpapi/handler_test.go", false},
		{"/m/internal/httpapi/.handler.go.swp", false}, // vim's swap file
		{"/m/internal/httpapi/handler.go~", false},     // a backup
		{"/m/internal/httpapi/#handler.go#", false},    // emacs's autosave
		{"/m/internal/httpapi/.#handler.go", false},    // emacs's lock
		{"/m/internal/httpapi/4913", false},            // vim's write test
		{"/m/internal/httpapi/handler.go___jb_tmp___", false},
		{"/m/internal/httpapi/_gen.go", false}, // ignored by the go command
		{"/m/README.md", false},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, sourceFile(root, filepath.FromSlash(tc.path)), "is %s a source file", tc.path)
	}
}

func TestIgnoredDir(t *testing.T) {
	root := t.TempDir()
	nested := filepath.Join(root, "tools")
	require.NoError(t, os.MkdirAll(nested, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(nested, "go.mod"), []byte("module tools\n"), 0o644))
	cases := []struct {
		dir  string
		want bool
	}{
		{"internal", false},
		{"cmd/local", false},
		{".groundwork", true},
		{".git", true},
		{"_old", true},
		{"internal/testdata", true},
		{"vendor", true},
		{"node_modules", true},
		{"tools", true}, // a module of its own
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, ignoredDir(filepath.Join(root, tc.dir)), "is %s ignored", tc.dir)
	}
}

func TestSourceWatcherReportsChangesToSourceOnly(t *testing.T) {
	// Given a module with a package, directories the build never reads, and a data
	// directory inside it, watched
	root := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		p := filepath.Join(root, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	write("go.mod", "module example.com/m\n")
	write("pkg/a.go", "package pkg\n")
	write("pkg/testdata/x.go", "package x\n")
	write(".groundwork/local/x.go", "package x\n")
	write("data/x.go", "package x\n")
	write("tools/go.mod", "module tools\n")
	data := filepath.Join(root, "data")
	w, err := watchSources(root, func(dir string) bool { return dir == data },
		func(p string) bool { return sourceFile(root, p) }, 20*time.Millisecond, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer w.Close()

	// When files the build does not read change: tests, editors' temporary files, files in
	// ignored directories, the data directory and a nested module; then, last, a source
	// file, go.mod, and a package in a directory created after the watch began
	for _, rel := range []string{"pkg/a_test.go", "pkg/.a.go.swp", "pkg/a.go~", "pkg/4913", "pkg/testdata/x.go",
		".groundwork/local/x.go", "data/x.go", "tools/x.go", "pkg/README.md"} {
		write(rel, "package x // changed\n")
	}
	require.NoError(t, os.Chmod(filepath.Join(root, "pkg/a.go"), 0o600)) // no content change
	write("pkg/a.go", "package pkg // changed\n")
	write("go.mod", "module example.com/m\n\ngo 1.26\n")
	write("newpkg/sub/b.go", "package sub\n")

	// Then the changes reported are exactly those three files (events arrive in order, so
	// anything ignored would have been reported with them or before)
	want := []string{"go.mod", filepath.FromSlash("newpkg/sub/b.go"), filepath.FromSlash("pkg/a.go")}
	var got []string
	bursts := 0
	for deadline := time.Now().Add(time.Minute); !slices.Equal(got, want); {
		select {
		case <-w.Ready():
			files, since := w.Take()
			if len(files) > 0 {
				bursts++
				assert.False(t, since.IsZero(), "a burst says when it began")
			}
			got = mergeSorted(got, files)
			require.Subset(t, want, got, "only source files are reported")
		case <-time.After(time.Until(deadline)):
			t.Fatalf("reported %v, want %v", got, want)
		}
	}
	t.Logf("reported in %d burst(s)", bursts)
	assert.False(t, w.Pending(), "nothing is left once taken")
}
