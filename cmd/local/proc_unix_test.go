//go:build unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// Helpers of the tests that run this command as a child process.

// bannerURL finds the server's address in its banner.
var bannerURL = regexp.MustCompile(`on (http://127\.0\.0\.1:\d+) `)

// buildLocal builds this command into a temporary directory and returns the binary's path.
func buildLocal(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "local")
	out, err := exec.Command(goTool(t), "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// goTool is the go command: $GOROOT/bin/go when there is one, else go on PATH.
func goTool(t testing.TB) string {
	t.Helper()
	if p := filepath.Join(os.Getenv("GOROOT"), "bin", "go"); os.Getenv("GOROOT") != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	p, err := exec.LookPath("go")
	if errors.Is(err, exec.ErrNotFound) {
		t.Skip("no go command to build with")
	}
	require.NoError(t, err)
	return p
}
