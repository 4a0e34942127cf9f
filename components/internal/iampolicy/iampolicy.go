// Package iampolicy builds IAM policy documents in Go (no invoke to aws:iam/getPolicyDocument,
// so mocks need not fake one) and keeps the project's IAM rules in one place: statements name
// explicit actions and explicit resources, and the only actions allowed on Resource "*" are
// those in WildcardOnlyActions.
package iampolicy

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// WildcardOnlyActions are the actions AWS does not scope to any resource narrower than "*".
// They are the only ones a statement may allow on Resource "*".
var WildcardOnlyActions = []string{
	// X-Ray: trace segments and telemetry have no resource type.
	"xray:PutTraceSegments",
	"xray:PutTelemetryRecords",
	// EC2: "ec2:DescribeNetworkInterfaces - This action only works if it's allowed on all
	// resources" (Lambda Developer Guide, "Giving Lambda functions access to resources in an
	// Amazon VPC", execution role permissions). A function in a VPC needs it.
	"ec2:DescribeNetworkInterfaces",
}

// AnyNameActions are the actions on resources whose names AWS chooses, by the kind of
// resource they act on: Lambda creates, and later deletes, the network interfaces of a
// function in a VPC under IDs nobody knows before, so the Lambda Developer Guide grants
// them on every network interface ("network-interface/*") of the function's account and
// region. They are the only actions a statement may allow on every resource of a kind, and
// never across accounts or regions.
var AnyNameActions = map[string]string{
	"ec2:CreateNetworkInterface":     KindENI,
	"ec2:DeleteNetworkInterface":     KindENI,
	"ec2:AssignPrivateIpAddresses":   KindENI,
	"ec2:UnassignPrivateIpAddresses": KindENI,
}

// Statement is one policy statement. Resources are inputs, as they are usually the ARNs of
// other resources.
type Statement struct {
	// Sid names the statement in IAM's messages and in tests. Empty means none.
	Sid    string
	Effect string // "Allow" when empty
	// Principal is whom a resource policy's statement is about; nil in an identity policy.
	Principal map[string]any
	// Actions are the IAM actions allowed (or denied), never a wildcard.
	Actions []string
	// Resources are the exact ARNs the actions apply to.
	Resources []pulumi.StringInput
	// AnyResource makes Resource "*"; only WildcardOnlyActions may be allowed so, except in
	// a ResourcePolicy.
	AnyResource bool
	// ResourcePolicy marks a statement of a resource-based policy (a KMS key policy), where
	// Resource "*" means the resource the policy is attached to and is the only form allowed.
	ResourcePolicy bool
	// Condition maps operators to keys to values. A value may be a pulumi.StringInput (the
	// ARN of another resource, as aws:SourceArn), resolved with the resources.
	Condition map[string]map[string]any
}

type document struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Sid       string                    `json:"Sid,omitempty"`
	Effect    string                    `json:"Effect"`
	Principal map[string]any            `json:"Principal,omitempty"`
	Action    []string                  `json:"Action"`
	Resource  any                       `json:"Resource,omitempty"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

// Check enforces the rules on plain parts of the statements, so a bad grant fails while the
// graph is built, not during the deployment.
func Check(stmts ...Statement) error {
	for i, s := range stmts {
		if len(s.Actions) == 0 {
			return fmt.Errorf("statement %d (%s): no actions", i, s.Sid)
		}
		allow := s.Effect == "" || s.Effect == "Allow"
		for _, a := range s.Actions {
			if allow && strings.ContainsAny(a, "*?") {
				return fmt.Errorf("statement %d (%s): action %q is a wildcard; name the actions", i, s.Sid, a)
			}
			if allow && s.AnyResource && !s.ResourcePolicy && !slices.Contains(WildcardOnlyActions, a) {
				return fmt.Errorf("statement %d (%s): action %q allowed on Resource \"*\"; only %v may be", i, s.Sid, a, WildcardOnlyActions)
			}
		}
		if !s.AnyResource && len(s.Resources) == 0 && s.Principal == nil {
			return fmt.Errorf("statement %d (%s): no resources", i, s.Sid)
		}
		for _, r := range s.Resources {
			if plain, ok := r.(pulumi.String); ok {
				if err := checkResource(string(plain)); err != nil {
					return fmt.Errorf("statement %d (%s): %w", i, s.Sid, err)
				}
			}
		}
	}
	return nil
}

// checkResource refuses a resource that is not an ARN (a bare "*" included): "*" is only
// said through AnyResource, where the rules above apply.
func checkResource(r string) error {
	if !strings.HasPrefix(r, "arn:") {
		return fmt.Errorf("resource %q is not an ARN", r)
	}
	return nil
}

// Document renders the statements as a policy JSON string once their resources are known.
// It returns Check's error first.
func Document(stmts ...Statement) (pulumi.StringOutput, error) {
	if err := Check(stmts...); err != nil {
		return pulumi.StringOutput{}, err
	}
	var inputs []any
	for _, s := range stmts {
		for _, r := range s.Resources {
			inputs = append(inputs, r)
		}
		inputs = append(inputs, conditionInputs(s.Condition)...)
	}
	return pulumi.All(inputs...).ApplyT(func(vals []any) (string, error) {
		doc := document{Version: "2012-10-17"}
		n := 0
		for _, s := range stmts {
			st := statement{Sid: s.Sid, Effect: s.Effect, Principal: s.Principal, Action: s.Actions}
			if st.Effect == "" {
				st.Effect = "Allow"
			}
			var res []string
			for range s.Resources {
				v := vals[n].(string)
				if err := checkResource(v); err != nil {
					// An output resolved to something that is no ARN: fail the deployment
					// rather than write a policy wider than declared.
					return "", fmt.Errorf("policy statement %q: %w", s.Sid, err)
				}
				res = append(res, v)
				n++
			}
			switch {
			case s.AnyResource:
				st.Resource = "*"
			case len(res) > 0:
				st.Resource = res
			}
			st.Condition, n = resolveCondition(s.Condition, vals, n)
			doc.Statement = append(doc.Statement, st)
		}
		b, err := json.Marshal(doc)
		return string(b), err
	}).(pulumi.StringOutput), nil
}

// conditionInputs are the values of a condition that are inputs, in operator and key order.
func conditionInputs(c map[string]map[string]any) []any {
	var out []any
	for _, op := range slices.Sorted(maps.Keys(c)) {
		for _, k := range slices.Sorted(maps.Keys(c[op])) {
			if in, ok := c[op][k].(pulumi.StringInput); ok {
				out = append(out, in)
			}
		}
	}
	return out
}

// resolveCondition returns a copy of c whose input values are vals[n:], in conditionInputs'
// order, and the index of the next value.
func resolveCondition(c map[string]map[string]any, vals []any, n int) (map[string]map[string]any, int) {
	if c == nil {
		return nil, n
	}
	out := make(map[string]map[string]any, len(c))
	for _, op := range slices.Sorted(maps.Keys(c)) {
		out[op] = make(map[string]any, len(c[op]))
		for _, k := range slices.Sorted(maps.Keys(c[op])) {
			v := c[op][k]
			if _, ok := v.(pulumi.StringInput); ok {
				v = vals[n]
				n++
			}
			out[op][k] = v
		}
	}
	return out, n
}

// AssumeRole is the trust policy that lets only the given AWS service assume a role.
func AssumeRole(service string) string {
	b, _ := json.Marshal(document{Version: "2012-10-17", Statement: []statement{{
		Effect:    "Allow",
		Principal: map[string]any{"Service": service},
		Action:    []string{"sts:AssumeRole"},
	}}})
	return string(b)
}
