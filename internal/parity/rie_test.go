package parity

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// rieInstall is the command that installs the RIE version this suite was written against.
const rieInstall = "go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"

// invokePath is the RIE's invoke URL path (internal/lambda/rie/http.go in its source).
const invokePath = "/2015-03-31/functions/function/invocations"

// goTool is the go command: $GOROOT/bin/go when there is one, else go on PATH.
func goTool(t testing.TB) string {
	t.Helper()
	if root := os.Getenv("GOROOT"); root != "" {
		if p := filepath.Join(root, "bin", "go"); fileExists(p) {
			return p
		}
	}
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the parity suite builds the bootstraps with the go command, and finds none: %v", err)
	}
	return p
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

var (
	rieOnce sync.Once
	riePath string
	rieErr  error
)

// findRIE returns the path of aws-lambda-rie: on PATH, else in $(go env GOBIN) or
// $(go env GOPATH)/bin, where go install puts it. Without it the test fails, naming the
// command that installs it: CI must run the suite, not skip it.
func findRIE(t testing.TB) string {
	t.Helper()
	gotool := goTool(t)
	rieOnce.Do(func() {
		if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
			riePath = p
			return
		}
		out, err := exec.Command(gotool, "env", "GOBIN", "GOPATH").Output()
		if err != nil {
			rieErr = fmt.Errorf("go env GOBIN GOPATH: %w", err)
			return
		}
		// One line each, GOBIN's empty when unset.
		gobin, gopath, _ := strings.Cut(strings.TrimRight(string(out), "\n"), "\n")
		var dirs []string
		if gobin = strings.TrimSpace(gobin); gobin != "" {
			dirs = append(dirs, gobin)
		}
		for _, gp := range filepath.SplitList(strings.TrimSpace(gopath)) {
			dirs = append(dirs, filepath.Join(gp, "bin"))
		}
		for _, d := range dirs {
			if p := filepath.Join(d, "aws-lambda-rie"); fileExists(p) {
				riePath = p
				return
			}
		}
		rieErr = fmt.Errorf("aws-lambda-rie is not on PATH nor in %s", strings.Join(dirs, ", "))
	})
	if rieErr != nil {
		t.Fatalf("the parity suite runs the bootstraps under the Lambda Runtime Interface Emulator: %v; install it with\n\t%s", rieErr, rieInstall)
	}
	return riePath
}

// moduleRoot is the directory of the module's go.mod, above the test's working directory.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if fileExists(filepath.Join(dir, "go.mod")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// buildFlagsFile declares components/function.BuildFlags, the flags of every deployed
// bootstrap.
const buildFlagsFile = "components/function/build.go"

// buildFlags reads components/function.BuildFlags from its source rather than importing the
// package, which would link the Pulumi SDK into this test (the application's code and tests
// never import Pulumi). The declaration must stay a list of string literals; anything else is
// an error naming the file.
func buildFlags(root string) ([]string, error) {
	path := filepath.Join(root, buildFlagsFile)
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if name.Name != "BuildFlags" || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.CompositeLit)
				if !ok {
					return nil, fmt.Errorf("%s: BuildFlags is not a []string literal", buildFlagsFile)
				}
				var flags []string
				for _, el := range lit.Elts {
					bl, ok := el.(*ast.BasicLit)
					if !ok || bl.Kind != token.STRING {
						return nil, fmt.Errorf("%s: BuildFlags holds %T, not a string literal: the parity suite reads the flags from the source", buildFlagsFile, el)
					}
					s, err := strconv.Unquote(bl.Value)
					if err != nil {
						return nil, err
					}
					flags = append(flags, s)
				}
				return flags, nil
			}
		}
	}
	return nil, fmt.Errorf("%s declares no BuildFlags", buildFlagsFile)
}

var (
	buildMu  sync.Mutex
	builtDir string            // holds every bootstrap this process built; removed by TestMain
	built    map[string]string // package -> its bootstrap
)

// bootstrap builds the main package pkg ("./cmd/api") as a Lambda bootstrap, with the flags of
// components/function.BuildFlags, for the host's GOOS and GOARCH (the RIE runs it here), once
// per test process.
func bootstrap(t testing.TB, pkg string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := built[pkg]; ok {
		return p
	}
	root := moduleRoot(t)
	flags, err := buildFlags(root)
	if err != nil {
		t.Fatalf("build flags: %v", err)
	}
	if builtDir == "" {
		if builtDir, err = os.MkdirTemp("", "parity-bootstraps-"); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(builtDir, filepath.Base(pkg))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "bootstrap")
	cmd := exec.Command(goTool(t), append(append([]string{"build", "-o", bin}, flags...), pkg)...)
	cmd.Dir = root
	// The host's platform whatever the environment says: the RIE runs the binary here.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s with BuildFlags %q: %v\n%s", pkg, flags, err, out)
	}
	t.Logf("built %s for %s/%s with components/function.BuildFlags %q", pkg, runtime.GOOS, runtime.GOARCH, flags)
	if built == nil {
		built = map[string]string{}
	}
	built[pkg] = bin
	return bin
}

// freePorts returns n distinct free ports on 127.0.0.1. They are free when it returns; the
// RIE binds them a few milliseconds later.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	ports := make([]int, n)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	return ports
}

// tailBuffer keeps the last tailBytes of what a process writes, for failure messages.
type tailBuffer struct {
	mu sync.Mutex
	b  []byte
}

const tailBytes = 64 << 10

func (w *tailBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b = append(w.b, p...)
	if len(w.b) > 2*tailBytes {
		w.b = append(w.b[:0], w.b[len(w.b)-tailBytes:]...)
	}
	return len(p), nil
}

func (w *tailBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.b) > tailBytes {
		return "…" + string(w.b[len(w.b)-tailBytes:])
	}
	return string(w.b)
}

// rie is one bootstrap running under the Lambda Runtime Interface Emulator. It implements
// lambda.Handler: Invoke POSTs an event to the RIE, one invoke at a time (the RIE serves one
// at a time and can crash on a second).
type rie struct {
	name   string
	url    string
	cmd    *exec.Cmd
	out    *tailBuffer
	exited chan struct{}
	client *http.Client

	stopOnce sync.Once

	mu          sync.Mutex
	invokes     int
	firstInvoke time.Duration // the first invoke's round trip: process start and init included
}

// startRIE runs `aws-lambda-rie bootstrap` in the bootstrap's directory, with env as the
// whole environment (the RIE passes it on to the function, as Lambda sets a function's
// configured variables), on two free loopback ports: the invoke API's and the runtime API's
// (the RIE's default runtime API port, 9001, would collide with any other RIE on the machine;
// its port 0 is not passed on to the runtime). It returns once the invoke port accepts
// connections; the function itself starts on the first invoke, as in Lambda. The process
// group is killed when t ends.
func startRIE(t testing.TB, name, bootstrap string, env []string) *rie {
	t.Helper()
	rieBin := findRIE(t)
	// A port found free can be taken by another process before the RIE binds it; the RIE then
	// exits at once, and another pair of ports is tried.
	var outputs []string
	for attempt := 0; attempt < 3; attempt++ {
		r, ok := tryRIE(t, rieBin, name, bootstrap, env)
		if ok {
			return r
		}
		outputs = append(outputs, r.out.String())
	}
	t.Fatalf("the RIE for %s exited before listening, three times; its output:\n%s", name, strings.Join(outputs, "\n---\n"))
	return nil
}

// tryRIE starts the RIE on two free ports, and reports false when it exits before listening.
func tryRIE(t testing.TB, rieBin, name, bootstrap string, env []string) (*rie, bool) {
	t.Helper()
	ports := freePorts(t, 2)
	addr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	r := &rie{
		name:   name,
		url:    "http://" + addr + invokePath,
		out:    &tailBuffer{},
		exited: make(chan struct{}),
		// No proxy from the environment; a timeout above the function's own, so that a wedged
		// RIE fails the test instead of hanging it.
		client: &http.Client{Transport: &http.Transport{Proxy: nil, DisableCompression: true}, Timeout: 2 * functionTimeout},
	}
	r.cmd = exec.Command(rieBin,
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", fmt.Sprintf("127.0.0.1:%d", ports[1]),
		"--log-level", "error",
		"./"+filepath.Base(bootstrap))
	r.cmd.Dir = filepath.Dir(bootstrap)
	r.cmd.Env = env
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.out
	ownProcessGroup(r.cmd)
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", r.cmd, err)
	}
	go func() { _ = r.cmd.Wait(); close(r.exited) }() // the exit is seen through r.exited
	t.Cleanup(func() {
		r.stop()
		if t.Failed() {
			t.Logf("output of the %s bootstrap under the RIE:\n%s", name, r.out)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return r, true
		}
		select {
		case <-r.exited:
			return r, false
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the RIE for %s does not listen on %s after 10s:\n%s", name, addr, r.out)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// stop kills the RIE and the bootstrap it started, and waits for the RIE to exit.
func (r *rie) stop() {
	r.stopOnce.Do(func() {
		killProcessGroup(r.cmd)
		<-r.exited
	})
}

// functionTimeout is the functions' timeout under the RIE (AWS_LAMBDA_FUNCTION_TIMEOUT): API
// Gateway's 30 s integration timeout, and the events queue's visibility timeout, which the
// worker's must not exceed.
const functionTimeout = 30 * time.Second

// Invoke sends payload to the function, as Lambda's Invoke API would. The invocation gets a
// request id of the RIE's making (a UUID, as in Lambda), not the API Gateway request id the
// local server puts in its lambdacontext: that one holds "/" and "+", and the runtime API
// path of an invocation with such an id is not found (the function then exits). A function
// error comes back as an error carrying its errorType and errorMessage: the RIE answers it
// with status 200 and no X-Amz-Function-Error header, so it is told apart by its shape (an
// object with errorType and errorMessage, and neither statusCode nor batchItemFailures).
func (r *rie) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	start := time.Now()
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("invoke %s under the RIE: %w", r.name, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("invoke %s under the RIE: read the response: %w", r.name, err)
	}
	if r.invokes == 0 {
		r.firstInvoke = time.Since(start)
	}
	r.invokes++
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("invoke %s under the RIE: status %d: %s", r.name, resp.StatusCode, out)
	}
	if ferr := functionError(out); ferr != nil {
		return nil, ferr
	}
	return out, nil
}

// functionErr is a function's error as the runtime reports it.
type functionErr struct {
	Type, Message string
}

func (e *functionErr) Error() string { return e.Type + ": " + e.Message }

// functionError returns the function error a response payload carries, or nil.
func functionError(payload []byte) error {
	var m map[string]json.RawMessage
	if json.Unmarshal(payload, &m) != nil {
		return nil //nolint:nilerr // a payload that is no JSON object carries no function error
	}
	_, hasType := m["errorType"]
	_, hasMessage := m["errorMessage"]
	_, hasStatus := m["statusCode"]
	_, hasFailures := m["batchItemFailures"]
	if !hasType || !hasMessage || hasStatus || hasFailures {
		return nil
	}
	var e struct {
		Type    string `json:"errorType"`
		Message string `json:"errorMessage"`
	}
	if json.Unmarshal(payload, &e) != nil {
		return errors.New("function error: " + string(payload))
	}
	return &functionErr{Type: e.Type, Message: e.Message}
}

// FirstInvoke returns the round trip of the first invoke (the process's start and the
// function's init included) and whether there was one.
func (r *rie) FirstInvoke() (time.Duration, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.firstInvoke, r.invokes > 0
}
