package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBuiltByGoRun(t *testing.T) {
	const entry = "03c58bb9343e7b6167d79e0d63017c6513d795ed18fa9dc127e13ea4bdcc888c-d"
	cases := []struct {
		exe  string
		want bool
	}{
		// go run's first build of a package: the go command's work directory
		{"/tmp/go-build590609627/b001/exe/local", true},
		{"/home/ada/gotmp/go-build1/b042/exe/local", true},
		// go run (Go 1.24 and later) of an unchanged package: the build cache
		{"/root/.cache/go-build/03/" + entry + "/local", true},
		{"/Users/ada/Library/Caches/go-build/03/" + entry + "/local", true},
		// a binary started directly
		{"/usr/local/bin/local", false},
		{"/home/ada/src/groundwork/local", false},
		{"/home/ada/go-build/exe/local", false},                 // an exe directory, not in a work directory
		{"/tmp/go-build1/b001/local.test", false},               // go test's binary
		{"/tmp/go-buildX/b001/exe/local", false},                // not a work directory's name
		{"/tmp/go-build1/bb01/exe/local", false},                // not an action directory's name
		{"/root/.cache/go-build/04/" + entry + "/local", false}, // entry not under its own prefix
		{"/root/.cache/go-build/03/03c5-d/local", false},        // not a cache entry's name
	}
	for _, tc := range cases {
		t.Run(tc.exe, func(t *testing.T) {
			assert.Equal(t, tc.want, builtByGoRun(filepath.FromSlash(tc.exe)), "whether %s was built by go run", tc.exe)
		})
	}
}
