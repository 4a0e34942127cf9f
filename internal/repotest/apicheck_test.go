package repotest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAPICheck runs .ci/apicheck, as the working tree has it, in a clone of this repository
// through a release's life: no tag yet, a tag, a compatible addition, a breaking change
// before and after it is announced in CHANGELOG.md, the version the next tag may take, and a
// breaking change after v1. It builds the module's export data with apidiff a few times (a
// few minutes with a cold build cache), so it is skipped with -short.
func TestAPICheck(t *testing.T) {
	if testing.Short() {
		t.Skip("runs apidiff over the module several times; run without -short")
	}
	for _, tool := range []string{"git", "bash", "tar"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s: %v", tool, err)
		}
	}
	root := moduleRoot(t)
	dir := filepath.Join(t.TempDir(), "clone")
	run(t, root, "git", "clone", "--quiet", "--no-hardlinks", root, dir)
	for _, f := range []string{".ci/apicheck", "CHANGELOG.md"} {
		copyFile(t, filepath.Join(root, f), filepath.Join(dir, f))
	}
	run(t, dir, "git", "config", "user.email", "test@example.com")
	run(t, dir, "git", "config", "user.name", "apicheck test")
	run(t, dir, "git", "config", "tag.gpgSign", "false")
	run(t, dir, "git", "config", "commit.gpgSign", "false")
	run(t, dir, "git", "add", ".ci/apicheck", "CHANGELOG.md")
	run(t, dir, "git", "commit", "--quiet", "--allow-empty", "-m", "the working tree's apicheck and CHANGELOG")
	// A clone carries the repository's tags; the steps start from none.
	for _, tag := range strings.Fields(run(t, dir, "git", "tag", "--list")) {
		run(t, dir, "git", "tag", "-d", tag)
	}

	transform := filepath.Join(dir, "components", "transform", "transform.go")
	original := readFile(t, transform)
	extra := "\n// Extra exists for TestAPICheck.\nfunc Extra() {}\n"
	another := "\n// Another exists for TestAPICheck.\nfunc Another() {}\n"
	changelog := readFile(t, filepath.Join(dir, "CHANGELOG.md"))
	announced := strings.Replace(changelog, "## [Unreleased]\n", "## [Unreleased]\n\n### Removed\n\n- **Breaking**: `transform.Extra` is\n  gone; nothing called it.\n", 1)
	if announced == changelog {
		t.Fatal("CHANGELOG.md has no \"## [Unreleased]\" line")
	}

	steps := []struct {
		name     string
		setup    func()
		next     string // .ci/apicheck's argument
		wantFail bool
		want     []string // in the output
	}{
		{name: "no release tag yet", setup: func() {},
			want: []string{"no release tag (vX.Y.Z) is reachable from HEAD"}},
		{name: "tagged, unchanged", setup: func() {
			writeFileT(t, transform, original+extra)
			run(t, dir, "git", "commit", "--quiet", "-am", "transform: Extra")
			run(t, dir, "git", "tag", "v0.1.0")
		}, want: []string{"against v0.1.0", "apicheck: passed"}},
		{name: "a compatible addition", setup: func() { writeFileT(t, transform, original+extra+another) },
			want: []string{"- ./components/transform.Another: added", "apicheck: passed"}},
		{name: "an addition tagged as a patch", setup: func() {}, next: "v0.1.1", wantFail: true,
			want: []string{"an addition to the API needs at least a minor bump (v0.2.0)"}},
		{name: "an addition tagged as a minor", setup: func() {}, next: "v0.2.0",
			want: []string{"v0.2.0 is the right version after v0.1.0"}},
		{name: "an exported func removed, not announced", setup: func() { writeFileT(t, transform, original+another) }, wantFail: true,
			want: []string{"- ./components/transform.Extra: removed", "has no **Breaking** entry naming `transform.Extra` above v0.1.0's section"}},
		{name: "the removal announced in CHANGELOG", setup: func() { writeFileT(t, filepath.Join(dir, "CHANGELOG.md"), announced) },
			want: []string{"every breaking change is announced", "apicheck: passed"}},
		{name: "the announcement in the section of the release being cut", setup: func() {
			released := strings.Replace(announced, "## [Unreleased]\n", "## [Unreleased]\n\n## [0.2.0] - 2026-12-02\n", 1)
			writeFileT(t, filepath.Join(dir, "CHANGELOG.md"), released)
		}, next: "v0.2.0", want: []string{"every breaking change is announced", "v0.2.0 is the right version after v0.1.0"}},
		{name: "the removal tagged as a patch", setup: func() {}, next: "v0.1.1", wantFail: true,
			want: []string{"a breaking change before v1 needs a minor bump (v0.2.0)"}},
		{name: "the removal after v1", setup: func() {
			writeFileT(t, transform, original+extra)
			run(t, dir, "git", "commit", "--quiet", "--allow-empty", "-am", "transform: Extra back")
			run(t, dir, "git", "tag", "v1.0.0")
			writeFileT(t, transform, original)
		}, wantFail: true, want: []string{"v1.0.0 is v1; a breaking change needs a new major version"}},
	}
	for _, s := range steps {
		// Given the repository as the step leaves it
		s.setup()
		// When the check runs
		args := []string{filepath.Join(dir, ".ci", "apicheck")}
		if s.next != "" {
			args = append(args, s.next)
		}
		cmd := exec.Command("bash", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		// Then it passes or fails as the release rules say, and says why
		var exit *exec.ExitError
		switch {
		case err != nil && !errors.As(err, &exit):
			t.Fatalf("%s: %v", s.name, err)
		case s.wantFail && err == nil:
			t.Errorf("%s: the check passed; want it to fail:\n%s", s.name, out)
		case !s.wantFail && err != nil:
			t.Errorf("%s: the check failed (%v); want it to pass:\n%s", s.name, err, out)
		}
		for _, w := range s.want {
			if !strings.Contains(string(out), w) {
				t.Errorf("%s: the output does not say %q:\n%s", s.name, w, out)
			}
		}
	}
}

// run runs a command in dir and returns its standard output, failing the test on an error.
func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFileT(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// copyFile copies src to dst with src's permissions.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	info, err := os.Stat(src)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, info.Mode().Perm()); err != nil {
		t.Fatal(err)
	}
}
