package fsutil

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWriteFile(t *testing.T) {
	cases := []struct {
		name string
		old  *string // nil: path does not exist yet
	}{
		{"creates a missing file", nil},
		{"replaces an existing file", ptr("old content, longer than the new")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a directory with a temporary directory beside the file
			dir := t.TempDir()
			tmpDir := filepath.Join(dir, "tmp")
			require.NoError(t, os.Mkdir(tmpDir, 0o755))
			path := filepath.Join(dir, "f.json")
			if tc.old != nil {
				require.NoError(t, os.WriteFile(path, []byte(*tc.old), 0o644))
			}
			// When the file is written
			require.NoError(t, WriteFile(tmpDir, path, []byte("new")))
			// Then it holds exactly the new content, and no temporary file is left
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, "new", string(got), "the content is replaced whole")
			require.Empty(t, entries(t, tmpDir), "the temporary file was renamed away")
		})
	}
}

func TestWriteFile_FailureLeavesNoTemporaryFile(t *testing.T) {
	// Given a path that cannot be replaced by a file (a non-empty directory)
	dir := t.TempDir()
	path := filepath.Join(dir, "d")
	require.NoError(t, os.MkdirAll(filepath.Join(path, "child"), 0o755))
	// When a file is written there
	err := WriteFile(dir, path, []byte("new"))
	// Then it fails, the directory is untouched and the temporary file is gone
	require.Error(t, err)
	require.Equal(t, []string{"d"}, entries(t, dir), "only the directory remains")
	require.Equal(t, []string{"child"}, entries(t, path), "the directory is untouched")
}

func TestReplaceOpen(t *testing.T) {
	cases := []struct {
		name     string
		staleTmp bool // a crash left the temporary file behind
	}{
		{"fresh", false},
		{"over a stale temporary file", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a journal, and maybe a stale temporary file
			dir := t.TempDir()
			path, tmp := filepath.Join(dir, "journal"), filepath.Join(dir, "journal.tmp")
			require.NoError(t, os.WriteFile(path, []byte("a\nb\nc\n"), 0o644))
			if tc.staleTmp {
				require.NoError(t, os.WriteFile(tmp, []byte("stale stale stale stale\n"), 0o644))
			}
			// When it is replaced and then appended to through the returned file
			f, err := ReplaceOpen(tmp, path, []byte("c\n"))
			require.NoError(t, err)
			_, err = f.Write([]byte("d\n"))
			require.NoError(t, err)
			require.NoError(t, f.Close())
			// Then the journal holds the new content followed by the append, and the
			// temporary file is gone
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, "c\nd\n", string(got), "the returned file is the journal, open at its end")
			require.Equal(t, []string{"journal"}, entries(t, dir), "no temporary file is left")
		})
	}
}

func TestReplaceOpen_FailureLeavesNoTemporaryFile(t *testing.T) {
	// Given a path that cannot be replaced by a file (a non-empty directory)
	dir := t.TempDir()
	path := filepath.Join(dir, "d")
	require.NoError(t, os.MkdirAll(filepath.Join(path, "child"), 0o755))
	// When it is replaced
	f, err := ReplaceOpen(filepath.Join(dir, "d.tmp"), path, []byte("x"))
	// Then it fails, with no file returned and no temporary file left
	require.Error(t, err)
	require.Nil(t, f)
	require.Equal(t, []string{"d"}, entries(t, dir), "the temporary file is removed")
}

func TestSyncDir_MissingDirectory(t *testing.T) {
	require.Error(t, SyncDir(filepath.Join(t.TempDir(), "missing")), "a directory that does not exist cannot be synced")
	require.NoError(t, SyncDir(t.TempDir()), "an existing directory can")
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	names := []string{}
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func ptr(s string) *string { return &s }
