package function

import (
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
