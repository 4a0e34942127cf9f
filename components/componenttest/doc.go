// Package componenttest runs Pulumi programs and components under recording mocks, so their
// resource graph can be asserted without a cloud account, a Pulumi CLI or a provider plugin.
//
// A [Recorder] is a [pulumi.MockResourceMonitor] that keeps every registered resource — type
// token, logical name, URN, inputs, outputs, parent, provider, protect, dependsOn, aliases,
// physical name — and answers with realistic outputs per resource type (ids, ARNs, names,
// URLs), so downstream Applies and policy documents built from ARNs run as they would in a
// deployment. A physical name ([Resource.PhysicalName]) is the one AWS would get: the name the
// program set, or Pulumi's auto-name (the logical name and [AutoSuffixLen] characters);
// [CheckNames] checks every one against what AWS allows for its type.
//
// The recording is what would deploy, or the run fails: a resource or component registered
// with pulumi.Transforms, and a stack or invoke transform, are run by the engine in a
// deployment but not by the mocks, so [Run] refuses them with an error that points to the
// components' typed transforms (package components/transform). pulumi.Transformations
// (deprecated) run in the program itself and are recorded. [Run] executes a program
// under a fresh Recorder in update mode, or in preview mode with [Preview], where outputs the
// provider would compute are unknown, as in `pulumi preview`, and recorded as unknown, as are
// the inputs built from them: [Resource.Unknown] tells them from values never set. [StackConfig] loads a real
// Pulumi.<stack>.yaml with the Pulumi SDK's workspace package and feeds it as the program's
// config.
//
// For tests, the Must helpers turn a missing or malformed resource into a test failure that
// names it: [MustRun] runs a program that must succeed (with [Component] adapting a constructor
// New(ctx, name, args, opts...) into a program), [Recorder.Must] and [Recorder.One] find a
// resource by type and name or the only one of a type, and [Resource.MustNumber],
// [Resource.MustJSON] and [Resource.MustPolicy] read an input as a number, as JSON or as an IAM
// [PolicyDocument]. They take a [TB], the two methods of testing.TB they use, and each has a
// form that returns an error or a bool instead ([Run], [Recorder.Get], [Recorder.ByType],
// [Resource.InputJSON], [Resource.InputPolicy], [ParsePolicy]).
//
// The core has no dependency on package testing, so a command can use the same Recorder
// outside `go test`.
package componenttest
