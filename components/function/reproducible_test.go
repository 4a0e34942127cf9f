package function_test

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
)

// copySource copies the module's Go sources (go.mod, go.sum, cmd/, internal/) into a fresh
// directory, as a second checkout of the repository would hold them.
func copySource(t *testing.T, root string) string {
	t.Helper()
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

func TestBuildIsReproducibleAcrossDirectories(t *testing.T) {
	root, err := componenttest.FindProjectDir(".")
	require.NoError(t, err)

	// Given two fresh copies of the source in different directories
	a, b := copySource(t, root), copySource(t, root)
	require.NotEqual(t, a, b)

	// When cmd/api is built from each
	zipA, err := function.Build(context.Background(), a, "./cmd/api")
	require.NoError(t, err)
	zipB, err := function.Build(context.Background(), b, "./cmd/api")
	require.NoError(t, err)

	// Then the zips are byte for byte the same
	bytesA, err := os.ReadFile(zipA)
	require.NoError(t, err)
	bytesB, err := os.ReadFile(zipB)
	require.NoError(t, err)
	assert.NotEqual(t, zipA, zipB, "two separate builds")
	assert.Equal(t, sha256.Sum256(bytesA), sha256.Sum256(bytesB), "same SHA-256")
	assert.Greater(t, len(bytesA), 100_000, "the zip holds a real binary")
}
