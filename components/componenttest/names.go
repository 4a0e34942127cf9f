package componenttest

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/groundwork-dev/groundwork/components/internal/naming"
)

// CheckNames checks the physical name (Resource.PhysicalName) of every resource a program
// registered against what AWS allows in a name of its type: length and characters (S3's
// lower case included). The limits are those of components/internal/naming, which knows every
// resource type Groundwork's components and stacks register.
//
// It returns one error per resource whose name breaks its type's limits, naming the resource,
// the name and the limit, and one error per resource type it does not know, naming the type,
// so that a new kind of child cannot go unchecked; nil means every name fits. The errors come
// in the order of the resources' URNs. Components and
// types without a name of their own pass. It needs an update-mode recording: in preview a
// name built from another resource's output is unknown.
func CheckNames(rec *Recorder) []error {
	if rec.Preview {
		return []error{errors.New("componenttest: CheckNames needs an update-mode recording: in preview some names are unknown")}
	}
	var errs []error
	unknown := map[string][]string{} // type -> the logical names registered with it
	var order []string
	all := rec.Resources() // in URN order, for a report that is the same on every run
	slices.SortFunc(all, func(a, b Resource) int { return strings.Compare(a.URN, b.URN) })
	for _, res := range all {
		if !res.Custom {
			continue
		}
		t, known := naming.Types[res.Type]
		switch {
		case !known:
			if _, seen := unknown[res.Type]; !seen {
				order = append(order, res.Type)
			}
			unknown[res.Type] = append(unknown[res.Type], res.Name)
		case t.Property == "":
		case res.PhysicalName == "":
			errs = append(errs, fmt.Errorf("%s: its name (input %q) is not known", res.label(), t.Property))
		default:
			if err := t.Validate(res.PhysicalName); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", res.label(), err))
			}
		}
	}
	for _, typ := range order {
		errs = append(errs, fmt.Errorf("%s (registered as %q): componenttest does not know what AWS allows in its name; "+
			"add the type to Types in components/internal/naming", typ, unknown[typ]))
	}
	return errs
}
