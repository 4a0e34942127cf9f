// Package componenttest runs Pulumi programs and components under recording mocks, so their
// resource graph can be asserted without a cloud account, a Pulumi CLI or a provider plugin.
//
// A [Recorder] is a [pulumi.MockResourceMonitor] that keeps every registered resource — type
// token, logical name, URN, inputs, outputs, parent, provider, protect, dependsOn — and answers
// with realistic outputs per resource type (ids, ARNs, names, URLs), so downstream Applies and
// policy documents built from ARNs run as they would in a deployment. [Run] executes a program
// under a fresh Recorder in update mode, or in preview mode with [Preview], where outputs the
// provider would compute are unknown, as in `pulumi preview`. [StackConfig] loads a real
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
// The core has no dependency on package testing: the offline plan (cmd/synth) uses the same
// Recorder outside `go test`.
package componenttest
