// Command policypack is the platform's baseline (components/policy) as a Pulumi CrossGuard
// policy pack: `pulumi preview --policy-pack ./cmd/policypack` builds this directory (the
// PulumiPolicy.yaml says runtime go) and enforces the baseline on whatever program it previews,
// in any language. See README.md.
//
// A Groundwork stack (one whose config holds groundwork:platform) is analyzed as
// stacks.Baseline analyzes its tier: the tier its config names, else its name when that is a
// tier (internal/platformconfig's rule), decides production and picks the tier's suppressions
// from suppressions.json, compiled in (a test holds it equal to stacks.Baseline's). Any other
// stack gets no suppressions (they name Groundwork's resources) and is production when named
// prod. GROUNDWORK_POLICY_PRODUCTION (true or false) overrides the production decision for
// every stack. Previews enforce the policies as updates do: a rule that needs a value the
// preview does not know yet leaves its outcome undecided (logged on stderr) rather than
// reporting a violation, and the update decides it.
package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/groundwork-dev/groundwork/components/policy"
	"github.com/groundwork-dev/groundwork/components/policy/policypack"
	"github.com/groundwork-dev/groundwork/internal/platformconfig"
)

// The pack's name and version; PulumiPolicy.yaml says the same version (a test checks).
const (
	packName    = "groundwork-baseline"
	packVersion = "0.1.0"
)

// ProductionVar overrides the production decision for every stack the pack analyzes.
const ProductionVar = "GROUNDWORK_POLICY_PRODUCTION"

// suppressionsFile names the embedded suppressions in errors.
const suppressionsFile = "cmd/policypack/suppressions.json"

//go:embed suppressions.json
var suppressionsJSON []byte

func main() {
	factory, err := factory()
	if err == nil {
		err = policyx.Main(factory)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "policypack:", err)
		os.Exit(1)
	}
}

// factory is the pack's config, checked: what policyx.Main serves.
func factory() (func(*pulumi.Context) (policyx.PolicyPack, error), error) {
	sups, err := decodeSuppressions(suppressionsJSON)
	if err != nil {
		return nil, err
	}
	return policypack.Config{
		Name:              packName,
		Version:           packVersion,
		StackSuppressions: stackSuppressions(sups),
		Production:        production,
	}.Factory()
}

// stackSuppressions gives a Groundwork stack its tier's suppressions, and any other stack
// none: they name Groundwork's resources, which another program lacks.
func stackSuppressions(byTier map[platformconfig.Tier][]policy.Suppression) func(*pulumi.Context) ([]policy.Suppression, error) {
	return func(ctx *pulumi.Context) ([]policy.Suppression, error) {
		tier, ok, err := groundworkTier(ctx)
		if err != nil || !ok {
			return nil, err
		}
		return byTier[tier], nil
	}
}

// production decides whether a stack is held to the production rules (see the package doc).
var production = policypack.FromEnv(ProductionVar, func(ctx *pulumi.Context) (bool, error) {
	tier, ok, err := groundworkTier(ctx)
	if err != nil || ok {
		return tier == platformconfig.Prod, err
	}
	return policypack.StackNamed(string(platformconfig.Prod))(ctx)
})

// groundworkTier is the tier of a Groundwork stack, as the stack program decides it: the
// tier its groundwork:platform config names, else the stack's name when that is a tier. ok is
// false for a stack without groundwork:platform config: not a Groundwork stack.
func groundworkTier(ctx *pulumi.Context) (tier platformconfig.Tier, ok bool, err error) {
	raw, ok := ctx.GetConfig(platformconfig.Key)
	if !ok {
		return "", false, nil
	}
	var p struct {
		Tier platformconfig.Tier `json:"tier"`
	}
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return "", true, fmt.Errorf("config %s: not an object with a tier: %v", platformconfig.Key, err)
	}
	stack := ctx.Stack()
	stack = stack[strings.LastIndex(stack, "/")+1:]
	switch {
	case p.Tier == "" && slices.Contains(platformconfig.Tiers, platformconfig.Tier(stack)):
		return platformconfig.Tier(stack), true, nil
	case p.Tier == "":
		return "", true, fmt.Errorf("config %s names no tier, and the stack %q is not named after one (dev, staging or prod)", platformconfig.Key, stack)
	case !slices.Contains(platformconfig.Tiers, p.Tier):
		return "", true, fmt.Errorf("config %s.tier: %q is not dev, staging or prod", platformconfig.Key, p.Tier)
	}
	return p.Tier, true, nil
}

// suppression is one entry of suppressions.json.
type suppression struct {
	Rule     string `json:"rule"`
	Resource string `json:"resource"`
	Reason   string `json:"reason"`
}

// tierSuppressions is suppressions.json: the stack program's suppressions of each tier.
type tierSuppressions struct {
	Dev     []suppression `json:"dev"`
	Staging []suppression `json:"staging"`
	Prod    []suppression `json:"prod"`
}

// decodeSuppressions reads suppressions.json strictly: one JSON object whose keys are tiers,
// each a list of objects with rule, resource and reason, no other key; every suppression must
// name a rule of the baseline and a resource, and give a reason.
func decodeSuppressions(b []byte) (map[platformconfig.Tier][]policy.Suppression, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var in tierSuppressions
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("%s: %w", suppressionsFile, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: more than one JSON value", suppressionsFile)
	}
	out := map[platformconfig.Tier][]policy.Suppression{}
	var errs []error
	for tier, list := range map[platformconfig.Tier][]suppression{platformconfig.Dev: in.Dev, platformconfig.Staging: in.Staging, platformconfig.Prod: in.Prod} {
		for _, s := range list {
			out[tier] = append(out[tier], policy.Suppression{Rule: s.Rule, Resource: s.Resource, Reason: s.Reason})
		}
		if err := policypack.CheckSuppressions(out[tier]); err != nil {
			errs = append(errs, fmt.Errorf("%s: %s: %w", suppressionsFile, tier, err))
		}
	}
	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// encodeSuppressions writes suppressions.json for the suppressions of each tier.
func encodeSuppressions(byTier map[platformconfig.Tier][]policy.Suppression) ([]byte, error) {
	conv := func(ss []policy.Suppression) []suppression {
		out := []suppression{}
		for _, s := range ss {
			out = append(out, suppression{Rule: s.Rule, Resource: s.Resource, Reason: s.Reason})
		}
		return out
	}
	b, err := json.MarshalIndent(tierSuppressions{
		Dev: conv(byTier[platformconfig.Dev]), Staging: conv(byTier[platformconfig.Staging]), Prod: conv(byTier[platformconfig.Prod]),
	}, "", "  ")
	return append(b, '\n'), err
}
