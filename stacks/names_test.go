package stacks_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/stacks"
)

// stackNames are stack names of 1 to 24 characters, the longest a stack may have here.
var stackNames = []string{"q", "qa", "eu-west-1", "pr-4711", "feature-login-eu-west-1x"}

func TestEveryPhysicalNameFitsForEveryStackName(t *testing.T) {
	require.Len(t, stackNames[len(stackNames)-1], 24, "the longest stack name is 24 characters")
	dir := projectDir(t)
	files, err := filepath.Glob(filepath.Join(dir, stacks.StackConfigDir, "Pulumi.*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "stack files found")
	for _, file := range files {
		env := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(file), "Pulumi."), ".yaml")
		sf, err := componenttest.LoadStackConfig(dir, env)
		require.NoError(t, err, env)
		for _, stack := range stackNames {
			t.Run(env+"/"+stack, func(t *testing.T) {
				// Given the stack file's config under a stack of that name
				rec := componenttest.MustRun(t, stacks.Program, componenttest.FromStackFile(sf), componenttest.Stack(stack))
				require.Equal(t, stack, rec.Stack, "the stack's name")

				// Then every physical name fits its type's limits and character set, and every
				// type is one whose limits are known
				for _, err := range componenttest.CheckNames(rec) {
					t.Error(err)
				}

				// And the check had names to check: each auto-named one is the logical name + 8
				named := 0
				for _, res := range rec.Resources() {
					if res.PhysicalName == "" {
						continue
					}
					named++
					if auto := strings.TrimSuffix(res.PhysicalName, ".fifo"); strings.HasPrefix(auto, strings.ToLower(res.Name)+"-") {
						assert.Len(t, auto, len(res.Name)+componenttest.AutoSuffixLen, "%s %q: auto-name", res.Type, res.Name)
					}
				}
				assert.GreaterOrEqual(t, named, 20, "named resources checked")
			})
		}
	}
}
