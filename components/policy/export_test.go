package policy

import (
	"maps"
	"slices"

	"github.com/groundwork-dev/groundwork/components/componenttest"
)

// TypesRead runs every rule over the resources and returns, by rule ID, the resource types
// its check asked for, sorted.
func TypesRead(resources []componenttest.Resource) map[string][]string {
	idx := newIndex(resources)
	out := map[string][]string{}
	for i := range catalogue {
		r := &catalogue[i]
		s := &scope{rule: r, idx: idx, read: map[string]bool{}, parsed: map[string]parsedDoc{}}
		r.check(s)
		out[r.ID] = slices.Sorted(maps.Keys(s.read))
	}
	return out
}

// ParseDocumentErr parses a policy document and returns only its error.
func ParseDocumentErr(s string) error {
	_, err := parseDocument(s)
	return err
}
