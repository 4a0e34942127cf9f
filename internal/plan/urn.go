package plan

import (
	"fmt"
	"slices"
	"strings"
)

// URN is a Pulumi URN taken apart: urn:pulumi:<stack>::<project>::<qualified type>::<name>,
// where the qualified type is the parents' types and the resource's own, joined by "$".
type URN struct {
	Stack, Project string
	// ParentTypes are the types of the resource's ancestors (not the stack), outermost first.
	ParentTypes []string
	// Type is the resource's own type token; Name its logical name.
	Type, Name string
}

// ParseURN takes a URN apart. The name may itself contain "::".
func ParseURN(s string) (URN, error) {
	rest, ok := strings.CutPrefix(s, "urn:pulumi:")
	parts := strings.SplitN(rest, "::", 4)
	if !ok || len(parts) != 4 || parts[2] == "" {
		return URN{}, fmt.Errorf("%q is not a Pulumi URN (urn:pulumi:<stack>::<project>::<type>::<name>)", s)
	}
	types := strings.Split(parts[2], "$")
	return URN{Stack: parts[0], Project: parts[1], ParentTypes: types[:len(types)-1], Type: types[len(types)-1], Name: parts[3]}, nil
}

// QualifiedType is the URN's type part: the parents' types and the own type, joined by "$".
func (u URN) QualifiedType() string {
	return strings.Join(append(slices.Clone(u.ParentTypes), u.Type), "$")
}

// String puts the URN together again.
func (u URN) String() string {
	return "urn:pulumi:" + u.Stack + "::" + u.Project + "::" + u.QualifiedType() + "::" + u.Name
}

// Node is what Match needs of a resource of the new side: its URN, its parent's URN (empty at
// the top) and the URNs its Aliases option names.
type Node struct {
	URN, Parent string
	Aliases     []string
}

// Kind is how an old URN relates to the new program.
type Kind int

// The kinds of Pair, from the best.
const (
	// Same: the URN is still there.
	Same Kind = iota
	// Aliased: the URN is gone, and a new resource's aliases (its own, or those the engine
	// derives from its parent's) name it: Pulumi renames or moves the resource in place.
	Aliased
	// Unaliased: the URN is gone and a new URN is the same resource (same type and name
	// under another parent, same parent types and type under another name, or the same name
	// under another type), with no alias naming the old URN: Pulumi deletes the old resource
	// and creates the new one. Pair.Alias says which alias to add.
	Unaliased
	// Deleted: the URN is gone and no new resource is it.
	Deleted
	// Added: a new URN that is no old resource.
	Added
)

// String is the kind's name, for messages and test output.
func (k Kind) String() string {
	return [...]string{"same", "aliased", "unaliased", "deleted", "added"}[k]
}

// Pair relates an old URN to a new one.
type Pair struct {
	Kind Kind
	// Old is empty for Added; New is empty for Deleted.
	Old, New string
	// Alias is, for Unaliased, the Go resource option that makes the new resource take the
	// old one's place.
	Alias string
}

// Match relates the URNs of an old plan (or a golden file) to the resources of a new program,
// as the Pulumi engine would: the same URN is the same resource; an old URN that a new
// resource's aliases name is that resource, renamed or moved; and of what is left, an old and
// a new URN of the same resource (same type and name under other parents, one renamed resource
// of a type under the same parents, or the same name and parents with another type) are paired
// as Unaliased, with the alias that would make them one. The pairs come sorted: old URNs in
// order, then added URNs in order.
func Match(old []string, nodes []Node) []Pair {
	byURN := make(map[string]*Node, len(nodes))
	for i := range nodes {
		byURN[nodes[i].URN] = &nodes[i]
	}
	oldSet := make(map[string]bool, len(old))
	for _, o := range old {
		oldSet[o] = true
	}
	pairs := map[string]Pair{} // by old URN
	taken := map[string]bool{} // new URNs paired
	var rest []string
	for _, o := range sortedUnique(old) {
		if byURN[o] != nil {
			pairs[o] = Pair{Kind: Same, Old: o, New: o}
			taken[o] = true
			continue
		}
		rest = append(rest, o)
	}
	// Aliases: a new resource that is not itself an old URN and names the old one.
	aliasOf := map[string]string{}
	for _, n := range sortedNodes(nodes) {
		if oldSet[n.URN] {
			continue
		}
		for _, a := range effectiveAliases(n, byURN, 0) {
			if _, seen := aliasOf[a]; !seen {
				aliasOf[a] = n.URN
			}
		}
	}
	var left []string
	for _, o := range rest {
		if n, ok := aliasOf[o]; ok {
			pairs[o] = Pair{Kind: Aliased, Old: o, New: n}
			taken[n] = true
			continue
		}
		left = append(left, o)
	}
	var added []string
	for _, n := range sortedNodes(nodes) {
		if !taken[n.URN] {
			added = append(added, n.URN)
		}
	}
	for _, p := range pairUnaliased(left, added, old) {
		pairs[p.Old] = p
		taken[p.New] = true
	}
	out := make([]Pair, 0, len(pairs)+len(added))
	for _, o := range sortedUnique(old) {
		if p, ok := pairs[o]; ok {
			out = append(out, p)
		} else {
			out = append(out, Pair{Kind: Deleted, Old: o})
		}
	}
	for _, n := range added {
		if !taken[n] {
			out = append(out, Pair{Kind: Added, New: n})
		}
	}
	return out
}

// effectiveAliases are the URNs the engine looks for a resource under: its own aliases, and
// for each alias of its parent (own or derived), the resource under that parent, with the
// parent's old name in place of the new at the start of its own name (the engine's
// inheritedChildAlias: children are conventionally named "<parent>-<suffix>").
func effectiveAliases(n *Node, byURN map[string]*Node, depth int) []string {
	out := slices.Clone(n.Aliases)
	parent := byURN[n.Parent]
	if parent == nil || depth > 64 {
		return out
	}
	self, err := ParseURN(n.URN)
	if err != nil {
		return out
	}
	pu, err := ParseURN(parent.URN)
	if err != nil {
		return out
	}
	for _, pa := range effectiveAliases(parent, byURN, depth+1) {
		a, err := ParseURN(pa)
		if err != nil {
			continue
		}
		name := self.Name
		if rest, ok := strings.CutPrefix(self.Name, pu.Name); ok {
			name = a.Name + rest
		}
		child := URN{Stack: a.Stack, Project: a.Project, ParentTypes: append(slices.Clone(a.ParentTypes), a.Type), Type: self.Type, Name: name}
		out = append(out, child.String())
	}
	return out
}

// pairUnaliased pairs old and new URNs left over that are the same resource, in three passes
// from the surest: same type and name (under other parents); same parent types and type with
// another name, where that leaves one old and one new of its kind or the same number of each
// (paired in sorted order); same name and parent types with another type.
func pairUnaliased(old, added, allOld []string) []Pair {
	parse := func(list []string) map[string]URN {
		m := make(map[string]URN, len(list))
		for _, s := range list {
			if u, err := ParseURN(s); err == nil {
				m[s] = u
			}
		}
		return m
	}
	ou, nu := parse(old), parse(added)
	usedOld, usedNew := map[string]bool{}, map[string]bool{}
	var out []Pair
	pass := func(key func(URN) string, alias func(o, n URN) string, balanced bool) {
		group := func(list []string, m map[string]URN, used map[string]bool) map[string][]string {
			g := map[string][]string{}
			for _, s := range list {
				if u, ok := m[s]; ok && !used[s] {
					g[key(u)] = append(g[key(u)], s)
				}
			}
			return g
		}
		og, ng := group(old, ou, usedOld), group(added, nu, usedNew)
		for k, os := range og {
			ns := ng[k]
			if len(ns) == 0 || len(os) != len(ns) || len(os) > 1 && !balanced {
				continue
			}
			slices.Sort(os)
			slices.Sort(ns)
			for i := range os {
				usedOld[os[i]], usedNew[ns[i]] = true, true
				out = append(out, Pair{Kind: Unaliased, Old: os[i], New: ns[i], Alias: alias(ou[os[i]], nu[ns[i]])})
			}
		}
	}
	pass(func(u URN) string { return u.Type + "::" + u.Name }, func(o, n URN) string { return parentAlias(o, allOld) }, false)
	pass(func(u URN) string { return u.QualifiedType() }, func(o, n URN) string {
		return fmt.Sprintf("pulumi.Aliases([]pulumi.Alias{{Name: pulumi.String(%q)}})", o.Name)
	}, true)
	pass(func(u URN) string { return strings.Join(u.ParentTypes, "$") + "::" + u.Name }, func(o, n URN) string {
		return fmt.Sprintf("pulumi.Aliases([]pulumi.Alias{{Type: pulumi.String(%q)}})", o.Type)
	}, false)
	slices.SortFunc(out, func(a, b Pair) int { return strings.Compare(a.Old, b.Old) })
	return out
}

// parentAlias is the alias for a resource moved to another parent: NoParent when it was at
// the top; its old parent's URN when the old side has exactly one resource of the old parent
// types; else the old URN itself.
func parentAlias(o URN, allOld []string) string {
	if len(o.ParentTypes) == 0 {
		return "pulumi.Aliases([]pulumi.Alias{{NoParent: pulumi.Bool(true)}})"
	}
	want := strings.Join(o.ParentTypes, "$")
	var found []string
	for _, s := range allOld {
		if u, err := ParseURN(s); err == nil && u.QualifiedType() == want {
			found = append(found, s)
		}
	}
	if len(found) == 1 {
		return fmt.Sprintf("pulumi.Aliases([]pulumi.Alias{{ParentURN: pulumi.URN(%q)}})", found[0])
	}
	return fmt.Sprintf("pulumi.Aliases([]pulumi.Alias{{URN: pulumi.URN(%q)}})", o.String())
}

func sortedUnique(list []string) []string {
	out := slices.Clone(list)
	slices.Sort(out)
	return slices.Compact(out)
}

func sortedNodes(nodes []Node) []*Node {
	out := make([]*Node, len(nodes))
	for i := range nodes {
		out[i] = &nodes[i]
	}
	slices.SortFunc(out, func(a, b *Node) int { return strings.Compare(a.URN, b.URN) })
	return out
}
