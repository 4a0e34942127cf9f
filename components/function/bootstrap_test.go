package function

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
)

func TestBuildRefusesALibraryPackageNamingIt(t *testing.T) {
	root, err := componenttest.FindProjectDir(".")
	require.NoError(t, err)
	const lib = "./components/function/testdata/lib"

	// When a library package is built as a function's bootstrap
	path, err := Build(context.Background(), root, lib)

	// Then it is refused, naming the path and the Go package, and no zip is written
	require.Error(t, err, "a library package is no bootstrap")
	assert.Contains(t, err.Error(), `package "`+lib+`" is package lib, not a main package`, "the error names the package")
	assert.Empty(t, path, "no archive path")
	zips, err := filepath.Glob(filepath.Join(root, ".groundwork", "build", slug(lib)+"-*.zip"))
	require.NoError(t, err)
	assert.Empty(t, zips, "no zip of the library was written")
}

func TestCheckBootstrap(t *testing.T) {
	root, err := componenttest.FindProjectDir(".")
	require.NoError(t, err)
	zipped, err := Build(context.Background(), root, "./components/function/testdata/hello")
	require.NoError(t, err)
	arm64 := unzipBootstrap(t, zipped)

	cases := []struct {
		name string
		bin  []byte
		want string // in the error; empty for none
	}{
		{"a linux/arm64 executable", arm64, ""},
		{"a Go archive", append([]byte("!<arch>\n"), arm64[:64]...), "not an executable"},
		{"a shell script", []byte("#!/bin/sh\necho hi\n"), "not an executable"},
		{"empty", nil, "not an executable"},
	}
	if runtime.GOOS == "linux" && runtime.GOARCH != "arm64" {
		self, err := os.ReadFile(os.Args[0]) // this test binary: linux, another architecture
		require.NoError(t, err)
		cases = append(cases, struct {
			name string
			bin  []byte
			want string
		}{"an executable for " + runtime.GOARCH, self, "not arm64"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := checkBootstrap(tc.bin)
			if tc.want == "" {
				assert.NoError(t, err, "%s is a bootstrap Lambda can start", tc.name)
			} else {
				assert.ErrorContains(t, err, tc.want, "%s is refused, saying why", tc.name)
			}
		})
	}
}

// unzipBootstrap returns the bootstrap file in the zip at path.
func unzipBootstrap(t *testing.T, path string) []byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	defer zr.Close()
	f, err := zr.Open("bootstrap")
	require.NoError(t, err)
	defer f.Close()
	b, err := io.ReadAll(f)
	require.NoError(t, err)
	return b
}
