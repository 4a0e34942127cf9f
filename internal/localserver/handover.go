package localserver

import (
	"fmt"
	"os"
)

// DirLock is a data directory's lock held apart from any Server, by a process that runs one
// server after another on the same directory and hands the directory from each to the next
// (cmd/local -watch swaps in a rebuilt server process). Holding the lock across the
// handover, rather than letting each server release it and the next take it, leaves no
// moment in which a second server could take the directory in between. Give it to New in
// Config.Lock; the Server uses it and leaves it held when it closes.
//
// A child process gets the lock by inheriting its open file (File, passed in
// exec.Cmd.ExtraFiles) and calling InheritLock: an advisory lock (flock) belongs to the open
// file, not to a process, so it stays held as long as any process keeps that file open.
type DirLock struct {
	dir       string
	l         *dirLock
	inherited bool // from InheritLock: Unlock closes this process's file and no more
}

// LockDir takes the lock on the data directory dir, creating dir when missing, as New does
// without a Config.Lock: a directory another server holds is refused with an error that
// names that server's process and address. The lock file names this process.
func LockDir(dir string) (*DirLock, error) {
	l, err := lockDir(dir)
	if err != nil {
		return nil, fmt.Errorf("localserver: %w", err)
	}
	return &DirLock{dir: dir, l: l}, nil
}

// Listening records addr in the lock file, as Server.Listen does, so that a server refused
// the directory names the address it is served on.
func (l *DirLock) Listening(addr string) error { return l.l.listening(addr) }

// lockFor returns the lock the server on cfg holds: cfg.Lock when it is set (it must be the
// lock of cfg.DataDir), else the lock it takes itself.
func lockFor(cfg Config) (*dirLock, error) {
	if cfg.Lock == nil {
		return lockDir(cfg.DataDir)
	}
	want, err := os.Stat(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	got, err := os.Stat(cfg.Lock.dir)
	if err != nil || !os.SameFile(want, got) {
		return nil, fmt.Errorf("Config.Lock is the lock of %s, not of the data directory %s", cfg.Lock.dir, cfg.DataDir)
	}
	return cfg.Lock.l, nil
}
