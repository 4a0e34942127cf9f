package main

import (
	"io"
	"testing"
)

// BenchmarkSynthAll is synth -stack all in process (function builds cached), for profiles.
func BenchmarkSynthAll(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if code := run([]string{"-stack", "all"}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
