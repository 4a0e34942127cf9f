package function

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// The build cache lets a new process skip `go build` (about 0.4 s a package even when the go
// command's own cache has every object) and the zip (a few hundred ms of deflate) when the
// sources did not change: beside each zip, Build records what the build read, and a later
// Build whose recorded inputs all still hold returns that zip as it is.
//
// What the build read is: the go tool and the environment it builds with, including the go
// command's environment file (go env -w), whose settings apply where the environment sets
// none (GOFLAGS= in the build's environment does not clear a GOFLAGS written there); every
// file of the directories of the main module's packages (and of local replacements) the
// bootstrap imports, test files aside, with each directory's listing, so an added or
// deleted file counts; the files those packages embed, with the whole listing (hidden names
// and subdirectories too) of every directory from the package's down to each of them, as an
// embed pattern of a directory takes what is below it; go.mod, go.sum and go.work; and
// which go.work the go command finds from the project up, as one created above the checkout
// changes what builds. Packages of the module cache are pinned by go.sum, and the standard
// library by the go tool. A change to any of them rebuilds, even one that would not change
// the binary (a comment). Contents count by their SHA-256, never by size or time.

// cacheVersion changes when the manifest's meaning does.
const cacheVersion = 2

// manifest is what one build read, as recorded beside its zip.
type manifest struct {
	Version int    `json:"version"`
	Package string `json:"package"`
	Tool    string `json:"tool"`
	Zip     string `json:"zip"`
	// Dirs maps a directory to the names of the files in it that count, sorted.
	Dirs map[string][]string `json:"dirs"`
	// Trees maps a directory on the way from a package's to an embedded file to every name
	// in it, subdirectories with a trailing "/", sorted.
	Trees map[string][]string `json:"trees,omitempty"`
	// GoWork is the go.work the go command finds from the project directory up, relative
	// to it, or "".
	GoWork string `json:"goWork"`
	// Files maps a file to the SHA-256 of its contents ("" for a file that must not exist).
	Files map[string]string `json:"files"`
}

func manifestPath(root, pkg string) string {
	return filepath.Join(root, ".groundwork", "build", slug(pkg)+".inputs.json")
}

// toolKey identifies the go tool and the environment a build depends on beyond the sources.
func toolKey() string {
	gobin := goCommand()
	if p, err := exec.LookPath(gobin); err == nil {
		gobin = p
	}
	key := []string{"go=" + gobin, "arch=" + Architecture, "flags=" + strings.Join(BuildFlags, " "), "goenv=" + goEnvFile()}
	if st, err := os.Stat(gobin); err == nil {
		key = append(key, fmt.Sprintf("size=%d mtime=%d", st.Size(), st.ModTime().UnixNano()))
	}
	for _, v := range []string{"GOROOT", "GOTOOLCHAIN", "GOEXPERIMENT", "GOARM64", "GOWORK", "GOPATH", "GOMODCACHE", "GOPROXY", "GONOSUMDB", "GOINSECURE", "GOENV", "GOFIPS140"} {
		key = append(key, v+"="+os.Getenv(v))
	}
	return strings.Join(key, "\n")
}

// cachedBuild returns the zip of an earlier build of pkg under root whose recorded inputs
// all still hold, or "".
func cachedBuild(root, pkg string) string {
	data, err := os.ReadFile(manifestPath(root, pkg))
	if err != nil {
		return ""
	}
	var m manifest
	if json.Unmarshal(data, &m) != nil || m.Version != cacheVersion || m.Package != pkg || m.Tool != toolKey() || m.Zip == "" || len(m.Dirs) == 0 {
		return ""
	}
	zip := filepath.Join(root, ".groundwork", "build", filepath.Base(m.Zip))
	if !fileExists(zip) {
		return ""
	}
	if findGoWork(root) != m.GoWork {
		return ""
	}
	for dir, names := range m.Dirs {
		got, err := countedFiles(abs(root, dir))
		if err != nil || !slices.Equal(got, names) {
			return ""
		}
	}
	for dir, names := range m.Trees {
		got, err := allNames(abs(root, dir))
		if err != nil || !slices.Equal(got, names) {
			return ""
		}
	}
	for f, sum := range m.Files {
		if got := hashFile(abs(root, f)); got != sum {
			return ""
		}
	}
	return zip
}

// recordBuild writes the manifest of a build of pkg under root that produced zip, with the
// inputs listed before the build began (so a file changed while it ran makes the next
// process build again). A failure only means the next process builds again.
func recordBuild(root, pkg string, m *manifest, zip string) {
	m.Zip = filepath.Base(zip)
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return
	}
	path := manifestPath(root, pkg)
	tmp, err := os.CreateTemp(filepath.Dir(path), "tmp-manifest-")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), path) != nil {
		os.Remove(tmp.Name())
	}
}

// depsTemplate prints, for each package the bootstrap imports that is in the main module or
// a replaced one, its directory, its module's go.mod and its embedded files, tab separated.
const depsTemplate = `{{if .Module}}{{if or .Module.Main .Module.Replace}}{{.Dir}}{{"\t"}}{{.Module.GoMod}}{{range .EmbedFiles}}{{"\t"}}{{.}}{{end}}{{"\n"}}{{end}}{{end}}`

// inputsOf lists what a build of pkg reads (see the comment at the top of this file).
func inputsOf(ctx context.Context, root, pkg string) (*manifest, error) {
	args := append([]string{"list", "-deps", "-f", depsTemplate}, BuildFlags...)
	cmd := exec.CommandContext(ctx, goCommand(), append(args, pkg)...)
	cmd.Dir = root
	cmd.Env = buildEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, stderr.String())
	}
	m := &manifest{Version: cacheVersion, Package: pkg, Tool: toolKey(), Dirs: map[string][]string{}, Trees: map[string][]string{},
		Files: map[string]string{}, GoWork: findGoWork(root)}
	if m.GoWork != "" {
		m.Files[m.GoWork] = hashFile(abs(root, m.GoWork))
	}
	if env := goEnvFile(); env != "" {
		m.Files[relTo(root, env)] = hashFile(env)
	}
	addTree := func(dir string) error {
		rel := relTo(root, dir)
		if _, done := m.Trees[rel]; done {
			return nil
		}
		names, err := allNames(dir)
		m.Trees[rel] = names
		return err
	}
	addDir := func(dir string) error {
		rel := relTo(root, dir)
		if _, done := m.Dirs[rel]; done {
			return nil
		}
		names, err := countedFiles(dir)
		if err != nil {
			return err
		}
		m.Dirs[rel] = names
		for _, n := range names {
			m.Files[relTo(root, filepath.Join(dir, n))] = hashFile(filepath.Join(dir, n))
		}
		return nil
	}
	for line := range strings.Lines(string(out)) {
		f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
		if len(f) < 2 || f[0] == "" {
			continue
		}
		if err := addDir(f[0]); err != nil {
			return nil, err
		}
		if f[1] != "" {
			modDir := filepath.Dir(f[1])
			for _, name := range []string{"go.mod", "go.sum", "go.work", "go.work.sum"} {
				m.Files[relTo(root, filepath.Join(modDir, name))] = hashFile(filepath.Join(modDir, name))
			}
		}
		for _, e := range f[2:] {
			p := filepath.Join(f[0], e)
			if err := addDir(filepath.Dir(p)); err != nil {
				return nil, err
			}
			for d := filepath.Dir(p); ; d = filepath.Dir(d) {
				if err := addTree(d); err != nil {
					return nil, err
				}
				if d == f[0] || len(d) <= len(f[0]) {
					break
				}
			}
			m.Files[relTo(root, p)] = hashFile(p)
		}
	}
	if len(m.Dirs) == 0 {
		return nil, fmt.Errorf("go list named no package of the module for %s", pkg)
	}
	return m, nil
}

// countedFiles lists the files of a directory a build may read: every regular file but
// tests and the names the go tool ignores (leading "." or "_"), sorted.
func countedFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := []string{}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		names = append(names, n)
	}
	return names, nil // ReadDir sorts by name
}

// allNames lists every name in a directory, subdirectories with a trailing "/", sorted.
func allNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() {
			n += "/"
		}
		names = append(names, n)
	}
	slices.Sort(names) // "a/" and "a.txt" need not be in ReadDir's order
	return names, nil
}

// findGoWork returns the go.work the go command would use in root when GOWORK is not set
// (the nearest at or above root), relative to root, or "".
func findGoWork(root string) string {
	for dir := root; ; {
		if st, err := os.Stat(filepath.Join(dir, "go.work")); err == nil && !st.IsDir() {
			rel, err := filepath.Rel(root, filepath.Join(dir, "go.work"))
			if err != nil {
				return filepath.Join(dir, "go.work")
			}
			return filepath.ToSlash(rel)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// goEnvFile is the go command's environment file, which go env -w writes: $GOENV, or go/env
// in the user's config directory; "" when there is none to read (GOENV=off).
func goEnvFile() string {
	if v := os.Getenv("GOENV"); v != "" {
		if v == "off" {
			return ""
		}
		return v
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "go", "env")
}

// hashFile is the SHA-256 of a file's contents, or "" when it cannot be read (a file that
// does not exist stays recorded as such).
func hashFile(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "unreadable"
	}
	return hex.EncodeToString(h.Sum(nil))
}

// relTo is path relative to root when it is below root (so a manifest names what it names
// relative to the checkout), else absolute.
func relTo(root, path string) string {
	if rel, err := filepath.Rel(root, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(rel)
	}
	return path
}

func abs(root, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(root, filepath.FromSlash(p))
}
