package policypack_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/policy"
	"github.com/groundwork-dev/groundwork/components/policy/policypack"
	"github.com/groundwork-dev/groundwork/components/policy/policypack/packtest"
)

// productionVar lets a test hold a stack to the production rules whatever its name.
const productionVar = "POLICYPACK_TEST_PRODUCTION"

var (
	// suppressions of the test pack, for every stack: the planted log group keeps its events
	// forever, on purpose. stagingSuppressions are the staging stack's own: its plain queue.
	// Both name the rule the baseline reports first for the resource (TestMain finds it), so
	// the tests hold whatever the rules' ids are.
	suppressions, stagingSuppressions []policy.Suppression
	// pack is the analyzer of the pack under test; capture one that records what a stack
	// policy receives.
	pack, capture pulumirpc.AnalyzerClient
	// logs is what the pack under test logged.
	logs lockedBuffer
	// captured is the last stack capture's policy received.
	captured   []policyx.AnalyzerResource
	capturedMu sync.Mutex
)

// firstRule is the rule of the first violation Evaluate reports for the planted resource
// with a logical name, outside production.
func firstRule(name string) (string, error) {
	rec, err := componenttest.Run(planted, componenttest.Stack("dev"))
	if err != nil {
		return "", err
	}
	rep, err := policy.Evaluate(rec.Resources(), policy.Options{})
	if err != nil {
		return "", err
	}
	for _, v := range rep.Violations {
		if strings.HasSuffix(v.Resource, "::"+name) {
			return v.Rule, nil
		}
	}
	return "", fmt.Errorf("the baseline reports nothing for the planted %q", name)
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestMain(m *testing.M) {
	groupRule, err := firstRule("forever")
	queueRule, qerr := firstRule("plain")
	if err = errors.Join(err, qerr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	suppressions = []policy.Suppression{{Rule: groupRule, Resource: "aws:cloudwatch/logGroup:LogGroup::forever", Reason: "audit log, kept by law"}}
	stagingSuppressions = []policy.Suppression{{Rule: queueRule, Resource: "aws:sqs/queue:Queue::plain", Reason: "staging's scratch queue"}}
	factory, err := policypack.Config{
		Name:         "baseline-test",
		Version:      "1.2.3",
		Suppressions: suppressions,
		StackSuppressions: func(ctx *pulumi.Context) ([]policy.Suppression, error) {
			switch ctx.Stack() {
			case "staging":
				return stagingSuppressions, nil
			case "broken":
				return []policy.Suppression{{Rule: "no-such-rule", Resource: "x", Reason: "r"}}, nil
			}
			return nil, nil
		},
		Production:      policypack.FromEnv(productionVar, policypack.StackNamed("prod")),
		PreviewAdvisory: policypack.StackNamed("dev"),
		Log:             slog.New(slog.NewTextHandler(&logs, nil)),
	}.Factory()
	if err == nil {
		pack, err = packtest.Start(factory)
	}
	if err == nil {
		capture, err = packtest.Start(func(*pulumi.Context) (policyx.PolicyPack, error) {
			return policyx.NewPolicyPack("capture", semver.MustParse("0.0.1"), policyx.EnforcementLevelAdvisory, []policyx.Policy{
				policyx.NewStackValidationPolicy("capture", policyx.StackValidationPolicyArgs{
					ValidateStack: func(_ context.Context, args policyx.StackValidationArgs) error {
						capturedMu.Lock()
						defer capturedMu.Unlock()
						captured = args.Resources
						return nil
					},
				}),
			})
		})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// planted is a program with what an audit planted: a Lambda permission for any principal
// without a source ARN, an IAM policy and a role policy allowing "*" on "*", an unencrypted
// queue with a public queue policy, a bucket without its satellites, a table and a log group
// without retention (suppressed), all under a component and an explicit provider.
func planted(ctx *pulumi.Context) error {
	var provider pulumi.ProviderResourceState
	if err := ctx.RegisterResource("pulumi:providers:aws", "eu", pulumi.Map{"region": pulumi.String("eu-west-1")}, &provider); err != nil {
		return err
	}
	var app pulumi.ResourceState
	if err := ctx.RegisterComponentResource("acme:app:App", "app", &app); err != nil {
		return err
	}
	opts := []pulumi.ResourceOption{pulumi.Parent(&app), pulumi.Provider(&provider)}
	custom := func(typ, name string, props pulumi.Map, more ...pulumi.ResourceOption) (*pulumi.CustomResourceState, error) {
		var r pulumi.CustomResourceState
		return &r, ctx.RegisterResource(typ, name, props, &r, append(slices.Clone(opts), more...)...)
	}
	anyAll := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	steps := []struct {
		typ, name string
		props     pulumi.Map
		more      []pulumi.ResourceOption
	}{
		{"aws:lambda/permission:Permission", "anyone", pulumi.Map{
			"action": pulumi.String("lambda:InvokeFunction"), "function": pulumi.String("fn"), "principal": pulumi.String("*"),
		}, nil},
		{"aws:iam/policy:Policy", "admin", pulumi.Map{"policy": pulumi.String(anyAll)}, nil},
		{"aws:iam/rolePolicy:RolePolicy", "admin-inline", pulumi.Map{"role": pulumi.String("r"), "policy": pulumi.String(anyAll)}, nil},
		{"aws:sqs/queue:Queue", "plain", pulumi.Map{"sqsManagedSseEnabled": pulumi.Bool(false)}, nil},
		{"aws:s3/bucketV2:BucketV2", "bare", pulumi.Map{}, []pulumi.ResourceOption{pulumi.Aliases([]pulumi.Alias{{Name: pulumi.String("old-bare")}})}},
		{"aws:dynamodb/table:Table", "records", pulumi.Map{
			"pointInTimeRecovery":  pulumi.Map{"enabled": pulumi.Bool(true)},
			"serverSideEncryption": pulumi.Map{"enabled": pulumi.Bool(true)},
			"masterPassword":       pulumi.ToSecret(pulumi.String("hunter2")),
		}, []pulumi.ResourceOption{pulumi.IgnoreChanges([]string{"tags"}), pulumi.DeleteBeforeReplace(true)}},
		{"aws:cloudwatch/logGroup:LogGroup", "forever", pulumi.Map{}, nil},
	}
	made := map[string]*pulumi.CustomResourceState{}
	for _, s := range steps {
		r, err := custom(s.typ, s.name, s.props, s.more...)
		if err != nil {
			return err
		}
		made[s.name] = r
	}
	// A public queue policy, depending on the queue through its URL.
	_, err := custom("aws:sqs/queuePolicy:QueuePolicy", "public", pulumi.Map{
		"queueUrl": made["plain"].ID().ToStringOutput(),
		"policy":   pulumi.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"*"}]}`),
	}, pulumi.DependsOn([]pulumi.Resource{made["anyone"]}), pulumi.Protect(true))
	return err
}

// finding is a violation as the CLI shows it: the policy, the resource and the message.
type finding struct {
	Policy, URN, Message string
	Level                pulumirpc.EnforcementLevel
}

func findings(ds []*pulumirpc.AnalyzeDiagnostic) []finding {
	out := make([]finding, 0, len(ds))
	for _, d := range ds {
		out = append(out, finding{d.GetPolicyName(), d.GetUrn(), d.GetMessage(), d.GetEnforcementLevel()})
	}
	return sorted(out)
}

// expected is how the pack must report what Evaluate reports: under the rule's policy, at its
// enforcement level, the policy's description and the rule's message.
func expected(t *testing.T, vs []policy.Violation) []finding {
	t.Helper()
	rules := map[string]policy.Rule{}
	for _, r := range policy.Rules() {
		rules[r.ID] = r
	}
	out := make([]finding, 0, len(vs))
	for _, v := range vs {
		r, ok := rules[v.Rule]
		require.True(t, ok, "Evaluate reports rule %q, which policy.Rules lacks", v.Rule)
		out = append(out, finding{v.Rule, v.Resource, policypack.Description(r) + "\n" + v.Message, pulumirpc.EnforcementLevel(policypack.Enforcement(r.Severity))})
	}
	return sorted(out)
}

func sorted(fs []finding) []finding {
	slices.SortFunc(fs, func(a, b finding) int {
		return strings.Compare(a.Policy+a.URN+a.Message, b.Policy+b.URN+b.Message)
	})
	return fs
}

func analyze(t *testing.T, rec *componenttest.Recorder) (packtest.Analysis, error) {
	t.Helper()
	req, err := packtest.StackRequest(rec)
	require.NoError(t, err, "the recording converts to an AnalyzeStack request")
	return packtest.Analyze(context.Background(), pack, packtest.StackOf(rec, nil), req)
}

// productionOnly reports whether a diagnostic is of a rule that holds only in production.
func productionOnly(d *pulumirpc.AnalyzeDiagnostic) bool {
	return slices.ContainsFunc(policy.Rules(), func(r policy.Rule) bool { return r.ID == d.GetPolicyName() && r.Production })
}

// optionsFor are the options the test pack must evaluate a stack with.
func optionsFor(stack string, production bool) policy.Options {
	sups := slices.Clone(suppressions)
	if stack == "staging" {
		sups = append(sups, stagingSuppressions...)
	}
	return policy.Options{Production: production, Suppressions: sups}
}

func TestPackReportsWhatEvaluateReports(t *testing.T) {
	t.Setenv(productionVar, "")
	for _, tc := range []struct {
		stack      string
		production bool
	}{
		{"dev", false},
		{"staging", false},
		{"prod", true},
	} {
		t.Run(tc.stack, func(t *testing.T) {
			// Given the planted program recorded as this stack
			rec := componenttest.MustRun(t, planted, componenttest.Stack(tc.stack))
			// When the pack analyzes what the engine would send for it
			got, err := analyze(t, rec)
			require.NoError(t, err)
			// Then it reports exactly what Evaluate reports for the recording, no more
			rep, err := policy.Evaluate(rec.Resources(), optionsFor(tc.stack, tc.production))
			require.NoError(t, err)
			want := expected(t, rep.Violations)
			require.NotEmpty(t, want, "the planted program breaks the baseline")
			assert.Equal(t, want, findings(got.Diagnostics), "the pack's violations are Evaluate's")
			// And the planted resources the baseline must catch are among them
			flagged := map[string]bool{}
			for _, f := range findings(got.Diagnostics) {
				flagged[f.URN] = true
			}
			for _, name := range []string{"admin-inline", "bare"} {
				r, ok := rec.Named(name)
				require.True(t, ok)
				assert.True(t, flagged[r.URN], "planted %s %q is reported", r.Type, name)
			}
			// And the production rules apply to the prod stack alone
			assert.Equal(t, tc.production, slices.ContainsFunc(got.Diagnostics, productionOnly),
				"a rule that holds only in production is reported exactly on a production stack")
		})
	}
}

func TestProductionFromTheEnvironment(t *testing.T) {
	rec := componenttest.MustRun(t, planted, componenttest.Stack("dev"))
	prodRec := componenttest.MustRun(t, planted, componenttest.Stack("prod"))
	for _, tc := range []struct {
		name, value string
		rec         *componenttest.Recorder
		production  bool
		err         string
	}{
		{"true holds a dev stack to the production rules", "true", rec, true, ""},
		{"false exempts the prod stack", "false", prodRec, false, ""},
		{"unset leaves it to the stack's name", "", prodRec, true, ""},
		{"anything else is an error naming the variable", "maybe", rec, false, productionVar + `: "maybe" is not true or false`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Given the variable
			t.Setenv(productionVar, tc.value)
			// When the pack analyzes the stack
			got, err := analyze(t, tc.rec)
			// Then the production rules apply as the variable says, or the analysis stops
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err, "the error names the variable and its value")
				return
			}
			require.NoError(t, err)
			rep, err := policy.Evaluate(tc.rec.Resources(), optionsFor(tc.rec.Stack, tc.production))
			require.NoError(t, err)
			assert.Equal(t, expected(t, rep.Violations), findings(got.Diagnostics), "violations of a stack with Production %v", tc.production)
			assert.Equal(t, tc.production, slices.ContainsFunc(got.Diagnostics, productionOnly), "production rules reported")
		})
	}
}

func TestSuppressionsAreAppliedAndLogged(t *testing.T) {
	t.Setenv(productionVar, "")
	for _, tc := range []struct {
		stack      string
		suppressed []policy.Suppression
		kept       []policy.Suppression
	}{
		{"dev", suppressions, stagingSuppressions},
		{"staging", append(slices.Clone(suppressions), stagingSuppressions...), nil},
	} {
		t.Run(tc.stack, func(t *testing.T) {
			// Given the pack's suppressions, for every stack and for staging
			rec := componenttest.MustRun(t, planted, componenttest.Stack(tc.stack))
			// When the pack analyzes the stack
			got, err := analyze(t, rec)
			require.NoError(t, err)
			// Then the violations the stack's suppressions accept are not reported, and the
			// log names each with its reason; the other stack's suppressions do not apply
			reported := func(s policy.Suppression) bool {
				r := rec.Must(t, s.Resource[:strings.Index(s.Resource, "::")], s.Resource[strings.LastIndex(s.Resource, "::")+2:])
				return slices.ContainsFunc(got.Diagnostics, func(d *pulumirpc.AnalyzeDiagnostic) bool {
					return d.GetPolicyName() == s.Rule && d.GetUrn() == r.URN
				})
			}
			for _, s := range tc.suppressed {
				assert.False(t, reported(s), "%s on %s is suppressed", s.Rule, s.Resource)
				r := rec.Must(t, s.Resource[:strings.Index(s.Resource, "::")], s.Resource[strings.LastIndex(s.Resource, "::")+2:])
				assert.Contains(t, logs.String(), "msg=suppressed rule="+s.Rule+" resource="+r.URN, "the suppressed violation is logged")
				assert.Contains(t, logs.String(), fmt.Sprintf("reason=%q", s.Reason), "with its reason")
			}
			for _, s := range tc.kept {
				assert.True(t, reported(s), "%s on %s is reported on stack %s", s.Rule, s.Resource, tc.stack)
			}
		})
	}
}

func TestPreviewAdvisory(t *testing.T) {
	t.Setenv(productionVar, "")
	for _, tc := range []struct {
		name, stack string
		preview     bool
		advisory    bool
	}{
		{"a preview of a stack PreviewAdvisory names", "dev", true, true},
		{"an update of that stack", "dev", false, false},
		{"a preview of another stack", "prod", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Given the planted program, and a preview or an update of a stack
			rec := componenttest.MustRun(t, planted, componenttest.Stack(tc.stack))
			req, err := packtest.StackRequest(rec)
			require.NoError(t, err)
			stack := packtest.StackOf(rec, nil)
			stack.DryRun = tc.preview
			// When the pack analyzes it
			got, err := packtest.Analyze(context.Background(), pack, stack, req)
			require.NoError(t, err)
			// Then every policy and violation is advisory exactly when PreviewAdvisory says so,
			// and the violations are the same either way
			mandatory := slices.ContainsFunc(got.Info.GetPolicies(), func(p *pulumirpc.PolicyInfo) bool {
				return p.GetEnforcementLevel() == pulumirpc.EnforcementLevel_MANDATORY
			})
			assert.Equal(t, !tc.advisory, mandatory, "some policy is mandatory")
			assert.Equal(t, !tc.advisory, slices.ContainsFunc(got.Diagnostics, func(d *pulumirpc.AnalyzeDiagnostic) bool {
				return d.GetEnforcementLevel() == pulumirpc.EnforcementLevel_MANDATORY
			}), "some violation is mandatory")
			rep, err := policy.Evaluate(rec.Resources(), optionsFor(tc.stack, tc.stack == "prod"))
			require.NoError(t, err)
			want := expected(t, rep.Violations)
			for i := range want {
				if tc.advisory {
					want[i].Level = pulumirpc.EnforcementLevel_ADVISORY
				}
			}
			assert.Equal(t, want, findings(got.Diagnostics), "the violations, at their levels")
		})
	}
}

func TestPreviewsEnforceWhatTheyKnow(t *testing.T) {
	t.Setenv(productionVar, "")
	// Given the planted program and a bucket whose policy is built from its id, recorded as
	// `pulumi preview` runs them, for a stack whose previews are not advisory: the queue
	// policy's URL, the bucket policy and every id and ARN are unknown
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		if err := planted(ctx); err != nil {
			return err
		}
		var b, p pulumi.CustomResourceState
		if err := ctx.RegisterResource("aws:s3/bucketV2:BucketV2", "archive", pulumi.Map{}, &b); err != nil {
			return err
		}
		return ctx.RegisterResource("aws:s3/bucketPolicy:BucketPolicy", "archive-policy", pulumi.Map{"bucket": b.ID().ToStringOutput(),
			"policy": pulumi.Sprintf(`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::%s","arn:aws:s3:::%s/*"],`+
				`"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, b.ID(), b.ID())}, &p)
	}, componenttest.Stack("prod"), componenttest.Preview())
	req, err := packtest.StackRequest(rec)
	require.NoError(t, err)
	stack := packtest.StackOf(rec, nil)
	require.True(t, stack.DryRun, "the engine says it is a preview")
	// When the pack analyzes it
	got, err := packtest.Analyze(context.Background(), pack, stack, req)
	require.NoError(t, err)
	// Then it reports what Evaluate reports on the preview, at each rule's level: the planted
	// literals are mandatory violations in the preview already
	rep, err := policy.Evaluate(rec.Resources(), optionsFor("prod", true))
	require.NoError(t, err)
	assert.Equal(t, expected(t, rep.Violations), findings(got.Diagnostics), "the preview's violations, at their levels")
	for _, want := range []struct{ rule, name string }{
		{"lambda-public-access", "anyone"}, {"iam-no-admin", "admin"}, {"iam-no-admin", "admin-inline"}, {"sqs-encryption", "plain"},
		{"sqs-public-policy", "public"}, {"sqs-tls-only", "plain"}, // the queue's only policy is known, and denies nothing
		{"s3-public-access-block", "bare"}, // no public access block at all
	} {
		assert.True(t, slices.ContainsFunc(got.Diagnostics, func(d *pulumirpc.AnalyzeDiagnostic) bool {
			return d.GetPolicyName() == want.rule && strings.HasSuffix(d.GetUrn(), "::"+want.name) && d.GetEnforcementLevel() == pulumirpc.EnforcementLevel_MANDATORY
		}), "%s on %s is a mandatory violation in the preview", want.rule, want.name)
	}
	// And what it cannot decide is logged, one line each, and not reported as a violation
	assert.True(t, slices.ContainsFunc(rep.Undecided, func(v policy.Violation) bool {
		return v.Rule == "s3-tls-only" && strings.HasSuffix(v.Resource, "::archive")
	}), "whether the bucket's policy denies plain HTTP is undecided in the preview")
	for _, v := range rep.Undecided {
		assert.Contains(t, logs.String(), "rule="+v.Rule+" resource="+v.Resource, "undecided %s on %s is logged", v.Rule, v.Resource)
		assert.False(t, slices.ContainsFunc(got.Diagnostics, func(d *pulumirpc.AnalyzeDiagnostic) bool {
			return d.GetPolicyName() == v.Rule && d.GetUrn() == v.Resource
		}), "undecided %s on %s is no violation", v.Rule, v.Resource)
	}
}

func TestABadStackSuppressionStopsThePack(t *testing.T) {
	// Given a stack whose suppressions name no rule of the baseline
	rec := componenttest.MustRun(t, planted, componenttest.Stack("broken"))
	// When the engine configures the pack for it
	_, err := analyze(t, rec)
	// Then configuring fails, naming the stack and the suppression
	require.Error(t, err)
	assert.Contains(t, err.Error(), `ConfigureStack`)
	assert.Contains(t, err.Error(), `stack "broken": the stack's suppressions: Suppressions[0]: Rule "no-such-rule" is no rule of the baseline`)
}

func TestASuppressionOfAnAbsentResourceFailsTheAnalysis(t *testing.T) {
	// Given a program without the log group the pack's suppression names
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		var q pulumi.CustomResourceState
		return ctx.RegisterResource("aws:sqs/queue:Queue", "q", pulumi.Map{}, &q)
	}, componenttest.Stack("dev"))
	// When the pack analyzes it
	_, err := analyze(t, rec)
	// Then the analysis fails with Evaluate's error, naming the suppression's resource
	require.Error(t, err)
	assert.Contains(t, err.Error(), `resource "aws:cloudwatch/logGroup:LogGroup::forever" is not in the program`)
}

func TestAnalyzerInfo(t *testing.T) {
	// Given the pack configured for a stack
	rec := componenttest.MustRun(t, planted, componenttest.Stack("dev"))
	// When the engine asks for its info
	got, err := analyze(t, rec)
	require.NoError(t, err)
	// Then it names the pack and has one policy per rule, with the rule's description and level
	assert.Equal(t, "baseline-test", got.Info.GetName(), "pack name")
	assert.Equal(t, "1.2.3", got.Info.GetVersion(), "pack version")
	rules := policy.Rules()
	require.Len(t, got.Info.GetPolicies(), len(rules), "one policy per rule")
	for i, r := range rules {
		p := got.Info.GetPolicies()[i]
		assert.Equal(t, r.ID, p.GetName(), "policy %d is named by its rule's id", i)
		assert.Equal(t, policypack.Description(r), p.GetDescription(), "%s: description", r.ID)
		assert.True(t, strings.HasPrefix(p.GetDescription(), r.Title), "%s: description starts with the title", r.ID)
		want := pulumirpc.EnforcementLevel_ADVISORY
		if r.Severity == policy.Critical || r.Severity == policy.High {
			want = pulumirpc.EnforcementLevel_MANDATORY
		}
		assert.Equal(t, want, p.GetEnforcementLevel(), "%s (%s): enforcement level", r.ID, r.Severity)
	}
}

// TestConversionIsFaithful sends a recording through the real server's unmarshalling and
// converts what a stack policy receives back: each field the rules read is the recording's.
func TestConversionIsFaithful(t *testing.T) {
	for _, mode := range componenttest.Modes {
		t.Run(mode.Name, func(t *testing.T) { conversionIsFaithful(t, mode) })
	}
}

func conversionIsFaithful(t *testing.T, mode componenttest.Mode) {
	// Given the planted program, recorded in the mode (in a preview, with unknown values)
	rec := componenttest.MustRun(t, planted, append([]componenttest.Option{componenttest.Stack("dev")}, mode.Options...)...)
	req, err := packtest.StackRequest(rec)
	require.NoError(t, err)
	// When a stack policy receives it and converts it
	_, err = packtest.Analyze(context.Background(), capture, packtest.StackOf(rec, nil), req)
	require.NoError(t, err)
	capturedMu.Lock()
	got := policypack.Resources(captured)
	capturedMu.Unlock()
	// Then every recorded resource comes back as recorded, and the root stack is left out
	want := rec.Resources()
	require.Len(t, got, len(want), "one resource per recorded one, without the root stack")
	byURN := map[string]componenttest.Resource{}
	for _, r := range got {
		byURN[r.URN] = r
	}
	for _, w := range want {
		g, ok := byURN[w.URN]
		require.True(t, ok, "%s is sent", w.URN)
		assert.Equal(t, w.Type, g.Type, "%s: Type", w.Name)
		assert.Equal(t, w.Name, g.Name, "%s: Name", w.Name)
		wantID := w.ID
		if strings.HasPrefix(w.Type, "pulumi:providers:") {
			wantID = "" // a provider's ID is not among its outputs, and the protocol has no other place for it
		}
		assert.Equal(t, wantID, g.ID, "%s: ID", w.Name)
		assert.Equal(t, w.IDUnknown && !strings.HasPrefix(w.Type, "pulumi:providers:"), g.IDUnknown, "%s: IDUnknown", w.Name)
		assert.Equal(t, w.Custom, g.Custom, "%s: Custom", w.Name)
		assert.Equal(t, w.Parent, g.Parent, "%s: Parent", w.Name)
		assert.Equal(t, w.Protect, g.Protect, "%s: Protect", w.Name)
		assert.Equal(t, w.DeleteBeforeReplace, g.DeleteBeforeReplace, "%s: DeleteBeforeReplace", w.Name)
		assert.Equal(t, w.IgnoreChanges, g.IgnoreChanges, "%s: IgnoreChanges", w.Name)
		assert.ElementsMatch(t, w.DependsOn, g.DependsOn, "%s: DependsOn", w.Name)
		assert.Equal(t, nonEmpty(w.PropertyDependencies), g.PropertyDependencies, "%s: PropertyDependencies (the engine sends none for an input without)", w.Name)
		assert.Equal(t, w.Aliases, g.Aliases, "%s: Aliases", w.Name)
		assert.Equal(t, w.PhysicalName, g.PhysicalName, "%s: PhysicalName", w.Name)
		assert.Equal(t, w.Outputs, g.Outputs, "%s: Outputs", w.Name)
		assert.Equal(t, w.Outputs, g.Inputs, "%s: Inputs are the outputs the engine sends", w.Name)
		wantProvider := ""
		if w.Provider != "" {
			wantProvider = w.Provider[:strings.LastIndex(w.Provider, "::")]
		}
		gotProvider := ""
		if g.Provider != "" {
			gotProvider = g.Provider[:strings.LastIndex(g.Provider, "::")]
		}
		assert.Equal(t, wantProvider, gotProvider, "%s: the provider's URN", w.Name)
	}
	// And the planted options made it through, so the comparisons above compared something
	table := byURN[rec.Must(t, "aws:dynamodb/table:Table", "records").URN]
	assert.True(t, table.Outputs["masterPassword"].IsSecret(), "a secret stays secret")
	assert.Equal(t, []string{"tags"}, table.IgnoreChanges, "IgnoreChanges")
	assert.True(t, table.DeleteBeforeReplace, "DeleteBeforeReplace")
	assert.NotEmpty(t, byURN[rec.Must(t, "aws:s3/bucketV2:BucketV2", "bare").URN].Aliases, "Aliases")
	policyRes := byURN[rec.Must(t, "aws:sqs/queuePolicy:QueuePolicy", "public").URN]
	assert.True(t, policyRes.Protect, "Protect")
	assert.NotEmpty(t, policyRes.PropertyDependencies["queueUrl"], "PropertyDependencies")
	if mode.Name == "update" {
		assert.NotEmpty(t, table.ID, "ID")
		return
	}
	// And in a preview what is unknown stays unknown, and what is known stays known
	assert.True(t, table.IDUnknown, "the table's id is unknown in a preview")
	assert.True(t, policyRes.Unknown("queueUrl"), "the queue policy's URL, built from the queue's id, is unknown")
	assert.True(t, byURN[rec.Must(t, "aws:sqs/queue:Queue", "plain").URN].Unknown("arn"), "the queue's ARN is unknown")
	assert.False(t, policyRes.Unknown("policy"), "the literal policy is known")
}

// nonEmpty is deps without the inputs that depend on nothing; nil when none is left.
func nonEmpty(deps map[string][]string) map[string][]string {
	var out map[string][]string
	for k, v := range deps {
		if len(v) > 0 {
			if out == nil {
				out = map[string][]string{}
			}
			out[k] = v
		}
	}
	return out
}

func TestFactoryRefusesBadConfig(t *testing.T) {
	good := policypack.Config{Name: "p", Version: "1.0.0"}
	rule := policy.Rules()[0].ID
	for _, tc := range []struct {
		name string
		edit func(*policypack.Config)
		want string
	}{
		{"version", func(c *policypack.Config) { c.Version = "one" }, `Version "one"`},
		{"name", func(c *policypack.Config) { c.Name = "no spaces" }, `Name: invalid policy pack name: "no spaces"`},
		{"unknown rule", func(c *policypack.Config) {
			c.Suppressions = []policy.Suppression{{Rule: "s3-nope", Resource: "x", Reason: "r"}}
		}, `Suppressions[0]: Rule "s3-nope" is no rule of the baseline`},
		{"no reason", func(c *policypack.Config) {
			c.Suppressions = []policy.Suppression{{Rule: rule, Resource: "x", Reason: " "}}
		}, `Suppressions[0] (` + rule + ` on x): Reason is empty`},
		{"no resource", func(c *policypack.Config) {
			c.Suppressions = []policy.Suppression{{Rule: rule, Reason: "r"}}
		}, `Suppressions[0] (` + rule + `): Resource is empty`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Given a config with one mistake
			c := good
			tc.edit(&c)
			// When the factory is made
			f, err := c.Factory()
			// Then it is refused with an error naming the field
			require.Error(t, err)
			assert.Nil(t, f, "no factory")
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// BenchmarkAnalyzePlanted is one AnalyzeStack of the planted program over gRPC.
func BenchmarkAnalyzePlanted(b *testing.B) {
	rec := componenttest.MustRun(b, planted, componenttest.Stack("dev"))
	req, err := packtest.StackRequest(rec)
	require.NoError(b, err)
	ctx := context.Background()
	_, err = packtest.Analyze(ctx, pack, packtest.StackOf(rec, nil), req)
	require.NoError(b, err)
	for b.Loop() {
		if _, err := pack.AnalyzeStack(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
