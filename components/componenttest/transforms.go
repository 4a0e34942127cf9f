package componenttest

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// typedTransforms is where every refusal sends the reader.
const typedTransforms = "customize a Groundwork component's children through its Args.Transform " +
	"(package github.com/groundwork-dev/groundwork/components/transform): the component runs it " +
	"before it registers the child, so the recording shows the change"

// refuseTransforms returns the error for a registration the mocks cannot record faithfully,
// and keeps it for Run: one that carries pulumi.Transforms (the engine runs them, on the
// resource and, for a component, on its children; the mock monitor does not), or any
// registration after a stack transform. pulumi.Transformations (deprecated) need no refusal:
// the SDK runs them in the program, on the resource and its children, before it registers
// them, so the recording shows their change.
func (r *Recorder) refuseTransforms(args pulumi.MockResourceArgs) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stackXf != nil {
		return r.stackXf
	}
	if len(args.Transforms) == 0 && len(args.RegisterRPC.GetTransforms()) == 0 {
		return nil
	}
	what := "resource"
	if !args.Custom {
		what = "component (in a deployment they also change every child it registers)"
	}
	err := fmt.Errorf("componenttest: %s %q is registered with pulumi.Transforms, which the mocks cannot run: "+
		"the engine runs them in a deployment, so the recorded %s would not show their change; %s",
		args.TypeToken, args.Name, what, typedTransforms)
	r.refused = append(r.refused, err)
	return err
}

// RegisterTransform is called when the program registers a stack transform
// (ctx.RegisterResourceTransform). The mocks cannot run it, so the Recorder refuses every
// registration after it, and Run fails with an error that says so.
func (r *Recorder) RegisterTransform(pulumi.ResourceTransform) {
	r.refuseFromNowOn(&r.stackXf, "componenttest: the program registers a stack transform (ctx.RegisterResourceTransform), "+
		"which the mocks cannot run: the engine runs it on every later resource in a deployment, so no recorded "+
		"resource would show its change; "+typedTransforms)
}

// RegisterInvokeTransform is called when the program registers an invoke transform
// (ctx.RegisterInvokeTransform). The mocks cannot run it, so the Recorder refuses every invoke
// after it, and Run fails with an error that says so.
func (r *Recorder) RegisterInvokeTransform(pulumi.InvokeTransform) {
	r.refuseFromNowOn(&r.invokeXf, "componenttest: the program registers an invoke transform (ctx.RegisterInvokeTransform), "+
		"which the mocks cannot run: the engine runs it on every later invoke in a deployment, so the recorded "+
		"invokes would not show its change; pass the invokes' arguments and options directly instead")
}

// refuseFromNowOn sets *refusal, the error for everything of its kind from now on, the first
// time, and keeps it for Run.
func (r *Recorder) refuseFromNowOn(refusal *error, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if *refusal == nil {
		*refusal = errors.New(msg)
		r.refused = append(r.refused, *refusal)
	}
}

// Refused returns the errors for what the program did that the mocks cannot record
// faithfully (pulumi.Transforms on a resource, a stack or invoke transform), in the order
// seen. Run returns them as its error; a caller of pulumi.RunErr with a Recorder of its own
// checks them here.
func (r *Recorder) Refused() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.refused...)
}
