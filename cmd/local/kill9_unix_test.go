//go:build unix

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/adapters/local"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/localqueue"
	"github.com/groundwork-dev/groundwork/internal/worker"
)

// Bounds of the kill -9 loop: cycles, clients, how long the load runs before the kill, and
// how long the whole test may take before it fails rather than hangs.
const (
	killCycles   = 15
	killClients  = 8
	minLoad      = 100 * time.Millisecond
	maxLoad      = 400 * time.Millisecond
	killTestTime = 3 * time.Minute
	drainRun     = 4 * time.Second // each run of the server that drains the queue
)

// TestKill9UnderLoadLeavesNoStuckRecord builds the command once, then kills it with SIGKILL
// while clients post inquiries, restarts it on the same data directory, and repeats; a last
// run drains the queue. Every inquiry answered 202 must be stored, and no stored inquiry may
// be left received with no event for it in the queue or the dead-letter queue. An event
// without a record is an orphan: with -visibility 1s and -max-receive 3 it is dead-lettered
// here, well before it is inquiry.OrphanGrace old and would be dropped.
func TestKill9UnderLoadLeavesNoStuckRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and kills it 15 times under load")
	}
	deadline := time.Now().Add(killTestTime)
	bin := buildLocal(t)
	data := tmpfsDir(t)
	rng := rand.New(rand.NewPCG(2026, 7))

	var accepted []string
	var sent, refused, cut int
	for cycle := range killCycles {
		require.True(t, time.Now().Before(deadline), "the kill loop exceeded %v", killTestTime)
		// Given the server under load from concurrent clients
		p := startCommand(t, bin, data)
		l := startLoad(p.url, cycle)
		l.waitAccepted(t, 1)
		time.Sleep(minLoad + time.Duration(rng.Int64N(int64(maxLoad-minLoad))))

		// When it is killed with SIGKILL mid-load
		require.NoError(t, p.cmd.Process.Signal(syscall.SIGKILL))
		_ = p.cmd.Wait()
		ids, s, r, c, odd := l.stop()
		require.Empty(t, odd, "every answer is 202 or cut off by the kill")
		accepted = append(accepted, ids...)
		sent, refused, cut = sent+s, refused+r, cut+c
	}

	// And then runs until its queue is empty
	drains := 0
	for {
		require.True(t, time.Now().Before(deadline), "the queue was not drained within %v", killTestTime)
		p := startCommand(t, bin, data)
		time.Sleep(drainRun)
		require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
		require.NoError(t, p.cmd.Wait(), "a graceful stop; stderr:\n%s", p.stderr())
		drains++
		if len(queueMessages(t, data, "events")) == 0 {
			break
		}
	}

	// Then every accepted inquiry is stored, and none is received with no event left for it
	records, err := local.Open(filepath.Join(data, "table"))
	require.NoError(t, err)
	dead := map[string]bool{}
	for _, m := range queueMessages(t, data, "events-dlq") {
		ev, err := worker.Decode(m.Body)
		require.NoError(t, err)
		dead[ev.InquiryID] = true
	}
	ctx := context.Background()
	stored := map[string]inquiry.Inquiry{}
	entries, err := os.ReadDir(filepath.Join(data, "table", "records"))
	require.NoError(t, err)
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok {
			continue
		}
		rec, err := records.Get(ctx, id)
		require.NoError(t, err)
		stored[id] = rec
	}
	for _, id := range accepted {
		_, ok := stored[id]
		require.True(t, ok, "inquiry %s was answered 202 and is stored", id)
	}
	var processed, deadLettered, stuck []string
	for id, rec := range stored {
		switch {
		case rec.Status == inquiry.StatusProcessed:
			processed = append(processed, id)
		case dead[id]:
			deadLettered = append(deadLettered, id)
		default:
			stuck = append(stuck, id)
		}
	}
	orphans := 0
	for id := range dead {
		if _, ok := stored[id]; !ok {
			orphans++
		}
	}
	t.Logf("%d kill -9 cycles, %d drain runs: %d POSTs sent, %d answered 202, %d refused (server not up), %d cut off by the kill; "+
		"%d records: %d processed, %d received with their event dead-lettered, %d stuck (received, no event); %d orphan events dead-lettered",
		killCycles, drains, sent, len(accepted), refused, cut, len(stored), len(processed), len(deadLettered), len(stuck), orphans)
	require.Greater(t, cut, 0, "some requests were in flight when the server was killed")
	require.Empty(t, stuck, "no stored inquiry is left received with no event to process it")
}

// process is the command running as a child process.
type process struct {
	cmd *exec.Cmd
	url string

	mu  sync.Mutex
	err strings.Builder
}

func (p *process) stderr() string { p.mu.Lock(); defer p.mu.Unlock(); return p.err.String() }

// startCommand starts the built command on a free loopback port and data, with a 1 s
// visibility timeout and 3 receives before the dead-letter queue, and waits for its banner.
func startCommand(t *testing.T, bin, data string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, "-addr", "127.0.0.1:0", "-data", data, "-visibility", "1s", "-max-receive", "3", "-quiet")}
	stdout, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	stderr, err := p.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	go func() {
		b, _ := io.ReadAll(stderr)
		p.mu.Lock()
		p.err.Write(b)
		p.mu.Unlock()
	}()
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := bannerURL.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		close(urls)
	}()
	select {
	case u, ok := <-urls:
		require.True(t, ok, "the command exited before its banner; stderr:\n%s", p.stderr())
		p.url = u
	case <-time.After(30 * time.Second):
		t.Fatalf("no banner within 30s; stderr:\n%s", p.stderr())
	}
	return p
}

// load is concurrent clients posting inquiries until stopped.
type load struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup

	client *http.Client

	mu                 sync.Mutex
	ids                []string
	sent, refused, cut int
	unexpected         []string
	acceptedN          atomic.Int64
}

// startLoad starts killClients clients posting to url; every other inquiry carries an
// Idempotency-Key, so both ways of storing (with and without a key) are cut by kills.
func startLoad(url string, cycle int) *load {
	ctx, cancel := context.WithCancel(context.Background())
	l := &load{cancel: cancel, client: &http.Client{Timeout: 30 * time.Second}}
	for c := range killClients {
		l.wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				n := fmt.Sprintf("%d-%d-%d", cycle, c, i)
				req, err := http.NewRequestWithContext(ctx, "POST", url+"/v1/inquiries",
					strings.NewReader(`{"name":"Sender `+n+`","email":"s@example.com","message":"inquiry `+n+`"}`))
				if err != nil {
					panic(err)
				}
				req.Header.Set("Content-Type", "application/json")
				if i%2 == 1 {
					req.Header.Set("Idempotency-Key", "k-"+n)
				}
				l.post(req)
			}
		})
	}
	return l
}

func (l *load) post(req *http.Request) {
	resp, err := l.client.Do(req)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent++
	if err != nil {
		if strings.Contains(err.Error(), "connection refused") {
			l.refused++
		} else if req.Context().Err() == nil {
			l.cut++
		}
		return
	}
	defer resp.Body.Close()
	var rc struct{ ID string }
	err = json.NewDecoder(resp.Body).Decode(&rc)
	switch {
	case resp.StatusCode == http.StatusAccepted && err == nil && rc.ID != "":
		l.ids = append(l.ids, rc.ID)
		l.acceptedN.Add(1)
	case err != nil:
		l.cut++ // the answer was cut off mid-body
	default:
		l.unexpected = append(l.unexpected, fmt.Sprintf("status %d: %v", resp.StatusCode, rc))
	}
}

// waitAccepted waits until n inquiries were accepted, so the kill lands on a serving server.
func (l *load) waitAccepted(t *testing.T, n int64) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); l.acceptedN.Load() < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no inquiry accepted within 30s")
		}
	}
}

// stop stops the clients and returns the accepted ids, the counts and the answers that were
// neither 202 nor cut off.
func (l *load) stop() (ids []string, sent, refused, cut int, unexpected []string) {
	l.cancel()
	l.wg.Wait()
	l.client.CloseIdleConnections()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ids, l.sent, l.refused, l.cut, l.unexpected
}

// queueMessages returns the messages of a queue of the data directory, which it opens and
// closes again; the server must not be running.
func queueMessages(t *testing.T, data, name string) []localqueue.Message {
	t.Helper()
	q, err := localqueue.Open(localqueue.Config{Dir: filepath.Join(data, "queues", name), Name: name})
	require.NoError(t, err)
	defer func() { require.NoError(t, q.Close()) }()
	return q.Messages()
}

// tmpfsDir returns a temporary directory on tmpfs (/dev/shm) where there is one, else
// t.TempDir(). A kill -9 loses nothing the process wrote, fsynced or not (the page cache
// outlives the process), so tmpfs keeps what this test checks while its fsyncs cost nothing.
func tmpfsDir(t testing.TB) string {
	t.Helper()
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if dir, err := os.MkdirTemp("/dev/shm", "groundwork-kill9-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}
