package stacks_test

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/internal/plan"
)

// update rewrites the URN goldens: go test ./stacks -run TestURNs -update
var update = flag.Bool("update", false, "rewrite stacks/testdata/<stack>.urns from the program")

// TestURNs holds every stack's URNs equal to its golden file (stacks/testdata/<stack>.urns):
// a URN that changes makes Pulumi delete the resource and create a new one, unless an alias
// names the old URN. A failure names each URN that disappeared, what took its place, and the
// alias to add; a new URN whose aliases name the old one passes (refresh the golden).
func TestURNs(t *testing.T) {
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			// Given the stack's program and its golden URNs
			rec := runStack(t, env)
			golden := filepath.Join("testdata", env+".urns")
			nodes, urns := urnNodes(rec)
			if *update {
				require.NoError(t, os.MkdirAll("testdata", 0o755))
				require.NoError(t, os.WriteFile(golden, []byte(strings.Join(urns, "\n")+"\n"), 0o644))
				return
			}
			data, err := os.ReadFile(golden)
			require.NoError(t, err, "no golden URNs: write them with go test ./stacks -run TestURNs -update")
			var old []string // one URN a line; a URN may hold spaces ("http-GET /healthz")
			for _, line := range strings.Split(string(data), "\n") {
				if line = strings.TrimSpace(line); line != "" {
					old = append(old, line)
				}
			}

			// When the URNs are matched as the engine matches them
			// Then no old URN is lost without an alias (an aliased one is fine, and noted)
			problems, notes := urnProblems(plan.Match(old, nodes))
			for _, msg := range notes {
				t.Log(msg)
			}
			for _, msg := range problems {
				t.Error(msg)
			}
		})
	}
}

// TestEveryURNGoldenHasAStack refuses a golden whose stack file is gone: nothing would check
// it, and a stack file of that name added later would be held to stale URNs. -update removes
// it.
func TestEveryURNGoldenHasAStack(t *testing.T) {
	goldens, err := filepath.Glob(filepath.Join("testdata", "*.urns"))
	require.NoError(t, err)
	for _, g := range goldens {
		if env := strings.TrimSuffix(filepath.Base(g), ".urns"); !slices.Contains(envs, env) {
			if *update {
				require.NoError(t, os.Remove(g))
				continue
			}
			t.Errorf("%s: no stack file %s holds its stack; remove it (go test ./stacks -run TestEveryURNGoldenHasAStack -update)", g, "Pulumi."+env+".yaml")
		}
	}
}

// urnNodes are the recorded resources as plan.Match takes them, and their URNs, sorted.
func urnNodes(rec *componenttest.Recorder) ([]plan.Node, []string) {
	var nodes []plan.Node
	var urns []string
	for _, r := range rec.Resources() {
		if r.Type == "pulumi:pulumi:Stack" {
			continue
		}
		nodes = append(nodes, plan.Node{URN: r.URN, Parent: r.Parent, Aliases: r.Aliases})
		urns = append(urns, r.URN)
	}
	slices.Sort(urns)
	return nodes, urns
}

// urnProblems turns matched URNs into the failures a golden test reports (a replacement
// names the alias to add; a deletion and an addition say to refresh the golden if meant) and
// notes that fail nothing (a URN its new resource aliases: Pulumi renames in place).
func urnProblems(pairs []plan.Pair) (problems, notes []string) {
	for _, p := range pairs {
		switch p.Kind {
		case plan.Unaliased:
			problems = append(problems, "URN "+p.Old+" became "+p.New+" without an alias: Pulumi would replace the resource; add "+p.Alias+" to it")
		case plan.Aliased:
			notes = append(notes, "URN "+p.Old+" became "+p.New+", which aliases it: Pulumi renames it in place (refresh the golden with -update once the alias has been deployed)")
		case plan.Deleted:
			problems = append(problems, "URN "+p.Old+" is gone: Pulumi would delete the resource; if that is meant, refresh the golden with -update")
		case plan.Added:
			problems = append(problems, "URN "+p.New+" is new: if that is meant, refresh the golden with -update")
		}
	}
	return problems, notes
}

func TestURNProblemsNameTheAlias(t *testing.T) {
	const pre = "urn:pulumi:prod::groundwork::"
	tests := []struct {
		name  string
		old   []string
		nodes []plan.Node
		want  []string // substrings, one per problem, in order
		notes int      // aliased URNs: fine, noted
	}{
		{
			name:  "renamed without an alias",
			old:   []string{pre + "groundwork:table:Table::inquiries", pre + "groundwork:table:Table$aws:dynamodb/table:Table::inquiries"},
			nodes: []plan.Node{{URN: pre + "groundwork:table:Table::inquiries"}, {URN: pre + "groundwork:table:Table$aws:dynamodb/table:Table::records", Parent: pre + "groundwork:table:Table::inquiries"}},
			want:  []string{`without an alias: Pulumi would replace the resource; add pulumi.Aliases([]pulumi.Alias{{Name: pulumi.String("inquiries")}})`},
		},
		{
			name:  "renamed with an alias",
			old:   []string{pre + "aws:sqs/queue:Queue::events"},
			nodes: []plan.Node{{URN: pre + "aws:sqs/queue:Queue::messages", Aliases: []string{pre + "aws:sqs/queue:Queue::events"}}},
			notes: 1,
		},
		{
			name:  "moved under a component",
			old:   []string{pre + "aws:sqs/queue:Queue::events"},
			nodes: []plan.Node{{URN: pre + "groundwork:queue:Queue::events"}, {URN: pre + "groundwork:queue:Queue$aws:sqs/queue:Queue::events", Parent: pre + "groundwork:queue:Queue::events"}},
			want:  []string{"{NoParent: pulumi.Bool(true)}", "groundwork:queue:Queue::events is new"},
		},
		{
			name:  "type changed",
			old:   []string{pre + "aws:s3/bucket:Bucket::archive"},
			nodes: []plan.Node{{URN: pre + "aws:s3/bucketV2:BucketV2::archive"}},
			want:  []string{`{Type: pulumi.String("aws:s3/bucket:Bucket")}`},
		},
		{
			name: "component renamed with an alias: its children follow",
			old:  []string{pre + "groundwork:bucket:Bucket::archive", pre + "groundwork:bucket:Bucket$aws:s3/bucketV2:BucketV2::archive-sse"},
			nodes: []plan.Node{
				{URN: pre + "groundwork:bucket:Bucket::store", Aliases: []string{pre + "groundwork:bucket:Bucket::archive"}},
				{URN: pre + "groundwork:bucket:Bucket$aws:s3/bucketV2:BucketV2::store-sse", Parent: pre + "groundwork:bucket:Bucket::store"},
			},
			notes: 2,
		},
		{
			name:  "deleted",
			old:   []string{pre + "aws:sqs/queue:Queue::events"},
			nodes: nil,
			want:  []string{"is gone"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, notes := urnProblems(plan.Match(tc.old, tc.nodes))
			require.Len(t, got, len(tc.want), "problems: %q", got)
			for i, w := range tc.want {
				require.Contains(t, got[i], w, "problem %d", i)
			}
			require.Len(t, notes, tc.notes, "aliased URNs pass, noted: %q", notes)
		})
	}
}
