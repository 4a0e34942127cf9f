package inquiry_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

func TestNewID_IsValidAndCarriesItsTime(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 30, 15, 123_456_789, time.UTC)
	id := inquiry.NewID(at)
	assert.Len(t, id, inquiry.IDLen)
	assert.True(t, inquiry.ValidID(id), "NewID's output passes ValidID: %s", id)
	got, ok := inquiry.IDTime(id)
	require.True(t, ok)
	assert.Equal(t, at.Truncate(time.Millisecond), got, "the id encodes its creation millisecond")
}

func TestNewID_SortsByTimeAndIsUnique(t *testing.T) {
	// Given ids made at increasing milliseconds, several per millisecond
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := inquiry.NewID(start.Add(time.Duration(i/4) * time.Millisecond))
		require.False(t, seen[id], "ids are unique")
		seen[id] = true
		ids = append(ids, id)
	}
	// Then sorting them as strings keeps the millisecond order
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	for i := range sorted {
		ti, _ := inquiry.IDTime(sorted[i])
		assert.Equal(t, start.Add(time.Duration(i/4)*time.Millisecond), ti, "string order is time order")
	}
}

func TestValidID_RejectsOtherShapes(t *testing.T) {
	good := inquiry.NewID(time.Now())
	for _, s := range []string{
		"",
		good[:25],
		good + "0",
		"8" + good[1:],                 // overflows 128 bits
		good[:10] + "ILOU" + good[14:], // letters outside Crockford's alphabet
		good[:10] + "abcdefghjkmnpqrs", // lower case
		"../../etc/passwd0000000000",   // path characters
		"01HZX3Y4Z5A6B7C8D9E0F1G2H%",   // percent
	} {
		assert.False(t, inquiry.ValidID(s), "%q is not an id", s)
	}
}
