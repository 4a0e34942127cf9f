package policypack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/internal/naming"
	"github.com/groundwork-dev/groundwork/components/policy"
)

// Config describes a pack built from the baseline.
type Config struct {
	// Name is the pack's name as `pulumi preview` shows it: 1 to 100 letters, digits, '-',
	// '_' and '.'.
	Name string
	// Version is the pack's semantic version, such as "0.1.0". Keep the version of the
	// PulumiPolicy.yaml next to the pack's main equal to it.
	Version string
	// Suppressions accept violations on every stack, each of one rule on one resource, for a
	// reason. Each must name a rule of the baseline and give a reason (Factory checks); a
	// resource it names that the analyzed stack lacks fails that analysis (policy.Evaluate).
	Suppressions []policy.Suppression
	// StackSuppressions adds the suppressions of the stack the engine configures the pack
	// for, such as those of its tier: a program's suppressions differ between its stacks, and
	// must not be applied to another program's stacks, where they would name resources that
	// are not there. They are checked as Suppressions are, when the stack is configured. Nil
	// means none.
	StackSuppressions func(ctx *pulumi.Context) ([]policy.Suppression, error)
	// Production decides, once per stack when the engine configures the pack, whether the
	// rules that hold only in production apply. Nil means StackNamed("prod", "production").
	Production StackFunc
	// PreviewAdvisory decides, for a preview (the engine configures the pack with DryRun),
	// whether every policy is advisory in it: violations are shown, the preview does not
	// fail, and the update enforces each policy at its own level. A preview does not need
	// it to pass: a rule that needs a value the preview does not know (an output of a
	// resource still to be created) leaves its outcome undecided (policy.Report.Undecided,
	// logged), so a preview fails only on what it knows to be wrong. It is for a team that
	// wants previews to warn only. Nil means never: previews enforce the levels.
	PreviewAdvisory StackFunc
	// Log receives a line for each suppressed violation and each unused suppression, so
	// neither is silent. Nil means a text logger on stderr, which the Pulumi CLI shows.
	Log *slog.Logger
}

// StackFunc answers a question about the stack the engine configures the pack for (is it a
// production stack?), from what the engine tells the pack about it: ctx.Stack(),
// ctx.Project(), ctx.Organization(), ctx.DryRun() and the stack's config (ctx.GetConfig). An
// error stops the pack's configuration, and the preview or update, with its message.
type StackFunc func(ctx *pulumi.Context) (bool, error)

// Always answers yes for every stack.
func Always(*pulumi.Context) (bool, error) { return true, nil }

// StackNamed says production for the stacks of these names (the last part of a fully
// qualified "org/project/stack" counts).
func StackNamed(names ...string) StackFunc {
	return func(ctx *pulumi.Context) (bool, error) {
		stack := ctx.Stack()
		stack = stack[strings.LastIndex(stack, "/")+1:]
		return slices.Contains(names, stack), nil
	}
}

// FromEnv lets the environment variable named variable decide, when it is set to a value
// strconv.ParseBool accepts ("true", "false", "1", "0", ...); any other value is an error
// naming the variable. When the variable is unset or empty, next decides. The Pulumi CLI
// passes its environment to the packs it starts, so `GROUNDWORK_POLICY_PRODUCTION=true pulumi
// preview ...` holds a stack to the production rules whatever its name.
func FromEnv(variable string, next StackFunc) StackFunc {
	return func(ctx *pulumi.Context) (bool, error) {
		v := os.Getenv(variable)
		if v == "" {
			return next(ctx)
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false, fmt.Errorf("environment variable %s: %q is not true or false", variable, v)
		}
		return b, nil
	}
}

// Factory checks the config and returns what policyx.Main takes: the function that builds the
// pack for each stack the engine analyzes. A bad name or version, or a suppression that names
// no rule of the baseline, no resource or gives no reason, is an error naming the field.
func (c Config) Factory() (func(*pulumi.Context) (policyx.PolicyPack, error), error) {
	version, err := semver.Parse(c.Version)
	if err != nil {
		return nil, fmt.Errorf("policy pack %q: Version %q: %v", c.Name, c.Version, err)
	}
	if _, err := NewPack(c.Name, version, policy.Options{}, c.Log); err != nil {
		return nil, fmt.Errorf("policy pack Name: %w", err)
	}
	if err := CheckSuppressions(c.Suppressions); err != nil {
		return nil, fmt.Errorf("policy pack %q: %w", c.Name, err)
	}
	production := c.Production
	if production == nil {
		production = StackNamed("prod", "production")
	}
	return func(ctx *pulumi.Context) (policyx.PolicyPack, error) {
		prod, err := production(ctx)
		if err != nil {
			return nil, fmt.Errorf("policy pack %q, stack %q: deciding whether it is production: %w", c.Name, ctx.Stack(), err)
		}
		sups := slices.Clone(c.Suppressions)
		if c.StackSuppressions != nil {
			more, err := c.StackSuppressions(ctx)
			if err == nil {
				err = CheckSuppressions(more)
			}
			if err != nil {
				return nil, fmt.Errorf("policy pack %q, stack %q: the stack's suppressions: %w", c.Name, ctx.Stack(), err)
			}
			sups = append(sups, more...)
		}
		advisory := false
		if ctx.DryRun() && c.PreviewAdvisory != nil {
			if advisory, err = c.PreviewAdvisory(ctx); err != nil {
				return nil, fmt.Errorf("policy pack %q, stack %q: deciding whether the preview is advisory: %w", c.Name, ctx.Stack(), err)
			}
		}
		level := enforcement
		if advisory {
			level = func(policy.Rule) policyx.EnforcementLevel { return policyx.EnforcementLevelAdvisory }
		}
		ps, _ := policies(policy.Options{Production: prod, Suppressions: sups}, c.Log, level)
		return policyx.NewPolicyPack(c.Name, version, policyx.EnforcementLevelMandatory, ps)
	}, nil
}

// CheckSuppressions reports every suppression that names no rule of the baseline or no
// resource, or gives no reason, one error each, naming it by its index. Whether the resource
// it names exists depends on the stack, so policy.Evaluate checks that.
func CheckSuppressions(ss []policy.Suppression) error {
	rules := map[string]bool{}
	for _, r := range policy.Rules() {
		rules[r.ID] = true
	}
	var errs []error
	for i, s := range ss {
		switch {
		case !rules[s.Rule]:
			errs = append(errs, fmt.Errorf("Suppressions[%d]: Rule %q is no rule of the baseline", i, s.Rule))
		case strings.TrimSpace(s.Resource) == "":
			errs = append(errs, fmt.Errorf("Suppressions[%d] (%s): Resource is empty", i, s.Rule))
		case strings.TrimSpace(s.Reason) == "":
			errs = append(errs, fmt.Errorf("Suppressions[%d] (%s on %s): Reason is empty", i, s.Rule, s.Resource))
		}
	}
	return errors.Join(errs...)
}

// NewPack builds the pack for one set of options: one stack validation policy per rule of
// the baseline (Policies). A nil log means a text logger on stderr.
func NewPack(name string, version semver.Version, opts policy.Options, log *slog.Logger) (policyx.PolicyPack, error) {
	// The enforcement level given here is ignored by policyx (SDK v3.274.1); each policy
	// carries its own.
	return policyx.NewPolicyPack(name, version, policyx.EnforcementLevelMandatory, Policies(opts, log))
}

// Policies returns one stack validation policy per rule of the baseline, named by the rule's
// ID, in the order of policy.Rules. They share one evaluation: the first of them the engine
// runs on a stack evaluates the baseline over all the stack's resources, and each reports
// its own rule's violations from that one report.
func Policies(opts policy.Options, log *slog.Logger) []policyx.Policy {
	ps, _ := policies(opts, log, enforcement)
	return ps
}

// enforcement is a rule's level: its severity's.
func enforcement(r policy.Rule) policyx.EnforcementLevel { return Enforcement(r.Severity) }

// policies is Policies, with the evaluation they share.
func policies(opts policy.Options, log *slog.Logger, level func(policy.Rule) policyx.EnforcementLevel) ([]policyx.Policy, *evaluation) {
	if log == nil {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	e := &evaluation{opts: opts, log: log}
	rules := policy.Rules()
	e.known = make(map[string]bool, len(rules))
	out := make([]policyx.Policy, 0, len(rules))
	for _, r := range rules {
		e.known[r.ID] = true
		out = append(out, policyx.NewStackValidationPolicy(r.ID, policyx.StackValidationPolicyArgs{
			Description:      Description(r),
			EnforcementLevel: level(r),
			ValidateStack: func(_ context.Context, args policyx.StackValidationArgs) error {
				rep, err := e.report(args.Resources)
				if err != nil {
					return err
				}
				for _, v := range rep.Violations {
					if v.Rule == r.ID {
						args.Manager.ReportViolation(v.Message, v.Resource)
					}
				}
				return nil
			},
		}))
	}
	return out, e
}

// Description is a rule's policy description: its title, then the public controls it answers
// to, and whether it holds in production stacks only. The CLI prints it before every message.
func Description(r policy.Rule) string {
	d := r.Title
	if len(r.Controls) > 0 {
		d += " [" + strings.Join(r.Controls, ", ") + "]"
	}
	if r.Production {
		d += " (production stacks only)"
	}
	return d
}

// Enforcement is the enforcement level of a rule of this severity: critical and high
// violations fail the deployment (mandatory), medium and low ones are shown (advisory).
func Enforcement(s policy.Severity) policyx.EnforcementLevel {
	switch s {
	case policy.Critical, policy.High:
		return policyx.EnforcementLevelMandatory
	}
	return policyx.EnforcementLevelAdvisory
}

// evaluation is the one policy.Evaluate of an analysis, shared by the pack's policies.
type evaluation struct {
	opts  policy.Options
	log   *slog.Logger
	known map[string]bool // rule IDs that have a policy

	mu    sync.Mutex
	last  []policyx.AnalyzerResource // the analysis rep answers; kept so its address is not reused
	done  bool
	rep   policy.Report
	err   error
	count int // evaluations run, for tests
}

// report evaluates the baseline over resources, once per analysis: policyx hands every stack
// policy of one AnalyzeStack call the same slice, so a call with that slice again is the same
// analysis.
func (e *evaluation) report(resources []policyx.AnalyzerResource) (policy.Report, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.done && sameSlice(e.last, resources) {
		return e.rep, e.err
	}
	e.last, e.done, e.count = resources, true, e.count+1
	e.rep, e.err = policy.Evaluate(Resources(resources), e.opts)
	if e.err != nil {
		e.err = fmt.Errorf("baseline: %w", e.err)
		return e.rep, e.err
	}
	for _, v := range e.rep.Violations {
		if !e.known[v.Rule] {
			// A violation no policy would report must not vanish.
			e.err = fmt.Errorf("baseline: rule %q reported %s, and the pack has no policy of that name", v.Rule, v.Resource)
			return e.rep, e.err
		}
	}
	for _, v := range e.rep.Suppressed {
		e.log.Info("suppressed", "rule", v.Rule, "resource", v.Resource, "message", v.Message, "reason", v.Suppression)
	}
	for _, s := range e.rep.Unused {
		e.log.Warn("unused suppression: the resource complies, remove it", "rule", s.Rule, "resource", s.Resource)
	}
	for _, v := range e.rep.Undecided {
		e.log.Info("undecided: a value the rule needs is not known until the update, which decides", "rule", v.Rule, "resource", v.Resource, "message", v.Message)
	}
	return e.rep, nil
}

func sameSlice(a, b []policyx.AnalyzerResource) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// Resources converts what the engine sends a stack policy into the resources the rules read,
// as Resource does, leaving out the root stack.
func Resources(rs []policyx.AnalyzerResource) []componenttest.Resource {
	out := make([]componenttest.Resource, 0, len(rs))
	for _, r := range rs {
		if r.Type == string(resource.RootStackType) {
			continue // componenttest does not record the root stack either
		}
		out = append(out, Resource(r))
	}
	return out
}

// Resource converts one resource as the engine sends it to a stack policy into the form the
// rules read (see the package doc for what each field becomes and what the protocol lacks).
func Resource(r policyx.AnalyzerResource) componenttest.Resource {
	// Unknown values (a preview of resources still to be created) stay computed, so the
	// rules can tell them from values never set (componenttest.Resource.Unknown).
	props := resource.ToResourcePropertyMap(r.Properties)
	id, idUnknown := "", false
	if v, ok := props["id"]; ok {
		if v.IsString() {
			id = v.StringValue()
		}
		idUnknown = v.IsComputed() || v.IsOutput() && !v.OutputValue().Known
		props = props.Copy()
		delete(props, "id")
	}
	res := componenttest.Resource{
		Type:                 r.Type,
		Name:                 r.Name,
		URN:                  r.URN,
		ID:                   id,
		IDUnknown:            idUnknown,
		Custom:               r.Provider.URN != "" || strings.HasPrefix(r.Type, "pulumi:providers:"),
		Parent:               r.Parent,
		Protect:              r.Options.Protect,
		DeleteBeforeReplace:  r.Options.DeleteBeforeReplace,
		DependsOn:            r.Dependencies,
		PropertyDependencies: r.PropertyDependencies,
		IgnoreChanges:        r.Options.IgnoreChanges,
		Inputs:               props,
		Outputs:              props,
	}
	if r.Provider.URN != "" {
		res.Provider = r.Provider.URN + "::" + plugin.UnknownStringValue
	}
	if len(res.PropertyDependencies) == 0 {
		res.PropertyDependencies = nil
	}
	for _, a := range r.Options.Aliases {
		if urn, ok := a.URN.(pulumi.URN); ok {
			res.Aliases = append(res.Aliases, string(urn))
		}
	}
	if t := naming.Types[r.Type]; res.Custom && t.Property != "" {
		if v := props[resource.PropertyKey(t.Property)]; v.IsString() {
			res.PhysicalName = v.StringValue()
		}
	}
	return res
}
