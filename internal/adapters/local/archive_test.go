package local

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

func TestArchiveRefusesKeysThatEscape(t *testing.T) {
	ctx := context.Background()
	parent := t.TempDir()
	a, err := NewArchive(filepath.Join(parent, "archive"))
	require.NoError(t, err)
	for _, key := range []string{"", "/abs.json", "../x.json", "a/../../x.json", "a/./b", "a//b", "a/", `a\..\..\x`, "a\x00b", ".."} {
		t.Run(key, func(t *testing.T) {
			require.Error(t, a.Put(ctx, key, []byte("x")), "Put refuses %q", key)
			_, err := a.Get(ctx, key)
			require.ErrorIs(t, err, inquiry.ErrNotFound, "Get of %q is not found", key)
		})
	}
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	require.Len(t, entries, 1, "nothing was written next to the archive's directory")
}

func TestArchiveListUsesStringPrefixes(t *testing.T) {
	// Given objects in several days and a key that is a directory's name
	ctx := context.Background()
	a, err := NewArchive(t.TempDir())
	require.NoError(t, err)
	keys := []string{
		"inquiries/2026/11/26/b.json", "inquiries/2026/11/26/a.json", "inquiries/2026/10/01/c.json",
		"inquiries/2026/1/x.json", "other/z.json",
	}
	for _, k := range keys {
		require.NoError(t, a.Put(ctx, k, []byte(k)))
	}
	cases := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"inquiries/2026/1/x.json", "inquiries/2026/10/01/c.json", "inquiries/2026/11/26/a.json", "inquiries/2026/11/26/b.json", "other/z.json"}},
		{"inquiries/2026/1", []string{"inquiries/2026/1/x.json", "inquiries/2026/10/01/c.json", "inquiries/2026/11/26/a.json", "inquiries/2026/11/26/b.json"}},
		{"inquiries/2026/11/", []string{"inquiries/2026/11/26/a.json", "inquiries/2026/11/26/b.json"}},
		{"inquiries/2026/11/26/a", []string{"inquiries/2026/11/26/a.json"}},
		{"missing/", []string{}},
		{"../", []string{}},
		{"/", []string{}},
	}
	for _, c := range cases {
		// When listing under the prefix, Then exactly the keys starting with it come back, sorted
		got, err := a.List(ctx, c.prefix)
		require.NoError(t, err)
		require.Equal(t, c.want, got, "List(%q)", c.prefix)
	}
}

func TestArchivePutReplacesAndPersists(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := NewArchive(dir)
	require.NoError(t, err)
	key := "inquiries/2026/11/26/a.json"
	require.NoError(t, a.Put(ctx, key, []byte("v1")))
	require.NoError(t, a.Put(ctx, key, []byte("v2")))

	a2, err := NewArchive(dir)
	require.NoError(t, err)
	got, err := a2.Get(ctx, key)
	require.NoError(t, err)
	require.Equal(t, "v2", string(got), "the last Put wins and survives a reopen")
	_, err = a2.Get(ctx, "inquiries/2026/11/26")
	require.ErrorIs(t, err, inquiry.ErrNotFound, "a prefix is not an object")
	list, err := a2.List(ctx, "")
	require.NoError(t, err)
	require.Equal(t, []string{key}, list, "a replaced object is listed once, and no temporary file is")
	require.FileExists(t, filepath.Join(dir, "objects", "inquiries", "2026", "11", "26", "a.json"), "objects are browsable at their key's path")
}
