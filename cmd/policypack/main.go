// Command policypack is the platform's baseline (components/policy) as a Pulumi CrossGuard
// policy pack: `pulumi preview --policy-pack ./cmd/policypack` builds this directory (the
// PulumiPolicy.yaml says runtime go) and enforces the baseline on whatever program it previews,
// in any language. See README.md.
//
// A stack is held to the production rules when GROUNDWORK_POLICY_PRODUCTION says so (true or
// false), else when its groundwork:platform config names tier prod, else when it is named prod:
// the order in which a Groundwork stack decides its tier (internal/platformconfig), with an
// override for programs that have no such config. The suppressions are suppressions.json,
// compiled in; a test holds it equal to the stacks' own (stacks.Baseline).
package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

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
	sup, err := decodeSuppressions(suppressionsJSON)
	if err != nil {
		return nil, err
	}
	return policypack.Config{
		Name:         packName,
		Version:      packVersion,
		Suppressions: sup,
		Production:   production,
	}.Factory()
}

// production decides whether a stack is held to the production rules (see the package doc).
var production = policypack.FromEnv(ProductionVar, tierIsProd(policypack.StackNamed(string(platformconfig.Prod))))

// tierIsProd decides by the tier the stack's groundwork:platform config names; a stack whose
// config names none is left to next.
func tierIsProd(next policypack.ProductionFunc) policypack.ProductionFunc {
	return func(ctx *pulumi.Context) (bool, error) {
		raw, ok := ctx.GetConfig(platformconfig.Key)
		if !ok {
			return next(ctx)
		}
		var p struct {
			Tier platformconfig.Tier `json:"tier"`
		}
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			return false, fmt.Errorf("config %s: not an object with a tier: %v", platformconfig.Key, err)
		}
		if p.Tier == "" {
			return next(ctx)
		}
		return p.Tier == platformconfig.Prod, nil
	}
}

// suppression is one entry of suppressions.json.
type suppression struct {
	Rule     string `json:"rule"`
	Resource string `json:"resource"`
	Reason   string `json:"reason"`
}

// decodeSuppressions reads suppressions.json strictly: one JSON array of objects with rule,
// resource and reason, no other key.
func decodeSuppressions(b []byte) ([]policy.Suppression, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var in []suppression
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("%s: %w", suppressionsFile, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: more than one JSON value", suppressionsFile)
	}
	out := make([]policy.Suppression, 0, len(in))
	for _, s := range in {
		out = append(out, policy.Suppression{Rule: s.Rule, Resource: s.Resource, Reason: s.Reason})
	}
	if err := policypack.CheckSuppressions(out); err != nil {
		return nil, fmt.Errorf("%s: %w", suppressionsFile, err)
	}
	return out, nil
}
