package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/internal/optout"
)

// Severity says how bad a violation of a rule is.
type Severity string

// The severities, from the worst.
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
)

// Rule is one rule of the baseline, as data.
type Rule struct {
	// ID names the rule in violations and suppressions, such as "s3-tls-only". It never
	// changes once released.
	ID string
	// Title says in a line what the rule demands.
	Title string
	// Severity is how bad a violation is.
	Severity Severity
	// Types are the resource type tokens the rule looks at.
	Types []string
	// Reason says why the rule exists.
	Reason string
	// Controls are the public controls the rule answers to: AWS Security Hub FSBP ids
	// ("FSBP S3.5") and cdk-nag ids ("AwsSolutions-S10", "Serverless-LambdaTracing").
	Controls []string
	// Production is true for a rule that holds only where Options.Production is set.
	Production bool

	// check reports the rule's violations over the recorded resources; it reads only
	// resources of Types and reports only on them.
	check func(*scope)
}

// Violation is one broken rule on one resource.
type Violation struct {
	// Rule is the rule's ID, such as "iam-explicit-resources".
	Rule string
	// Severity is the rule's severity.
	Severity Severity
	// Resource is the offending resource's URN.
	Resource string
	// Message says what is wrong.
	Message string
	// Suppression is the reason a suppression gave for this violation; empty when the
	// violation is not suppressed.
	Suppression string
}

// String is the violation as one line of a report: "rule: resource: message".
func (v Violation) String() string { return v.Rule + ": " + v.Resource + ": " + v.Message }

// Suppression accepts the violations of one rule on one resource, for a written reason.
type Suppression struct {
	// Rule is the rule's ID.
	Rule string
	// Resource names the resource: its URN, or its type and logical name as
	// "aws:s3/bucketV2:BucketV2::archive", which holds for every stack of the program.
	Resource string
	// Reason says why the violation is accepted. It is required.
	Reason string
}

// Options select the rules that depend on the environment, and the suppressions.
type Options struct {
	// Production applies the rules that hold only in production (Rule.Production), such as
	// protected stateful resources and a year of log retention.
	Production bool
	// Suppressions accept violations, each of one rule on one resource.
	Suppressions []Suppression
}

// Report is the outcome of Check.
type Report struct {
	// Violations are the violations no suppression accepts, sorted by rule and resource.
	Violations []Violation
	// Suppressed are the violations a suppression accepts, with its reason, sorted alike.
	Suppressed []Violation
	// Unused are the suppressions that accepted no violation: the resource complies now, and
	// the suppression can go.
	Unused []Suppression
	// Undecided are the outcomes no rule could decide, sorted alike: the rule needs a value
	// that is unknown (in a preview, the outputs of resources still to be created, and the
	// inputs built from them), and a known one could make it hold or fail. Each is neither
	// a violation nor a pass; its Message says what would be wrong and which value is
	// unknown. An update (every value known) has none. A suppression that names one
	// counts as used, and its reason is in Suppression.
	Undecided []Violation
}

// AccessLoggingOffTag is the tag whose value, on a bucket, is the reason its server access
// logging is off; with it, rule s3-access-logging accepts the bucket (components/bucket
// writes it from Args.AccessLoggingOff).
const AccessLoggingOffTag = optout.AccessLoggingOff

// Rules returns the baseline's rules, sorted by ID.
func Rules() []Rule {
	out := slices.Clone(catalogue)
	slices.SortFunc(out, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Lookup returns the rule with an ID, and whether there is one.
func Lookup(id string) (Rule, bool) {
	i := slices.IndexFunc(catalogue, func(r Rule) bool { return r.ID == id })
	if i < 0 {
		return Rule{}, false
	}
	return catalogue[i], true
}

// Check returns the violations Evaluate reports that no suppression accepts. When a
// suppression is invalid, it returns one violation of rule "suppression" for each mistake
// instead, so a test that expects no violation fails on it. Outcomes a preview leaves
// undecided are no violations: Evaluate's Report.Undecided lists them.
func Check(resources []componenttest.Resource, opts Options) []Violation {
	rep, err := Evaluate(resources, opts)
	if err != nil {
		var out []Violation
		for _, e := range unjoin(err) {
			out = append(out, Violation{Rule: "suppression", Severity: Critical, Message: e.Error()})
		}
		return out
	}
	return rep.Violations
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// Evaluate evaluates every rule of the catalogue over the recorded resources (those with
// Production only when opts.Production is set) and applies the suppressions. A suppression
// that names no rule of the baseline, no recorded resource, or a resource whose type the rule
// does not look at (it could never match), that gives no reason, or that repeats another, is
// an error, and nothing is evaluated.
func Evaluate(resources []componenttest.Resource, opts Options) (Report, error) {
	if err := checkSuppressions(resources, opts.Suppressions); err != nil {
		return Report{}, err
	}
	idx, parsed := newIndex(resources), map[string]parsedDoc{}
	var found, unsure []Violation
	for i := range catalogue {
		r := &catalogue[i]
		if r.Production && !opts.Production {
			continue
		}
		s := &scope{rule: r, idx: idx, parsed: parsed}
		r.check(s)
		found = append(found, s.out...)
		unsure = append(unsure, s.unsure...)
	}
	byRule := func(a, b Violation) int {
		if c := strings.Compare(a.Rule, b.Rule); c != 0 {
			return c
		}
		return strings.Compare(a.Resource, b.Resource)
	}
	slices.SortStableFunc(found, byRule)
	slices.SortStableFunc(unsure, byRule)
	var rep Report
	used := make([]bool, len(opts.Suppressions))
	suppression := func(v Violation) int {
		return slices.IndexFunc(opts.Suppressions, func(s Suppression) bool { return s.Rule == v.Rule && names(s, v.Resource) })
	}
	for _, v := range found {
		i := suppression(v)
		if i < 0 {
			rep.Violations = append(rep.Violations, v)
			continue
		}
		used[i] = true
		v.Suppression = opts.Suppressions[i].Reason
		rep.Suppressed = append(rep.Suppressed, v)
	}
	for _, v := range unsure {
		// The suppression accepts the violation should the update find one: it is in use.
		if i := suppression(v); i >= 0 {
			used[i] = true
			v.Suppression = opts.Suppressions[i].Reason
		}
		rep.Undecided = append(rep.Undecided, v)
	}
	for i, s := range opts.Suppressions {
		if !used[i] {
			rep.Unused = append(rep.Unused, s)
		}
	}
	return rep, nil
}

// checkSuppressions returns every mistake of the suppressions, each naming the suppression
// by its rule and resource.
func checkSuppressions(resources []componenttest.Resource, sups []Suppression) error {
	var errs []error
	seen := map[[2]string]bool{}
	for _, s := range sups {
		fail := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("suppression of %s on %q: %s", s.Rule, s.Resource, fmt.Sprintf(format, args...)))
		}
		rule, known := Lookup(s.Rule)
		if !known {
			fail("rule %q is no rule of the baseline", s.Rule)
			continue
		}
		// A reason says something: blanks, a zero-width space or a dash are no reason.
		if !strings.ContainsFunc(s.Reason, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
			fail("no reason given")
		}
		key := [2]string{s.Rule, s.Resource}
		if seen[key] {
			fail("it repeats an earlier suppression of the same rule and resource")
			continue
		}
		seen[key] = true
		var types []string
		for _, r := range resources {
			if names(s, r.URN) {
				types = append(types, r.Type)
			}
		}
		switch {
		case len(types) == 0:
			fail("resource %q is not in the program", s.Resource)
		case len(types) > 1:
			// Resources of one type and name under different parents: a suppression
			// accepts the violations of one resource, never of several at once.
			fail("it names %d resources; name one by its URN", len(types))
		case !slices.ContainsFunc(types, func(t string) bool { return slices.Contains(rule.Types, t) }):
			fail("rule %s looks only at %s, not at %s, so it can never match", s.Rule, strings.Join(rule.Types, ", "), strings.Join(slices.Compact(slices.Sorted(slices.Values(types))), ", "))
		}
	}
	return errors.Join(errs...)
}

// names reports whether a suppression names the resource with this URN: the URN itself, or
// exactly its type and logical name. (A suffix of the URN, as "api" or "::api", would name
// every resource so called, of any type.)
func names(s Suppression, urn string) bool {
	return s.Resource != "" && (s.Resource == urn || s.Resource == typeAndName(urn))
}

// typeAndName returns "<type>::<name>" of a URN
// ("urn:pulumi:<stack>::<project>::<parent types$...$><type>::<name>"), or "" for no URN.
// The name is all that follows the type, as it may itself hold "::".
func typeAndName(urn string) string {
	parts := strings.SplitN(strings.TrimPrefix(urn, "urn:pulumi:"), "::", 4)
	if len(parts) < 4 || !strings.HasPrefix(urn, "urn:pulumi:") {
		return ""
	}
	qualified := parts[2]
	return qualified[strings.LastIndex(qualified, "$")+1:] + "::" + parts[3]
}

// index holds the recorded resources by type, in registration order.
type index map[string][]componenttest.Resource

func newIndex(resources []componenttest.Resource) index {
	idx := index{}
	for _, r := range resources {
		idx[r.Type] = append(idx[r.Type], r)
	}
	return idx
}

// scope is what one rule's check sees: the resources of its Types, and where it reports.
type scope struct {
	rule *Rule
	idx  index
	out  []Violation
	// unsure are the outcomes the check could not decide (see Report.Undecided).
	unsure []Violation
	// parsed holds each policy document text parsed once per evaluation: several rules
	// read the same documents.
	parsed map[string]parsedDoc
	// read records the types the check asked for, so a test can hold Types to them.
	read map[string]bool
}

// of returns the resources of one type, which must be among the rule's Types: a rule reads
// nothing it does not declare.
func (s *scope) of(typ string) []componenttest.Resource {
	if !slices.Contains(s.rule.Types, typ) {
		panic(fmt.Sprintf("policy: rule %s reads %s, which is not among its Types", s.rule.ID, typ))
	}
	if s.read != nil {
		s.read[typ] = true
	}
	return s.idx[typ]
}

// report records a violation of the rule on r, whose type must be among the rule's Types,
// so that a suppression of the rule can name it.
func (s *scope) report(r componenttest.Resource, format string, args ...any) {
	if !slices.Contains(s.rule.Types, r.Type) {
		panic(fmt.Sprintf("policy: rule %s reports on %s, which is not among its Types", s.rule.ID, r.Type))
	}
	s.out = append(s.out, Violation{Rule: s.rule.ID, Severity: s.rule.Severity, Resource: r.URN, Message: fmt.Sprintf(format, args...)})
}

// PublicRoute is the suppression that accepts a public API route (authorization NONE) of
// rule api-route-authorization, for a reason: routeName is the route's logical name, such as
// "http-GET /healthz" (the api component names routes "<api>-<route key>").
func PublicRoute(routeName, reason string) Suppression {
	return Suppression{Rule: "api-route-authorization", Resource: typeRoute + "::" + routeName, Reason: reason}
}

type parsedDoc struct {
	doc document
	err error
}

// parse parses a policy document, once per evaluation.
func (s *scope) parse(text string) (document, error) {
	if s.parsed == nil {
		return parseDocument(text)
	}
	p, ok := s.parsed[text]
	if !ok {
		p.doc, p.err = parseDocument(text)
		s.parsed[text] = p
	}
	return p.doc, p.err
}
