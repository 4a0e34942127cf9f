package stacks

import "github.com/groundwork-dev/groundwork/components/policy"

// Baseline returns the policy options a stack of tier t answers to: the rules that hold only
// in production for prod, and the program's suppressions, each with its reason.
func Baseline(t Tier) policy.Options {
	return policy.Options{Production: t == Prod, Suppressions: suppressions}
}

// suppressions accept baseline violations of the stacks' own resources, each with its
// reason. They are reported in every plan (cmd/synth), never silent.
var suppressions []policy.Suppression
