package policypack_test

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/policy"
	"github.com/groundwork-dev/groundwork/components/policy/policypack"
)

// A team's own pack: its name and version, production for its stacks named prod or live (or
// as ACME_PRODUCTION says), previews advisory only when ACME_PREVIEW_ADVISORY=true. Its main
// hands the factory to policyx.Main.
func ExampleConfig() {
	factory, err := policypack.Config{
		Name:            "acme-baseline",
		Version:         "1.0.0",
		Production:      policypack.FromEnv("ACME_PRODUCTION", policypack.StackNamed("prod", "live")),
		PreviewAdvisory: policypack.FromEnv("ACME_PREVIEW_ADVISORY", func(*pulumi.Context) (bool, error) { return false, nil }),
	}.Factory()
	if err != nil {
		fmt.Println(err)
		return
	}
	// main: if err := policyx.Main(factory); err != nil { ... }
	//
	// The pack the engine gets when it configures the analyzer for stack "live":
	ctx, err := pulumi.NewContext(context.Background(), pulumi.RunInfo{Project: "shop", Stack: "live"})
	if err != nil {
		fmt.Println(err)
		return
	}
	pack, err := factory(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(pack.Name(), pack.Version(), "one policy per rule:", len(pack.Policies()) == len(policy.Rules()))
	// Output: acme-baseline 1.0.0 one policy per rule: true
}
