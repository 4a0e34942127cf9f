//go:build unix

package localserver

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAHeldLockHandsTheDirectoryFromServerToServer(t *testing.T) {
	c := &http.Client{}
	dir := t.TempDir()
	self := fmt.Sprintf("pid %d (%s", os.Getpid(), filepath.Base(os.Args[0]))

	// Given the data directory's lock held apart from any server, with the address recorded
	lock, err := LockDir(dir)
	require.NoError(t, err)
	require.NoError(t, lock.Listening("127.0.0.1:9999"))

	// And a server on it that accepted an inquiry whose event waits in the queue
	first := start(t, Config{DataDir: dir, Lock: lock, NoWorker: true})
	post := do(t, c, "POST", first.url+"/v1/inquiries", "application/json", []byte(validBody))
	require.Equal(t, http.StatusAccepted, post.status, "POST answers 202: %s", post.body)
	id := post.json(t)["id"].(string)

	// When that server stops and closes
	first.stop()

	// Then the directory is still held: a server that takes its own lock is refused, and
	// told who holds the directory
	_, err = New(Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	require.Error(t, err, "no other server can take the directory between two servers on the held lock")
	assert.Contains(t, err.Error(), "is in use by another local server: "+self, "names the lock's holder")
	assert.Contains(t, err.Error(), "listening on 127.0.0.1:9999", "names the address the holder recorded")

	// And the next server on the held lock finds the record, and processes the waiting event
	second := start(t, Config{DataDir: dir, Lock: lock})
	eventually(t, "the event queued under the first server processed by the second", func() bool {
		r := do(t, c, "GET", second.url+"/v1/inquiries/"+id, "", nil)
		return r.status == http.StatusOK && r.json(t)["status"] == "processed"
	})
	second.stop()

	// And once the holder unlocks, a server can take the directory itself
	require.NoError(t, lock.Unlock())
	third, err := New(Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err, "the directory is free once its lock is released")
	require.NoError(t, third.Close())
}

func TestInheritLock(t *testing.T) {
	dir := t.TempDir()
	lock, err := LockDir(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = lock.Unlock() }) // the test may have handed it over already
	other := t.TempDir()
	otherLock, err := LockDir(other)
	require.NoError(t, err)
	t.Cleanup(func() { _ = otherLock.Unlock() })

	// inherited stands for the file a child process inherits: another descriptor of the
	// same open file, as fork and exec leave it.
	inherited := func(t *testing.T, l *DirLock) *os.File {
		fd, err := syscall.Dup(int(l.File().Fd()))
		require.NoError(t, err)
		return os.NewFile(uintptr(fd), "inherited-lock")
	}

	t.Run("the holder's open file is the lock, and closing it in the heir keeps it held", func(t *testing.T) {
		// Given the holder's lock file as a child inherits it
		heir, err := InheritLock(dir, inherited(t, lock))
		require.NoError(t, err)

		// When a server runs on it, then closes, and the heir unlocks
		srv, err := New(Config{DataDir: dir, Lock: heir, Logger: slog.New(slog.DiscardHandler)})
		require.NoError(t, err, "a server runs on the inherited lock")
		require.NoError(t, srv.Close())
		require.NoError(t, heir.Unlock())

		// Then the holder still holds the directory
		_, err = New(Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
		require.Error(t, err, "the lock stays with the process that passed it on")
		assert.Contains(t, err.Error(), "is in use by another local server")
	})

	t.Run("the lock file opened afresh is refused while the holder holds it", func(t *testing.T) {
		f, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_RDWR, 0)
		require.NoError(t, err)
		defer f.Close()
		_, err = InheritLock(dir, f)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "is not the one the lock is held on", "says the file does not hold the lock")
		assert.Contains(t, err.Error(), fmt.Sprintf("pid %d", os.Getpid()), "names the holder")
	})

	t.Run("another directory's lock file is refused, naming the file it should be", func(t *testing.T) {
		_, err := InheritLock(dir, inherited(t, otherLock))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "is not "+filepath.Join(dir, "LOCK")+", the data directory's lock file")
	})

	t.Run("a server refuses a lock of another directory, naming both", func(t *testing.T) {
		_, err := New(Config{DataDir: dir, Lock: otherLock, Logger: slog.New(slog.DiscardHandler)})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "Config.Lock is the lock of "+other+", not of the data directory "+dir)
	})
}
