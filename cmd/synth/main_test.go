package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/policy"
	"github.com/groundwork-dev/groundwork/internal/plan"
	"github.com/groundwork-dev/groundwork/stacks"
)

// synthRun runs the command in process and returns its exit status and output.
func synthRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// planOf runs -json and decodes the plan.
func planOf(t *testing.T, stack string) *plan.Plan {
	t.Helper()
	code, out, errOut := synthRun(t, "-stack", stack, "-json")
	require.Equal(t, 0, code, "exit status of -json; stderr: %s", errOut)
	p, err := plan.Read(strings.NewReader(out))
	require.NoError(t, err)
	return p
}

func find(t *testing.T, s *plan.Stack, typ, name string) *plan.Resource {
	t.Helper()
	for i := range s.Resources {
		if s.Resources[i].Type == typ && s.Resources[i].Name == name {
			return &s.Resources[i]
		}
	}
	t.Fatalf("stack %s has no %s %q", s.Stack, typ, name)
	return nil
}

func TestPlanOfEveryStack(t *testing.T) {
	// Given every stack file; when synth plans them all
	p := planOf(t, "all")

	// Then the plan has each stack, sorted, with its tier and the platform's resources
	require.Equal(t, []string{"dev", "prod", "staging"}, p.Names(), "stacks sorted")
	for _, s := range p.Stacks {
		t.Run(s.Stack, func(t *testing.T) {
			assert.Equal(t, s.Stack, s.Tier, "tier from the stack file")
			assert.Equal(t, "groundwork", s.Project)
			api := find(t, &s, "aws:lambda/function:Function", "api")
			assert.Equal(t, "provided.al2023", api.InputString("runtime"), "api runtime")
			assert.Equal(t, "urn:pulumi:"+s.Stack+"::groundwork::groundwork:function:Function::api", api.Parent, "api under its component")
			assert.Equal(t, "urn:pulumi:"+s.Stack+"::groundwork::pulumi:providers:aws::aws", api.Provider, "provider by URN, without the mock's id")
			code, _ := api.Input("code")
			archive, _ := code.(map[string]any)["archive"].(map[string]any)
			assert.Regexp(t, `^cmd-api-[0-9a-f]{16}\.zip$`, archive["file"], "code by its file name")
			assert.Regexp(t, `^[0-9a-f]{16}$`, archive["sha256"], "code by its content (the SHA-256 prefix the build names its zip by)")
			assert.NotEmpty(t, api.Dependencies, "the function depends on its role and log group")
			table := find(t, &s, "aws:dynamodb/table:Table", "inquiries")
			assert.Equal(t, s.Stack == "prod", table.Protect, "tables protected in prod only")
			assert.Equal(t, "pk", table.InputString("hashKey"))
			assert.Empty(t, s.Baseline.Violations, "the stack meets the baseline")
			for _, r := range s.Resources {
				assert.NotEqual(t, stackTypeToken, r.Type, "the root stack is left out")
			}
		})
	}
}

func TestBuiltZipNamesAreTheirContentsHash(t *testing.T) {
	// Given the zips the stacks' functions were built into
	root, err := componenttest.FindProjectDir(".")
	require.NoError(t, err)
	planOf(t, "prod")
	zips, err := filepath.Glob(filepath.Join(root, ".groundwork", "build", "*.zip"))
	require.NoError(t, err)
	require.NotEmpty(t, zips)
	for _, z := range zips {
		// Then the hash synth reads from each name is the start of the file's SHA-256
		sum, ok := builtZipHash(root, z)
		require.True(t, ok, "%s is named as function.Build names zips", z)
		assert.Equal(t, fileHash(z)[:16], sum, "%s: name and content agree", filepath.Base(z))
	}
	_, ok := builtZipHash(root, filepath.Join(root, "dist", "cmd-api-0123456789abcdef.zip"))
	assert.False(t, ok, "a zip elsewhere is hashed, not trusted by its name")
}

func TestTreeAndBaseline(t *testing.T) {
	code, out, _ := synthRun(t, "-stack", "prod")
	require.Equal(t, 0, code, "prod meets the baseline")
	for _, want := range []string{
		"stack prod (project groundwork, tier prod):",
		"\n  groundwork:table:Table inquiries  protected\n",
		"    aws:dynamodb/table:Table inquiries  name=inquiries-",
		"hashKey=pk",
		"pointInTimeRecovery.enabled=true",
		"    aws:lambda/function:Function api  name=api-",
		"runtime=provided.al2023",
		"memorySize=256 timeout=10",
		"routeKey=GET /v1/inquiries/{id} authorizationType=JWT authorizationScopes=[\"groundwork-api/inquiries.read\"]",
		"routeKey=$default authorizationType=NONE",
		"retentionInDays=365",
		"sseAlgorithm=AES256",
		"      aws:lambda/function:Function events-consumer", // nested two components deep
		"baseline: 0 violations, ",
	} {
		assert.Contains(t, out, want, "tree of prod")
	}
	// And every suppressed violation is listed with its reason
	p := planOf(t, "prod")
	for _, v := range p.Stacks[0].Baseline.Suppressed {
		assert.Contains(t, out, "  suppressed "+v.Rule+" ["+v.Severity+"] "+shortURN(v.Resource)+": "+v.Message+" (reason: "+v.Reason+")", "suppression shown")
	}
}

func TestUnusedSuppressionsAreShown(t *testing.T) {
	// Given a suppression for a route that is public in dev only, applied to prod, where the
	// route needs a token: it accepts nothing
	orig := baselineOf
	t.Cleanup(func() { baselineOf = orig })
	const res = "aws:apigatewayv2/route:Route::http-GET /v1/inquiries/{id}"
	baselineOf = func(tier stacks.Tier) policy.Options {
		o := orig(tier)
		o.Suppressions = append(o.Suppressions, policy.Suppression{Rule: "api-route-authorization", Resource: res, Reason: "left over from a test"})
		return o
	}

	// When prod is planned, then the suppression is reported as unused, and the run passes
	code, out, _ := synthRun(t, "-stack", "prod")
	assert.Equal(t, 0, code, "an unused suppression is reported, not failed")
	assert.Contains(t, out, "unused suppression api-route-authorization on "+res+" (reason: left over from a test): it accepts nothing now; remove it")
}

func TestPlanInMarkdown(t *testing.T) {
	code, md, _ := synthRun(t, "-stack", "all", "-format", "markdown")
	require.Equal(t, 0, code)
	lines := strings.Split(md, "\n")
	assert.Equal(t, markdownMark, lines[0], "the marker comes first")
	assert.Regexp(t, `^\*\*Offline plan\*\*: \d+ resources across 3 stacks; baseline: 0 violations\.$`, lines[1], "summary line")
	for _, want := range []string{"### Stack `prod` (tier prod, 57 resources)", "<details><summary>Resources</summary>", "groundwork:table:Table inquiries  protected"} {
		assert.Contains(t, md, want, "markdown plan")
	}
}

func TestDeterministicAndFreeOfTheCheckoutDirectory(t *testing.T) {
	// Given two runs of the same sources
	_, first, _ := synthRun(t, "-stack", "all", "-json")
	_, second, _ := synthRun(t, "-stack", "all", "-json")

	// Then the bytes are the same, and nothing names the checkout directory
	assert.Equal(t, first, second, "same sources, same plan")
	root, err := componenttest.FindProjectDir(".")
	require.NoError(t, err)
	assert.NotContains(t, first, root, "no absolute path of the checkout")
	assert.NotContains(t, first, ".groundwork/build", "code by name and hash, not by path")

	_, g1, _ := synthRun(t, "-stack", "all", "-graph")
	_, g2, _ := synthRun(t, "-stack", "all", "-graph")
	assert.Equal(t, g1, g2, "same graph")
	_, t1, _ := synthRun(t, "-stack", "all")
	_, t2, _ := synthRun(t, "-stack", "all")
	assert.Equal(t, t1, t2, "same tree")
}

func TestPlanIsTheSameFromAnotherCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the functions in a fresh checkout")
	}
	// Given a second checkout of the project in another directory (the program's own code
	// is this test binary's; the functions are built from the copy)
	root, err := componenttest.FindProjectDir(".")
	require.NoError(t, err)
	other := filepath.Join(t.TempDir(), "elsewhere")
	for _, dir := range []string{"cmd", "internal", "stacks"} {
		require.NoError(t, os.CopyFS(filepath.Join(other, dir), os.DirFS(filepath.Join(root, dir))))
	}
	for _, f := range []string{"go.mod", "go.sum", "Pulumi.yaml"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(other, f), b, 0o644))
	}

	// When both are planned, then the plans are byte for byte the same
	code, here, _ := synthRun(t, "-stack", "all", "-json")
	require.Equal(t, 0, code)
	code, there, errOut := synthRun(t, "-root", other, "-stack", "all", "-json")
	require.Equal(t, 0, code, "stderr: %s", errOut)
	assert.Equal(t, here, there, "the plan does not depend on the checkout directory")
}

func TestJSONRoundTrip(t *testing.T) {
	_, out, _ := synthRun(t, "-stack", "all", "-json")
	p, err := plan.Read(strings.NewReader(out))
	require.NoError(t, err)
	assert.Equal(t, plan.Format, p.Format)
	var again bytes.Buffer
	require.NoError(t, plan.Write(&again, p))
	assert.Equal(t, out, again.String(), "read then written gives the same document")
}

func TestGraphEdges(t *testing.T) {
	code, out, _ := synthRun(t, "-stack", "prod", "-graph")
	require.Equal(t, 0, code)
	for _, want := range []string{
		"flowchart LR",
		`prod_api_http -->|"$default<br/>GET /healthz<br/>GET /v1/inquiries/#123;id#125; (JWT)<br/>POST /v1/inquiries"| prod_function_api`,
		`prod_function_api -->|"dynamodb:GetItem<br/>dynamodb:PutItem"| prod_table_inquiries`,
		`prod_function_api -->|"sqs:SendMessage"| prod_queue_events`,
		`prod_queue_events -->|"batches of 10"| prod_function_events_consumer`,
		`prod_function_events_consumer -->|"s3:PutObject"| prod_bucket_archive`,
	} {
		assert.Contains(t, out, want, "graph edge")
	}
	assert.NotContains(t, out, "prod_function_api --> prod_function_api", "no edge to itself")
}

// diffCase is a base plan made from the current one, and what the diff must say.
type diffCase struct {
	name   string
	mutate func(t *testing.T, base, next *plan.Stack)
	want   []string
	absent []string
}

func TestDiff(t *testing.T) {
	current := planOf(t, "prod")
	const pre = "urn:pulumi:prod::groundwork::"
	dlq := pre + "groundwork:queue:Queue$aws:sqs/queue:Queue::events-dlq"
	renameURN := func(s *plan.Stack, from, to, name string) {
		for i := range s.Resources {
			if s.Resources[i].URN == from {
				s.Resources[i].URN, s.Resources[i].Name = to, name
			}
		}
	}
	tests := []diffCase{
		{name: "unchanged", mutate: func(*testing.T, *plan.Stack, *plan.Stack) {},
			want:   []string{"stack prod: 0 to add, 0 to change, 0 to replace, 0 to delete, 57 unchanged"},
			absent: []string{"code", "[update]"}},
		{name: "added", mutate: func(t *testing.T, base, _ *plan.Stack) {
			r := find(t, base, "aws:cloudwatch/metricAlarm:MetricAlarm", "api-errors")
			base.Resources = removeURN(base.Resources, r.URN)
		}, want: []string{"1 to add", "+  aws:cloudwatch/metricAlarm:MetricAlarm api-errors [create]"}},
		{name: "deleted, stateful", mutate: func(_ *testing.T, base, _ *plan.Stack) {
			base.Resources = append(base.Resources, plan.Resource{URN: pre + "aws:sqs/queue:Queue::legacy", Type: "aws:sqs/queue:Queue", Name: "legacy", Custom: true})
		}, want: []string{"1 to delete", "-  aws:sqs/queue:Queue legacy [delete]", "!!! DELETE aws:sqs/queue:Queue legacy: messages in it are lost"}},
		{name: "updated", mutate: func(t *testing.T, base, _ *plan.Stack) {
			find(t, base, "aws:lambda/function:Function", "api").Inputs["memorySize"] = 128.0
		}, want: []string{"1 to change", "~  aws:lambda/function:Function api [update]", "memorySize: 128 -> 256"},
			absent: []string{"forces replacement", "code"}},
		{name: "replaced by a property", mutate: func(t *testing.T, base, _ *plan.Stack) {
			find(t, base, "aws:dynamodb/table:Table", "inquiries").Inputs["hashKey"] = "id"
		}, want: []string{"1 to replace", "+- aws:dynamodb/table:Table inquiries [replace]", `hashKey: "id" -> "pk"  (forces replacement)`,
			"replaces because it changes hashKey (internal/service/dynamodb/table.go", "!!! REPLACE aws:dynamodb/table:Table inquiries: its items are lost"}},
		{name: "replaced by a URN change without an alias", mutate: func(_ *testing.T, base, _ *plan.Stack) {
			renameURN(base, dlq, pre+"groundwork:queue:Queue$aws:sqs/queue:Queue::events-deadletter", "events-deadletter")
		}, want: []string{"1 to replace", "+- aws:sqs/queue:Queue events-dlq (was " + pre + "groundwork:queue:Queue$aws:sqs/queue:Queue::events-deadletter) [replace]",
			"has a new URN and no alias names the old one", `add the option pulumi.Aliases([]pulumi.Alias{{Name: pulumi.String("events-deadletter")}})`, "!!! REPLACE"}},
		{name: "renamed with an alias", mutate: func(t *testing.T, base, next *plan.Stack) {
			old := pre + "groundwork:queue:Queue$aws:sqs/queue:Queue::events-deadletter"
			renameURN(base, dlq, old, "events-deadletter")
			find(t, next, "aws:sqs/queue:Queue", "events-dlq").Aliases = []string{old}
		}, want: []string{"0 to replace", "1 to change", "~  aws:sqs/queue:Queue events-dlq (was " + pre + "groundwork:queue:Queue$aws:sqs/queue:Queue::events-deadletter) [update]"},
			absent: []string{"!!!", "[replace]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Given a base plan that differs from the program's as the case says
			base, next := clonePlan(t, current), clonePlan(t, current)
			tc.mutate(t, &base.Stacks[0], &next.Stacks[0])

			// When the plans are compared
			var out bytes.Buffer
			writeDiffText(&out, next, diffPlans(base, next, false))

			// Then the diff shows what pulumi preview would
			for _, w := range tc.want {
				assert.Contains(t, out.String(), w, "diff %s", tc.name)
			}
			for _, a := range tc.absent {
				assert.NotContains(t, out.String(), a, "diff %s", tc.name)
			}
		})
	}
}

func removeURN(rs []plan.Resource, urn string) []plan.Resource {
	var out []plan.Resource
	for _, r := range rs {
		if r.URN != urn {
			out = append(out, r)
		}
	}
	return out
}

func clonePlan(t *testing.T, p *plan.Plan) *plan.Plan {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, plan.Write(&buf, p))
	c, err := plan.Read(&buf)
	require.NoError(t, err)
	return c
}

func writeBase(t *testing.T, p *plan.Plan) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "base.json")
	var buf bytes.Buffer
	require.NoError(t, plan.Write(&buf, p))
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	return path
}

func TestDiffCommandAgainstSeveralStacks(t *testing.T) {
	// Given a base plan of every stack, in which prod's table had another key
	base := planOf(t, "all")
	prod, _ := base.Stack("prod")
	find(t, prod, "aws:dynamodb/table:Table", "inquiries").Inputs["hashKey"] = "id"
	path := writeBase(t, base)

	// When prod alone is compared, then only prod is shown, with the replacement
	code, out, _ := synthRun(t, "-stack", "prod", "-diff", path)
	assert.Equal(t, 0, code, "a replacement is not a baseline violation")
	assert.Contains(t, out, "stack prod: 0 to add, 0 to change, 1 to replace")
	assert.NotContains(t, out, "stack dev")

	// And in markdown, for a pull-request comment
	code, md, _ := synthRun(t, "-stack", "all", "-diff", path, "-format", "markdown")
	assert.Equal(t, 0, code)
	lines := strings.Split(md, "\n")
	assert.Equal(t, "<!-- groundwork-plan -->", lines[0], "the marker comes first")
	assert.Equal(t, "**Offline plan**: 0 to add, 0 to change, 1 to replace, 0 to delete across 3 stacks; baseline: 0 violations.", lines[1], "summary line")
	for _, want := range []string{
		"### Stack `dev`", "### Stack `prod`", "### Stack `staging`",
		"> [!CAUTION]\n> **REPLACE of stateful `aws:dynamodb/table:Table` `inquiries`**: its items are lost.",
		"| | operation | type | name | why |",
		"| +- | replace | `aws:dynamodb/table:Table` | `inquiries` | changes hashKey",
		"<details><summary>Property changes</summary>",
		"| `inquiries` | `hashKey` | `\"id\"` | `\"pk\"` **(forces replacement)** |",
		"</details>",
		"**Baseline**: 0 violations, ",
	} {
		assert.Contains(t, md, want, "markdown diff")
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	oldFormat := write("old.json", `{"format":"groundwork.plan/v0","stacks":[]}`)
	notJSON := write("notes.txt", "hello")
	noFormat := write("other.json", `{"resources":[]}`)
	dupKey := write("dup.json", `{"format":"groundwork.plan/v1","stacks":[{"stack":"prod","stack":"dev","resources":[]}]}`)
	notUTF8 := write("latin1.json", "{\"format\":\"groundwork.plan/v1\",\"stacks\":[{\"stack\":\"pr\xf6d\"}]}")

	// A project whose qa stack file has a mistake on line 5
	proj := filepath.Join(dir, "proj")
	require.NoError(t, os.MkdirAll(filepath.Join(proj, "stacks"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(proj, "Pulumi.yaml"), []byte("name: groundwork\nruntime: go\nstackConfigDir: stacks\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(proj, "stacks", "Pulumi.qa.yaml"), []byte(
		"config:\n  aws:region: eu-west-1\n  groundwork:platform:\n    tier: dev\n    logRetentionDays: 42\n    auth:\n      publicReads: true\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(proj, "stacks", "Pulumi.typo.yaml"), []byte(
		"# qa\nconfg:\n  aws:region: eu-west-1\n  groundwork:platform:\n    tier: dev\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(proj, "stacks", "Pulumi.broken.yaml"), []byte(
		"config:\n  aws:region: eu-west-1\n  groundwork:platform:\n    tier: dev\n    owner: [platform\n"), 0o644))

	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"no -stack", nil, 2, []string{"-stack is required"}},
		{"a stack without a file", []string{"-stack", "qa"}, 2, []string{"-stack qa: there is no stacks/Pulumi.qa.yaml; the stacks are: dev, prod, staging"}},
		{"unknown format", []string{"-stack", "prod", "-format", "html"}, 2, []string{`-format "html": want text or markdown`}},
		{"two outputs", []string{"-stack", "prod", "-json", "-graph"}, 2, []string{"give one of them"}},
		{"unknown flag", []string{"-stack", "prod", "-jsn"}, 2, []string{"flag provided but not defined: -jsn"}},
		{"base plan of another format", []string{"-stack", "prod", "-diff", oldFormat}, 2, []string{"-diff " + oldFormat, `its format is "groundwork.plan/v0"`}},
		{"base that is not JSON", []string{"-stack", "prod", "-diff", notJSON}, 2, []string{"not a groundwork.plan/v1 plan: it is not a JSON object"}},
		{"base that is no plan", []string{"-stack", "prod", "-diff", noFormat}, 2, []string{`it has no "format"`}},
		{"base that does not exist", []string{"-stack", "prod", "-diff", filepath.Join(dir, "missing.json")}, 2, []string{"-diff: open", "missing.json"}},
		{"invalid stack config", []string{"-root", proj, "-stack", "qa"}, 1, []string{"stacks/Pulumi.qa.yaml:5: groundwork:platform.logRetentionDays: 42 days is not a retention"}},
		{"invalid YAML", []string{"-root", proj, "-stack", "broken"}, 1, []string{"synth: stacks/Pulumi.broken.yaml: invalid YAML file: yaml: line "}},
		{"a misspelt top-level key", []string{"-root", proj, "-stack", "typo"}, 1, []string{"synth: stacks/Pulumi.typo.yaml:2: confg: not a key of a stack file (config, environment, secretsprovider, encryptedkey, encryptionsalt)"}},
		{"a path for -stack", []string{"-stack", "../etc/passwd"}, 2, []string{`-stack "../etc/passwd": a stack name, not a path; the stacks are: dev, prod, staging`}},
		{"an absolute path for -stack", []string{"-stack", "/etc/passwd"}, 2, []string{`-stack "/etc/passwd": a stack name, not a path`}},
		{"an empty -stack", []string{"-stack", ""}, 2, []string{"-stack is empty: a stack name (stacks/Pulumi.<stack>.yaml) or \"all\""}},
		{"-stack twice", []string{"-stack", "prod", "-stack", "dev"}, 2, []string{`-stack is given twice ("prod", then "dev"): give one stack, or all`}},
		{"-root that holds no project", []string{"-root", dir, "-stack", "prod"}, 2, []string{"-root " + dir + ": no Pulumi.yaml there"}},
		{"-root that does not exist", []string{"-root", filepath.Join(dir, "nowhere"), "-stack", "prod"}, 2, []string{"-root " + filepath.Join(dir, "nowhere") + ": no Pulumi.yaml there"}},
		{"base with a key twice", []string{"-stack", "prod", "-diff", dupKey}, 2, []string{"-diff " + dupKey, `the key "stacks[0].stack" appears twice`}},
		{"base that is not UTF-8", []string{"-stack", "prod", "-diff", notUTF8}, 2, []string{"-diff " + notUTF8, "not valid UTF-8"}},
		{"base that is a directory", []string{"-stack", "prod", "-diff", dir}, 2, []string{"-diff " + dir + ": "}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := synthRun(t, tc.args...)
			assert.Equal(t, tc.code, code, "exit status")
			assert.Empty(t, out, "nothing on stdout")
			for _, w := range tc.want {
				assert.Contains(t, errOut, w, "stderr")
			}
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(errOut), "\n")+1, "one line on stderr: %q", errOut)
			assert.NotContains(t, errOut, proj+"/", "the message names files relative to the project, once")
		})
	}
}

func TestHelp(t *testing.T) {
	code, out, errOut := synthRun(t, "-h")
	assert.Equal(t, 0, code, "help is no mistake")
	assert.Empty(t, out)
	for _, flag := range []string{"usage: synth -stack", "-stack", "-json", "-graph", "-diff", "-format", "-root"} {
		assert.Contains(t, errOut, flag, "usage lists the flags")
	}
}

func TestUnknownRuleInASuppression(t *testing.T) {
	// Given a baseline whose suppression names a rule the baseline does not have
	orig := baselineOf
	t.Cleanup(func() { baselineOf = orig })
	baselineOf = func(tier stacks.Tier) policy.Options {
		o := orig(tier)
		o.Suppressions = append(o.Suppressions, policy.Suppression{Rule: "no-such-rule", Resource: "aws:dynamodb/table:Table::inquiries", Reason: "a test"})
		return o
	}

	// When prod is planned, then Evaluate's error is the output, and the exit status 1
	code, out, errOut := synthRun(t, "-stack", "prod")
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	root, err := componenttest.FindProjectDir(".")
	require.NoError(t, err)
	rec, err := componenttest.Run(stacks.Program, componenttest.StackConfig(root, "prod"))
	require.NoError(t, err)
	_, evalErr := policy.Evaluate(rec.Resources(), baselineOf(stacks.Prod))
	require.Error(t, evalErr, "Evaluate refuses the suppression")
	assert.Equal(t, "synth: stack prod: baseline: "+evalErr.Error()+"\n", errOut, "Evaluate's error, named by stack")
	assert.Contains(t, errOut, "no-such-rule", "the message names the rule")
}

func TestViolationsFailTheRun(t *testing.T) {
	// Given a baseline that suppresses nothing but sees a violation (prod's rules on a dev
	// stack, where nothing is protected)
	orig := baselineOf
	t.Cleanup(func() { baselineOf = orig })
	baselineOf = func(stacks.Tier) policy.Options { return policy.Options{Production: true} }

	code, out, _ := synthRun(t, "-stack", "dev")
	assert.Equal(t, 1, code, "an unsuppressed violation fails the run")
	assert.Contains(t, out, "VIOLATION protect-stateful [high] aws:dynamodb/table:Table inquiries")
}

func TestSecretsAreMasked(t *testing.T) {
	// Given inputs that hold a secret, and a message that quotes it
	c := &converter{}
	in := resource.PropertyMap{
		"endpoint": resource.MakeSecret(resource.NewProperty("hunter2-token")),
		"nested":   resource.NewProperty(resource.PropertyMap{"key": resource.MakeSecret(resource.NewProperty("s3cr3t"))}),
		"plain":    resource.NewProperty("visible"),
	}
	got := c.value(resource.NewProperty(in)).(map[string]any)

	// Then the plan holds the mask, and messages lose the plaintext
	assert.Equal(t, plan.Secret, got["endpoint"], "secret input")
	assert.Equal(t, map[string]any{"key": plan.Secret}, got["nested"], "nested secret")
	assert.Equal(t, "visible", got["plain"])
	assert.Equal(t, "endpoint is [secret], key [secret]", c.mask("endpoint is hunter2-token, key s3cr3t"), "message masked")
	raw, err := json.Marshal(got)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "hunter2", "no plaintext in the plan")
}

func TestGraphBucketNotificationToQueue(t *testing.T) {
	// Given a bucket component whose notification sends to a queue component's queue
	const pre = "urn:pulumi:t::groundwork::"
	str := resource.NewProperty[string]
	recorded := []componenttest.Resource{
		{Type: "groundwork:bucket:Bucket", Name: "uploads", URN: pre + "groundwork:bucket:Bucket::uploads"},
		{Type: "aws:s3/bucketV2:BucketV2", Name: "uploads", Custom: true, ID: "uploads-1a2b3c4",
			URN: pre + "groundwork:bucket:Bucket$aws:s3/bucketV2:BucketV2::uploads", Parent: pre + "groundwork:bucket:Bucket::uploads",
			Outputs: resource.PropertyMap{"arn": str("arn:aws:s3:::uploads-1a2b3c4")}},
		{Type: "aws:s3/bucketNotification:BucketNotification", Name: "uploads-notify", Custom: true,
			URN: pre + "groundwork:bucket:Bucket$aws:s3/bucketNotification:BucketNotification::uploads-notify", Parent: pre + "groundwork:bucket:Bucket::uploads",
			Inputs: resource.PropertyMap{"bucket": str("uploads-1a2b3c4"), "queues": resource.NewProperty([]resource.PropertyValue{
				resource.NewProperty(resource.PropertyMap{"queueArn": str("arn:aws:sqs:eu-west-1:123456789012:jobs-9f8e7d6"), "events": resource.NewProperty([]resource.PropertyValue{str("s3:ObjectCreated:*")})}),
			})}},
		{Type: "groundwork:queue:Queue", Name: "jobs", URN: pre + "groundwork:queue:Queue::jobs"},
		{Type: "aws:sqs/queue:Queue", Name: "jobs", Custom: true, ID: "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs-9f8e7d6",
			URN: pre + "groundwork:queue:Queue$aws:sqs/queue:Queue::jobs", Parent: pre + "groundwork:queue:Queue::jobs",
			Outputs: resource.PropertyMap{"arn": str("arn:aws:sqs:eu-west-1:123456789012:jobs-9f8e7d6")}},
	}

	// When it is drawn
	var out bytes.Buffer
	writeGraph(&out, &plan.Plan{Stacks: []plan.Stack{{Stack: "t"}}}, [][]componenttest.Resource{recorded})

	// Then the bucket points at the queue, labelled with the events
	assert.Contains(t, out.String(), `t_bucket_uploads -->|"notifies s3:ObjectCreated:*"| t_queue_jobs`, "bucket -> queue edge")
}

func TestMarkdownStaysWithinACommentsSize(t *testing.T) {
	// Given a diff whose property changes would not fit a pull-request comment
	const urn = "urn:pulumi:prod::groundwork::aws:sqs/queue:Queue::q"
	var props []plan.PropertyChange
	for i := range 2000 {
		props = append(props, plan.PropertyChange{Path: fmt.Sprintf("tags.k%04d", i), Old: strings.Repeat("o", 20), New: strings.Repeat("n", 20)})
	}
	d := plan.StackDiff{Stack: "prod", Changes: []plan.Change{{Op: plan.Update, URN: urn, Type: "aws:sqs/queue:Queue", Properties: props}}}

	// When it is rendered in markdown
	var out bytes.Buffer
	writeDiffMarkdown(&out, &plan.Plan{Stacks: []plan.Stack{{Stack: "prod"}}}, []plan.StackDiff{d})

	// Then the comment fits GitHub's limit and says what it left out
	assert.Less(t, out.Len(), 65_536, "comment size")
	assert.Regexp(t, `\d+ more changes left out to keep the comment within GitHub's size limit`, out.String())
	assert.Contains(t, out.String(), "| `q` | `tags.k0000` |", "the first changes are shown")
}

func TestPlanRecordsTheIDsARenameKeeps(t *testing.T) {
	// Given the plan of a stack
	p := planOf(t, "dev")
	s := &p.Stacks[0]

	// Then every provider-managed resource carries the id the mocks gave it, which is what
	// a diff needs to read a renamed resource's ARNs and URLs as the old ones
	for _, r := range s.Resources {
		if r.Custom {
			assert.NotEmpty(t, r.ID, "id of %s", r.URN)
		} else {
			assert.Empty(t, r.ID, "a component has no id: %s", r.URN)
		}
	}
	api := find(t, s, "aws:apigatewayv2/api:Api", "http")
	stage := find(t, s, "aws:apigatewayv2/stage:Stage", "http")
	assert.Equal(t, api.ID, stage.InputString("apiId"), "the stage's apiId is the API's recorded id")
}

func TestDiffOfStacksNewAndGone(t *testing.T) {
	// Given a base plan without prod, and with a stack qa whose file is gone
	base := planOf(t, "all")
	dev, _ := base.Stack("dev")
	qa := clonePlan(t, &plan.Plan{Stacks: []plan.Stack{*dev}}).Stacks[0]
	qa.Stack = "qa"
	var kept []plan.Stack
	for _, s := range base.Stacks {
		if s.Stack != "prod" {
			kept = append(kept, s)
		}
	}
	base.Stacks = append(kept, qa)
	path := writeBase(t, base)

	// When every stack is compared with it
	code, out, errOut := synthRun(t, "-stack", "all", "-diff", path)
	require.Equal(t, 0, code, errOut)

	// Then prod is all new, and qa deletes nothing: its resources stay until pulumi destroy
	assert.Contains(t, out, "stack prod: 57 to add, 0 to change, 0 to replace, 0 to delete, 0 unchanged (a stack the base plan does not have)")
	assert.Contains(t, out, "stack qa: no longer planned (its stack file is gone), which deletes nothing: `pulumi destroy --stack qa` would delete its 47 resources (8 of them holding data)")
	assert.NotContains(t, out, "DELETE", "a removed stack file deletes nothing")

	// And the markdown summary counts no deletion
	_, md, _ := synthRun(t, "-stack", "all", "-diff", path, "-format", "markdown")
	assert.Contains(t, md, "**Offline plan**: 57 to add, 0 to change, 0 to replace, 0 to delete across 4 stacks")
	assert.NotContains(t, md, "[!CAUTION]")
}
