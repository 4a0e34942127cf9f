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
// The core has no dependency on package testing: the offline plan (cmd/synth) uses the same
// Recorder outside `go test`.
package componenttest
