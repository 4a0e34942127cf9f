package components_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// adoptionTimeout bounds the adopting module's go test: compiling and linking a test binary
// that links the pulumi-aws SDK, and the Lambda handler's linux/arm64 build, with the build
// cache warm or cold.
const adoptionTimeout = 15 * time.Minute

// TestAdoption is issue 8's acceptance test. A service team's module outside this repository
// (a temporary directory) requires github.com/groundwork-dev/groundwork, replaced by this
// checkout, holds a program written from the package docs (testdata/adoption.txtar: an HTTP
// API with two routes, a function with a table grant, a queue with a consumer, one child
// customized through a typed transform) and its own mock test, which asserts the
// customization and the function's exact grants. The module's go test must pass.
//
// It needs no network: the module's go.mod requires what this module's go.mod requires, at
// the same versions, and its go.sum is this module's, so every module comes from the module
// cache (GOPROXY=off) as `go mod download` left it for this repository.
func TestAdoption(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a module of its own; run without -short")
	}
	root := moduleRoot(t)
	dir := t.TempDir()

	// Given the team's files, as the package docs would have them written
	files := readTxtar(t, filepath.Join("testdata", "adoption.txtar"))
	for name, src := range files {
		if strings.HasSuffix(name, ".go") {
			if formatted, err := format.Source(src); err != nil || !bytes.Equal(formatted, src) {
				t.Errorf("testdata/adoption.txtar: %s is not gofmt'd (%v)", name, err)
			}
		}
		writeFile(t, filepath.Join(dir, name), src)
	}

	// And a go.mod that requires Groundwork from this checkout
	writeFile(t, filepath.Join(dir, "go.mod"), adopterGoMod(t, root))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "go.sum"), sum)

	// When the team runs its tests
	ctx, cancel := context.WithTimeout(context.Background(), adoptionTimeout)
	defer cancel()
	start := time.Now()
	out, err := goCommand(ctx, dir, "test", "-count=1", "./...")
	t.Logf("the adopting module's go test took %s", time.Since(start).Round(time.Second))

	// Then they pass
	if ctx.Err() != nil {
		t.Fatalf("the adopting module's go test did not finish within %s:\n%s", adoptionTimeout, out)
	}
	if err != nil {
		t.Fatalf("the adopting module's go test failed (%v):\n%s", err, out)
	}
	if !strings.Contains(string(out), "ok  \texample.com/orders\t") {
		t.Fatalf("the adopting module's test did not run:\n%s", out)
	}
}

// goCommand runs the go command in dir as a team's machine would, but offline: modules come
// from the shared module cache only, and go.mod may be completed from it (-mod=mod).
func goCommand(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, goBinary(), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
	cmd.WaitDelay = 10 * time.Second
	return cmd.CombinedOutput()
}

// goBinary is the go command of the toolchain running the test, so that the module builds
// with the same toolchain and shares its build cache.
func goBinary() string {
	if goroot := os.Getenv("GOROOT"); goroot != "" {
		if p := filepath.Join(goroot, "bin", "go"); fileExists(p) {
			return p
		}
	}
	return "go"
}

// adopterGoMod is the adopting module's go.mod: this module's requirements and go version,
// plus Groundwork itself, replaced by the checkout at root.
func adopterGoMod(t *testing.T, root string) []byte {
	t.Helper()
	out, err := goCommand(context.Background(), root, "mod", "edit", "-json")
	if err != nil {
		t.Fatalf("go mod edit -json: %v\n%s", err, out)
	}
	var mod struct {
		Module  struct{ Path string }
		Go      string
		Require []struct {
			Path, Version string
			Indirect      bool
		}
	}
	if err := json.Unmarshal(out, &mod); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "module example.com/orders\n\ngo %s\n\nrequire %s v0.0.0-00010101000000-000000000000\n\nrequire (\n", mod.Go, mod.Module.Path)
	for _, r := range mod.Require {
		fmt.Fprintf(&b, "\t%s %s\n", r.Path, r.Version)
	}
	fmt.Fprintf(&b, ")\n\nreplace %s => %s\n", mod.Module.Path, root)
	return []byte(b.String())
}

// moduleRoot is the directory of this module's go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if fileExists(filepath.Join(d, "go.mod")) {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod at or above %s", dir)
		}
	}
}

// readTxtar reads a txtar archive: a comment, then files, each introduced by a line
// "-- name --".
func readTxtar(t *testing.T, path string) map[string][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	var name string
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if h := strings.TrimSpace(line); strings.HasPrefix(h, "-- ") && strings.HasSuffix(h, " --") && len(h) > 6 {
			name = strings.TrimSpace(h[3 : len(h)-3])
			files[name] = nil
			continue
		}
		if name != "" {
			files[name] = append(files[name], line...)
		}
	}
	if len(files) == 0 {
		t.Fatalf("%s has no files", path)
	}
	return files
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
