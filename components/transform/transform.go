// Package transform is how a program customizes the resources a Groundwork component
// creates, in a way its tests see: every component's Args has a Transform field with one
// typed function per child (the child's own Args type, such as *lambda.FunctionArgs or
// *sqs.QueueArgs), and the component runs it on the child's arguments and options just
// before it registers the child. What a transform sets is therefore what the recording mocks
// of componenttest record, what the baseline in components/policy checks, and what deploys.
//
// Pulumi's own pulumi.Transforms option does the same in a real deployment, but the engine
// runs it, so under mocks the child is recorded without the change and tests pass on a graph
// that is not what deploys. componenttest refuses a program that registers any resource with
// pulumi.Transforms, or a stack transform, for that reason; use the typed transforms instead.
//
// A transform runs after the component has applied its defaults and its Args, so it sees
// the child as it would be registered, and may change anything, including weakening a secure
// default: policy.Check is there to catch that.
package transform

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Func customizes one child of a component before it is registered. name is the child's
// logical name (documented in each component's package doc); args are the child's
// arguments as the component built them, which Func may change in place; opts are the
// child's resource options, to which Func may append (pulumi.IgnoreChanges,
// pulumi.DeleteBeforeReplace, ...). An error stops the component's New, naming the child.
//
// A nil Func leaves the child as the component built it.
type Func[T any] func(name string, args *T, opts *[]pulumi.ResourceOption) error

// Apply runs f on a child's args and options and returns the options to register it with.
// It is for component authors: every component calls it for every child it registers.
func Apply[T any](f Func[T], name string, args *T, opts []pulumi.ResourceOption) ([]pulumi.ResourceOption, error) {
	if f == nil {
		return opts, nil
	}
	opts = opts[:len(opts):len(opts)] // a transform's append never writes into the caller's array
	if err := f(name, args, &opts); err != nil {
		return nil, fmt.Errorf("transform of %s: %w", name, err)
	}
	return opts, nil
}

// Register runs f on a child's args and options (as Apply does), then registers the child
// with its constructor, such as sqs.NewQueue: the one call a component makes per child.
func Register[T any, R any](ctx *pulumi.Context, newChild func(*pulumi.Context, string, *T, ...pulumi.ResourceOption) (R, error),
	f Func[T], name string, args *T, opts ...pulumi.ResourceOption) (R, error) {
	opts, err := Apply(f, name, args, opts)
	if err != nil {
		var none R
		return none, err
	}
	return newChild(ctx, name, args, opts...)
}
