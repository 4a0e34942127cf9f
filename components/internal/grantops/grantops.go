// Package grantops builds a grant.Grant from typed operations, so the storage and queue
// components validate, name and render their grants alike: each operation names the IAM
// actions it needs on each of the component's resources (a table and its indexes, a bucket
// and its objects, a queue) and the KMS actions it needs on a customer managed key.
package grantops

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/grant"
)

// Spec is what one operation needs.
type Spec[O ~string] struct {
	// Op is the operation.
	Op O
	// Slug names the operation in the grant's name ("get", "put", ...).
	Slug string
	// Actions are the IAM actions by Target.Key. A key the operation does not use is absent,
	// so the grant names that resource only when some operation needs it.
	Actions map[string][]string
	// KMS are the actions the operation needs on the resource's customer managed key, when
	// it has one. Nil means none.
	KMS []string
}

// Target is one resource a grant may name.
type Target struct {
	// Key is what Spec.Actions calls it.
	Key string
	// Sid is the statement's Sid (letters and digits only, as IAM requires).
	Sid string
	// Resource is its ARN or ARN pattern.
	Resource pulumi.StringInput
}

// Build validates ops against specs and returns the grant named owner+"-"+slugs that allows
// what they need on targets (in targets' order) and on key (a statement keySid, when key is
// not nil). what names the grant in errors, such as `table "orders" Grant`. An empty,
// unknown or repeated operation, or none at all, gives grant.Invalid with an error naming
// its position.
func Build[O ~string](what, owner string, ops []O, specs []Spec[O], targets []Target, key pulumi.StringInput, keySid string) grant.Grant {
	known := make([]string, len(specs))
	for i, s := range specs {
		known[i] = string(s.Op)
	}
	oneOf := strings.Join(known, ", ")
	invalid := func(format string, args ...any) grant.Grant {
		return grant.Invalid(owner+"-invalid", fmt.Errorf(what+": "+format, args...))
	}
	if len(ops) == 0 {
		return invalid("no operations; name at least one of %s", oneOf)
	}
	first := map[O]int{}
	for i, op := range ops {
		switch j, seen := first[op]; {
		case op == "":
			return invalid("operations[%d] is empty; use one of %s", i, oneOf)
		case !slices.Contains(known, string(op)):
			return invalid("operations[%d] %q is not one of %s", i, string(op), oneOf)
		case seen:
			return invalid("operations[%d] %s repeats operations[%d]", i, string(op), j)
		}
		first[op] = i
	}

	var slugs, kms []string
	actions := map[string][]string{}
	for _, s := range specs { // in the specs' order, so the name does not depend on the call's
		if _, ok := first[s.Op]; !ok {
			continue
		}
		slugs = append(slugs, s.Slug)
		for k, a := range s.Actions {
			actions[k] = append(actions[k], a...)
		}
		kms = append(kms, s.KMS...)
	}
	g := grant.Grant{Name: owner + "-" + strings.Join(slugs, "-")}
	for _, t := range targets {
		if a := sortedSet(actions[t.Key]); len(a) > 0 {
			g.Statements = append(g.Statements, grant.Statement{Sid: t.Sid, Actions: a, Resources: []pulumi.StringInput{t.Resource}})
		}
	}
	if k := sortedSet(kms); key != nil && len(k) > 0 {
		g.Statements = append(g.Statements, grant.Statement{Sid: keySid, Actions: k, Resources: []pulumi.StringInput{key}})
	}
	return g
}

func sortedSet(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}
