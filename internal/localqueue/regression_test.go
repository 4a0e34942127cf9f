package localqueue

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestACutOffJournalIsNotSilentlyShortened is issue 7's reproduction, through Open alone (so
// it runs against the journal version too, where it fails): the journal's last 20 bytes cut
// off made the queue start without the message sent last, say nothing, and rewrite the
// journal so the message could not be recovered.
func TestACutOffJournalIsNotSilentlyShortened(t *testing.T) {
	// Given a queue directory whose journal lost its last bytes
	// (two sends as the journal version wrote them)
	dir := t.TempDir()
	data := `{"op":"send","id":"a1af57cc-9da5-4c6c-8354-d116c1174dc2","body":"first","sent":1795683600000000000}` + "\n" +
		`{"op":"send","id":"d3012b86-efc7-4d23-af68-120cf8e73f5f","body":"second","sent":1795683663000000000}` + "\n"
	journal := filepath.Join(dir, "journal.jsonl")
	cut := []byte(data[:len(data)-20])
	require.NoError(t, os.WriteFile(journal, cut, 0o644))

	// When the queue is opened
	q, err := Open(Config{Dir: dir})
	if err == nil {
		q.Close()
	}

	// Then it refuses, naming the damaged line, and leaves the journal as it was
	require.Error(t, err, "a journal cut short is refused, not replayed without its last message")
	require.Contains(t, err.Error(), journal)
	require.Contains(t, err.Error(), "line 2 (bytes 100-180)")
	after, rerr := os.ReadFile(journal)
	require.NoError(t, rerr)
	require.True(t, bytes.Equal(cut, after), "the damaged journal is not rewritten")
}
