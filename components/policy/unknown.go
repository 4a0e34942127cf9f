package policy

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/groundwork-dev/groundwork/components/componenttest"
)

// verdict is what a check concludes about one resource when some values may be unknown (a
// preview): it holds, it fails, or the unknown values decide.
type verdict int8

// The verdicts, ordered so that max picks the best one and min the worst.
const (
	fails verdict = iota
	unsure
	holds
)

func boolVerdict(b bool) verdict {
	if b {
		return holds
	}
	return fails
}

// shown is a value for a message: "(unknown)" when it is not known.
func shown(v string, known bool) string {
	if !known {
		return "(unknown)"
	}
	return v
}

// not is the verdict of the opposite claim: unsure stays unsure.
func not(v verdict) verdict { return holds - v }

// known returns the string input at path and whether it is known; a value that is not set is
// known (and "").
func known(r componenttest.Resource, path string) (string, bool) {
	if r.Unknown(path) {
		return "", false
	}
	return r.InputString(path), true
}

// knownOutput is known for an output; "id" is the resource's ID.
func knownOutput(r componenttest.Resource, key string) (string, bool) {
	if r.Unknown(key) {
		return "", false
	}
	if key == "id" {
		return r.ID, true
	}
	return output(r, key), true
}

// nonEmpty is the verdict that the string input at path is set.
func nonEmpty(r componenttest.Resource, path string) verdict {
	v, ok := known(r, path)
	if !ok {
		return unsure
	}
	return boolVerdict(v != "")
}

// equals is the verdict that the input at path is want.
func equals(r componenttest.Resource, path string, want any) verdict {
	if r.Unknown(path) {
		return unsure
	}
	v, _ := r.Input(path)
	return boolVerdict(v == want)
}

// ref is a reference input (a bucket policy's bucket, a queue policy's queueUrl, a mapping's
// source ARN): its value when known, else the URNs of the resources it was built from.
type ref struct {
	value   string
	unknown bool
	from    []string
}

func refAt(r componenttest.Resource, path string) ref {
	if !r.Unknown(path) {
		return ref{value: r.InputString(path)}
	}
	top := path
	if i := strings.IndexAny(top, ".["); i >= 0 {
		top = top[:i]
	}
	return ref{unknown: true, from: r.PropertyDependencies[top]}
}

// set is the verdict that a reference whose known value was already found non-empty is
// set: holds when known, unsure when unknown.
func (x ref) set() verdict {
	if x.unknown {
		return unsure
	}
	return holds
}

// names is the verdict that the reference names subject, by one of its outputs keys ("id" is
// its ID). An unknown reference may name only a resource it was built from (any, when the
// engine gave no property dependencies); a known one may name a subject whose output is
// unknown.
func (x ref) names(subject componenttest.Resource, keys ...string) verdict {
	if x.unknown {
		if len(x.from) == 0 || slices.Contains(x.from, subject.URN) {
			return unsure
		}
		return fails
	}
	if x.value == "" {
		return fails
	}
	out := fails
	for _, k := range keys {
		v, ok := knownOutput(subject, k)
		switch {
		case !ok:
			out = max(out, unsure)
		case v == x.value:
			return holds
		}
	}
	return out
}

// undecided records that the rule cannot decide on r, whose type must be among the rule's
// Types, because a value it needs is unknown: the message says which.
func (s *scope) undecided(r componenttest.Resource, format string, args ...any) {
	if !slices.Contains(s.rule.Types, r.Type) {
		panic(fmt.Sprintf("policy: rule %s reports on %s, which is not among its Types", s.rule.ID, r.Type))
	}
	s.unsure = append(s.unsure, Violation{Rule: s.rule.ID, Severity: s.rule.Severity, Resource: r.URN, Message: fmt.Sprintf(format, args...)})
}

// decide reports on r by a verdict: a violation when it fails, an undecided outcome (with why,
// the unknown values) when it is unsure.
func (s *scope) decide(r componenttest.Resource, v verdict, why string, format string, args ...any) {
	switch v {
	case fails:
		s.report(r, format, args...)
	case unsure:
		s.undecided(r, "%s; undecided: %s", fmt.Sprintf(format, args...), why)
	}
}

// unknownOf says which of r's paths are unknown, for an undecided outcome's message.
func unknownOf(r componenttest.Resource, paths ...string) string {
	var out []string
	for _, p := range paths {
		if r.Unknown(p) {
			out = append(out, p)
		}
	}
	return fmt.Sprintf("%s of %s unknown", strings.Join(out, ", "), r.Name)
}

// linked indexes items (satellites, resource policies, ...) by a reference input that names
// the resource they apply to, so that finding a resource's items costs what it finds: by the
// reference's value when it is known, and among the few whose reference is unknown.
type linked[T any] struct {
	byValue map[string][]int
	unknown []int
	refs    []ref
	items   []T
}

func (l *linked[T]) add(x ref, item T) {
	i := len(l.items)
	l.items, l.refs = append(l.items, item), append(l.refs, x)
	switch {
	case x.unknown:
		l.unknown = append(l.unknown, i)
	case x.value != "":
		if l.byValue == nil {
			l.byValue = map[string][]int{}
		}
		l.byValue[x.value] = append(l.byValue[x.value], i)
	}
}

// alias indexes the last added item under one more value its reference stands for (a
// function's qualified ARN under the function's ARN).
func (l *linked[T]) alias(value string) {
	if value != "" {
		l.byValue[value] = append(l.byValue[value], len(l.items)-1)
	}
}

// each calls fn with every item whose reference may name subject by one of its outputs keys
// ("id" is its ID), and the verdict that it does (holds or unsure), once per item.
func (l *linked[T]) each(subject componenttest.Resource, keys []string, fn func(item T, v verdict)) {
	var values []string
	anyUnknown := false
	for _, k := range keys {
		v, ok := knownOutput(subject, k)
		switch {
		case !ok:
			anyUnknown = true
		case v != "" && !slices.Contains(values, v):
			values = append(values, v)
		}
	}
	if !anyUnknown {
		for _, v := range values {
			for _, i := range l.byValue[v] {
				fn(l.items[i], holds)
			}
		}
	} else {
		// A known reference may be the subject's unknown value.
		best := map[int]verdict{}
		for v, is := range l.byValue {
			for _, i := range is {
				best[i] = max(best[i], unsure, boolVerdict(slices.Contains(values, v)))
			}
		}
		for _, i := range slices.Sorted(maps.Keys(best)) {
			fn(l.items[i], best[i])
		}
	}
	for _, i := range l.unknown {
		if v := l.refs[i].names(subject, keys...); v != fails {
			fn(l.items[i], v)
		}
	}
}
