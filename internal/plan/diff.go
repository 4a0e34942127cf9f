package plan

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Op is what `pulumi preview` would do to a resource.
type Op string

// The operations, in the order a diff lists them.
const (
	Replace Op = "replace"
	Delete  Op = "delete"
	Create  Op = "create"
	Update  Op = "update"
)

// Change is one resource a diff shows.
type Change struct {
	Op Op
	// URN is the resource's URN in the new plan (the old one for Delete); Type its type.
	URN, Type string
	// OldURN is the URN in the base plan when it differs from URN (a rename, aliased or not).
	OldURN string
	// Properties are the input properties that changed, by path, sorted.
	Properties []PropertyChange
	// Because says why a replacement replaces: "URN changed without an alias" or the
	// replace-on-change properties.
	Because string
	// Alias is, for a replacement by URN change, the alias that would make it an update.
	Alias string
	// Stateful says what a replacement or deletion of a stateful resource loses; empty for
	// others.
	Stateful string
}

// PropertyChange is one changed input, old -> new, as display text (secrets stay masked).
type PropertyChange struct {
	Path     string
	Old, New string
	// Replaces is true when this change forces replacement (ReplaceOnChange).
	Replaces bool
}

// StackDiff is the difference between the base and the new plan of one stack.
type StackDiff struct {
	Stack string
	// Changes are sorted by Op (replace, delete, create, update), then URN.
	Changes []Change
	// Unchanged counts the resources that are the same in both.
	Unchanged int
	// NewStack is true when the base plan has no such stack; Gone when the new plan has none.
	NewStack, Gone bool
	// LeftBehind counts, for a stack that is gone, the base's resources, which a removed stack
	// file does not delete (pulumi destroy does); StatefulLeftBehind those of them that hold
	// data. A gone stack has no Changes.
	LeftBehind, StatefulLeftBehind int
}

// Count returns how many changes of op the diff has.
func (d StackDiff) Count(op Op) int {
	n := 0
	for _, c := range d.Changes {
		if c.Op == op {
			n++
		}
	}
	return n
}

// Diff compares the base and the new plan of one stack (either may be nil: a stack that is
// new, whose resources are all created, or gone, whose resources are left as they are). Resources are matched as Match matches them; a matched pair is replaced when
// its URN changed without an alias or a ReplaceOnChange property changed, updated when another
// input or option changed, and unchanged otherwise.
func Diff(base, next *Stack) StackDiff {
	var d StackDiff
	switch {
	case base == nil && next == nil:
		return d
	case base == nil:
		d.Stack, d.NewStack = next.Stack, true
		base = &Stack{}
	case next == nil:
		d.Stack, d.Gone = base.Stack, true
		for _, r := range base.Resources {
			if r.Custom && !strings.HasPrefix(r.Type, "pulumi:providers:") {
				d.LeftBehind++
				if Stateful[r.Type] != "" {
					d.StatefulLeftBehind++
				}
			}
		}
		return d
	default:
		d.Stack = next.Stack
	}
	oldBy := map[string]*Resource{}
	var oldURNs []string
	for i := range base.Resources {
		r := &base.Resources[i]
		oldBy[r.URN] = r
		oldURNs = append(oldURNs, r.URN)
	}
	newBy := map[string]*Resource{}
	nodes := make([]Node, len(next.Resources))
	for i := range next.Resources {
		r := &next.Resources[i]
		newBy[r.URN] = r
		nodes[i] = Node{URN: r.URN, Parent: r.Parent, Aliases: r.Aliases}
	}
	pairs := Match(oldURNs, nodes)
	oldOf := map[string]string{} // new URN -> the old URN of the same resource, kept in place
	for _, p := range pairs {
		if p.Kind == Same || p.Kind == Aliased {
			oldOf[p.New] = p.Old
		}
	}
	kept := keptIdentities(pairs, oldBy, newBy, oldOf)
	// A provider that is replaced replaces every resource it provisions: pulumi-aws replaces
	// its provider when the region changes (ReplaceOnChange), and the engine then replaces
	// the provider's resources, in the new region.
	replacedProvider := map[string]bool{}
	for _, p := range pairs {
		if n := newBy[p.New]; n != nil && strings.HasPrefix(n.Type, "pulumi:providers:") &&
			(p.Kind == Unaliased || p.Kind != Added && compare(oldBy[p.Old], n, kept, oldOf).Op == Replace) {
			replacedProvider[n.URN] = true
		}
	}
	for _, p := range pairs {
		switch p.Kind {
		case Added:
			r := newBy[p.New]
			d.Changes = append(d.Changes, Change{Op: Create, URN: r.URN, Type: r.Type})
		case Deleted:
			r := oldBy[p.Old]
			d.Changes = append(d.Changes, Change{Op: Delete, URN: r.URN, Type: r.Type, Stateful: Stateful[r.Type]})
		default:
			o, n := oldBy[p.Old], newBy[p.New]
			c := compare(o, n, kept, oldOf)
			if p.Kind != Same {
				c.OldURN = o.URN
			}
			if p.Kind == Unaliased {
				c.Op, c.Because, c.Alias = Replace, "URN changed without an alias", p.Alias
			}
			if c.Op != Replace && replacedProvider[n.Provider] {
				c.Op, c.Because = Replace, "is provisioned by a provider that is replaced"
			}
			if c.Op == Replace {
				c.Stateful = Stateful[n.Type]
			}
			if c.Op == "" && p.Kind == Aliased {
				c.Op = Update // renamed in place
			}
			if c.Op == "" {
				d.Unchanged++
				continue
			}
			d.Changes = append(d.Changes, c)
		}
	}
	order := map[Op]int{Replace: 0, Delete: 1, Create: 2, Update: 3}
	slices.SortStableFunc(d.Changes, func(a, b Change) int {
		if order[a.Op] != order[b.Op] {
			return order[a.Op] - order[b.Op]
		}
		return strings.Compare(a.URN, b.URN)
	})
	return d
}

// keptIdentities returns what a rename leaves as it was: for each resource renamed or moved
// with an alias and updated in place (not replaced), its new id and, when auto-named (no input
// of its own holds it), its new physical name, each mapped to the old one. The recording mocks
// derive both from the URN, so the new plan's ARNs, URLs and names of such a resource differ
// from the base's, but Pulumi keeps the resource, its id and its auto-name: a value that
// differs only by them is no change. A renamed resource that is replaced really gets a new
// id and name, so it keeps nothing; as one replacement can force another (a mapping whose
// queue is new), the set is narrowed until it holds.
func keptIdentities(pairs []Pair, oldBy, newBy map[string]*Resource, oldOf map[string]string) *strings.Replacer {
	candidates := map[string]bool{}
	for _, p := range pairs {
		if p.Kind == Aliased {
			candidates[p.New] = true
		}
	}
	for len(candidates) > 0 {
		r := identityReplacer(pairs, oldBy, newBy, candidates)
		changed := false
		for _, p := range pairs {
			if candidates[p.New] && compare(oldBy[p.Old], newBy[p.New], r, oldOf).Op == Replace {
				delete(candidates, p.New)
				changed = true
			}
		}
		if !changed {
			return r
		}
	}
	return nil
}

// minIdentity is the shortest id or name taken for one kept: shorter ones ("$default", a
// stage's) are too likely to occur in unrelated values.
const minIdentity = 8

func identityReplacer(pairs []Pair, oldBy, newBy map[string]*Resource, kept map[string]bool) *strings.Replacer {
	type sub struct{ from, to string }
	var subs []sub
	add := func(from, to string) {
		if from != to && len(from) >= minIdentity && to != "" {
			subs = append(subs, sub{from, to})
		}
	}
	for _, p := range pairs {
		if !kept[p.New] {
			continue
		}
		o, n := oldBy[p.Old], newBy[p.New]
		add(n.ID, o.ID)
		if !holdsString(n.Inputs, n.PhysicalName) {
			add(n.PhysicalName, o.PhysicalName)
		}
	}
	// Longest first: strings.Replacer tries its pairs in order at each position.
	slices.SortFunc(subs, func(a, b sub) int {
		if len(a.from) != len(b.from) {
			return len(b.from) - len(a.from)
		}
		return strings.Compare(a.from, b.from)
	})
	if len(subs) == 0 {
		return nil
	}
	var args []string
	for _, s := range subs {
		args = append(args, s.from, s.to)
	}
	return strings.NewReplacer(args...)
}

// holdsString reports whether s is one of the string values of v (an input set explicitly).
func holdsString(v any, s string) bool {
	if s == "" {
		return false
	}
	switch x := v.(type) {
	case string:
		return x == s
	case map[string]any:
		for _, e := range x {
			if holdsString(e, s) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if holdsString(e, s) {
				return true
			}
		}
	}
	return false
}

// rewrite returns v with every string passed through r.
func rewrite(v any, r *strings.Replacer) any {
	switch x := v.(type) {
	case string:
		return r.Replace(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = rewrite(e, r)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = rewrite(e, r)
		}
		return out
	}
	return v
}

// compare returns the change between two versions of one resource: its changed inputs and
// options; Op is Replace when a replace-on-change property changed, Update when anything else
// did, and empty when nothing did. kept turns the new side's ids and names of renamed
// resources back into the old ones (keptIdentities) before the inputs are compared. oldOf
// maps a new URN to the old URN of the same resource: a resource whose provider is another
// one (not its old provider, nor that provider renamed with an alias) is replaced, as the
// engine replaces it.
func compare(o, n *Resource, kept *strings.Replacer, oldOf map[string]string) Change {
	c := Change{URN: n.URN, Type: n.Type}
	var props []PropertyChange
	newInputs := n.Inputs
	if kept != nil {
		newInputs, _ = rewrite(n.Inputs, kept).(map[string]any)
	}
	diffValue("", o.Inputs, newInputs, &props)
	opt := func(name string, a, b bool) {
		if a != b {
			props = append(props, PropertyChange{Path: "(" + name + ")", Old: strconv.FormatBool(a), New: strconv.FormatBool(b)})
		}
	}
	opt("protect", o.Protect, n.Protect)
	opt("deleteBeforeReplace", o.DeleteBeforeReplace, n.DeleteBeforeReplace)
	opt("retainOnDelete", o.RetainOnDelete, n.RetainOnDelete)
	if o.Type != n.Type {
		props = append(props, PropertyChange{Path: "(type)", Old: o.Type, New: n.Type})
	}
	newProvider := o.Provider != n.Provider && oldOf[n.Provider] != o.Provider
	if newProvider {
		props = append(props, PropertyChange{Path: "(provider)", Old: Show(o.Provider), New: Show(n.Provider), Replaces: true})
	}
	if len(props) == 0 {
		return c
	}
	c.Op = Update
	rule := ReplaceOnChange[n.Type]
	var forced []string
	for i := range props {
		top := topLevel(props[i].Path)
		if slices.Contains(rule.Properties, top) {
			props[i].Replaces = true
			if !slices.Contains(forced, top) {
				forced = append(forced, top)
			}
		}
	}
	switch {
	case len(forced) > 0:
		c.Op = Replace
		c.Because = "changes " + strings.Join(forced, ", ") + " (" + rule.Source + ")"
		if newProvider {
			c.Because += ", and its provider"
		}
	case newProvider:
		c.Op = Replace
		c.Because = "changes its provider (the engine replaces a resource that moves to another provider)"
	}
	slices.SortFunc(props, func(a, b PropertyChange) int { return strings.Compare(a.Path, b.Path) })
	c.Properties = props
	return c
}

// topLevel is the input property a path starts with.
func topLevel(path string) string {
	if i := strings.IndexAny(path, ".[{"); i >= 0 {
		return path[:i]
	}
	return path
}

// diffValue appends the leaf differences between a and b below path. Objects are compared
// key by key and lists of equal length item by item; strings that both hold JSON documents
// (IAM policies, redrive policies) are compared as documents, their paths in braces.
func diffValue(path string, a, b any, out *[]PropertyChange) {
	if reflect.DeepEqual(a, b) {
		return
	}
	switch x := a.(type) {
	case map[string]any:
		if y, ok := b.(map[string]any); ok {
			keys := map[string]bool{}
			for k := range x {
				keys[k] = true
			}
			for k := range y {
				keys[k] = true
			}
			for _, k := range sortedKeys(keys) {
				va, ina := x[k]
				vb, inb := y[k]
				p := join(path, k)
				switch {
				case !ina:
					*out = append(*out, PropertyChange{Path: p, Old: "(none)", New: Show(vb)})
				case !inb:
					*out = append(*out, PropertyChange{Path: p, Old: Show(va), New: "(none)"})
				default:
					diffValue(p, va, vb, out)
				}
			}
			return
		}
	case []any:
		if y, ok := b.([]any); ok && len(x) == len(y) {
			for i := range x {
				diffValue(fmt.Sprintf("%s[%d]", path, i), x[i], y[i], out)
			}
			return
		}
	case string:
		if y, ok := b.(string); ok {
			var da, db any
			if isDoc(x) && isDoc(y) && json.Unmarshal([]byte(x), &da) == nil && json.Unmarshal([]byte(y), &db) == nil {
				var inner []PropertyChange
				diffValue("", da, db, &inner)
				for _, c := range inner {
					c.Path = path + "{" + c.Path + "}"
					*out = append(*out, c)
				}
				return
			}
		}
	}
	*out = append(*out, PropertyChange{Path: path, Old: Show(a), New: Show(b)})
}

func isDoc(s string) bool {
	s = strings.TrimSpace(s)
	return len(s) > 1 && (s[0] == '{' || s[0] == '[')
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Show renders a plan value in one line: strings quoted, objects and lists as compact JSON
// (keys sorted). Masked secrets stay masked.
func Show(v any) string {
	if s, ok := v.(string); ok && (s == Secret || s == Unknown) {
		return s
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
