package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/adapters/local"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/localqueue"
)

// dataDir makes a data directory as the server leaves it: two records, and two events in
// the events queue. It returns the directory and the events' message ids.
func dataDir(t *testing.T) (string, []string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	store, err := local.Open(filepath.Join(dir, "table"))
	require.NoError(t, err)
	dlq, err := localqueue.Open(localqueue.Config{Dir: filepath.Join(dir, "queues", "events-dlq")})
	require.NoError(t, err)
	q, err := localqueue.Open(localqueue.Config{Dir: filepath.Join(dir, "queues", "events"), MaxReceiveCount: 5, DeadLetter: dlq})
	require.NoError(t, err)
	var ids []string
	for _, id := range []string{"keep", "lose"} {
		in := inquiry.Inquiry{ID: id, Name: "Ada", Email: "ada@example.com", Message: "hi", Status: inquiry.StatusReceived, ReceivedAt: time.Now().UTC()}
		require.NoError(t, store.Create(ctx, in, nil))
		mid, err := q.Send(ctx, `{"type":"inquiry.received","inquiryId":"`+id+`"}`)
		require.NoError(t, err)
		ids = append(ids, mid)
	}
	require.NoError(t, q.Close())
	require.NoError(t, dlq.Close())
	return dir, ids
}

// startsOn runs the server on dir with an already cancelled context: it opens the data
// directory, prints its banner and stops at once.
func startsOn(t *testing.T, dir string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut strings.Builder
	err := run(ctx, []string{"-data", dir, "-addr", "127.0.0.1:0", "-quiet"}, &out, &errOut)
	return out.String(), err
}

func TestRepairSetsDamagedFilesAsideAndTheServerStartsAgain(t *testing.T) {
	// Given a data directory with a damaged record and a queue file cut to nothing
	dir, _ := dataDir(t)
	record := filepath.Join(dir, "table", "records", "lose.json")
	require.NoError(t, os.WriteFile(record, []byte(`{"id":"lose","na`), 0o644))
	queueFile := filepath.Join(dir, "queues", "events", "queue.db")
	require.NoError(t, os.Truncate(queueFile, 0))

	// When the server is started on it
	_, err := startsOn(t, dir)

	// Then it refuses, naming the damaged file, where, and the repair command
	require.Error(t, err, "the server does not start on damaged files")
	require.Contains(t, err.Error(), record)
	require.Contains(t, err.Error(), "byte 16 (the end of the file)")
	require.Contains(t, err.Error(), "go run ./cmd/local repair -data "+dir)

	// When the record is repaired by hand, only the queue file's damage is left: it too
	// names the repair command
	require.NoError(t, os.Rename(record, record+".bak"))
	_, err = startsOn(t, dir)
	require.ErrorContains(t, err, queueFile+" is damaged")
	require.ErrorContains(t, err, "byte 0: the file is empty")
	require.ErrorContains(t, err, "go run ./cmd/local repair -data "+dir)
	require.NoError(t, os.Rename(record+".bak", record))

	// When the repair command runs
	var out, errOut strings.Builder
	require.NoError(t, run(context.Background(), []string{"repair", "-data", dir}, &out, &errOut))

	// Then it reports each damaged file, where it went and what was not kept
	report := out.String()
	require.Contains(t, report, "table: table/records/lose.json was damaged at byte 16 (the end of the file)")
	require.Contains(t, report, "not kept: the record of inquiry lose")
	require.Regexp(t, regexp.MustCompile(`queues/events: queues/events/queue\.db was damaged:\n\s+byte 0: the file is empty`), report)
	require.Regexp(t, regexp.MustCompile(`set aside as queues/events/queue\.db\.damaged-\d{8}T\d{6}Z`), report)
	require.Contains(t, report, "kept 0 messages")
	require.Contains(t, report, "queues/events-dlq: whole")
	require.Contains(t, report, "2 damaged file(s) set aside")

	// And the server starts again, and a second repair finds nothing
	banner, err := startsOn(t, dir)
	require.NoError(t, err, "the server starts on the repaired directory")
	require.Contains(t, banner, "groundwork local server on")
	out.Reset()
	require.NoError(t, run(context.Background(), []string{"repair", "-data", dir}, &out, &errOut))
	require.Contains(t, out.String(), "nothing was damaged; nothing was changed")
}

func TestRepairReportsTheLostMessagesOfAZeroedPage(t *testing.T) {
	// Given an events queue of 100 messages, large enough to spread over several pages,
	// and the page that holds the message of inquiry "lose" zeroed
	ctx := context.Background()
	dir, _ := dataDir(t)
	q, err := localqueue.Open(localqueue.Config{Dir: filepath.Join(dir, "queues", "events")})
	require.NoError(t, err)
	for i := range 100 {
		_, err := q.Send(ctx, fmt.Sprintf(`{"type":"inquiry.received","inquiryId":"filler-%03d","pad":"%s"}`, i, strings.Repeat("x", 300)))
		require.NoError(t, err)
	}
	var loseID string
	for _, m := range q.Messages() {
		if strings.Contains(m.Body, `"inquiryId":"lose"`) {
			loseID = m.ID
		}
	}
	require.NoError(t, q.Close())
	queueFile := filepath.Join(dir, "queues", "events", "queue.db")
	data, err := os.ReadFile(queueFile)
	require.NoError(t, err)
	pageSize, zeroed := os.Getpagesize(), 0
	for p := 2; (p+1)*pageSize <= len(data); p++ {
		if page := data[p*pageSize : (p+1)*pageSize]; strings.Contains(string(page), `"inquiryId":"lose"`) {
			clear(page)
			zeroed++
		}
	}
	require.Equal(t, 1, zeroed, "the message is on one page")
	require.NoError(t, os.WriteFile(queueFile, data, 0o644))

	// When the repair command runs
	var out, errOut strings.Builder
	require.NoError(t, run(ctx, []string{"repair", "-data", dir}, &out, &errOut))

	// Then it names the messages of that page by id, and keeps the others
	report := out.String()
	require.Regexp(t, regexp.MustCompile(`not kept: \d+ messages: .*`+loseID), report, "the lost message is named")
	m := regexp.MustCompile(`kept (\d+) messages\n\s+not kept: (\d+) messages`).FindStringSubmatch(report)
	require.NotNil(t, m, report)
	require.Equal(t, "102", fmt.Sprint(atoi(t, m[1])+atoi(t, m[2])), "every message is kept or named")
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}

func TestRepairRefusesADataDirectoryInUse(t *testing.T) {
	// Given a server's lock on the data directory
	dir, _ := dataDir(t)
	release, err := localqueue.LockFile(filepath.Join(dir, "LOCK"))
	require.NoError(t, err)
	defer func() { require.NoError(t, release(), "releasing the test's own lock") }()
	// When the repair command runs, then it refuses and changes nothing
	var out, errOut strings.Builder
	err = run(context.Background(), []string{"repair", "-data", dir}, &out, &errOut)
	if err == nil {
		t.Skip("no advisory locks here")
	}
	require.ErrorContains(t, err, "is in use by a running local server: stop it first")
	require.Empty(t, out.String())
}

func TestRepairRefusesBadArguments(t *testing.T) {
	for name, args := range map[string][]string{
		"a missing data directory": {"repair", "-data", filepath.Join(t.TempDir(), "nope")},
		"a stray argument":         {"repair", "extra"},
		"an unknown flag":          {"repair", "-force"},
	} {
		t.Run(name, func(t *testing.T) {
			var out, errOut strings.Builder
			require.Error(t, run(context.Background(), args, &out, &errOut))
			require.NotContains(t, out.String(), "repair of", "nothing is repaired")
		})
	}
}
