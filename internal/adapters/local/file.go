package local

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/groundwork-dev/groundwork/internal/fsutil"
)

// removeDurably removes path (a missing file is not an error) and fsyncs its directory.
func removeDurably(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return fsutil.SyncDir(filepath.Dir(path))
}

// cleanTmp empties a temporary directory: what is left there was never renamed into place,
// so it belongs to a write that did not happen.
func cleanTmp(tmpDir string) error {
	if err := os.RemoveAll(tmpDir); err != nil {
		return err
	}
	return os.MkdirAll(tmpDir, 0o755)
}

// validName reports whether s can be used as one file name component: non-empty, at most 200
// bytes, only ASCII letters, digits and ".-_", and not "." or "..". Ids that pass it can never
// name a path outside the directory they are joined to.
func validName(s string) bool {
	if s == "" || len(s) > 200 || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// validKey reports why an object key cannot be stored, or nil when it can: keys are
// slash-separated relative paths whose segments are non-empty, not "." or "..", and free of
// backslashes and NUL bytes, so filepath.Join(dir, key) always stays inside dir.
func validKey(key string) error {
	switch {
	case key == "":
		return errors.New("empty key")
	case len(key) > 1024:
		return fmt.Errorf("key longer than 1024 bytes")
	case strings.HasPrefix(key, "/"):
		return fmt.Errorf("key %q is absolute", key)
	case strings.ContainsAny(key, "\\\x00"):
		return fmt.Errorf("key %q contains a backslash or NUL byte", key)
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("key %q has an empty, \".\" or \"..\" segment", key)
		}
	}
	return nil
}
