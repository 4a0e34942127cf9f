package localserver

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDataDirectoryInUseNamesTheHoldingProcessAndAddress(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no advisory file locks here: a second server is not detected")
	}
	// Given a server holding a data directory
	dir := t.TempDir()
	first, err := New(Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	defer first.Close()
	self := fmt.Sprintf("pid %d (%s", os.Getpid(), filepath.Base(os.Args[0]))

	// When a second server is started on it before the first listens
	_, err = New(Config{DataDir: dir})

	// Then the error names the holder's process, and says it is not listening yet
	require.Error(t, err)
	assert.Contains(t, err.Error(), "data directory "+dir+" is in use by another local server", "names the directory")
	assert.Contains(t, err.Error(), self, "names the holder's pid and command")
	assert.Contains(t, err.Error(), "not listening yet", "says the holder has no address yet")

	// When the first listens, and a second server is tried again
	ln, err := first.Listen("127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	_, err = New(Config{DataDir: dir})

	// Then the error also names the address the holder listens on
	require.Error(t, err)
	assert.Contains(t, err.Error(), self, "names the holder's pid and command")
	assert.Contains(t, err.Error(), "listening on "+ln.Addr().String(), "names the holder's address")

	// And once the holder closes, its record is gone with its lock
	require.NoError(t, first.Close())
	b, err := os.ReadFile(filepath.Join(dir, "LOCK"))
	require.NoError(t, err)
	assert.Empty(t, b, "a released lock file names no holder")
}

func TestDescribeHolder(t *testing.T) {
	long := strings.Repeat("x", 300)
	cases := []struct {
		name, contents, want string
	}{
		{"holder listening", `{"pid":42,"command":["/tmp/go-build1/b001/exe/local","-addr","127.0.0.1:0"],"addr":"127.0.0.1:38001"}`,
			"pid 42 (local -addr 127.0.0.1:0), listening on 127.0.0.1:38001"},
		{"holder not listening yet", `{"pid":42,"command":["local"]}`, "pid 42 (local), not listening yet"},
		{"argument with a space is quoted", `{"pid":7,"command":["local","-data","/my data"],"addr":"[::1]:8080"}`,
			`pid 7 (local -data "/my data"), listening on [::1]:8080`},
		{"long command is cut", `{"pid":7,"command":["local","` + long + `"]}`, "pid 7 (local " + long[:maxCommandLen-len("local ")] + "...), not listening yet"},
		{"empty file (holder between lock and record)", ``, "its lock file does not name the process yet"},
		{"damaged file", `{"pid":`, "its lock file does not name the process yet"},
		{"no pid", `{"addr":"127.0.0.1:1"}`, "its lock file does not name the process yet"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "LOCK")
			require.NoError(t, os.WriteFile(path, []byte(tc.contents), 0o644))
			assert.Equal(t, tc.want, describeHolder(path), "the description of the holder")
		})
	}
}
