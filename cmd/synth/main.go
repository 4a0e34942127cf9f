// Command synth is the offline plan: it runs the platform's Pulumi program (stacks.Program)
// under the recording mocks of components/componenttest with a stack's real config file, and
// shows what `pulumi up` would create, checks it against the baseline (components/policy),
// compares it with a plan from another commit, and draws it. It needs no credentials, no
// network and no Pulumi CLI.
//
//	synth -stack prod                  the resource tree and the baseline result
//	synth -stack all                   every stacks/Pulumi.*.yaml, sorted
//	synth -stack all -json > plan.json the plan as a versioned JSON document
//	synth -stack prod -graph           a Mermaid flowchart of the components
//	synth -stack all -diff base.json   what `pulumi preview` would show against base.json
//	synth -stack all -diff base.json -format markdown   the same, for a pull-request comment
//
// Exit status: 0 when every stack meets the baseline; 1 on an unsuppressed violation or an
// error of the program or its config (an invalid stack file, a suppression naming an unknown
// rule, a misspelt top-level key); 2 on a usage error (a flag given wrong or twice, a stack
// that has no file or a path for a stack name, a -root without a Pulumi.yaml, a base plan that
// is not a plan of this format, or not one synth could have written). Each mistake is one line
// on stderr, and nothing is written to stdout.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/policy"
	"github.com/groundwork-dev/groundwork/internal/plan"
	"github.com/groundwork-dev/groundwork/internal/platformconfig"
	"github.com/groundwork-dev/groundwork/stacks"
)

func main() {
	if os.Getenv("GOGC") == "" {
		// A run lives some 50 ms and allocates about 7 MB a stack program: collecting less
		// often saves a fifth of its CPU for a few MB more at its peak.
		debug.SetGCPercent(400)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitOK       = 0
	exitFailed   = 1
	exitUsage    = 2
	allStacks    = "all"
	formatText   = "text"
	formatMD     = "markdown"
	markdownMark = "<!-- groundwork-plan -->"
)

// usageError is a mistake on the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// options are the parsed flags.
type options struct {
	stack, diff, format, root string
	json, graph               bool
}

// run is the command, in process: tests call it with their own writers.
func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		fmt.Fprintln(stderr, "synth:", err, "(synth -h lists the flags)")
		return exitUsage
	}
	var out bytes.Buffer
	code, err := synth(opts, &out)
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			code = exitUsage
		}
		fmt.Fprintln(stderr, "synth:", err)
		return code
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		fmt.Fprintln(stderr, "synth:", err)
		return exitFailed
	}
	return code
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("synth", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // a mistake is one line (run prints it); -h prints the usage
	stack := &onceFlag{name: "stack"}
	fs.Var(stack, "stack", "the stack to plan: its `name` (stacks/Pulumi.<name>.yaml), or \"all\"")
	fs.BoolVar(&o.json, "json", false, "write the plan as JSON ("+plan.Format+")")
	fs.BoolVar(&o.graph, "graph", false, "write a Mermaid flowchart of the components and how they connect")
	fs.StringVar(&o.diff, "diff", "", "compare with a plan written by -json (from another commit)")
	fs.StringVar(&o.format, "format", formatText, "text or markdown (the tree, the baseline and -diff)")
	fs.StringVar(&o.root, "root", "", "the project directory (holds Pulumi.yaml); empty means the nearest at or above the working directory")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "usage: synth -stack <name|all> [-json | -graph | -diff base.json] [-format text|markdown]")
			fs.SetOutput(stderr)
			fs.PrintDefaults()
		}
		return o, err
	}
	o.stack = stack.value
	switch {
	case fs.NArg() > 0:
		return o, usageError{fmt.Sprintf("unexpected argument %q; flags only (synth -stack prod)", fs.Arg(0))}
	case !stack.set:
		return o, usageError{"-stack is required: a stack name (stacks/Pulumi.<stack>.yaml) or \"all\""}
	case o.stack == "":
		return o, usageError{"-stack is empty: a stack name (stacks/Pulumi.<stack>.yaml) or \"all\""}
	case o.format != formatText && o.format != formatMD:
		return o, usageError{fmt.Sprintf("-format %q: want text or markdown", o.format)}
	case count(o.json, o.graph, o.diff != "") > 1:
		return o, usageError{"-json, -graph and -diff are one output each: give one of them"}
	case o.format == formatMD && (o.json || o.graph):
		return o, usageError{"-format markdown applies to the tree and to -diff, not to -json or -graph"}
	}
	return o, nil
}

// onceFlag is a string flag that may be given once: with the flag package's last-one-wins,
// `-stack prod -stack dev` would quietly plan dev alone.
type onceFlag struct {
	name, value string
	set         bool
}

func (f *onceFlag) String() string { return f.value }

func (f *onceFlag) Set(v string) error {
	if f.set {
		return usageError{fmt.Sprintf("-%s is given twice (%q, then %q): give one stack, or all", f.name, f.value, v)}
	}
	f.value, f.set = v, true
	return nil
}

func count(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// synth does the work and writes the output to out; it returns the exit status, or an error
// that says why nothing (or not everything) could be planned.
func synth(o options, out *bytes.Buffer) (int, error) {
	root := o.root
	if root != "" && !fileExists(filepath.Join(root, "Pulumi.yaml")) {
		return exitUsage, usageError{fmt.Sprintf("-root %s: no Pulumi.yaml there; give the project directory", root)}
	}
	if root == "" {
		wd, err := os.Getwd()
		if err != nil {
			return exitFailed, err
		}
		if root, err = componenttest.FindProjectDir(wd); err != nil {
			return exitUsage, usageError{err.Error() + ": run synth inside the project, or give -root"}
		}
	}
	names, err := selectStacks(root, o.stack)
	if err != nil {
		return exitUsage, err
	}
	var base *plan.Plan
	if o.diff != "" {
		if base, err = readBase(o.diff); err != nil {
			return exitUsage, err
		}
	}
	// Every stack file is checked before any program runs, so a mistake in one is the one
	// line of output, not something found halfway.
	files := make([]*componenttest.StackFile, len(names))
	tiers := make([]string, len(names))
	for i, name := range names {
		if files[i], tiers[i], err = checkStack(root, name); err != nil {
			return exitFailed, err
		}
	}
	p, recs, err := planStacks(root, files, tiers)
	if err != nil {
		return exitFailed, err
	}
	code := exitOK
	for _, s := range p.Stacks {
		if len(s.Baseline.Violations) > 0 {
			code = exitFailed
		}
	}
	switch {
	case o.json:
		err = plan.Write(out, p)
	case o.graph:
		writeGraph(out, p, recs)
	case base != nil:
		diffs := diffPlans(base, p, o.stack == allStacks)
		if o.format == formatMD {
			writeDiffMarkdown(out, p, diffs)
		} else {
			writeDiffText(out, p, diffs)
		}
	case o.format == formatMD:
		writePlanMarkdown(out, p)
	default:
		writeTree(out, p)
	}
	return code, err
}

// selectStacks returns the stacks -stack names: one whose file exists, or every stack file
// there is, sorted.
func selectStacks(root, stack string) ([]string, error) {
	dir := filepath.Join(root, stacks.StackConfigDir)
	files, err := filepath.Glob(filepath.Join(dir, "Pulumi.*.yaml"))
	if err != nil {
		return nil, err
	}
	var all []string
	for _, f := range files {
		all = append(all, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml"))
	}
	slices.Sort(all)
	if strings.ContainsAny(stack, `/\`) || stack == "." || stack == ".." {
		return nil, usageError{fmt.Sprintf("-stack %q: a stack name, not a path; the stacks are: %s", stack, strings.Join(all, ", "))}
	}
	if stack == allStacks {
		if len(all) == 0 {
			return nil, usageError{fmt.Sprintf("-stack all: no stack files (%s/Pulumi.*.yaml)", stacks.StackConfigDir)}
		}
		return all, nil
	}
	if !slices.Contains(all, stack) {
		return nil, usageError{fmt.Sprintf("-stack %s: there is no %s; the stacks are: %s", stack, stacks.StackFile(stack), strings.Join(all, ", "))}
	}
	return []string{stack}, nil
}

// readBase reads the base plan of -diff.
func readBase(path string) (*plan.Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageError{fmt.Sprintf("-diff: %v", err)}
	}
	defer f.Close()
	p, err := plan.Read(f)
	if err != nil {
		return nil, usageError{fmt.Sprintf("-diff %s: %v", path, err)}
	}
	return p, nil
}

// checkStack reads a stack file as Pulumi reads it and checks its config as the program will
// (platformconfig, with the stack's Rules), returning the tier. The error names the file and
// the line.
func checkStack(root, name string) (*componenttest.StackFile, string, error) {
	sf, err := componenttest.LoadStackConfig(root, name)
	if err != nil {
		// The loader's message starts with the file's absolute path: name it once, relative
		// to the project, as every other message does.
		msg := strings.TrimPrefix(err.Error(), filepath.Join(root, stacks.StackFile(name))+": ")
		return nil, "", fmt.Errorf("%s: %s", stacks.StackFile(name), msg)
	}
	text, err := os.ReadFile(sf.Path)
	if err != nil {
		return nil, "", err
	}
	if err := checkStackKeys(stacks.StackFile(name), text); err != nil {
		return nil, "", err
	}
	st, err := platformconfig.Check(platformconfig.Input{
		Stack: name, File: stacks.StackFile(name), Values: sf.Values, YAML: text, Rules: stacks.Rules,
	})
	if err != nil {
		return nil, "", err
	}
	return sf, string(st.Platform.Tier), nil
}

// stackFileKeys are the top-level keys of a Pulumi stack file (workspace.ProjectStack).
var stackFileKeys = []string{"config", "environment", "secretsprovider", "encryptedkey", "encryptionsalt"}

// checkStackKeys refuses a top-level key Pulumi does not know: Pulumi ignores it, so a
// misspelt "config:" would leave the stack with no config at all, and every setting reported
// missing instead of the one mistake.
func checkStackKeys(file string, text []byte) error {
	for _, k := range topLevelKeys(text) {
		if !slices.Contains(stackFileKeys, k.Value) {
			return fmt.Errorf("%s:%d: %s: not a key of a stack file (%s)", file, k.Line, k.Value, strings.Join(stackFileKeys, ", "))
		}
	}
	return nil
}

// topLevelKeys are the keys of a YAML document's top-level mapping; none for a document
// that is not one (the stack file loader has said what is wrong with it).
func topLevelKeys(text []byte) []*yaml.Node {
	var doc yaml.Node
	if yaml.Unmarshal(text, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	var keys []*yaml.Node
	for i := 0; i+1 < len(doc.Content[0].Content); i += 2 {
		keys = append(keys, doc.Content[0].Content[i])
	}
	return keys
}

// planStacks runs the program for each stack, concurrently (each run is independent; the
// function builds they share are memoized), and returns the plan, sorted by stack, with each
// stack's recording for the graph.
func planStacks(root string, files []*componenttest.StackFile, tiers []string) (*plan.Plan, [][]componenttest.Resource, error) {
	p := &plan.Plan{Format: plan.Format, Stacks: make([]plan.Stack, len(files))}
	recs := make([][]componenttest.Resource, len(files))
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	for i := range files {
		wg.Go(func() {
			p.Stacks[i], recs[i], errs[i] = planStack(root, files[i], tiers[i])
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return p, recs, nil
}

// baselineOf is the policy options of a tier: the stacks' own (a variable so tests can add a
// suppression the program does not have).
var baselineOf = stacks.Baseline

// planStack runs the program for one stack and evaluates the baseline.
func planStack(root string, sf *componenttest.StackFile, tier string) (plan.Stack, []componenttest.Resource, error) {
	rec, err := componenttest.Run(stacks.Program, componenttest.FromStackFile(sf))
	if err != nil {
		return plan.Stack{}, nil, fmt.Errorf("stack %s: %w", sf.Stack, err)
	}
	resources := rec.Resources()
	rep, err := policy.Evaluate(resources, baselineOf(stacks.Tier(tier)))
	if err != nil {
		return plan.Stack{}, nil, fmt.Errorf("stack %s: baseline: %w", sf.Stack, err)
	}
	if n := len(rep.Undecided); n > 0 {
		// The plan runs as an update, where every value is known: a rule left undecided
		// would pass the plan unchecked, and the plan format has no place for it.
		return plan.Stack{}, nil, fmt.Errorf("stack %s: baseline: %d undecided in an update, where every value should be known; the first: %s", sf.Stack, n, rep.Undecided[0])
	}
	c := &converter{root: root}
	s := plan.Stack{Stack: sf.Stack, Project: sf.Project, Tier: tier, Resources: c.planResources(resources)}
	s.Baseline = c.baseline(rep)
	return s, resources, nil
}

// diffPlans compares stack by stack: every stack of the new plan, and with -stack all also
// the base's stacks that are gone.
func diffPlans(base, next *plan.Plan, all bool) []plan.StackDiff {
	var out []plan.StackDiff
	for i := range next.Stacks {
		b, _ := base.Stack(next.Stacks[i].Stack)
		out = append(out, plan.Diff(b, &next.Stacks[i]))
	}
	if all {
		for i := range base.Stacks {
			if _, ok := next.Stack(base.Stacks[i].Stack); !ok {
				out = append(out, plan.Diff(&base.Stacks[i], nil))
			}
		}
	}
	slices.SortStableFunc(out, func(a, b plan.StackDiff) int { return strings.Compare(a.Stack, b.Stack) })
	return out
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}
