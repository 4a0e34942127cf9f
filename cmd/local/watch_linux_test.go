//go:build linux

package main

import (
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWatchStopsWithCtrlCAndWithItsSupervisor(t *testing.T) {
	becomeSubreaper(t)
	bin := buildLocal(t)

	t.Run("Ctrl-C reaches the process group: the server drains and the supervisor exits after it", func(t *testing.T) {
		// Given the command with -watch in a process group of its own, as a terminal runs it
		data := t.TempDir()
		out := newProcessOutput(t)
		cmd := exec.Command(bin, "-watch", "-addr", "127.0.0.1:0", "-data", data, "-quiet")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Stdout, cmd.Stderr = out.stdout, out.stderr
		require.NoError(t, cmd.Start())
		srv := out.waitBanner(t)
		require.NotEqual(t, cmd.Process.Pid, srv.pid, "the server is a process of its own")
		assertServes(t, srv.url)

		// When the terminal sends SIGINT to the whole group
		require.NoError(t, syscall.Kill(-cmd.Process.Pid, syscall.SIGINT))

		// Then the supervisor exits cleanly, once its server has drained and exited
		require.NoError(t, waitCmd(t, cmd, out), "the supervisor exits cleanly")
		assert.Equal(t, 1, strings.Count(out.stdoutText(), "stopped: requests drained, worker batch finished"), "the server drained, once")
		assert.ErrorIs(t, syscall.Kill(srv.pid, 0), syscall.ESRCH, "the server is gone, reaped by the supervisor")
		assertReleased(t, srv.url, data)
	})

	t.Run("a supervisor killed outright leaves no server behind", func(t *testing.T) {
		// Given the command with -watch
		data := t.TempDir()
		out := newProcessOutput(t)
		cmd := exec.Command(bin, "-watch", "-addr", "127.0.0.1:0", "-data", data, "-quiet")
		cmd.Stdout, cmd.Stderr = out.stdout, out.stderr
		require.NoError(t, cmd.Start())
		srv := out.waitBanner(t)
		assertServes(t, srv.url)

		// When the supervisor is killed with SIGKILL: nothing it could do on its way out
		require.NoError(t, cmd.Process.Kill())
		require.Error(t, cmd.Wait())

		// Then the server, its control pipe closed, drains and exits, and frees the port
		// and the data directory (reaped here: this process is the orphans' subreaper)
		assertStoppedAndReleased(t, srv, out, data, "")
	})
}

// waitCmd waits for cmd, with a bound on a hang.
func waitCmd(t *testing.T, cmd *exec.Cmd, out *processOutput) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	waitFor(t, "the command to exit", func() bool {
		select {
		case err = <-done:
			return true
		default:
			return false
		}
	}, out)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		t.Logf("exit: %v\nstderr:\n%s", ee, out.stderrText())
	}
	return err
}
