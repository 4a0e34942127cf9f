// Package fsutil holds the file-system steps that let the local adapters and the local
// queue survive a crash or a power loss: a file is replaced by writing a temporary file on
// the same file system, fsyncing it, renaming it over the old one and fsyncing the
// directory, so that a reader, or a restart, sees either the old content or the new one,
// never a torn file.
package fsutil

import (
	"os"
	"path/filepath"
)

// WriteFile replaces path with data, atomically and durably: it writes a new temporary
// file in tmpDir (which must be on path's file system), fsyncs and closes it, renames it
// over path and fsyncs path's directory so the rename itself survives a power loss. On an
// error before the rename, the temporary file is removed and path is untouched.
func WriteFile(tmpDir, path string, data []byte) error {
	f, err := os.CreateTemp(tmpDir, "w-*")
	if err != nil {
		return err
	}
	return replace(f, path, data, true)
}

// ReplaceOpen replaces path with data as WriteFile does, through the temporary file tmp
// (created, or truncated when a crash left it behind), and returns the file now at path,
// still open for writing at its end: for an append-only journal rewritten whole.
func ReplaceOpen(tmp, path string, data []byte) (*os.File, error) {
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	if err := replace(f, path, data, false); err != nil {
		return nil, err
	}
	return f, nil
}

// replace writes data to f, a temporary file, fsyncs it, renames it over path and fsyncs
// path's directory. With closeFirst it closes f before the rename; otherwise f stays open
// unless replace fails. On an error before the rename it removes the temporary file.
func replace(f *os.File, path string, data []byte, closeFirst bool) error {
	tmp := f.Name()
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if closeFirst {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = SyncDir(filepath.Dir(path))
	} else {
		_ = os.Remove(tmp)
	}
	if err != nil && !closeFirst {
		_ = f.Close()
	}
	return err
}

// SyncDir fsyncs a directory, which makes the creation, rename or removal of its entries
// durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
