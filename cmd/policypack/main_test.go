package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/policy"
	"github.com/groundwork-dev/groundwork/components/policy/policypack"
	"github.com/groundwork-dev/groundwork/components/policy/policypack/packtest"
	"github.com/groundwork-dev/groundwork/internal/platformconfig"
	"github.com/groundwork-dev/groundwork/stacks"
)

// pack is the analyzer of this command's pack, served in-process as the binary serves it.
var pack pulumirpc.AnalyzerClient

func TestMain(m *testing.M) {
	f, err := factory()
	if err == nil {
		pack, err = packtest.Start(f)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func projectDir(t testing.TB) string {
	t.Helper()
	dir, err := componenttest.FindProjectDir(".")
	require.NoError(t, err)
	return dir
}

// finding is one violation: the policy, the resource, the message.
type finding struct{ Policy, URN, Message string }

func sorted(fs []finding) []finding {
	slices.SortFunc(fs, func(a, b finding) int { return strings.Compare(a.Policy+a.URN+a.Message, b.Policy+b.URN+b.Message) })
	return fs
}

// recordStack runs the stack program as a stack with its real stack file, and returns the
// recording with the config the engine would give the pack.
func recordStack(t testing.TB, env string) (*componenttest.Recorder, map[string]string) {
	t.Helper()
	sf, err := componenttest.LoadStackConfig(projectDir(t), env)
	require.NoError(t, err)
	return componenttest.MustRun(t, stacks.Program, componenttest.FromStackFile(sf)), sf.Values
}

func TestThePackReportsWhatEvaluateReportsForEveryStack(t *testing.T) {
	t.Setenv(ProductionVar, "")
	for _, env := range []string{"dev", "staging", "prod"} {
		t.Run(env, func(t *testing.T) {
			// Given the stack program recorded as the stack, with its stack file
			rec, config := recordStack(t, env)
			req, err := packtest.StackRequest(rec)
			require.NoError(t, err)
			// When the pack analyzes what the engine would send for it
			got, err := packtest.Analyze(context.Background(), pack, packtest.StackOf(rec, config), req)
			require.NoError(t, err)
			// Then it reports exactly what Evaluate reports with the stack's own baseline
			rep, err := policy.Evaluate(rec.Resources(), stacks.Baseline(stacks.Tier(env)))
			require.NoError(t, err)
			rules := map[string]policy.Rule{}
			for _, r := range policy.Rules() {
				rules[r.ID] = r
			}
			want := []finding{}
			for _, v := range rep.Violations {
				want = append(want, finding{v.Rule, v.Resource, policypack.Description(rules[v.Rule]) + "\n" + v.Message})
			}
			have := []finding{}
			for _, d := range got.Diagnostics {
				have = append(have, finding{d.GetPolicyName(), d.GetUrn(), d.GetMessage()})
			}
			assert.Equal(t, sorted(want), sorted(have), "the pack's violations are Evaluate's for stack %s", env)
			// And the request held the whole stack, so the equality above covered it
			assert.Len(t, req.GetResources(), len(rec.Resources())+1, "every recorded resource and the root stack are sent")
		})
	}
}

func TestPreviewsOfTheStacksPass(t *testing.T) {
	t.Setenv(ProductionVar, "")
	for _, env := range []string{"dev", "staging", "prod"} {
		t.Run(env, func(t *testing.T) {
			// Given the stack program recorded as `pulumi preview` runs a new stack: every
			// id, ARN and name built from another resource's output is unknown
			sf, err := componenttest.LoadStackConfig(projectDir(t), env)
			require.NoError(t, err)
			rec := componenttest.MustRun(t, stacks.Program, componenttest.FromStackFile(sf), componenttest.Preview())
			req, err := packtest.StackRequest(rec)
			require.NoError(t, err)
			stack := packtest.StackOf(rec, sf.Values)
			require.True(t, stack.DryRun, "the engine says it is a preview")
			// When the pack analyzes it, as `pulumi preview --policy-pack` (and `pulumi up`,
			// which previews first) does
			got, err := packtest.Analyze(context.Background(), pack, stack, req)
			require.NoError(t, err)
			// Then it reports no violation, mandatory or advisory: what it cannot know yet is
			// undecided, and the update decides it
			for _, d := range got.Diagnostics {
				t.Errorf("%s preview: %s on %s (%s): %s", env, d.GetPolicyName(), d.GetUrn(), d.GetEnforcementLevel(), d.GetMessage())
			}
			rep, err := policy.Evaluate(rec.Resources(), stacks.Baseline(stacks.Tier(env)))
			require.NoError(t, err)
			assert.NotEmpty(t, rep.Undecided, "outcomes the preview leaves undecided (the pack logs them)")
		})
	}
}

// TestThePackHoldsTheProdStackToTheProductionRules plants unprotected stateful resources in
// the prod stack's recording: the pack, configured with the prod stack file, reports each as
// Evaluate does in production, and with the dev stack file reports none of them; a preview
// enforces them as an update does (protect is an option, known in a preview).
func TestThePackHoldsTheProdStackToTheProductionRules(t *testing.T) {
	t.Setenv(ProductionVar, "")
	rec, prodConfig := recordStack(t, "prod")
	_, devConfig := recordStack(t, "dev")
	unprotected := rec.Resources()
	for i := range unprotected {
		unprotected[i].Protect = false
	}
	req, err := packtest.Request(rec.Project, rec.Stack, unprotected)
	require.NoError(t, err)
	for _, tc := range []struct {
		name       string
		config     map[string]string
		tier       stacks.Tier
		production bool
		preview    bool
	}{
		{"prod stack file", prodConfig, stacks.Prod, true, false},
		{"dev stack file", devConfig, stacks.Dev, false, false},
		{"prod stack file, preview", prodConfig, stacks.Prod, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Given the prod stack's resources, none protected, and a stack file
			stack := packtest.StackOf(rec, tc.config)
			stack.DryRun = tc.preview
			// When the pack analyzes them
			got, err := packtest.Analyze(context.Background(), pack, stack, req)
			require.NoError(t, err)

			// Then it reports what Evaluate reports for the tier the file names
			rep, err := policy.Evaluate(unprotected, stacks.Baseline(tc.tier))
			require.NoError(t, err)
			want, have := []finding{}, []finding{}
			wantMandatory := false
			for _, v := range rep.Violations {
				want = append(want, finding{v.Rule, v.Resource, v.Message})
				wantMandatory = wantMandatory || policypack.Enforcement(v.Severity) == policyx.EnforcementLevelMandatory
			}
			assert.Equal(t, wantMandatory, slices.ContainsFunc(got.Diagnostics, func(d *pulumirpc.AnalyzeDiagnostic) bool {
				return d.GetEnforcementLevel() == pulumirpc.EnforcementLevel_MANDATORY
			}), "a violation is mandatory exactly when its rule is, in a preview as in an update")
			for _, d := range got.Diagnostics {
				have = append(have, finding{d.GetPolicyName(), d.GetUrn(), d.GetMessage()[strings.Index(d.GetMessage(), "\n")+1:]})
			}
			assert.Equal(t, sorted(want), sorted(have), "the pack's violations are Evaluate's")
			protect := slices.ContainsFunc(have, func(f finding) bool { return f.Policy == "protect-stateful" })
			assert.Equal(t, tc.production, protect, "protect-stateful is reported exactly under the prod stack file")
		})
	}
}

// update rewrites suppressions.json from the stack program's suppressions.
var update = flag.Bool("update", false, "rewrite suppressions.json from stacks.Baseline")

func TestProduction(t *testing.T) {
	prodTier := `{"tier":"prod","owner":"x"}`
	for _, tc := range []struct {
		name, stack, env string
		config           map[string]string
		want             bool
		err              string
	}{
		{"a stack named prod", "prod", "", nil, true, ""},
		{"a stack named dev", "dev", "", nil, false, ""},
		{"a fully qualified stack named prod", "acme/shop/prod", "", nil, true, ""},
		{"tier prod in config, whatever the name", "live", "", map[string]string{"groundwork:platform": prodTier}, true, ""},
		{"tier dev in config outranks the name", "prod", "", map[string]string{"groundwork:platform": `{"tier":"dev"}`}, false, ""},
		{"config without a tier: the stack's name when it is a tier", "prod", "", map[string]string{"groundwork:platform": `{"owner":"x"}`}, true, ""},
		{"the variable outranks the config", "live", "false", map[string]string{"groundwork:platform": prodTier}, false, ""},
		{"the variable holds any stack to production", "sandbox", "1", nil, true, ""},
		{"a bad variable is an error naming it", "prod", "yes please", nil, false, ProductionVar + `: "yes please" is not true or false`},
		{"config that is no object is an error naming the key", "prod", "", map[string]string{"groundwork:platform": "prod"}, false, "config groundwork:platform: not an object"},
		{"config without a tier on a stack not named after one", "live", "", map[string]string{"groundwork:platform": `{"owner":"x"}`}, false,
			`config groundwork:platform names no tier, and the stack "live" is not named after one`},
		{"a tier that is none", "live", "", map[string]string{"groundwork:platform": `{"tier":"qa"}`}, false, `config groundwork:platform.tier: "qa" is not dev, staging or prod`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Given a stack as the engine describes it to the pack, and the environment
			t.Setenv(ProductionVar, tc.env)
			ctx, err := pulumi.NewContext(context.Background(), pulumi.RunInfo{Project: "any", Stack: tc.stack, Config: tc.config})
			require.NoError(t, err)
			// When the pack decides
			got, err := production(ctx)
			// Then it holds the stack to the production rules or not, or says what is wrong
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got, "production")
		})
	}
}

func TestStackSuppressions(t *testing.T) {
	byTier := map[platformconfig.Tier][]policy.Suppression{
		platformconfig.Dev:  {{Rule: "r", Resource: "dev-thing", Reason: "dev"}},
		platformconfig.Prod: {{Rule: "r", Resource: "prod-thing", Reason: "prod"}},
	}
	for _, tc := range []struct {
		name, stack string
		config      map[string]string
		want        []policy.Suppression
	}{
		{"a Groundwork stack named after its tier", "dev", map[string]string{"groundwork:platform": `{}`}, byTier[platformconfig.Dev]},
		{"a Groundwork stack whose config names its tier", "live", map[string]string{"groundwork:platform": `{"tier":"prod"}`}, byTier[platformconfig.Prod]},
		{"a tier without suppressions", "staging", map[string]string{"groundwork:platform": `{}`}, nil},
		{"another program's stack named dev", "dev", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Given a stack as the engine describes it to the pack
			ctx, err := pulumi.NewContext(context.Background(), pulumi.RunInfo{Project: "any", Stack: tc.stack, Config: tc.config})
			require.NoError(t, err)
			// When the pack picks its suppressions
			got, err := stackSuppressions(byTier)(ctx)
			// Then a Groundwork stack gets its tier's, and another program's none
			require.NoError(t, err)
			assert.Equal(t, tc.want, got, "suppressions of stack %s", tc.stack)
		})
	}
}

// TestSuppressionsAreTheStacks holds suppressions.json equal to the stack program's
// suppressions of each tier; `go test ./cmd/policypack -run TestSuppressionsAreTheStacks
// -update` rewrites it from them.
func TestSuppressionsAreTheStacks(t *testing.T) {
	want := map[platformconfig.Tier][]policy.Suppression{}
	for _, tier := range []stacks.Tier{stacks.Dev, stacks.Staging, stacks.Prod} {
		want[tier] = stacks.Baseline(tier).Suppressions
	}
	if *update {
		b, err := encodeSuppressions(want)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile("suppressions.json", b, 0o644))
	}
	// Given the pack's suppressions file, as compiled in
	b, err := os.ReadFile("suppressions.json")
	require.NoError(t, err)
	got, err := decodeSuppressions(b)
	require.NoError(t, err)
	// Then each tier's are what the stack program suppresses in that tier
	for tier, w := range want {
		assert.ElementsMatch(t, w, got[tier], "suppressions.json %s is stacks.Baseline(%s).Suppressions; go test ./cmd/policypack -run TestSuppressionsAreTheStacks -update rewrites it", tier, tier)
	}
	if *update {
		t.Log("suppressions.json rewritten: run the tests again to check the compiled-in copy")
		return
	}
	assert.Equal(t, string(b), string(suppressionsJSON), "the compiled-in file is the file on disk")
}

func TestBadSuppressionsFile(t *testing.T) {
	rule := policy.Rules()[0].ID
	for _, tc := range []struct{ name, json, want string }{
		{"not JSON", `{`, "cmd/policypack/suppressions.json: unexpected EOF"},
		{"a tier that is none", `{"qa":[]}`, `suppressions.json: json: unknown field "qa"`},
		{"unknown key", `{"dev":[{"rule":"` + rule + `","resource":"x","reason":"r","until":"2027"}]}`, `suppressions.json: json: unknown field "until"`},
		{"unknown rule", `{"prod":[{"rule":"nope","resource":"x","reason":"r"}]}`, `suppressions.json: prod: Suppressions[0]: Rule "nope" is no rule of the baseline`},
		{"no reason", `{"staging":[{"rule":"` + rule + `","resource":"x"}]}`, `suppressions.json: staging: Suppressions[0] (` + rule + ` on x): Reason is empty`},
		{"two values", `{} {}`, "suppressions.json: more than one JSON value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Given a bad file, when it is decoded
			_, err := decodeSuppressions([]byte(tc.json))
			// Then the error names the file and the mistake
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestPulumiPolicyYAML(t *testing.T) {
	// Given the pack's PulumiPolicy.yaml, loaded as the CLI loads it
	proj, err := workspace.LoadPolicyPack(filepath.Join(".", "PulumiPolicy.yaml"))
	require.NoError(t, err)
	// Then the CLI runs it with the Go language host, at the binary's version
	assert.Equal(t, "go", proj.Runtime.Name(), "runtime")
	assert.Equal(t, packVersion, proj.Version, "version is the binary's")
	require.NotNil(t, proj.Description, "description")
	assert.Contains(t, *proj.Description, "baseline")
}

// TestThePackDoesNotLinkPulumiAWS: the rules read recorded properties, so the pack needs no
// provider SDK, and building it takes seconds, not the minutes pulumi-aws takes.
func TestThePackDoesNotLinkPulumiAWS(t *testing.T) {
	gobin, err := exec.LookPath("go")
	require.NoError(t, err, "go test puts its own go command on PATH")
	out, err := exec.Command(gobin, "list", "-deps", ".").Output()
	require.NoError(t, err)
	for _, dep := range strings.Fields(string(out)) {
		assert.False(t, strings.HasPrefix(dep, "github.com/pulumi/pulumi-aws") || strings.HasPrefix(dep, "github.com/aws/"),
			"the pack links %s", dep)
		assert.NotEqual(t, "github.com/groundwork-dev/groundwork/stacks", dep, "the pack links the stack program")
	}
}

// TestTheBuiltPackServes builds the pack as the CLI's Go language host does and starts it as
// the CLI starts a plugin (the engine's address as its argument): it announces a port on
// stdout and answers an analysis as the in-process server does.
func TestTheBuiltPackServes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the pack")
	}
	gobin, err := exec.LookPath("go")
	require.NoError(t, err, "go test puts its own go command on PATH")
	// Given the pack built with the flags the Go language host uses
	bin := filepath.Join(t.TempDir(), "groundwork-baseline")
	build := exec.Command(gobin, "build", "-buildvcs=false", "-trimpath", "-ldflags", "-w -s", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	// When it is started
	cmd := exec.Command(bin, "127.0.0.1:1")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	port, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "the pack announces its port")
	conn, err := grpc.NewClient("127.0.0.1:"+strings.TrimSpace(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	// Then it analyzes the prod stack, its stateful resources unprotected, as the in-process
	// server does
	t.Setenv(ProductionVar, "")
	rec, config := recordStack(t, "prod")
	unprotected := rec.Resources()
	for i := range unprotected {
		unprotected[i].Protect = false
	}
	req, err := packtest.Request(rec.Project, rec.Stack, unprotected)
	require.NoError(t, err)
	got, err := packtest.Analyze(context.Background(), pulumirpc.NewAnalyzerClient(conn), packtest.StackOf(rec, config), req)
	require.NoError(t, err)
	want, err := packtest.Analyze(context.Background(), pack, packtest.StackOf(rec, config), req)
	require.NoError(t, err)
	assert.Equal(t, packName, got.Info.GetName(), "the binary's pack name")
	assert.Len(t, got.Info.GetPolicies(), len(policy.Rules()), "one policy per rule")
	findings := func(ds []*pulumirpc.AnalyzeDiagnostic) []finding {
		out := []finding{}
		for _, d := range ds {
			out = append(out, finding{d.GetPolicyName(), d.GetUrn(), d.GetMessage()})
		}
		return sorted(out)
	}
	require.NotEmpty(t, want.Diagnostics, "unprotected stateful resources break the production rules")
	assert.Equal(t, findings(want.Diagnostics), findings(got.Diagnostics), "the binary reports what the in-process pack reports")
}

// BenchmarkAnalyzeProdStack is one AnalyzeStack of the prod stack over gRPC: unmarshalling,
// conversion, one Evaluate and the reports of every policy.
func BenchmarkAnalyzeProdStack(b *testing.B) {
	rec, config := recordStack(b, "prod")
	req, err := packtest.StackRequest(rec)
	require.NoError(b, err)
	ctx := context.Background()
	_, err = packtest.Analyze(ctx, pack, packtest.StackOf(rec, config), req)
	require.NoError(b, err)
	for b.Loop() {
		if _, err := pack.AnalyzeStack(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluateProdStack is policy.Evaluate alone on the prod stack's recording: what the
// pack adds to it is BenchmarkAnalyzeProdStack's difference.
func BenchmarkEvaluateProdStack(b *testing.B) {
	rec, _ := recordStack(b, "prod")
	resources := rec.Resources()
	opts := stacks.Baseline(stacks.Prod)
	for b.Loop() {
		if _, err := policy.Evaluate(resources, opts); err != nil {
			b.Fatal(err)
		}
	}
}
