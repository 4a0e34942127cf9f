package main

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/groundwork-dev/groundwork/internal/plan"
)

// symbols are the marks `pulumi preview` prints for each operation.
var symbols = map[plan.Op]string{plan.Create: "+", plan.Delete: "-", plan.Update: "~", plan.Replace: "+-"}

// diffSummary is the one line that sums a stack's diff up.
func diffSummary(d plan.StackDiff) string {
	s := fmt.Sprintf("%d to add, %d to change, %d to replace, %d to delete, %d unchanged",
		d.Count(plan.Create), d.Count(plan.Update), d.Count(plan.Replace), d.Count(plan.Delete), d.Unchanged)
	switch {
	case d.NewStack:
		s += " (a stack the base plan does not have)"
	case d.Gone:
		s = fmt.Sprintf("no longer planned (its stack file is gone), which deletes nothing: `pulumi destroy --stack %s` would delete its %s (%d of them holding data)",
			d.Stack, plural(d.LeftBehind, "resource"), d.StatefulLeftBehind)
	}
	return s
}

// loud lists the changes that lose data: replacements and deletions of stateful resources.
func loud(d plan.StackDiff) []plan.Change {
	var out []plan.Change
	for _, c := range d.Changes {
		if c.Stateful != "" && (c.Op == plan.Replace || c.Op == plan.Delete) {
			out = append(out, c)
		}
	}
	return out
}

func writeDiffText(out *bytes.Buffer, p *plan.Plan, diffs []plan.StackDiff) {
	for i, d := range diffs {
		if i > 0 {
			out.WriteByte('\n')
		}
		fmt.Fprintf(out, "stack %s: %s\n", d.Stack, diffSummary(d))
		for _, c := range loud(d) {
			fmt.Fprintf(out, "  !!! %s %s %s: %s\n", strings.ToUpper(string(c.Op)), c.Type, nameOf(c.URN), c.Stateful)
		}
		for _, c := range d.Changes {
			fmt.Fprintf(out, "  %-2s %s %s", symbols[c.Op], c.Type, nameOf(c.URN))
			if c.OldURN != "" {
				fmt.Fprintf(out, " (was %s)", c.OldURN)
			}
			fmt.Fprintf(out, " [%s]\n", c.Op)
			if c.Because != "" {
				fmt.Fprintf(out, "       replaces because it %s\n", becauseText(c))
			}
			if c.Alias != "" {
				fmt.Fprintf(out, "       to keep it, add the option %s\n", c.Alias)
			}
			for _, pc := range c.Properties {
				mark := ""
				if pc.Replaces {
					mark = "  (forces replacement)"
				}
				fmt.Fprintf(out, "       %s: %s -> %s%s\n", pc.Path, pc.Old, pc.New, mark)
			}
		}
		if s, ok := p.Stack(d.Stack); ok {
			writeBaselineText(out, s.Baseline)
		}
	}
}

func becauseText(c plan.Change) string {
	if strings.HasPrefix(c.Because, "URN") {
		return "has a new URN and no alias names the old one"
	}
	return c.Because
}

func nameOf(urn string) string {
	if u, err := plan.ParseURN(urn); err == nil {
		return u.Name
	}
	return urn
}

// writeDiffMarkdown renders the diff for a pull-request comment: the marker a workflow finds
// its comment by, a summary line, a warning for data loss, a table of changes per stack, the
// property changes in a collapsible block, and the baseline.
func writeDiffMarkdown(out *bytes.Buffer, p *plan.Plan, diffs []plan.StackDiff) {
	out.WriteString(markdownMark + "\n")
	var add, change, replace, del, violations int
	for _, d := range diffs {
		add, change, replace, del = add+d.Count(plan.Create), change+d.Count(plan.Update), replace+d.Count(plan.Replace), del+d.Count(plan.Delete)
	}
	for _, s := range p.Stacks {
		violations += len(s.Baseline.Violations)
	}
	fmt.Fprintf(out, "**Offline plan**: %d to add, %d to change, %d to replace, %d to delete across %s; baseline: %s.\n\n",
		add, change, replace, del, plural(len(diffs), "stack"), plural(violations, "violation"))
	for _, d := range diffs {
		fmt.Fprintf(out, "### Stack `%s`\n\n%s\n\n", d.Stack, diffSummary(d))
		for _, c := range loud(d) {
			fmt.Fprintf(out, "> [!CAUTION]\n> **%s of stateful `%s` `%s`**: %s.\n\n", strings.ToUpper(string(c.Op)), c.Type, nameOf(c.URN), c.Stateful)
		}
		if len(d.Changes) > 0 {
			out.WriteString("| | operation | type | name | why |\n|---|---|---|---|---|\n")
			for _, c := range d.Changes {
				why := ""
				switch {
				case c.Because != "":
					why = becauseText(c)
					if c.Alias != "" {
						why += "; to keep it, add `" + c.Alias + "`"
					}
				case c.OldURN != "":
					why = "renamed from `" + cell(nameOf(c.OldURN)) + "` (aliased)"
				case c.Op == plan.Update:
					if len(c.Properties) == 1 {
						why = "1 property changed"
					} else {
						why = strconv.Itoa(len(c.Properties)) + " properties changed"
					}
				}
				fmt.Fprintf(out, "| %s | %s | `%s` | `%s` | %s |\n", symbols[c.Op], c.Op, c.Type, cell(nameOf(c.URN)), cell(why))
			}
			out.WriteByte('\n')
			var details bytes.Buffer
			left := 0
			for _, c := range d.Changes {
				for _, pc := range c.Properties {
					if details.Len() > maxDetails {
						left++
						continue
					}
					mark := ""
					if pc.Replaces {
						mark = " **(forces replacement)**"
					}
					fmt.Fprintf(&details, "| `%s` | `%s` | `%s` | `%s`%s |\n", cell(nameOf(c.URN)), cell(pc.Path), cell(pc.Old), cell(pc.New), mark)
				}
			}
			if left > 0 {
				fmt.Fprintf(&details, "\n%s left out to keep the comment within GitHub's size limit: run `synth -diff` for all of them.\n", plural(left, "more change"))
			}
			if details.Len() > 0 {
				out.WriteString("<details><summary>Property changes</summary>\n\n| resource | property | old | new |\n|---|---|---|---|\n")
				out.Write(details.Bytes())
				out.WriteString("\n</details>\n\n")
			}
		}
		if s, ok := p.Stack(d.Stack); ok {
			writeBaselineMarkdown(out, s.Baseline)
		}
	}
}

// maxDetails bounds the property table of one stack in a pull-request comment: GitHub refuses
// a comment over 65,536 characters.
const maxDetails = 20_000

// cell makes text safe inside a table cell and inline code.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "`", "'")
	return strings.ReplaceAll(s, "\n", " ")
}

func writeBaselineMarkdown(out *bytes.Buffer, b plan.Baseline) {
	fmt.Fprintf(out, "**Baseline**: %s.\n\n", baselineSummary(b))
	if len(b.Violations)+len(b.Suppressed) > 0 {
		out.WriteString("| | rule | severity | resource | message | suppression reason |\n|---|---|---|---|---|---|\n")
		for _, v := range b.Violations {
			fmt.Fprintf(out, "| :x: | `%s` | %s | `%s` | %s | |\n", v.Rule, v.Severity, cell(shortURN(v.Resource)), cell(v.Message))
		}
		for _, v := range b.Suppressed {
			fmt.Fprintf(out, "| suppressed | `%s` | %s | `%s` | %s | %s |\n", v.Rule, v.Severity, cell(shortURN(v.Resource)), cell(v.Message), cell(v.Reason))
		}
		out.WriteByte('\n')
	}
	for _, s := range b.Unused {
		fmt.Fprintf(out, "- unused suppression `%s` on `%s` (%s): it accepts nothing now; remove it\n", s.Rule, cell(s.Resource), cell(s.Reason))
	}
	if len(b.Unused) > 0 {
		out.WriteByte('\n')
	}
}

// writePlanMarkdown renders the plan without a base: the marker, a summary, the baseline of
// each stack and its tree in a collapsible block.
func writePlanMarkdown(out *bytes.Buffer, p *plan.Plan) {
	out.WriteString(markdownMark + "\n")
	var n, violations int
	for _, s := range p.Stacks {
		n += len(s.Resources)
		violations += len(s.Baseline.Violations)
	}
	fmt.Fprintf(out, "**Offline plan**: %s across %s; baseline: %s.\n\n", plural(n, "resource"), plural(len(p.Stacks), "stack"), plural(violations, "violation"))
	for _, s := range p.Stacks {
		fmt.Fprintf(out, "### Stack `%s` (tier %s, %s)\n\n", s.Stack, s.Tier, plural(len(s.Resources), "resource"))
		writeBaselineMarkdown(out, s.Baseline)
		out.WriteString("<details><summary>Resources</summary>\n\n```\n")
		writeChildren(out, &s, children(&s), "", 0)
		out.WriteString("```\n\n</details>\n\n")
	}
}
