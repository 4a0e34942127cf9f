package repotest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the README's blocks marked <!-- file: ... --> from their files")

// block is one fenced code block of the README and the marker comment on the line before it.
type block struct {
	line    int    // the opening fence's line, 1-based
	info    string // the fence's info string: "sh", "console", "go"
	content string // the lines between the fences, each with its newline
	marker  string // the HTML comment on the line before the fence, without <!-- and -->; "" for none
}

// readmeBlocks returns the fenced code blocks of a Markdown text, in order.
func readmeBlocks(text string) ([]block, error) {
	lines := strings.SplitAfter(text, "\n")
	var blocks []block
	for i := 0; i < len(lines); i++ {
		fence := strings.TrimRight(lines[i], "\n")
		if !strings.HasPrefix(fence, "```") {
			continue
		}
		b := block{line: i + 1, info: strings.TrimSpace(strings.TrimPrefix(fence, "```"))}
		if i > 0 {
			prev := strings.TrimSpace(lines[i-1])
			if strings.HasPrefix(prev, "<!--") && strings.HasSuffix(prev, "-->") {
				b.marker = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(prev, "<!--"), "-->"))
			}
		}
		var body strings.Builder
		closed := false
		for i++; i < len(lines); i++ {
			if strings.TrimRight(lines[i], "\n") == "```" {
				closed = true
				break
			}
			body.WriteString(lines[i])
		}
		if !closed {
			return nil, fmt.Errorf("README.md:%d: a code block is not closed", b.line)
		}
		b.content = body.String()
		blocks = append(blocks, b)
	}
	return blocks, nil
}

// readmeMarkerFiles are the files whose README copies must exist: the program and test a
// team starts from. TestAdoption (components) builds and tests them as an outside module.
var readmeMarkerFiles = []string{
	"components/testdata/adoption.txtar Pulumi.yaml",
	"components/testdata/adoption.txtar main.go",
	"components/testdata/adoption.txtar handler/main.go",
	"components/testdata/adoption.txtar main_test.go",
}

// TestREADMECodeBlocks holds every README code block marked `<!-- file: PATH [MEMBER] -->`
// equal, byte for byte, to the file at PATH (or to the file MEMBER of the txtar archive at
// PATH): the program and test the README shows a team are the ones the tests compile and
// run, so the README cannot drift from them.
//
// With -update, a block that differs is rewritten from its file instead.
func TestREADMECodeBlocks(t *testing.T) {
	root := moduleRoot(t)
	blocks := mustREADMEBlocks(t, root)
	seen := map[string]bool{}
	var replaced []block // with their files' text as content, for -update
	for _, b := range blocks {
		spec, ok := strings.CutPrefix(b.marker, "file:")
		if !ok {
			continue
		}
		spec = strings.Join(strings.Fields(spec), " ")
		seen[spec] = true
		// Given the file the block is a copy of
		path, member, _ := strings.Cut(spec, " ")
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(path)))
		if err != nil {
			t.Errorf("README.md:%d: %v", b.line, err)
			continue
		}
		want := string(data)
		if member != "" {
			files := txtarFiles(string(data))
			m, ok := files[member]
			if !ok {
				t.Errorf("README.md:%d: %s has no file %s", b.line, path, member)
				continue
			}
			want = m
		}
		// Then the block is that file, byte for byte
		if b.content != want && *update {
			b.content = want
			replaced = append(replaced, b)
			continue
		}
		if b.content != want {
			t.Errorf("README.md:%d: the block differs from %s; copy it again:\n--- README\n%s--- %s\n%s", b.line, spec, b.content, spec, want)
		}
	}
	if len(replaced) > 0 {
		rewriteBlocks(t, filepath.Join(root, "README.md"), replaced)
	}
	for _, f := range readmeMarkerFiles {
		if !seen[f] {
			t.Errorf("README.md has no block marked <!-- file: %s -->", f)
		}
	}
}

// rewriteBlocks replaces the content of the given blocks of a Markdown file (found by their
// opening fence's line) with their new content.
func rewriteBlocks(t *testing.T, path string, blocks []block) {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(text), "\n")
	var out strings.Builder
	for i := 0; i < len(lines); i++ {
		out.WriteString(lines[i])
		idx := slices.IndexFunc(blocks, func(b block) bool { return b.line == i+1 })
		if idx < 0 {
			continue
		}
		out.WriteString(blocks[idx].content)
		for i+1 < len(lines) && strings.TrimRight(lines[i+1], "\n") != "```" {
			i++
		}
	}
	if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("rewrote %d blocks of %s from their files", len(blocks), path)
}

// txtarFiles reads a txtar archive's files: each starts after a line "-- name --".
func txtarFiles(data string) map[string]string {
	files := map[string]string{}
	var name string
	for _, line := range strings.SplitAfter(data, "\n") {
		if h := strings.TrimSpace(line); strings.HasPrefix(h, "-- ") && strings.HasSuffix(h, " --") && len(h) > 6 {
			name = strings.TrimSpace(h[3 : len(h)-3])
			files[name] = ""
			continue
		}
		if name != "" {
			files[name] += line
		}
	}
	return files
}

func mustREADMEBlocks(t *testing.T, root string) []block {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := readmeBlocks(string(text))
	if err != nil {
		t.Fatal(err)
	}
	return blocks
}

// step is one README block the commands test runs.
type step struct {
	block
	background bool     // a server: started, waited for at ready, stopped before the next background step and at the end
	ready      string   // a URL that answers once a background step is ready
	expect     []string // text the step's output must contain
	requires   []string // paths the step needs in the repository; without them it is skipped, and said so
}

// parseStep reads a `<!-- test: run|background [ready="URL"] [expect="TEXT"]...
// [requires="PATH"]... -->` marker; ok is false for a block without one. The quoted values
// are Go strings.
func parseStep(b block) (s step, ok bool, err error) {
	spec, ok := strings.CutPrefix(b.marker, "test:")
	if !ok {
		return step{}, false, nil
	}
	s.block = b
	spec = strings.TrimSpace(spec)
	mode, rest, _ := strings.Cut(spec, " ")
	switch mode {
	case "run":
	case "background":
		s.background = true
	default:
		return s, true, fmt.Errorf("README.md:%d: test marker %q: want run or background first", b.line, mode)
	}
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
		key, after, found := strings.Cut(rest, "=")
		if !found {
			return s, true, fmt.Errorf("README.md:%d: test marker: %q is not key=\"value\"", b.line, rest)
		}
		quoted, err := strconv.QuotedPrefix(after)
		if err != nil {
			return s, true, fmt.Errorf("README.md:%d: test marker: the value of %s is not a quoted string: %v", b.line, key, err)
		}
		value, _ := strconv.Unquote(quoted)
		rest = after[len(quoted):]
		switch key {
		case "ready":
			s.ready = value
		case "expect":
			s.expect = append(s.expect, value)
		case "requires":
			s.requires = append(s.requires, value)
		default:
			return s, true, fmt.Errorf("README.md:%d: test marker: unknown key %s (known: ready, expect, requires)", b.line, key)
		}
	}
	if s.background && s.ready == "" {
		return s, true, fmt.Errorf("README.md:%d: a background step needs ready=\"URL\"", b.line)
	}
	return s, true, nil
}

// commands returns the shell text of a block: a console block's lines that start with "$ "
// (the prompt taken off, with their continuation lines), or an sh block as it is.
func (b block) commands() string {
	if b.info != "console" {
		return b.content
	}
	var out strings.Builder
	cont := false
	for _, line := range strings.SplitAfter(b.content, "\n") {
		if cmd, ok := strings.CutPrefix(line, "$ "); ok || cont {
			if ok {
				line = cmd
			}
			out.WriteString(line)
			cont = strings.HasSuffix(strings.TrimRight(line, "\n"), `\`)
		}
	}
	return out.String()
}

// readmeCommandsTimeout bounds the whole run: builds of cmd/local from a new directory (the
// build cache makes them quick after the first), a few requests, and the waits for the
// servers to be ready.
const readmeCommandsTimeout = 10 * time.Minute

// TestREADMECommands runs the README's commands that need no cloud account, in the order the
// README gives them, as written, in one bash session on a fresh copy of the repository (its
// tracked and unignored files, as a clone of this working tree would have them), and checks
// each block's output for the text its marker expects. A block takes part when the line
// before it is a marker: `<!-- test: run -->` runs it (expect="TEXT" to check its output),
// `<!-- test: background ready="URL" -->` starts a server, waits until URL answers, and
// stops it (SIGINT, as Ctrl-C) before the next server starts and at the end;
// requires="PATH" runs a block only once PATH exists (a command documented before its code
// is merged), and the test log says it skipped one. Adding a command to the test is adding
// a marker to the README.
//
// Where the system allows it (unshare -rn), the session runs in a network namespace of its
// own, so the README's fixed address, 127.0.0.1:8080, is free whatever else runs on the
// machine; elsewhere the test fails at once when something already answers there. Builds
// get -trimpath through GOFLAGS so that a copy in a new directory reuses the build cache.
func TestREADMECommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the README's commands on a copy of the repository; run without -short")
	}
	for _, tool := range []string{"git", "bash", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the README's commands need %s: %v", tool, err)
		}
	}
	root := moduleRoot(t)
	var steps []step
	for _, b := range mustREADMEBlocks(t, root) {
		s, ok, err := parseStep(b)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			continue
		}
		if missing := slices.IndexFunc(s.requires, func(p string) bool {
			_, err := os.Stat(filepath.Join(root, filepath.FromSlash(p)))
			return err != nil
		}); missing >= 0 {
			// A command documented ahead of the code that serves it (another branch): run
			// once that code is here.
			t.Logf("README.md:%d: skipped: %s is not in this repository yet", s.line, s.requires[missing])
			continue
		}
		steps = append(steps, s)
	}
	if len(steps) == 0 {
		t.Fatal("README.md marks no command for testing (<!-- test: run -->)")
	}

	// Given a fresh copy of the repository
	dir := filepath.Join(t.TempDir(), "groundwork")
	copyTracked(t, root, dir)
	logs := t.TempDir()

	// When the marked blocks run, in order, in one session
	script := sessionScript(steps, logs)
	isolated := canIsolateNetwork()
	var cmd *exec.Cmd
	ctx, cancel := context.WithTimeout(context.Background(), readmeCommandsTimeout)
	defer cancel()
	if isolated {
		cmd = exec.CommandContext(ctx, "unshare", "-rn", "bash", "-c", "ip link set lo up && exec bash \"$0\"", filepath.Join(logs, "session.sh"))
	} else {
		cmd = exec.CommandContext(ctx, "bash", filepath.Join(logs, "session.sh"))
	}
	writeFileT(t, filepath.Join(logs, "session.sh"), script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-trimpath", "ISOLATED="+strconv.FormatBool(isolated))
	cmd.WaitDelay = 30 * time.Second
	out, err := cmd.CombinedOutput()

	// Then every block succeeds and says what its marker expects
	if ctx.Err() != nil {
		t.Fatalf("the README's commands did not finish within %s:\n%s", readmeCommandsTimeout, out)
	}
	outputs := splitOutputs(string(out))
	for i, s := range steps {
		got, ran := outputs[i]
		if !ran {
			t.Errorf("README.md:%d: the block did not run (an earlier one failed?)", s.line)
			continue
		}
		for _, e := range s.expect {
			if !strings.Contains(got, e) {
				t.Errorf("README.md:%d: the block's output does not contain %q:\n%s", s.line, e, got)
			}
		}
	}
	if err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatal(err)
		}
		t.Errorf("the README's commands failed (%v); the session:\n%s", err, out)
	}
	if t.Failed() {
		for _, name := range []string{"background-0.log", "background-1.log", "background-2.log"} {
			if b, err := os.ReadFile(filepath.Join(logs, name)); err == nil {
				t.Logf("%s:\n%s", name, b)
			}
		}
	}
}

// stepMark starts the output of step i in the session's output.
const stepMark = "::readme step "

// sessionScript writes the bash session that runs the steps: each step's output follows a
// line stepMark+i; a background step's command runs in a process group of its own, its
// output in logs/background-N.log.
func sessionScript(steps []step, logs string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `set -euo pipefail
set -m # every background job in a process group of its own, so SIGINT reaches go run's child
servers=()
stop_servers() {
  for pid in "${servers[@]}"; do kill -INT -- "-$pid" 2>/dev/null || true; done
  for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null || true; done
  servers=()
}
stop_all() {
  stop_servers
  for pid in $(jobs -p); do kill -INT -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
}
trap stop_all EXIT
wait_ready() { # url pid log
  for _ in $(seq 1 1200); do
    if curl -s -o /dev/null "$1"; then return 0; fi
    if ! kill -0 "$2" 2>/dev/null; then echo "the server exited before $1 answered:"; cat "$3"; return 1; fi
    sleep 0.25
  done
  echo "$1 did not answer within 5 minutes:"; cat "$3"; return 1
}
`)
	background := 0
	for i, s := range steps {
		fmt.Fprintf(&b, "echo %s%d\n", stepMark, i)
		if !s.background {
			b.WriteString(s.commands())
			b.WriteString("\n")
			continue
		}
		log := filepath.Join(logs, fmt.Sprintf("background-%d.log", background))
		background++
		fmt.Fprintf(&b, "stop_servers\n")
		if i == 0 {
			fmt.Fprintf(&b, "if [ \"$ISOLATED\" != true ] && curl -s -o /dev/null %s; then echo 'something already answers at %s, where the README starts its server; stop it (or run where unshare -rn works)'; exit 1; fi\n",
				shellQuote(s.ready), s.ready)
		}
		fmt.Fprintf(&b, "(\n%s) >%s 2>&1 &\nservers+=($!)\nwait_ready %s $! %s\n", s.commands(), shellQuote(log), shellQuote(s.ready), shellQuote(log))
	}
	fmt.Fprintf(&b, "echo %s%d\n", stepMark, len(steps))
	return b.String()
}

// splitOutputs splits the session's output at the step marks: step index -> its output.
func splitOutputs(out string) map[int]string {
	outputs := map[int]string{}
	current := -1
	for _, line := range strings.SplitAfter(out, "\n") {
		if n, ok := strings.CutPrefix(strings.TrimSpace(line), stepMark); ok {
			if i, err := strconv.Atoi(n); err == nil {
				current = i
				outputs[i] = ""
				continue
			}
		}
		if current >= 0 {
			outputs[current] += line
		}
	}
	return outputs
}

// canIsolateNetwork reports whether this system lets an unprivileged process run in a
// network namespace of its own with a working loopback.
func canIsolateNetwork() bool {
	if _, err := exec.LookPath("unshare"); err != nil {
		return false
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return false
	}
	return exec.Command("unshare", "-rn", "ip", "link", "set", "lo", "up").Run() == nil
}

// copyTracked copies the working tree's tracked and unignored files (what a clone would hold,
// with the changes not yet committed) from root to dir.
func copyTracked(t *testing.T, root, dir string) {
	t.Helper()
	list := run(t, root, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	for _, name := range strings.Split(list, "\x00") {
		if name == "" {
			continue
		}
		src := filepath.Join(root, filepath.FromSlash(name))
		info, err := os.Lstat(src)
		if errors.Is(err, os.ErrNotExist) || err == nil && !info.Mode().IsRegular() {
			continue // deleted in the working tree, or a symlink or submodule
		}
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		copyFile(t, src, dst)
	}
}

// shellQuote quotes s for bash.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// TestREADMELinks checks that every link to a section of the README (#anchor) names a
// heading, by GitHub's rule for heading anchors: lower case, punctuation other than hyphens
// dropped, spaces made hyphens.
func TestREADMELinks(t *testing.T) {
	text, err := os.ReadFile(filepath.Join(moduleRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	inCode := false
	for _, line := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
		}
		if h, ok := strings.CutPrefix(line, "#"); ok && !inCode {
			anchors[headingAnchor(strings.TrimLeft(h, "#"))] = true
		}
	}
	links := 0
	for rest := string(text); ; {
		i := strings.Index(rest, "](#")
		if i < 0 {
			break
		}
		rest = rest[i+3:]
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			break
		}
		links++
		if anchor := rest[:end]; !anchors[anchor] {
			t.Errorf("README.md links to #%s, which no heading has", anchor)
		}
	}
	if links == 0 {
		t.Error("README.md has no links to its sections; its table of contents is gone")
	}
}

// headingAnchor is GitHub's anchor for a Markdown heading's text.
func headingAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}
