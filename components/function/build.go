package function

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Architecture is the one word for the processor every function runs on: GOARCH for the build
// and the Lambda architecture name (Lambda spells arm64 as Go does). arm64 (Graviton) costs
// 20% less per GB-second than x86_64 at the same memory (AWS Lambda pricing), the
// provided.al2023 runtime supports it, and a Go binary without cgo cross-compiles to it from
// any machine.
const Architecture = "arm64"

// machines maps an Architecture to the ELF machine a bootstrap built for it carries. Only the
// architecture whose GOARCH and Lambda names agree is here: amd64 is Lambda's x86_64.
var machines = map[string]elf.Machine{"arm64": elf.EM_AARCH64}

// target is the build's GOOS/GOARCH, for messages.
const target = "linux/" + Architecture

// BuildFlags are the go build flags of every bootstrap: a static binary without the RPC path
// only the retired go1.x runtime used, no symbol tables, and nothing that depends on the
// directory, the VCS state or the build id, so the same sources give the same bytes anywhere.
var BuildFlags = []string{
	"-trimpath", "-buildvcs=false", "-tags", "lambda.norpc", "-ldflags", "-s -w -buildid=",
}

// zipTime is the modification time written into every archive: fixed, so that a rebuild of
// unchanged sources gives a byte-identical zip and Pulumi (which hashes a .zip's raw bytes)
// sees no change.
var zipTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Build compiles the Go main package pkg (a path such as "./cmd/api", relative to root) as
// bootstrap for linux/Architecture, zips it reproducibly, and writes the zip under
// root/.groundwork/build. It returns the zip's path. The error of a package that does not
// exist or does not compile names the package and carries the compiler's output; a package
// that is not a main package (go build makes an archive of it, without complaint, that
// Lambda could not run) is an error naming it too.
//
// Builds are memoized per process by root and package: a Pulumi program builds each function
// once however many times it is evaluated (tests, benchmarks). Across processes, a build
// records what it read beside its zip (buildcache.go), and a later process whose sources
// are unchanged takes that zip without running the go command.
func Build(ctx context.Context, root, pkg string) (string, error) {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	key := absRoot + "\x00" + pkg
	buildsMu.Lock()
	e, ok := builds[key]
	if !ok {
		e = &buildEntry{}
		builds[key] = e
	}
	buildsMu.Unlock()
	e.once.Do(func() { e.path, e.err = build(ctx, absRoot, pkg) })
	return e.path, e.err
}

type buildEntry struct {
	once sync.Once
	path string
	err  error
}

var (
	buildsMu sync.Mutex
	builds   = map[string]*buildEntry{}
)

// packageError says why a package cannot be a function's bootstrap; the function component
// reports it as its Package field's problem.
type packageError struct {
	pkg    string
	reason string // follows the quoted package: "does not build for linux/arm64: ..."
}

func (e *packageError) Error() string { return fmt.Sprintf("package %q %s", e.pkg, e.reason) }

func refuse(pkg, format string, args ...any) error {
	return &packageError{pkg: pkg, reason: fmt.Sprintf(format, args...)}
}

// buildEnv is the environment of every go command that builds or inspects a bootstrap.
func buildEnv() []string {
	return append(os.Environ(), "GOOS=linux", "GOARCH="+Architecture, "CGO_ENABLED=0", "GOFLAGS=")
}

func build(ctx context.Context, root, pkg string) (string, error) {
	if !strings.HasPrefix(pkg, "./") && !strings.HasPrefix(pkg, "../") {
		return "", refuse(pkg, "is not a path relative to the project root; give one such as ./cmd/api")
	}
	if st, err := os.Stat(filepath.Join(root, pkg)); err != nil || !st.IsDir() {
		return "", refuse(pkg, "is no directory under the project root %s (no such directory)", root)
	}
	if zip := cachedBuild(root, pkg); zip != "" {
		return zip, nil
	}
	outDir := filepath.Join(root, ".groundwork", "build")
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", err
	}
	inputs, inputsErr := inputsOf(ctx, root, pkg) // before the build: see recordBuild
	tmp, err := os.MkdirTemp(outDir, "tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)

	bin := filepath.Join(tmp, "bootstrap")
	args := append([]string{"build", "-o", bin}, BuildFlags...)
	cmd := exec.CommandContext(ctx, goCommand(), append(args, pkg)...)
	cmd.Dir = root
	cmd.Env = buildEnv()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", refuse(pkg, "does not build for %s: %v\n%s", target, err, strings.TrimSpace(out.String()))
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		return "", err
	}
	if err := checkBootstrap(data); err != nil {
		if bytes.HasPrefix(data, goArchive) {
			// go build -o of a library package writes its compiled archive, with no error.
			return "", refuse(pkg, "is %s, not a main package: a Lambda's bootstrap must be a command (package main with a func main)",
				packageName(ctx, root, pkg))
		}
		return "", refuse(pkg, "builds no bootstrap: %v", err)
	}
	zipped, err := Zip(data)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(zipped)
	// name is one path element whatever pkg says: slug drops every "/" and ".", so the zip
	// lands in outDir (gosec's G703 cannot see that).
	name := slug(pkg) + "-" + hex.EncodeToString(sum[:8]) + ".zip"
	final := filepath.Join(outDir, name)
	if err := os.WriteFile(filepath.Join(tmp, name), zipped, 0o644); err != nil { //nolint:gosec // G703: see name
		return "", err
	}
	if err := os.Rename(filepath.Join(tmp, name), final); err != nil { //nolint:gosec // G703: see name
		return "", err
	}
	if inputsErr == nil {
		recordBuild(root, pkg, inputs, final)
	}
	return final, nil
}

// goArchive starts a compiled Go package archive (the ar format's magic).
var goArchive = []byte("!<arch>\n")

// checkBootstrap returns an error unless bin is a linux executable for Architecture, the only
// kind of binary the provided.al2023 runtime on that architecture can start as bootstrap.
func checkBootstrap(bin []byte) error {
	f, err := elf.NewFile(bytes.NewReader(bin))
	if err != nil {
		return fmt.Errorf("the build output is not an executable (%v)", err)
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return fmt.Errorf("the build output is an ELF %v, not an executable", f.Type)
	}
	if f.Machine != machines[Architecture] {
		return fmt.Errorf("the build output is for %v, not %s", f.Machine, Architecture)
	}
	return nil
}

// packageName returns "package <name>" for the Go package at pkg under root, as go list
// reads it for the same target and tags as the build, or "a library package" when go list
// cannot say.
func packageName(ctx context.Context, root, pkg string) string {
	args := append([]string{"list", "-f", "{{.Name}}"}, BuildFlags...)
	cmd := exec.CommandContext(ctx, goCommand(), append(args, pkg)...)
	cmd.Dir = root
	cmd.Env = buildEnv()
	out, err := cmd.Output()
	if name := strings.TrimSpace(string(out)); err == nil && name != "" && !strings.ContainsAny(name, " \n") {
		return "package " + name
	}
	return "a library package"
}

// Zip returns a zip holding one file, bootstrap, with the given contents, mode 0755 and a
// fixed timestamp: the same binary always gives the same bytes.
func Zip(bootstrap []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: zipTime}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(bootstrap); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// goCommand is the go binary that builds: $GOROOT/bin/go when GOROOT is set, else go on PATH.
func goCommand() string {
	if r := os.Getenv("GOROOT"); r != "" {
		if p := filepath.Join(r, "bin", "go"); fileExists(p) {
			return p
		}
	}
	return "go"
}

// fileExists reports whether p exists. Its one caller asks about $GOROOT/bin/go: the
// developer's own environment, not outside input (gosec's G703).
func fileExists(p string) bool { _, err := os.Stat(p); return err == nil } //nolint:gosec // G703: see above

func slug(pkg string) string {
	s := strings.Trim(strings.NewReplacer("/", "-", ".", "").Replace(pkg), "-")
	if s == "" {
		s = "root"
	}
	return s
}
