// Package grant is the typed vocabulary of access between components: a storage or queue
// component hands out Grants (table read / read-write, bucket read / write, queue send /
// consume), and a function turns each into an inline policy on its role with exact actions on
// exact ARNs. Nothing here can say "*".
package grant

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Statement allows Actions on Resources.
type Statement struct {
	// Sid names the statement in the policy document.
	Sid string
	// Actions are explicit IAM actions, such as "dynamodb:GetItem". Wildcards are refused.
	Actions []string
	// Resources are exact ARNs (or ARN patterns below one resource, such as a bucket's
	// "arn/*" or a table's "arn/index/*").
	Resources []pulumi.StringInput
}

// Grant is a named set of statements; a function's role gets one inline policy per Grant.
type Grant struct {
	// Name becomes part of the role policy's name: "<function>-<Name>". Unique per function.
	Name string
	// Statements are what the policy allows.
	Statements []Statement
}

// Suffix returns an input that is in's value followed by s, such as a bucket ARN's "/*".
func Suffix(in pulumi.StringInput, s string) pulumi.StringOutput {
	return in.ToStringOutput().ApplyT(func(v string) string { return v + s }).(pulumi.StringOutput)
}
