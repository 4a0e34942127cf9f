package repotest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// root is the repository root, two directories above this package.
const root = "../.."

// workflowFile is one parsed file under .github: a workflow or a composite action.
type workflowFile struct {
	path string // relative to the repository root, for messages
	doc  *yaml.Node
}

// loadWorkflows parses every workflow and every local action.
func loadWorkflows(t *testing.T) []workflowFile {
	t.Helper()
	var paths []string
	for _, pattern := range []string{".github/workflows/*.yml", ".github/workflows/*.yaml", ".github/actions/*/action.yml"} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	if len(paths) == 0 {
		t.Fatal("no workflow under .github: the tests below would check nothing")
	}
	sort.Strings(paths)
	files := make([]workflowFile, 0, len(paths))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, p)
		files = append(files, parse(t, rel, string(data)))
	}
	return files
}

func parse(t *testing.T, path, text string) workflowFile {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		t.Fatalf("%s: not a YAML mapping", path)
	}
	return workflowFile{path: path, doc: doc.Content[0]}
}

// get returns the value of key in mapping node m, or nil.
func get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// pairs returns the keys and values of mapping node m in order.
func pairs(m *yaml.Node) [][2]*yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	out := make([][2]*yaml.Node, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, [2]*yaml.Node{m.Content[i], m.Content[i+1]})
	}
	return out
}

// use is one `uses:` of a step or of a job that calls a reusable workflow.
type use struct {
	file, job string
	line      int
	ref       string // owner/repo[/path]@ref, or ./local/path
	comment   string // the trailing comment, without "#"
}

// uses lists every `uses:` in f: steps of jobs, steps of a composite action, and jobs that
// call a reusable workflow.
func uses(f workflowFile) []use {
	var out []use
	add := func(job string, n *yaml.Node) {
		if n == nil {
			return
		}
		out = append(out, use{file: f.path, job: job, line: n.Line, ref: n.Value,
			comment: strings.TrimSpace(strings.TrimPrefix(n.LineComment, "#"))})
	}
	for _, kv := range pairs(get(f.doc, "jobs")) {
		job := kv[0].Value
		add(job, get(kv[1], "uses"))
		if steps := get(kv[1], "steps"); steps != nil {
			for _, s := range steps.Content {
				add(job, get(s, "uses"))
			}
		}
	}
	if steps := get(get(f.doc, "runs"), "steps"); steps != nil {
		for _, s := range steps.Content {
			add("(composite)", get(s, "uses"))
		}
	}
	return out
}

// sdkRequire finds the Pulumi SDK's line in go.mod's require block.
var sdkRequire = regexp.MustCompile(`(?m)^\s*github\.com/pulumi/pulumi/sdk/v3 v(\S+)`)

var (
	pinnedRef   = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$`)
	versionNote = regexp.MustCompile(`^v\d+\.\d+\.\d+$`)
)

// pinProblems returns what is wrong with the pinning of us: a remote action or workflow must
// name a full 40-hex commit and carry its release version as the line's comment, and one
// action must be pinned to one commit everywhere.
func pinProblems(us []use) []string {
	var problems []string
	pinnedAt := map[string]use{} // action -> first use
	for _, u := range us {
		where := fmt.Sprintf("%s:%d (job %s): uses %s", u.file, u.line, u.job, u.ref)
		if strings.HasPrefix(u.ref, "./") {
			continue // this repository's own action or workflow, at the same commit
		}
		if !pinnedRef.MatchString(u.ref) {
			problems = append(problems, where+": not pinned to a full 40-hex commit SHA")
			continue
		}
		if !versionNote.MatchString(u.comment) {
			problems = append(problems, fmt.Sprintf("%s: the trailing comment %q is not the release version (# vX.Y.Z)", where, u.comment))
		}
		action, _, _ := strings.Cut(u.ref, "@")
		if first, ok := pinnedAt[action]; ok && (first.ref != u.ref || first.comment != u.comment) {
			problems = append(problems, fmt.Sprintf("%s: %s is pinned to %s # %s in %s:%d; pin one version everywhere",
				where, action, strings.TrimPrefix(first.ref, action+"@"), first.comment, first.file, first.line))
		} else if !ok {
			pinnedAt[action] = u
		}
	}
	return problems
}

// permissionProblems returns what is wrong with f's permissions: a workflow must set
// top-level permissions (so nothing runs with the repository's default token), every job
// must set its own, and only a job that assumes an AWS role through OIDC (or calls a local
// workflow that does) may ask for id-token: write.
func permissionProblems(f workflowFile) []string {
	jobs := get(f.doc, "jobs")
	if jobs == nil {
		return nil // a composite action has no permissions of its own
	}
	var problems []string
	if get(f.doc, "permissions") == nil {
		problems = append(problems, f.path+": no top-level permissions (write permissions: {} or read-only ones)")
	}
	for _, kv := range pairs(jobs) {
		name, job := kv[0].Value, kv[1]
		perms := get(job, "permissions")
		if perms == nil {
			problems = append(problems, fmt.Sprintf("%s: job %s sets no permissions", f.path, name))
			continue
		}
		if v := get(perms, "id-token"); v != nil && v.Value == "write" && !assumesRole(job) {
			problems = append(problems, fmt.Sprintf("%s: job %s asks for id-token: write but assumes no AWS role", f.path, name))
		}
		if perms.Kind == yaml.ScalarNode && strings.HasPrefix(perms.Value, "write") {
			problems = append(problems, fmt.Sprintf("%s: job %s asks for %s", f.path, name, perms.Value))
		}
	}
	return problems
}

func assumesRole(job *yaml.Node) bool {
	if u := get(job, "uses"); u != nil && strings.HasPrefix(u.Value, "./") {
		return true // a local reusable workflow: its own jobs are checked where it is defined
	}
	if steps := get(job, "steps"); steps != nil {
		for _, s := range steps.Content {
			if u := get(s, "uses"); u != nil && strings.HasPrefix(u.Value, "aws-actions/configure-aws-credentials@") {
				return true
			}
		}
	}
	return false
}

// pulumiProblems returns what is wrong with f's runs of the Pulumi action: every run must
// install the CLI of .pulumi-version (without it the action installs the newest 3.x, and a
// preview and the deploy after it could run different CLIs), and a job that previews or
// deploys must set up Go through the toolchain action first, so that the Lambda zips built
// during the preview equal those of the deploy.
func pulumiProblems(f workflowFile) []string {
	var problems []string
	for _, kv := range pairs(get(f.doc, "jobs")) {
		name := kv[0].Value
		toolchain := false
		steps := get(kv[1], "steps")
		if steps == nil {
			continue
		}
		for _, s := range steps.Content {
			u := get(s, "uses")
			if u == nil {
				continue
			}
			if u.Value == "./.github/actions/toolchain" {
				toolchain = true
			}
			if !strings.HasPrefix(u.Value, "pulumi/actions@") {
				continue
			}
			with := get(s, "with")
			where := fmt.Sprintf("%s:%d (job %s)", f.path, u.Line, name)
			if v := get(with, "pulumi-version-file"); v == nil || v.Value != ".pulumi-version" {
				problems = append(problems, where+": the Pulumi action does not install the CLI of .pulumi-version")
			}
			if cmd := get(with, "command"); cmd != nil && (cmd.Value == "preview" || cmd.Value == "up") && !toolchain {
				problems = append(problems, fmt.Sprintf("%s: pulumi %s runs before the toolchain action set up Go", where, cmd.Value))
			}
		}
	}
	return problems
}

func TestWorkflowsPinEveryActionToACommitWithItsVersion(t *testing.T) {
	// Given every workflow and local action
	files := loadWorkflows(t)
	var all []use
	for _, f := range files {
		all = append(all, uses(f)...)
	}
	if len(all) == 0 {
		t.Fatal("no uses: found; the parser and the files disagree")
	}
	// When their uses: are checked
	problems := pinProblems(all)
	// Then each names a full commit SHA with its release version, one version per action
	for _, p := range problems {
		t.Error(p)
	}
}

func TestWorkflowsSetLeastPermissionsPerJob(t *testing.T) {
	// Given every workflow
	for _, f := range loadWorkflows(t) {
		// When its permissions are checked
		// Then the workflow and each job set them, and id-token: write only where a role is assumed
		for _, p := range permissionProblems(f) {
			t.Error(p)
		}
	}
}

func TestWorkflowsRunOnePulumiCLIAndOneGo(t *testing.T) {
	// Given every workflow
	for _, f := range loadWorkflows(t) {
		// When its Pulumi steps are checked
		// Then each installs the pinned CLI, and previews and deploys follow the toolchain action
		for _, p := range pulumiProblems(f) {
			t.Error(p)
		}
	}
}

func TestPulumiVersionFileMatchesTheSDK(t *testing.T) {
	// Given the CLI version the workflows install and the SDK version go.mod pins
	data, err := os.ReadFile(filepath.Join(root, ".pulumi-version"))
	if err != nil {
		t.Fatal(err)
	}
	cli := strings.TrimSpace(string(data))
	modData, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	sdk := ""
	if m := sdkRequire.FindSubmatch(modData); m != nil {
		sdk = string(m[1])
	}
	// When they are compared
	// Then they are one release: the CLI that previews and deploys is the one the program was built against
	if sdk == "" {
		t.Fatal("go.mod requires no github.com/pulumi/pulumi/sdk/v3")
	}
	if cli != sdk {
		t.Errorf(".pulumi-version says %q but go.mod pins github.com/pulumi/pulumi/sdk/v3 v%s: move both together", cli, sdk)
	}
}

func TestWorkflowsCoverEveryStack(t *testing.T) {
	// Given the stacks that have a config file under stacks/
	files, err := filepath.Glob(filepath.Join(root, "stacks", "Pulumi.*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var stacks []string
	for _, f := range files {
		stacks = append(stacks, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml"))
	}
	if len(stacks) == 0 {
		t.Fatal("no stacks/Pulumi.<stack>.yaml")
	}
	sort.Strings(stacks)
	byPath := map[string]workflowFile{}
	for _, f := range loadWorkflows(t) {
		byPath[filepath.ToSlash(f.path)] = f
	}
	// When the stack matrices of the preview and drift jobs, and the stacks deploy.yml deploys, are read
	matrix := func(path, job string) []string {
		f, ok := byPath[path]
		if !ok {
			t.Fatalf("%s is missing", path)
		}
		var out []string
		for _, n := range get(get(get(get(get(f.doc, "jobs"), job), "strategy"), "matrix"), "stack").Content {
			out = append(out, n.Value)
		}
		sort.Strings(out)
		return out
	}
	var deployed []string
	for _, kv := range pairs(get(byPath[".github/workflows/deploy.yml"].doc, "jobs")) {
		if s := get(get(kv[1], "with"), "stack"); s != nil {
			deployed = append(deployed, s.Value)
		}
	}
	sort.Strings(deployed)
	// Then each covers exactly the stacks that exist
	for _, c := range []struct {
		what string
		got  []string
	}{
		{"preview.yml's cloud matrix", matrix(".github/workflows/preview.yml", "cloud")},
		{"drift.yml's matrix", matrix(".github/workflows/drift.yml", "refresh")},
		{"deploy.yml's stacks", deployed},
	} {
		if !slices.Equal(c.got, stacks) {
			t.Errorf("%s = %v, want the stacks of stacks/: %v", c.what, c.got, stacks)
		}
	}
}

// The checks above pass on the repository's files; these cases show each of them failing on
// the mistake it exists for.
func TestChecksRefuseWhatTheyExistFor(t *testing.T) {
	const sha = "0123456789abcdef0123456789abcdef01234567"
	cases := []struct {
		name  string
		check func(workflowFile) []string
		text  string
		want  string // a part of the one problem expected
	}{
		{
			name:  "a tag instead of a commit",
			check: func(f workflowFile) []string { return pinProblems(uses(f)) },
			text:  "permissions: {}\njobs:\n  a:\n    permissions: {}\n    steps:\n      - uses: actions/checkout@v4\n",
			want:  "not pinned to a full 40-hex commit SHA",
		},
		{
			name:  "a commit without its version",
			check: func(f workflowFile) []string { return pinProblems(uses(f)) },
			text:  "jobs:\n  a:\n    steps:\n      - uses: actions/checkout@" + sha + "\n",
			want:  "is not the release version",
		},
		{
			name:  "one action at two versions",
			check: func(f workflowFile) []string { return pinProblems(uses(f)) },
			text: "jobs:\n  a:\n    steps:\n      - uses: actions/checkout@" + sha + " # v4.2.2\n" +
				"  b:\n    steps:\n      - uses: actions/checkout@" + strings.Repeat("f", 40) + " # v5.0.0\n",
			want: "pin one version everywhere",
		},
		{
			name:  "no top-level permissions",
			check: permissionProblems,
			text:  "jobs:\n  a:\n    permissions: {}\n    steps: []\n",
			want:  "no top-level permissions",
		},
		{
			name:  "a job without permissions",
			check: permissionProblems,
			text:  "permissions: {}\njobs:\n  a:\n    steps: []\n",
			want:  "job a sets no permissions",
		},
		{
			name:  "an OIDC token for a job that assumes no role",
			check: permissionProblems,
			text:  "permissions: {}\njobs:\n  a:\n    permissions:\n      id-token: write\n    steps:\n      - run: echo\n",
			want:  "asks for id-token: write but assumes no AWS role",
		},
		{
			name:  "write-all on a job",
			check: permissionProblems,
			text:  "permissions: {}\njobs:\n  a:\n    permissions: write-all\n    steps: []\n",
			want:  "job a asks for write-all",
		},
		{
			name:  "the newest Pulumi CLI",
			check: pulumiProblems,
			text: "jobs:\n  a:\n    steps:\n      - uses: ./.github/actions/toolchain\n" +
				"      - uses: pulumi/actions@" + sha + " # v7.0.0\n        with:\n          command: preview\n",
			want: "does not install the CLI of .pulumi-version",
		},
		{
			name:  "a preview before Go is set up",
			check: pulumiProblems,
			text: "jobs:\n  a:\n    steps:\n      - uses: pulumi/actions@" + sha + " # v7.0.0\n" +
				"        with:\n          command: up\n          pulumi-version-file: .pulumi-version\n",
			want: "pulumi up runs before the toolchain action set up Go",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Given a workflow with the mistake
			f := parse(t, "bad.yml", c.text)
			// When it is checked
			problems := c.check(f)
			// Then exactly one problem is reported, and it names the mistake
			if len(problems) != 1 || !strings.Contains(problems[0], c.want) {
				t.Errorf("problems = %q, want one containing %q", problems, c.want)
			}
		})
	}
}
