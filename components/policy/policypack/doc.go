// Package policypack builds a Pulumi CrossGuard policy pack from the baseline of package
// policy, with the Go SDK's experimental policyx package, so `pulumi preview --policy-pack DIR`
// enforces the same rules on any Pulumi program, in any language, as policy.Evaluate does in
// Go tests and in the offline plan.
//
// # One stack policy per rule
//
// Each rule of policy.Rules is one policy named by the rule's ID. The rules are cross-resource
// (a bucket needs its public access block, a Lambda permission must name one of the program's
// API execution ARNs), so every policy is a stack validation policy: the engine sends all of
// the stack's resources once the program has run, and the pack calls policy.Evaluate once per
// analysis, over all of them, then reports each unsuppressed violation under its rule's policy
// with the resource's URN and the rule's message. Critical and high rules are mandatory (they
// fail the preview), medium and low ones advisory. policyx's NewPolicyPack ignores its own
// enforcement-level argument (SDK v3.274.1), so the levels are set on each policy; a
// `--policy-pack-config` file can still change them per policy.
//
// # What the rules see
//
// The engine sends a stack policy each resource's final outputs (pkg/resource/deploy,
// stepGenerator.AnalyzeResources): for a bridged provider such as pulumi-aws these hold every
// input under the same name, the computed values (arn, name, ...) and the physical "id". The
// pack turns them into componenttest.Resource values (see Resource), the form the rules read
// when a Go test records a program:
//
//   - Inputs and Outputs are both the outputs the engine sent, less "id", which becomes ID.
//   - A provider resource has no ID: its outputs hold none.
//   - Type, Name, URN, Parent, Protect, DeleteBeforeReplace, IgnoreChanges, DependsOn,
//     PropertyDependencies and Aliases are the engine's.
//   - Provider is the provider's URN and, since the analyzer protocol carries no provider ID,
//     the engine's own unknown ID (plugin.UnknownStringValue): compare the URN part.
//   - Custom is true for a resource with a provider and for a provider itself; the protocol
//     has no such flag, and only custom resources have providers.
//   - PhysicalName is the name output of the types componenttest knows (the same table).
//   - RetainOnDelete is always false: the protocol does not carry it.
//   - A component's properties are the outputs it registered (RegisterResourceOutputs), not
//     the inputs componenttest records for it: rules about components see those.
//   - The root stack resource (pulumi:pulumi:Stack) is left out, as componenttest leaves it.
//
// In a preview the outputs of resources yet to be created or changed are unknown, and so are
// the inputs built from them; the engine sends them as unknown values, and Resource keeps
// them so (computed; an unknown "id" sets IDUnknown), as a componenttest preview recording
// does. A rule that needs an unknown value does not decide: the outcome is neither a
// violation nor a pass but undecided (policy.Report.Undecided), logged to stderr one line
// each, and the update, where every value is known, decides it. A value known in the
// preview and wrong is a violation there, at its rule's level, so previews enforce the
// baseline; Config.PreviewAdvisory can make them advisory instead.
//
// # Production and suppressions
//
// Options.Production (the rules that hold only in production) is decided per stack when the
// engine configures the pack (ConfigureStack gives the stack's name and config): Config's
// Production function, by default StackNamed("prod", "production"), which FromEnv lets an
// environment variable override. The pack's suppressions are its own, compiled into it:
// Config.Suppressions for every stack, and Config.StackSuppressions for the stack being
// analyzed (a program's suppressions differ by stack, as stacks.Baseline's differ by tier).
// They are not read from the program: a program in another language has no Go suppressions,
// and linking a Go program (stacks, and pulumi-aws with it) into the pack would make it large
// and slow to build. A team builds its own pack from this package with its own suppressions
// (cmd/policypack is the platform's, and a test holds its suppressions file equal to
// stacks.Baseline's for every tier). Suppressed violations and
// unused suppressions are logged to the pack's stderr, one line each, never dropped silently;
// a suppression that names no rule or gives no reason stops Config.Factory, and one that names
// no resource of the stack fails the analysis with policy.Evaluate's error.
//
// # Limits of policyx (SDK v3.274.1)
//
// The analyzer builds the pack only when the engine calls ConfigureStack, so commands that
// load a pack without a stack (`pulumi policy publish`, `pulumi policy validate-config`) find
// no pack. The server sends no initial config, and stack policies get no policy config.
package policypack
