package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/internal/plan"
)

// graph derives how a stack's components connect from what the program registered: routes to
// integrations to functions; role policies' resources to the components that own them;
// event source mappings from queues to functions; bucket notifications to queues and
// functions. Nothing is assumed about the program's shape.
type graph struct {
	byURN  map[string]*componenttest.Resource
	owner  map[string]string // resource URN -> URN of its nearest component (itself if one)
	ref    map[string]string // an id, ARN, name or URL a resource answers with -> its URN
	edges  map[[2]string]map[string]bool
	dotted map[[2]string]bool
}

func isComponent(r *componenttest.Resource) bool {
	return !r.Custom && r.Type != stackTypeToken
}

func newGraph(recorded []componenttest.Resource) *graph {
	g := &graph{byURN: map[string]*componenttest.Resource{}, owner: map[string]string{}, ref: map[string]string{},
		edges: map[[2]string]map[string]bool{}, dotted: map[[2]string]bool{}}
	for i := range recorded {
		g.byURN[recorded[i].URN] = &recorded[i]
	}
	for i := range recorded {
		r := &recorded[i]
		for u := r.URN; u != ""; {
			a := g.byURN[u]
			if a == nil {
				break
			}
			if isComponent(a) {
				g.owner[r.URN] = a.URN
				break
			}
			u = a.Parent
		}
		if !r.Custom {
			continue
		}
		if r.ID != "" {
			g.ref[r.ID] = r.URN
		}
		for _, k := range []string{"arn", "invokeArn", "url", "name"} {
			if v, ok := r.Output(k); ok {
				if s, ok := v.(string); ok && s != "" {
					g.ref[s] = r.URN
				}
			}
		}
	}
	return g
}

// resolve finds the resource an ARN, id or name refers to: the exact value, or the resource
// whose ARN the value extends ("<table arn>/index/*", "<bucket arn>/*").
func (g *graph) resolve(v string) string {
	if u, ok := g.ref[v]; ok {
		return u
	}
	best := ""
	for k := range g.ref {
		// The exact value was looked up above, so a prefix here is shorter than v.
		if strings.HasPrefix(k, "arn:") && strings.HasPrefix(v, k) && len(k) > len(best) && (v[len(k)] == '/' || v[len(k)] == ':') {
			best = k
		}
	}
	if best != "" {
		return g.ref[best]
	}
	return ""
}

func (g *graph) add(from, to, label string, dotted bool) {
	a, b := g.owner[from], g.owner[to]
	if a == "" || b == "" || a == b {
		return
	}
	k := [2]string{a, b}
	if g.edges[k] == nil {
		g.edges[k] = map[string]bool{}
	}
	if label != "" {
		g.edges[k][label] = true
	}
	if dotted {
		g.dotted[k] = true
	}
}

func (g *graph) derive(recorded []componenttest.Resource) {
	for i := range recorded {
		r := &recorded[i]
		switch r.Type {
		case "aws:apigatewayv2/route:Route":
			integ := g.byURN[g.resolve(strings.TrimPrefix(r.InputString("target"), "integrations/"))]
			if integ == nil {
				continue
			}
			fn := g.resolve(integ.InputString("integrationUri"))
			label := r.InputString("routeKey")
			if auth := r.InputString("authorizationType"); auth != "" && auth != "NONE" {
				label += " (" + auth + ")"
			}
			g.add(r.URN, fn, label, false)
		case "aws:iam/rolePolicy:RolePolicy":
			role := g.resolve(r.InputString("role"))
			if role == "" {
				continue
			}
			var doc struct {
				Statement []struct {
					Effect   string
					Action   any
					Resource any
				}
			}
			if json.Unmarshal([]byte(r.InputString("policy")), &doc) != nil {
				continue
			}
			for _, st := range doc.Statement {
				if st.Effect != "Allow" {
					continue
				}
				for _, res := range strList(st.Resource) {
					target := g.resolve(res)
					if target == "" {
						continue
					}
					for _, a := range strList(st.Action) {
						g.add(role, target, a, false)
					}
				}
			}
		case "aws:lambda/eventSourceMapping:EventSourceMapping":
			src, fn := g.resolve(r.InputString("eventSourceArn")), g.resolve(r.InputString("functionName"))
			label := "event source mapping"
			if n, ok := r.Input("batchSize"); ok {
				label = fmt.Sprintf("batches of %v", n)
			}
			g.add(src, fn, label, false)
		case "aws:s3/bucketNotification:BucketNotification":
			bucket := g.resolve(r.InputString("bucket"))
			for _, list := range []struct{ key, arn string }{{"queues", "queueArn"}, {"lambdaFunctions", "lambdaFunctionArn"}, {"topics", "topicArn"}} {
				v, _ := r.Input(list.key)
				items, _ := v.([]any)
				for _, it := range items {
					m, _ := it.(map[string]any)
					s, _ := m[list.arn].(string)
					events := strList(m["events"])
					g.add(bucket, g.resolve(s), "notifies "+strings.Join(events, ","), false)
				}
			}
		case "aws:cloudwatch/metricAlarm:MetricAlarm":
			v, _ := r.Input("alarmActions")
			for _, a := range strList(v) {
				g.add(r.URN, g.resolve(a), "alarms", true)
			}
		}
	}
}

func strList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// writeGraph writes one Mermaid flowchart: a node per component, an edge per connection
// labelled with what it carries (alarm notifications dotted). With several stacks, each is a
// subgraph of the one chart, so the output is one valid diagram.
func writeGraph(out *bytes.Buffer, p *plan.Plan, recs [][]componenttest.Resource) {
	out.WriteString("flowchart LR\n")
	indent := "  "
	for i, s := range p.Stacks {
		rec := recs[i] //nolint:gosec // G602: planStacks returns one recording per stack, in the plan's order
		if len(p.Stacks) > 1 {
			fmt.Fprintf(out, "  subgraph %s[\"stack %s\"]\n", nodeID(s.Stack, nil), s.Stack)
			indent = "    "
		}
		g := newGraph(rec)
		g.derive(rec)
		var comps []*componenttest.Resource
		for _, r := range g.byURN {
			if isComponent(r) {
				comps = append(comps, r)
			}
		}
		slices.SortFunc(comps, func(a, b *componenttest.Resource) int { return strings.Compare(a.URN, b.URN) })
		ids := map[string]string{}
		for _, c := range comps {
			id := nodeID(s.Stack, c)
			ids[c.URN] = id
			kind := c.Type[strings.LastIndex(c.Type, ":")+1:]
			fmt.Fprintf(out, "%s%s[\"%s %s\"]\n", indent, id, kind, mermaidText(c.Name))
		}
		keys := make([][2]string, 0, len(g.edges))
		for k := range g.edges {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b [2]string) int {
			if c := strings.Compare(ids[a[0]], ids[b[0]]); c != 0 {
				return c
			}
			return strings.Compare(ids[a[1]], ids[b[1]])
		})
		for _, k := range keys {
			labels := make([]string, 0, len(g.edges[k]))
			for l := range g.edges[k] {
				labels = append(labels, l)
			}
			slices.Sort(labels)
			arrow := "-->"
			if g.dotted[k] {
				arrow = "-.->"
			}
			if len(labels) == 0 {
				fmt.Fprintf(out, "%s%s %s %s\n", indent, ids[k[0]], arrow, ids[k[1]])
				continue
			}
			fmt.Fprintf(out, "%s%s %s|\"%s\"| %s\n", indent, ids[k[0]], arrow, mermaidText(strings.Join(labels, "<br/>")), ids[k[1]])
		}
		if len(p.Stacks) > 1 {
			out.WriteString("  end\n")
		}
	}
}

// nodeID is a Mermaid node id for a component (its stack, kind and name), or for a stack's
// subgraph when c is nil, in the characters Mermaid ids allow.
func nodeID(stack string, c *componenttest.Resource) string {
	id := "stack_" + stack
	if c != nil {
		id = stack + "_" + strings.ToLower(c.Type[strings.LastIndex(c.Type, ":")+1:]) + "_" + c.Name
	}
	var b strings.Builder
	for _, r := range id {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// mermaidText escapes what would end a quoted Mermaid label.
func mermaidText(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "{", "#123;", "}", "#125;").Replace(s)
}
