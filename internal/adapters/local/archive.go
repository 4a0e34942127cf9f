package local

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/groundwork-dev/groundwork/internal/fsutil"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

// Archive is an inquiry.ArchiveStore that keeps each object as a file under dir/objects, at
// its key's path (inquiries/2026/11/26/<id>.json is dir/objects/inquiries/2026/11/26/<id>.json),
// so the archive can be browsed with ls and cat. Keys are slash-separated relative paths; a
// key that is absolute, has an empty, "." or ".." segment, or contains a backslash is
// refused, so no key reaches outside dir/objects. Unlike S3, a key cannot also be a
// "directory" of other keys: with a/b stored, a Put at a fails, and the other way round.
type Archive struct {
	dir string // dir/objects holds the objects, dir/tmp the writes in progress
}

var _ inquiry.ArchiveStore = (*Archive)(nil)

// NewArchive returns the Archive kept under dir, creating dir when it does not exist.
func NewArchive(dir string) (*Archive, error) {
	a := &Archive{dir: dir}
	if err := os.MkdirAll(a.objects(), 0o755); err != nil {
		return nil, fmt.Errorf("local archive: %w", err)
	}
	if err := cleanTmp(filepath.Join(dir, "tmp")); err != nil {
		return nil, fmt.Errorf("local archive: %w", err)
	}
	return a, nil
}

func (a *Archive) objects() string { return filepath.Join(a.dir, "objects") }

// Put implements inquiry.ArchiveStore: it replaces the object at key atomically.
func (a *Archive) Put(ctx context.Context, key string, body []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validKey(key); err != nil {
		return fmt.Errorf("local archive: %w", err)
	}
	p := filepath.Join(a.objects(), filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("local archive: %w", err)
	}
	if err := fsutil.WriteFile(filepath.Join(a.dir, "tmp"), p, body); err != nil {
		return fmt.Errorf("local archive: %w", err)
	}
	return nil
}

// Get implements inquiry.ArchiveStore. A key that could not have been stored is ErrNotFound.
func (a *Archive) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if validKey(key) != nil {
		return nil, inquiry.ErrNotFound
	}
	p := filepath.Join(a.objects(), filepath.FromSlash(key))
	body, err := os.ReadFile(p)
	if err != nil {
		// A missing file, or a "file" that is a directory (the key is a prefix of others).
		var pe *fs.PathError
		if errors.Is(err, os.ErrNotExist) || (errors.As(err, &pe) && isDir(p)) {
			return nil, inquiry.ErrNotFound
		}
		return nil, fmt.Errorf("local archive: %w", err)
	}
	return body, nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// List implements inquiry.ArchiveStore. As in S3, prefix is a plain string prefix, not a
// directory: "inquiries/2026/1" matches both inquiries/2026/10/... and inquiries/2026/11/....
func (a *Archive) List(ctx context.Context, prefix string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Walk only the deepest directory the prefix names in full.
	root := a.objects()
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		dir := prefix[:i]
		if validKey(dir) != nil {
			return []string{}, nil //nolint:nilerr // no stored key can start with it: an empty listing, as S3 answers
		}
		root = filepath.Join(root, filepath.FromSlash(dir))
	}
	keys := []string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(a.objects(), p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if strings.HasPrefix(key, prefix) {
			keys = append(keys, key)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("local archive: %w", err)
	}
	sort.Strings(keys)
	return keys, nil
}
