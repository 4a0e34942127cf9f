// Package grant is the typed vocabulary of access between components. A storage or queue
// component hands out a Grant for the operations a function's code performs on it, declared
// by name (storage.ItemGet, storage.ObjectPut, queue.Send, ...), and a function turns each
// Grant into one inline policy on its role: the exact IAM actions those operations need, on
// the exact ARNs they touch. Nothing here can say "*".
//
// A component that is asked for an operation it does not know returns a Grant that carries
// the error (see Invalid); function.New returns that error, naming the grant, before it
// registers anything.
package grant

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Statement allows Actions on Resources.
type Statement struct {
	// Sid names the statement in the policy document. Empty means the statement has none.
	Sid string
	// Actions are explicit IAM actions, such as "dynamodb:GetItem". Wildcards are refused;
	// nil or empty is refused too (a statement that allows nothing is a mistake).
	Actions []string
	// Resources are exact ARNs (or ARN patterns below one resource, such as a bucket's
	// "arn/*" or a table's "arn/index/*"). Nil or empty is refused.
	Resources []pulumi.StringInput
}

// Grant is a named set of statements; a function's role gets one inline policy per Grant.
// The zero value has no name and is refused by function.New.
type Grant struct {
	// Name becomes part of the role policy's name: "<function>-<Name>". Unique per function,
	// made of letters, digits, '-' and '_'. Empty is refused.
	Name string
	// Statements are what the policy allows. Nil means nothing, which function.New refuses.
	Statements []Statement

	err error
}

// Invalid returns a grant that function.New refuses with err. Components return it when a
// grant is declared wrongly (an empty or unknown operation), so the error surfaces where the
// function is validated, before any of its resources is registered, rather than as a panic
// or a second return value every call site must check.
func Invalid(name string, err error) Grant { return Grant{Name: name, err: err} }

// Err returns the error the grant was declared with (see Invalid), or nil for a usable grant.
func (g Grant) Err() error { return g.err }

// Suffix returns an input that is in's value followed by s, such as a bucket ARN's "/*".
func Suffix(in pulumi.StringInput, s string) pulumi.StringOutput {
	return in.ToStringOutput().ApplyT(func(v string) string { return v + s }).(pulumi.StringOutput)
}
