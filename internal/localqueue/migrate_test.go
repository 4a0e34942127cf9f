package localqueue

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The journals in testdata/journal were written by the journal version of this package
// (commit b76d128) through its own API: events holds a message received twice and then
// redriven, one received and deleted, one in flight, one never received with a body that
// needs escaping, and one sent last; events-dlq holds the redriven one. want.json is what
// that version's Messages returned for each after a reopen.

type wantMessage struct {
	ID, Body          string
	SentAt, VisibleAt int64
	ReceiveCount      int
}

// oldDataDir copies the old queues into a new directory and returns it.
func oldDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, q := range []string{"events", "events-dlq"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, q), 0o755))
		data, err := os.ReadFile(filepath.Join("testdata", "journal", q, journalName))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, q, journalName), data, 0o644))
	}
	return dir
}

func wantOf(t *testing.T, q string) []wantMessage {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "journal", q, "want.json"))
	require.NoError(t, err)
	var w []wantMessage
	require.NoError(t, json.Unmarshal(data, &w))
	return w
}

func stateOf(q *Queue) []wantMessage {
	var out []wantMessage
	for _, m := range q.Messages() {
		out = append(out, wantMessage{m.ID, m.Body, m.SentAt.UnixNano(), unixNano(m.VisibleAt), m.ReceiveCount})
	}
	return out
}

func openOld(t *testing.T, dir string, now func() time.Time) (q, dlq *Queue) {
	t.Helper()
	dlq, err := Open(Config{Dir: filepath.Join(dir, "events-dlq"), Now: now, Logger: quietLogger()})
	require.NoError(t, err)
	q, err = Open(Config{Dir: filepath.Join(dir, "events"), Now: now, MaxReceiveCount: 2, DeadLetter: dlq, Logger: quietLogger()})
	require.NoError(t, err)
	return q, dlq
}

func TestAnOldJournalIsImportedOnce(t *testing.T) {
	// Given the queues of the journal version
	dir := oldDataDir(t)
	journal := filepath.Join(dir, "events", journalName)
	old, err := os.ReadFile(journal)
	require.NoError(t, err)
	now := func() time.Time { return time.Date(2026, 11, 26, 9, 1, 20, 0, time.UTC) } // before the in-flight message's deadline

	// When they are opened
	q, dlq := openOld(t, dir, now)

	// Then every message is there with its receive count and visibility, in send order
	require.Equal(t, wantOf(t, "events"), stateOf(q), "the events queue holds what the journal version held")
	require.Equal(t, wantOf(t, "events-dlq"), stateOf(dlq), "so does its dead-letter queue")
	got := receive(t, q, 10)
	require.Len(t, got, 2, "the in-flight message stays in flight")
	require.Equal(t, "fresh é世 <&> \"quoted\"\n", got[0].Body)

	// And the journal is set aside, unchanged, in favour of the queue file
	require.NoError(t, q.Close())
	require.NoError(t, dlq.Close())
	entries := dirEntries(t, filepath.Join(dir, "events"))
	require.Len(t, entries, 2, "the queue file and the set-aside journal: %v", entries)
	require.Equal(t, fileName, entries[1])
	require.Regexp(t, `^journal\.jsonl\.imported-\d{8}T\d{6}Z$`, entries[0])
	aside, err := os.ReadFile(filepath.Join(dir, "events", entries[0]))
	require.NoError(t, err)
	require.True(t, bytes.Equal(old, aside), "the imported journal is kept as it was")

	// And a second open reads the queue file, importing nothing again
	q, dlq = openOld(t, dir, now)
	defer dlq.Close()
	defer q.Close()
	require.Len(t, q.Messages(), 3, "the queue file holds the three undeleted messages, with the two receives above")
	require.Equal(t, 1, q.Messages()[1].ReceiveCount, "the receives after the import were kept")
	require.Equal(t, entries, dirEntries(t, filepath.Join(dir, "events")), "nothing is imported twice")
}

func TestAnImportInterruptedBeforeTheJournalIsSetAsideIsFinished(t *testing.T) {
	// Given a crash after the queue file was imported from the journal, before the journal
	// was renamed
	dir := oldDataDir(t)
	qdir := filepath.Join(dir, "events")
	journal := filepath.Join(qdir, journalName)
	ji, err := readJournal(journal)
	require.NoError(t, err)
	aside := journal + ".imported-20261126T090000Z"
	require.NoError(t, createFile(filepath.Join(qdir, fileName), ji.messages, journalMark(ji.sum, aside)))

	// When the queue is opened
	q, err := Open(Config{Dir: qdir})
	require.NoError(t, err)
	defer q.Close()

	// Then the journal gets the name the import chose, and its messages are there once
	require.Equal(t, []string{filepath.Base(aside), fileName}, dirEntries(t, qdir))
	require.Equal(t, wantOf(t, "events"), stateOf(q))
}

func TestAJournalBesideAQueueFileItWasNotImportedIntoIsRefused(t *testing.T) {
	dir := oldDataDir(t)
	qdir := filepath.Join(dir, "events")
	require.NoError(t, createFile(filepath.Join(qdir, fileName), nil, ""))
	_, err := Open(Config{Dir: qdir})
	require.ErrorContains(t, err, "are both there, and the queue file was not imported from this journal")
	require.Equal(t, []string{journalName, fileName}, dirEntries(t, qdir), "both files are left as they are")
}

func TestADamagedJournalIsRefusedThenRepaired(t *testing.T) {
	wantIDs := func(w []wantMessage) (ids []string) {
		for _, m := range w {
			ids = append(ids, m.ID)
		}
		return ids
	}
	events := wantOf(t, "events")
	poison := wantOf(t, "events-dlq")[0].ID
	cases := []struct {
		name     string
		damage   func(journal []byte) []byte
		where    string
		keptIDs  []string
		lostIDs  []string
		noteLike string
	}{{
		// The reproduction: the journal version dropped a cut-off last line as a
		// torn write, and with it an acknowledged message, silently.
		name:     "last bytes cut off",
		damage:   func(j []byte) []byte { return j[:len(j)-20] },
		where:    `^line 11 \(bytes 1166-1294\)$`,
		keptIDs:  wantIDs(events[:2]),
		lostIDs:  []string{events[2].ID},
		noteLike: "the send of message " + events[2].ID + " is lost",
	}, {
		name: "a line in the middle damaged",
		damage: func(j []byte) []byte {
			return bytes.Replace(j, []byte(`{"op":"del","id":"`+poison+`"}`), []byte(`{"op":"del","id":"`+poison+`"]`), 1)
		},
		where:    `^line 7 \(bytes 816-872\)$`,
		keptIDs:  append([]string{poison}, wantIDs(events)...),
		noteLike: "the delete of message " + poison + " is lost: if it was sent, it is delivered again",
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a damaged journal of the journal version
			dir := oldDataDir(t)
			qdir := filepath.Join(dir, "events")
			journal := filepath.Join(qdir, journalName)
			data, err := os.ReadFile(journal)
			require.NoError(t, err)
			damaged := tc.damage(data)
			require.NoError(t, os.WriteFile(journal, damaged, 0o644))

			// When the queue is opened
			_, err = Open(Config{Dir: qdir})

			// Then it is refused, naming the line and its bytes, and nothing is written
			var de *DamageError
			require.ErrorAs(t, err, &de)
			require.Equal(t, journal, de.File)
			require.Regexp(t, regexp.MustCompile(tc.where), de.Damage[0].Where)
			require.Equal(t, []string{journalName}, dirEntries(t, qdir), "no queue file is made from a damaged journal")

			// When it is repaired
			rep, err := Repair(qdir)
			require.NoError(t, err)

			// Then the intact lines are imported, the journal is set aside, and the report
			// says what the damaged lines cost
			require.True(t, rep.Repaired())
			require.Equal(t, journal, rep.File)
			require.Regexp(t, `journal\.jsonl\.damaged-\d{8}T\d{6}Z$`, rep.SetAside)
			aside, err := os.ReadFile(rep.SetAside)
			require.NoError(t, err)
			require.True(t, bytes.Equal(damaged, aside), "the damaged journal is kept as it was")
			require.Equal(t, tc.lostIDs, rep.LostIDs)
			require.Contains(t, strings.Join(rep.Notes, "\n"), tc.noteLike)
			q, err := Open(Config{Dir: qdir})
			require.NoError(t, err)
			defer q.Close()
			var ids []string
			for _, m := range q.Messages() {
				ids = append(ids, m.ID)
			}
			require.Equal(t, tc.keptIDs, ids, "the repaired queue holds the messages of the intact lines")
			require.Equal(t, len(ids), rep.Kept)
		})
	}
}
