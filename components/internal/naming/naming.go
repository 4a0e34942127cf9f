// Package naming is the one place that derives the names of a component's children and
// knows what AWS allows in each resource type's name, so that every component can refuse, in
// New and before anything is registered, a name whose children would not fit.
//
// Logical names: a component named "events" calls its children "events" (the main resource)
// and "events-<role>" ("events-dlq", "events-consumer-role"); Child builds them. Physical
// names: Groundwork lets Pulumi auto-name every child whose type allows it, which appends
// AutoSuffixLen characters to the logical name (a hyphen and seven random characters), so a
// stack can replace a resource without a name clash and two stacks in one account never
// collide. The physical name therefore never depends on the stack's name.
package naming

import (
	"errors"
	"fmt"
	"strings"
)

// AutoSuffixLen is how many characters Pulumi's default auto-naming adds to a logical name:
// "-" and seven random characters, as in "events-dlq-3f9a1c2".
const AutoSuffixLen = 8

// Kind is a kind of AWS resource and the limits on its name.
type Kind struct {
	// Resource names the kind in errors, such as "Lambda function".
	Resource string
	// Min and Max bound the name's length, a required ending (FIFO's ".fifo") included.
	Min, Max int
	// Chars says which characters are allowed, for errors.
	Chars string
	// Lower is true when upper-case letters are refused (S3 buckets).
	Lower bool
	// allowed reports whether a byte may appear in the name.
	allowed func(c byte) bool
}

func alnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func oneOf(extra string) func(byte) bool {
	return func(c byte) bool { return alnum(c) || strings.IndexByte(extra, c) >= 0 }
}

// The kinds the components create, with the limits AWS documents for each.
var (
	// LambdaFunction: "1-64 characters: letters, numbers, hyphens, underscores" (Lambda
	// CreateFunction, FunctionName).
	LambdaFunction = Kind{Resource: "Lambda function", Min: 1, Max: 64, Chars: "letters, digits, '-' and '_'", allowed: oneOf("-_")}
	// IAMRole: 1-64 characters of letters, digits and +=,.@_- (IAM CreateRole, RoleName).
	IAMRole = Kind{Resource: "IAM role", Min: 1, Max: 64, Chars: "letters, digits and +=,.@_-", allowed: oneOf("+=,.@_-")}
	// IAMRolePolicy: 1-128 characters of letters, digits and +=,.@_- (IAM PutRolePolicy,
	// PolicyName).
	IAMRolePolicy = Kind{Resource: "IAM role policy", Min: 1, Max: 128, Chars: "letters, digits and +=,.@_-", allowed: oneOf("+=,.@_-")}
	// SQSQueue: "up to 80 characters: alphanumeric characters, hyphens, and underscores",
	// a FIFO queue's ".fifo" included (SQS CreateQueue, QueueName).
	SQSQueue = Kind{Resource: "SQS queue", Min: 1, Max: 80, Chars: "letters, digits, '-' and '_'", allowed: oneOf("-_")}
	// S3Bucket: 3-63 characters of lower-case letters, digits, hyphens and dots, beginning
	// and ending with a letter or digit (S3 "Bucket naming rules"). Groundwork refuses dots:
	// a dotted name breaks virtual-host TLS.
	S3Bucket = Kind{Resource: "S3 bucket", Min: 3, Max: 63, Chars: "lower-case letters, digits and '-'", Lower: true,
		allowed: func(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' }}
	// LogGroup: 1-512 characters of letters, digits and _-/.# (CloudWatch Logs
	// CreateLogGroup, logGroupName).
	LogGroup = Kind{Resource: "CloudWatch log group", Min: 1, Max: 512, Chars: "letters, digits and _-/.#", allowed: oneOf("_-/.#")}
	// HTTPAPI: 1-128 characters (API Gateway v2 CreateApi, Name).
	HTTPAPI = Kind{Resource: "HTTP API", Min: 1, Max: 128, Chars: "letters, digits, '-' and '_'", allowed: oneOf("-_")}
	// Authorizer: 1-128 characters (API Gateway v2 CreateAuthorizer, Name).
	Authorizer = Kind{Resource: "API Gateway authorizer", Min: 1, Max: 128, Chars: "letters, digits, '-' and '_'", allowed: oneOf("-_")}
	// DynamoDBTable: 3-255 characters of letters, digits and _.- (DynamoDB CreateTable,
	// TableName).
	DynamoDBTable = Kind{Resource: "DynamoDB table", Min: 3, Max: 255, Chars: "letters, digits and _.-", allowed: oneOf("_.-")}
	// SNSTopic: 1-256 characters of letters, digits, '-' and '_', a FIFO topic's ".fifo"
	// included (SNS CreateTopic, Name).
	SNSTopic = Kind{Resource: "SNS topic", Min: 1, Max: 256, Chars: "letters, digits, '-' and '_'", allowed: oneOf("-_")}
	// MetricAlarm: 1-255 characters (CloudWatch PutMetricAlarm, AlarmName); Groundwork keeps
	// to letters, digits, '-' and '_' like every other name.
	MetricAlarm = Kind{Resource: "CloudWatch alarm", Min: 1, Max: 255, Chars: "letters, digits, '-' and '_'", allowed: oneOf("-_")}
	// LambdaPermission: a statement id of 1-100 letters, digits, '-' and '_' (Lambda
	// AddPermission, StatementId).
	LambdaPermission = Kind{Resource: "Lambda permission statement", Min: 1, Max: 100, Chars: "letters, digits, '-' and '_'", allowed: oneOf("-_")}
	// KMSAlias: "alias/" and 1-250 characters of letters, digits and /_- (KMS CreateAlias).
	KMSAlias = Kind{Resource: "KMS alias", Min: 7, Max: 256, Chars: "letters, digits and /_-", allowed: oneOf("/_-")}
)

// Allows reports whether every byte of s is one that k's names may hold. It is for parts of
// a child's name that come from Args rather than the component's name (an API's authorizer
// keys), which Check does not see.
func (k Kind) Allows(s string) bool {
	for i := 0; i < len(s); i++ {
		if !k.allowed(s[i]) {
			return false
		}
	}
	return true
}

// Child returns the logical name of a component's child with the given role: the
// component's name itself for role "", else name + "-" + role.
func Child(component, role string) string {
	if role == "" {
		return component
	}
	return component + "-" + role
}

// Physical is a child whose physical name a component lets Pulumi derive from its logical
// name (auto-naming).
type Physical struct {
	// Role is the child's role ("" for the main resource, "dlq", "consumer-role", ...).
	Role string
	// Kind is the child's resource kind.
	Kind Kind
	// Prefix and Suffix are fixed parts the physical name has around the auto-name, such as
	// "/aws/lambda/" or ".fifo". Empty means none.
	Prefix, Suffix string
}

// Longest returns the physical name's length at most, for a component named name.
func (p Physical) Longest(name string) int {
	return len(p.Prefix) + len(Child(name, p.Role)) + AutoSuffixLen + len(p.Suffix)
}

// Check returns an error when a component's name makes any of its children's physical names
// break their kind's limits (length, characters, case). The error names the child, its
// longest physical name and the limit, and the longest name the component may have:
//
//	name "very-long-…" is 60 characters: its child "very-long-…-dlq" (an SQS queue) would be
//	named up to 77 characters + ".fifo", over SQS queue's 80; at most 63 characters fit
func Check(name string, children []Physical) error {
	if p := Problem(name, children); p != "" {
		return errors.New("name " + p)
	}
	return nil
}

// Problem is Check's finding without the leading "name", for a report that puts the field's
// name first (components/internal/check); "" when the name fits.
func Problem(name string, children []Physical) string {
	if name == "" {
		return "is empty"
	}
	for _, p := range children {
		k := p.Kind
		for i := 0; i < len(name); i++ {
			c := name[i]
			if !k.allowed(c) {
				return fmt.Sprintf("%q has %q at byte %d: its child %q (%s) allows only %s", name, c, i, Child(name, p.Role), k.Resource, k.Chars)
			}
		}
		if n := p.Longest(name); n > k.Max {
			return fmt.Sprintf("%q is %d characters: its child %q (%s) would be named up to %d characters, over the %d AWS allows; at most %d characters fit",
				name, len(name), Child(name, p.Role), k.Resource, n, k.Max, MaxName(children))
		}
	}
	return ""
}

// MaxName returns the longest component name whose children all fit their limits.
func MaxName(children []Physical) int {
	most := int(^uint(0) >> 1)
	for _, p := range children {
		// Longest grows one for one with the name, so the room left is what "" leaves.
		most = min(most, p.Kind.Max-p.Longest(""))
	}
	return most
}
