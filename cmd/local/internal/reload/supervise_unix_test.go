//go:build unix

package reload

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTargetOfBuildsAgainAsTheBinaryWasBuilt(t *testing.T) {
	const pkg = "github.com/groundwork-dev/groundwork/cmd/local"
	cases := []struct {
		name     string
		settings []debug.BuildSetting
		want     []string
	}{
		{"go run, no flags", []debug.BuildSetting{{Key: "-compiler", Value: "gc"}, {Key: "CGO_ENABLED", Value: "1"}},
			[]string{"-buildvcs=false", "-ldflags=-w"}},
		{"flags that change the build are kept", []debug.BuildSetting{
			{Key: "-race", Value: "true"}, {Key: "-trimpath", Value: "true"}, {Key: "-tags", Value: "lambda.norpc,dev"},
			{Key: "-gcflags", Value: "all=-N -l"}, {Key: "-ldflags", Value: "-X main.version=1 -s"}},
			[]string{"-buildvcs=false", "-race", "-trimpath", "-tags=lambda.norpc,dev", "-gcflags=all=-N -l", "-ldflags=-X main.version=1 -s -w"}},
		{"a false boolean flag is left out", []debug.BuildSetting{{Key: "-race", Value: "false"}, {Key: "-trimpath", Value: "false"}},
			[]string{"-buildvcs=false", "-ldflags=-w"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tg, err := targetOf(&debug.BuildInfo{Path: pkg, Settings: tc.settings})
			require.NoError(t, err)
			assert.Equal(t, pkg, tg.pkg, "the package rebuilt is the one the binary was built from")
			assert.Equal(t, tc.want, tg.flags, "the build flags")
		})
	}
}

func TestTargetOfRefusesABinaryThatDoesNotNameItsPackage(t *testing.T) {
	for _, bi := range []*debug.BuildInfo{nil, {}, {Path: "command-line-arguments"}} {
		_, err := targetOf(bi)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "run it as `go run ./cmd/local -watch`", "says how to run it")
	}
}

func TestDepsRefusesADirectoryOutsideTheServersModule(t *testing.T) {
	// Given the current directory in another module, which does not hold the server
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/other\n\ngo 1.26\n"), 0o644))
	t.Chdir(dir)
	t.Setenv("GOPROXY", "off") // nothing to download: the answer is local
	t.Setenv("GOFLAGS", "")

	// When -watch lists the server's packages
	tg := target{pkg: "github.com/groundwork-dev/groundwork/cmd/local", goTool: goTool(t), flags: []string{"-buildvcs=false"}}
	_, err := tg.deps(context.Background())

	// Then it fails, naming the package and what go list said
	require.Error(t, err)
	assert.Contains(t, err.Error(), "github.com/groundwork-dev/groundwork/cmd/local cannot be rebuilt from here: run -watch from inside its module", "names the package and says where to run")
	assert.Contains(t, err.Error(), "(go list: exit status 1: ", "carries go list's reason")
}

func TestDepsListsTheServersPackagesInThisModule(t *testing.T) {
	// Given this module, from this package's directory
	tg := target{pkg: "github.com/groundwork-dev/groundwork/cmd/local", goTool: goTool(t), flags: []string{"-buildvcs=false"}}

	// When -watch lists the server's packages
	d, err := tg.deps(context.Background())
	require.NoError(t, err)

	// Then the module's root is found, and the server's packages are in, the others out
	wd, err := os.Getwd()
	require.NoError(t, err)
	root := filepath.Join(wd, "..", "..", "..", "..") // from cmd/local/internal/reload
	assert.Equal(t, root, d.root, "the module's root")
	for _, pkg := range []string{"cmd/local", "internal/httpapi", "internal/worker", "internal/localserver"} {
		assert.True(t, d.dirs[filepath.Join(root, pkg)], "%s is one of the server's packages", pkg)
	}
	for _, pkg := range []string{"components/queue", "stacks", "cmd/api"} {
		assert.False(t, d.dirs[filepath.Join(root, pkg)], "%s is not one of the server's packages", pkg)
	}
}

// goTool is the go command on PATH, where go test puts its own.
func goTool(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("go")
	require.NoError(t, err, "go test puts its own go command on PATH")
	return p
}
