package policy_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/policy"
)

var update = flag.Bool("update", false, "rewrite the rule table in doc.go from the catalogue")

// ruleTable renders the catalogue as the doc comment's rule list.
func ruleTable() string {
	var b strings.Builder
	for _, r := range policy.Rules() {
		controls := "none"
		if len(r.Controls) > 0 {
			controls = strings.Join(r.Controls, ", ")
		}
		prod := ""
		if r.Production {
			prod = ", production only"
		}
		fmt.Fprintf(&b, "//   - %s (%s%s): %s. Controls: %s.\n", r.ID, r.Severity, prod, r.Title, controls)
	}
	b.WriteString("//\n") // gofmt ends a doc comment's list with an empty comment line
	return b.String()
}

func TestDocListsTheCatalogue(t *testing.T) {
	const begin, end = "// RULES-BEGIN\n", "// RULES-END\n"
	src, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	doc := string(src)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	require.True(t, i >= 0 && j > i, "doc.go has the RULES-BEGIN and RULES-END markers")
	want := ruleTable()
	if *update {
		doc = doc[:i+len(begin)] + want + doc[j:]
		require.NoError(t, os.WriteFile("doc.go", []byte(doc), 0o644))
		return
	}
	assert.Equal(t, want, doc[i+len(begin):j], "doc.go's rule list is the catalogue's (run with -update)")
}
