//go:build unix

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/adapters/local"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/localserver"
)

// The -watch tests run the command on a copy of the module's server packages, edit the
// copy's source and watch the server swap: real processes, real builds. The copy keeps the
// module path, and the command is built with -trimpath (which the rebuilds inherit), so
// the build cache is shared with every earlier run: a rebuild compiles only the edited
// package and what imports it, and links.

// Source the tests edit, as it is in the module; a test fails naming the file when it is
// no longer found there.
const (
	healthFile = "internal/httpapi/handler.go"
	healthLine = "var healthBody = []byte(`{\"status\":\"ok\"}` + \"\\n\")"
	workerFile = "internal/worker/worker.go"
	workerLine = "func (h *Handler) Handle(ctx context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {"
	serverFile = "internal/localserver/server.go"
	serverLine = "func New(cfg Config) (*Server, error) {"
)

// healthAnswering is the health check's source answering with build as its "build" member.
// The build names carry a nonce (see module), so that what each save compiles is new to
// the build cache, as an edit is, and the figures logged are those of real builds.
func healthAnswering(build string) string {
	return "var healthBody = []byte(`{\"status\":\"ok\",\"build\":\"" + build + "\"}` + \"\\n\")"
}

// buildName returns name with a nonce: a name no earlier run used.
func buildName(name string) string {
	return name + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
}

// failingWorker is the worker's Handle failing every batch, as a bug would.
const failingWorker = workerLine + "\n\treturn events.SQSEventResponse{}, errors.New(\"this build fails every batch\")"

// failingServer is localserver.New failing, as a server that cannot open its data
// directory would: it fails only once the old server has handed the directory over.
const failingServer = serverLine + "\n\treturn nil, errors.New(\"this build cannot open its data directory\")"

func TestWatchSwapsInTheRebuiltServer(t *testing.T) {
	deadline := time.Now().Add(4 * time.Minute) // a bound on a hang, not a speed requirement
	v1, v2, v3 := buildName("v1"), buildName("v2"), buildName("v3")
	// Given a copy of the module whose worker fails every batch and whose health check says
	// "v1", run with -watch; events are retried every second and never dead-lettered
	mod := copyModule(t)
	mod.edit(t, workerFile, workerLine, failingWorker)
	mod.edit(t, healthFile, healthLine, healthAnswering(v1))
	bin := mod.build(t)
	data := tmpfsDir(t)
	w := startWatch(t, mod.dir, bin, "-data", data, "-visibility", "1s", "-max-receive", "1000", "-quiet")
	require.Equal(t, v1, w.build(t), "the first server runs the code the command was built from")

	// And an inquiry whose event the worker has failed, so it waits in the queue
	queued := postInquiry(t, w.url, "queued before the swap", "")
	w.waitOutput(t, "the old worker failing the queued event", func(_, stderr string) bool {
		return strings.Contains(stderr, "this build fails every batch")
	})
	require.Equal(t, "received", getInquiry(t, w.url, queued)["status"], "the event is not processed by the failing worker")

	// When clients keep sending requests, and the worker and the health check are fixed and
	// saved together, as a save-all writes them
	l := startSwapLoad(w.url, v1, v2)
	l.waitAnswers(t, 20)
	wrote := time.Now()
	mod.edit(t, workerFile, failingWorker, workerLine)
	mod.edit(t, healthFile, healthAnswering(v1), healthAnswering(v2))

	// Then the new code serves
	waitUntil(t, deadline, "the rebuilt server to answer v2", w, func() bool { return w.build(t) == v2 })
	t.Logf("file write to first answer from the new code: %v (supervisor: %s)", time.Since(wrote).Round(time.Millisecond), w.lastReload())
	l.waitAnswers(t, l.answered()+20) // and keeps serving
	st := l.stop()
	t.Logf("during the swap: %d requests answered by the old server, %d by the new, %d started before the swap and answered after it; %d failed",
		st.old, st.new, st.straddled, len(st.failed))

	// And every request sent meanwhile was answered: none refused, reset or cut off, and
	// no client got the old code after the new
	assert.Empty(t, st.failed, "every request during the swap is answered")
	assert.Positive(t, st.old, "the old server answered requests of the load")
	assert.Positive(t, st.new, "the new server answered requests of the load")
	assert.Empty(t, st.regressed, "no client is answered by the old code after the new")

	// And the event queued before the swap is processed after it, by the fixed worker, and
	// so is every inquiry accepted during the swap
	for _, id := range append([]string{queued}, st.accepted...) {
		waitUntil(t, deadline, "inquiry "+id+" processed", w, func() bool { return getInquiry(t, w.url, id)["status"] == "processed" })
	}
	assert.Positive(t, len(st.accepted), "inquiries were accepted during the swap")

	// When a save builds a server that fails to start once the old one has handed over
	l = startSwapLoad(w.url, v2, v3)
	l.waitAnswers(t, 20)
	mod.edit(t, serverFile, serverLine, failingServer)
	mod.edit(t, healthFile, healthAnswering(v2), healthAnswering(v3))

	// Then the previous build is started again, and every request meanwhile is answered by it
	w.waitOutput(t, "the previous build serving again", func(_, stderr string) bool {
		return strings.Contains(stderr, "this build cannot open its data directory") &&
			strings.Contains(stderr, "the previous build serves again")
	})
	l.waitAnswers(t, l.answered()+20)
	st = l.stop()
	t.Logf("during the failed swap: %d requests answered by the previous build; %d failed", st.old, len(st.failed))
	assert.Empty(t, st.failed, "every request during the failed swap is answered")
	assert.Zero(t, st.new, "the build that failed to start answered nothing")

	// When a save breaks the build
	mod.edit(t, healthFile, healthAnswering(v3), healthAnswering(v3)+"\nfunc broken( {")

	// Then the compiler's error is printed, naming the file and line, and the old handler
	// keeps serving
	compiler := regexp.MustCompile(`(?m)^internal/httpapi/handler\.go:\d+:\d+: syntax error`)
	w.waitOutput(t, "the compiler's error", func(_, stderr string) bool {
		return compiler.MatchString(stderr) && strings.Contains(stderr, "build failed: the server keeps running the previous build")
	})
	assert.Equal(t, v2, w.build(t), "the previous build serves after a failed build")

	// When both errors are fixed
	mod.edit(t, serverFile, failingServer, serverLine)
	mod.edit(t, healthFile, healthAnswering(v3)+"\nfunc broken( {", healthAnswering(v3))

	// Then the fixed code serves, and the records written before are all there
	waitUntil(t, deadline, "the fixed server to answer v3", w, func() bool { return w.build(t) == v3 })
	assert.Equal(t, "processed", getInquiry(t, w.url, queued)["status"], "a record survives the swaps")

	// When the supervisor gets SIGTERM
	require.NoError(t, w.cmd.Process.Signal(syscall.SIGTERM))

	// Then it stops cleanly, its server drained, and the port and the data directory are free
	w.waitExit(t)
	stdout, stderr := w.output()
	assert.Contains(t, stdout, "stopped: requests drained, worker batch finished", "the last server drained")
	assert.Equal(t, 1, strings.Count(stdout, "groundwork local server on"), "one banner: swaps are reported on one line each")
	assert.Equal(t, 2, strings.Count(stderr, "reloaded in"), "each swap is reported with its time")
	ln, err := net.Listen("tcp", strings.TrimPrefix(w.url, "http://"))
	require.NoError(t, err, "the port is free again")
	ln.Close()
	srv, err := localserver.New(localserver.Config{DataDir: data, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err, "the data directory is free again")
	require.NoError(t, srv.Close())
	records, err := local.Open(filepath.Join(data, "table"))
	require.NoError(t, err)
	rec, err := records.Get(context.Background(), queued)
	require.NoError(t, err)
	assert.Equal(t, inquiry.StatusProcessed, rec.Status, "the record is stored processed")
}

// module is a copy of the module's server packages.
type module struct{ dir string }

// copyModule copies go.mod, go.sum and the non-test files of the module's packages that
// cmd/local is built from into a temporary directory.
func copyModule(tb testing.TB) *module {
	tb.Helper()
	out, err := exec.Command(goTool(tb), "list", "-deps", "-f", "{{if and .Module .Module.Main}}{{.Dir}}\t{{.Module.Dir}}{{end}}", ".").Output()
	require.NoError(tb, err, "go list")
	m := &module{dir: filepath.Join(tb.TempDir(), "mod")}
	var root string
	for line := range strings.Lines(strings.TrimSpace(string(out))) {
		dir, modDir, _ := strings.Cut(strings.TrimSpace(line), "\t")
		root = modDir
		rel, err := filepath.Rel(modDir, dir)
		require.NoError(tb, err)
		entries, err := os.ReadDir(dir)
		require.NoError(tb, err)
		for _, e := range entries {
			if e.Type().IsRegular() && !strings.HasSuffix(e.Name(), "_test.go") {
				copyFile(tb, filepath.Join(dir, e.Name()), filepath.Join(m.dir, rel, e.Name()))
			}
		}
	}
	require.NotEmpty(tb, root, "go list names the module")
	for _, f := range []string{"go.mod", "go.sum"} {
		copyFile(tb, filepath.Join(root, f), filepath.Join(m.dir, f))
	}
	return m
}

func copyFile(tb testing.TB, src, dst string) {
	tb.Helper()
	b, err := os.ReadFile(src)
	require.NoError(tb, err)
	require.NoError(tb, os.MkdirAll(filepath.Dir(dst), 0o755))
	require.NoError(tb, os.WriteFile(dst, b, 0o644))
}

// edit replaces old, which must be in the file once, with new, as an editor saves it.
func (m *module) edit(tb testing.TB, file, old, new string) {
	tb.Helper()
	path := filepath.Join(m.dir, file)
	b, err := os.ReadFile(path)
	require.NoError(tb, err)
	require.Equal(tb, 1, strings.Count(string(b), old), "%s holds %q once: update the test if the source changed", file, old)
	require.NoError(tb, os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644))
}

// build builds the copy's command with -trimpath and returns the binary's path.
func (m *module) build(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "local")
	cmd := exec.Command(goTool(tb), "build", "-trimpath", "-o", bin, "./cmd/local")
	cmd.Dir = m.dir
	out, err := cmd.CombinedOutput()
	require.NoError(tb, err, "go build: %s", out)
	return bin
}

// watched is the command running with -watch.
type watched struct {
	cmd            *exec.Cmd
	url            string
	stdout, stderr syncBuffer
	exited         chan struct{}
	client         *http.Client
}

// startWatch starts bin -watch in dir on a free loopback port and waits for its banner.
func startWatch(tb testing.TB, dir, bin string, flags ...string) *watched {
	tb.Helper()
	w := &watched{exited: make(chan struct{}), client: &http.Client{Timeout: time.Minute}}
	w.cmd = exec.Command(bin, append([]string{"-watch", "-addr", "127.0.0.1:0"}, flags...)...)
	w.cmd.Dir = dir
	w.cmd.Stdout, w.cmd.Stderr = &w.stdout, &w.stderr
	require.NoError(tb, w.cmd.Start())
	go func() { _ = w.cmd.Wait(); close(w.exited) }()
	tb.Cleanup(func() {
		select {
		case <-w.exited:
		default:
			// The supervisor this test started, by its pid; its server stops when the
			// supervisor's end of their pipe closes.
			_ = w.cmd.Process.Kill()
			<-w.exited
		}
	})
	w.waitOutput(tb, "the banner", func(stdout, _ string) bool {
		if m := bannerURL.FindStringSubmatch(stdout); m != nil {
			w.url = m[1]
		}
		return w.url != ""
	})
	return w
}

func (w *watched) output() (stdout, stderr string) { return w.stdout.String(), w.stderr.String() }

// waitOutput polls the command's output until cond holds, failing when the command exits
// first or after a bound on a hang.
func (w *watched) waitOutput(tb testing.TB, what string, cond func(stdout, stderr string) bool) {
	tb.Helper()
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if cond(w.output()) {
			return
		}
		select {
		case <-w.exited:
			tb.Fatalf("the command exited while waiting for %s\n%s", what, w.describe())
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s\n%s", what, w.describe())
		}
	}
}

func (w *watched) describe() string {
	stdout, stderr := w.output()
	return "stdout:\n" + stdout + "\nstderr:\n" + stderr
}

// waitExit waits for the command to exit, and asserts that it exited with status 0.
func (w *watched) waitExit(tb testing.TB) {
	tb.Helper()
	select {
	case <-w.exited:
	case <-time.After(time.Minute): // a bound on a hang
		tb.Fatalf("the command did not exit\n%s", w.describe())
	}
	require.True(tb, w.cmd.ProcessState.Success(), "the command exited cleanly: %v\n%s", w.cmd.ProcessState, w.describe())
}

// lastReload is the supervisor's last "reloaded in" line.
func (w *watched) lastReload() string {
	_, stderr := w.output()
	lines := regexp.MustCompile(`msg="reloaded in [^"]*".*`).FindAllString(stderr, -1)
	if len(lines) == 0 {
		return "no reload logged"
	}
	return lines[len(lines)-1]
}

// build returns the "build" member of the health check's answer.
func (w *watched) build(tb testing.TB) string {
	tb.Helper()
	resp, err := w.client.Get(w.url + "/healthz")
	require.NoError(tb, err, "the health check is answered")
	defer resp.Body.Close()
	var h struct{ Build string }
	require.NoError(tb, json.NewDecoder(resp.Body).Decode(&h))
	return h.Build
}

// waitUntil polls cond until it holds, failing after deadline (a bound on a hang).
func waitUntil(tb testing.TB, deadline time.Time, what string, w *watched, cond func() bool) {
	tb.Helper()
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s\n%s", what, w.describe())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func postInquiry(tb testing.TB, url, message, idemKey string) string {
	tb.Helper()
	req, err := http.NewRequest("POST", url+"/v1/inquiries", strings.NewReader(`{"name":"Ada","email":"ada@example.com","message":"`+message+`"}`))
	require.NoError(tb, err)
	req.Header.Set("Content-Type", "application/json")
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(tb, err)
	defer resp.Body.Close()
	var rc struct{ ID string }
	require.NoError(tb, json.NewDecoder(resp.Body).Decode(&rc))
	require.Equal(tb, http.StatusAccepted, resp.StatusCode)
	return rc.ID
}

func getInquiry(tb testing.TB, url, id string) map[string]any {
	tb.Helper()
	resp, err := http.Get(url + "/v1/inquiries/" + id)
	require.NoError(tb, err)
	defer resp.Body.Close()
	require.Equal(tb, http.StatusOK, resp.StatusCode, "inquiry %s is stored", id)
	var m map[string]any
	require.NoError(tb, json.NewDecoder(resp.Body).Decode(&m))
	return m
}

// swapLoad is clients sending requests through a swap: health checks on kept-alive
// connections and on a new connection each, and inquiries, each on a new connection with
// an Idempotency-Key.
type swapLoad struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	stats swapStats
}

type swapStats struct {
	old, new  int      // health checks answered by the old and by the new server
	straddled int      // health checks sent while the old server served, answered by the new
	accepted  []string // inquiries accepted
	failed    []string // requests that got no answer, or not the expected one
	regressed []string // clients answered by the old code after the new
}

// startSwapLoad starts the clients on url, where build old answers and build new is to.
func startSwapLoad(url, old, new string) *swapLoad {
	ctx, cancel := context.WithCancel(context.Background())
	l := &swapLoad{cancel: cancel}
	keepAlive := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	fresh := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableKeepAlives: true}}
	var newSeen sync.Map // any client answered v2: what a request sent from now on must get
	for c, client := range []*http.Client{keepAlive, keepAlive, fresh, fresh} {
		l.wg.Go(func() {
			sawNew := false
			for ctx.Err() == nil {
				_, anyNew := newSeen.Load(new)
				build, err := health(client, url)
				l.mu.Lock()
				switch {
				case err != nil:
					l.stats.failed = append(l.stats.failed, fmt.Sprintf("client %d: GET /healthz: %v", c, err))
				case build == old:
					l.stats.old++
					if sawNew {
						l.stats.regressed = append(l.stats.regressed, fmt.Sprintf("client %d", c))
					}
				case build == new:
					l.stats.new++
					if !anyNew {
						l.stats.straddled++
					}
					sawNew = true
					newSeen.Store(new, true)
				default:
					l.stats.failed = append(l.stats.failed, fmt.Sprintf("client %d: GET /healthz answered build %q", c, build))
				}
				l.mu.Unlock()
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	l.wg.Go(func() {
		for i := 0; ctx.Err() == nil; i++ {
			id, err := sendInquiry(fresh, url, fmt.Sprintf("during the swap %d", i), fmt.Sprintf("swap-%d", i))
			l.mu.Lock()
			if err != nil {
				l.stats.failed = append(l.stats.failed, "POST /v1/inquiries: "+err.Error())
			} else {
				l.stats.accepted = append(l.stats.accepted, id)
			}
			l.mu.Unlock()
			time.Sleep(20 * time.Millisecond)
		}
	})
	return l
}

func (l *swapLoad) answered() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stats.old + l.stats.new
}

// waitAnswers waits until n health checks were answered.
func (l *swapLoad) waitAnswers(tb testing.TB, n int) {
	tb.Helper()
	for deadline := time.Now().Add(time.Minute); l.answered() < n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("only %d of %d health checks answered after a minute", l.answered(), n)
		}
	}
}

func (l *swapLoad) stop() swapStats {
	l.cancel()
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stats
}

// health asks for the health check and returns the build that answered.
func health(c *http.Client, url string) (string, error) {
	resp, err := c.Get(url + "/healthz")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("body cut off: %w", err)
	}
	var h struct{ Build string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &h) != nil {
		return "", fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return h.Build, nil
}

// sendInquiry posts an inquiry and returns its id, or why it was not accepted.
func sendInquiry(c *http.Client, url, message, idemKey string) (string, error) {
	req, err := http.NewRequest("POST", url+"/v1/inquiries", strings.NewReader(`{"name":"Ada","email":"ada@example.com","message":"`+message+`"}`))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", idemKey)
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("body cut off: %w", err)
	}
	var rc struct{ ID string }
	if resp.StatusCode != http.StatusAccepted || json.Unmarshal(b, &rc) != nil || rc.ID == "" {
		return "", fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return rc.ID, nil
}

// BenchmarkWatchReload measures the live loop: each iteration saves a change to the health
// check's answer in the module's copy and polls until the new answer is served. ns/op is the
// time from the file write to the first answer from the new code (to within the 5 ms poll);
// build-ms/op and handover-ms/op are the supervisor's own figures for the two parts of it.
// Run with -benchtime=5x: each iteration is a real build.
func BenchmarkWatchReload(b *testing.B) {
	mod := copyModule(b)
	prev := buildName("r0")
	mod.edit(b, healthFile, healthLine, healthAnswering(prev))
	bin := mod.build(b)
	w := startWatch(b, mod.dir, bin, "-data", tmpfsDir(b), "-quiet")
	n := 0
	for b.Loop() {
		n++
		next := buildName(fmt.Sprintf("r%d", n))
		mod.edit(b, healthFile, healthAnswering(prev), healthAnswering(next))
		waitUntil(b, time.Now().Add(2*time.Minute), "answer "+next, w, func() bool {
			build, err := health(w.client, w.url)
			if err != nil {
				b.Fatalf("the health check failed during a reload: %v", err)
			}
			return build == next
		})
		prev = next
	}
	b.StopTimer()
	var reloads [][]string
	w.waitOutput(b, "one reload logged per save", func(_, stderr string) bool {
		reloads = reloadFigures.FindAllStringSubmatch(stderr, -1)
		return len(reloads) >= n
	})
	var build, handover time.Duration
	var each []string
	for _, m := range reloads {
		bd, err := time.ParseDuration(m[2])
		require.NoError(b, err)
		hd, err := time.ParseDuration(m[3])
		require.NoError(b, err)
		build, handover = build+bd, handover+hd
		each = append(each, m[1])
	}
	b.Logf("reloaded in (supervisor's log, save by save): %s", strings.Join(each, ", "))
	require.Len(b, reloads, n, "one reload per save")
	b.ReportMetric(float64(build.Milliseconds())/float64(n), "build-ms/op")
	b.ReportMetric(float64(handover.Milliseconds())/float64(n), "handover-ms/op")
}

// reloadFigures finds the build and handover times in the supervisor's reload lines.
var reloadFigures = regexp.MustCompile(`msg="reloaded in ([^"]*)".* build=(\S+) handover=(\S+)`)
