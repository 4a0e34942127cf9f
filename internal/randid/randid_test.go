package randid

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestUUID_IsRandomVersion4(t *testing.T) {
	// Given many ids
	seen := map[string]bool{}
	for range 1000 {
		// When one is made
		id := UUID()
		// Then it is a canonical version 4, variant 1 UUID, and new
		require.Regexp(t, uuidV4, id, "canonical version 4 UUID")
		require.False(t, seen[id], "ids do not repeat: %s", id)
		seen[id] = true
	}
}
