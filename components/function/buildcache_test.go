package function

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
)

// checkout copies the module's Go sources into a fresh directory, as another checkout holds
// them.
func checkout(t *testing.T) string {
	t.Helper()
	root, err := componenttest.FindProjectDir(".")
	require.NoError(t, err)
	dst := filepath.Join(t.TempDir(), "checkout")
	for _, dir := range []string{"cmd", "internal"} {
		require.NoError(t, os.CopyFS(filepath.Join(dst, dir), os.DirFS(filepath.Join(root, dir))))
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dst, f), b, 0o644))
	}
	return dst
}

func TestBuildCacheAcrossProcesses(t *testing.T) {
	// Given a checkout whose ./cmd/api was built once (build, not Build: Build's memo is the
	// per-process cache; build is what a new process runs)
	dir := checkout(t)
	ctx := context.Background()
	first, err := build(ctx, dir, "./cmd/api")
	require.NoError(t, err)
	st1, err := os.Stat(first)
	require.NoError(t, err)
	require.FileExists(t, manifestPath(dir, "./cmd/api"), "the build recorded its inputs")

	rebuilt := func(t *testing.T) bool {
		t.Helper()
		zip, err := build(ctx, dir, "./cmd/api")
		require.NoError(t, err)
		st, err := os.Stat(zip)
		require.NoError(t, err)
		defer func() { st1 = st }()
		// A build writes its zip anew (a rename onto the name): another file, even with
		// the same bytes.
		return !os.SameFile(st1, st)
	}

	// When nothing changed, then the zip is reused as it is
	assert.False(t, rebuilt(t), "unchanged sources: no build")

	// When a source file of a dependency changes, even only by a comment, then it builds
	appendTo(t, filepath.Join(dir, "internal", "httpapi", "routes.go"), "\n// a comment\n")
	assert.True(t, rebuilt(t), "a changed dependency rebuilds")
	assert.False(t, rebuilt(t), "and then is cached again")

	// When a file is added to a package's directory, then it builds
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cmd", "api", "extra.go"), []byte("package main\n"), 0o644))
	assert.True(t, rebuilt(t), "an added file rebuilds")

	// When go.sum changes, then it builds
	appendTo(t, filepath.Join(dir, "go.sum"), "\n")
	assert.True(t, rebuilt(t), "a changed go.sum rebuilds")

	// When the zip is gone, then it builds
	zip, err := build(ctx, dir, "./cmd/api")
	require.NoError(t, err)
	require.NoError(t, os.Remove(zip))
	st1, _ = os.Stat(manifestPath(dir, "./cmd/api")) // any other file
	assert.True(t, rebuilt(t), "a missing zip rebuilds")

	// And a test file changing does not rebuild
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cmd", "api", "extra_test.go"), []byte("package main\n"), 0o644))
	assert.False(t, rebuilt(t), "tests are no input of the bootstrap")
}

func appendTo(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(text)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// rebuilds says whether a build of pkg under dir after change writes its zip anew, having
// built it once before the change.
func rebuilds(t *testing.T, dir, pkg string, change func()) bool {
	t.Helper()
	ctx := context.Background()
	before, err := build(ctx, dir, pkg)
	require.NoError(t, err)
	st1, err := os.Stat(before)
	require.NoError(t, err)
	change()
	after, err := build(ctx, dir, pkg)
	require.NoError(t, err, "the build after the change")
	st2, err := os.Stat(after)
	require.NoError(t, err)
	return !os.SameFile(st1, st2)
}

func TestBuildCacheNeverReusesAStaleZip(t *testing.T) {
	// One checkout for the cases: each starts from a cached build of the state the cases
	// before it left.
	dir := checkout(t)
	write := func(rel, text string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
	// A bootstrap that embeds a directory: a file added below it is in the next binary.
	write("cmd/embedder/main.go", "package main\n\nimport \"embed\"\n\n//go:embed static\nvar static embed.FS\n\nfunc main() { _, _ = static.ReadDir(\".\") }\n")
	write("cmd/embedder/static/a.txt", "a\n")
	routes := filepath.Join(dir, "internal", "httpapi", "routes.go")
	goenv := filepath.Join(t.TempDir(), "goenv")
	t.Setenv("GOENV", goenv)

	tests := []struct {
		name, pkg string
		change    func()
	}{
		{"a source changed with its size and modification time kept", "./cmd/api", func() {
			st, err := os.Stat(routes)
			require.NoError(t, err)
			b, err := os.ReadFile(routes)
			require.NoError(t, err)
			i := bytes.LastIndexByte(b, '/') // a byte of a comment or a path: the same size
			b[i] = '_'
			require.NoError(t, os.WriteFile(routes, b, 0o644))
			require.NoError(t, os.Chtimes(routes, st.ModTime(), st.ModTime()))
		}},
		{"a file deleted from a package", "./cmd/api", func() {
			write("cmd/api/zz_extra.go", "package main\n")
			_, err := build(context.Background(), dir, "./cmd/api")
			require.NoError(t, err)
			require.NoError(t, os.Remove(filepath.Join(dir, "cmd/api/zz_extra.go")))
		}},
		{"a replace added to go.mod", "./cmd/api", func() {
			appendTo(t, filepath.Join(dir, "go.mod"), "\nreplace example.com/unused => ./unused\n")
		}},
		{"an embedded file changed", "./cmd/embedder", func() { write("cmd/embedder/static/a.txt", "b\n") }},
		{"a file added in a new directory below an embedded one", "./cmd/embedder", func() { write("cmd/embedder/static/sub/b.txt", "b\n") }},
		{"a file added below it, in the same new directory", "./cmd/embedder", func() { write("cmd/embedder/static/sub/c.txt", "c\n") }},
		{"GOFLAGS set in the go command's environment file (go env -w)", "./cmd/api", func() {
			require.NoError(t, os.WriteFile(goenv, []byte("GOFLAGS=-tags=groundwork_other\n"), 0o644))
		}},
		{"a go.work above the project", "./cmd/api", func() {
			require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(dir), "go.work"), []byte("go 1.26.6\n\nuse ./checkout\n"), 0o644))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.True(t, rebuilds(t, dir, tc.pkg, tc.change), "a stale zip would deploy the old code")
		})
	}

	// And GOOS and GOFLAGS in the environment do not count: the build sets both
	t.Run("GOOS and GOFLAGS in the environment", func(t *testing.T) {
		assert.False(t, rebuilds(t, dir, "./cmd/api", func() {
			t.Setenv("GOOS", "windows")
			t.Setenv("GOFLAGS", "-tags=ignored")
		}), "the build's own GOOS and GOFLAGS override them")
	})
}
