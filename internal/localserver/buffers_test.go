package localserver

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLargeEventBuffersAreNotPooled(t *testing.T) {
	// Given the encoding buffer of a multi-MiB request
	big := make([]byte, 0, 4<<20)
	buf := &big

	// When the request is done with it
	putBuffer(buf)

	// Then the pool never hands it to a later request (a pool may drop what it is given,
	// but cannot return what it was never given)
	for range 8 {
		got := buffers.Get().(*[]byte)
		require.NotSame(t, buf, got, "a buffer over %d bytes is not kept for the next request", maxPooledBytes)
		require.LessOrEqual(t, cap(*got), maxPooledBytes, "pooled buffers are at most %d bytes", maxPooledBytes)
	}
}
