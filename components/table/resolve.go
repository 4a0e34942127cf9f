package table

import (
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/groundwork-dev/groundwork/components/internal/check"
	"github.com/groundwork-dev/groundwork/components/internal/naming"
)

// children are the table's children whose physical names derive from the component's name.
var children = []naming.Physical{{Role: "", Kind: naming.DynamoDBTable}}

// namePattern is what DynamoDB allows in table and index names (CreateTable, TableName and
// IndexName: 3-255 of [a-zA-Z0-9_.-]).
var namePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)

var (
	attributeTypes = []string{string(String), string(Number), string(Binary)}
	projections    = []string{string(ProjectAll), string(ProjectKeysOnly), string(ProjectInclude)}
	classes        = []string{string(Standard), string(StandardInfrequentAccess)}
	streamViews    = []string{string(StreamKeysOnly), string(StreamNewImage), string(StreamOldImage), string(StreamNewAndOldImages)}
)

// settings are Args with every default applied, checked.
type settings struct {
	Args
}

// resolve applies the defaults to a copy of a and reports every invalid field at once. It is
// pure: the decisions New makes are tested here without the engine.
func resolve(name string, a Args) (settings, error) {
	r := check.New("table", name)
	s := settings{Args: a}
	s.GlobalSecondaryIndexes = slices.Clone(a.GlobalSecondaryIndexes)
	s.LocalSecondaryIndexes = slices.Clone(a.LocalSecondaryIndexes)

	if a.TableName == "" {
		r.Name(children)
	} else if !namePattern.MatchString(a.TableName) {
		r.Addf("TableName", "%q must be 3-255 letters, digits, '_', '-' or '.'", a.TableName)
	}

	// Every key attribute must be declared with a valid type, and every declaration used.
	used := map[string]bool{}
	key := func(field, attr string, required bool) {
		switch _, declared := a.Attributes[attr]; {
		case attr == "" && required:
			r.Addf(field, "is required")
		case attr == "":
		case !declared:
			r.Addf(field, "%q is not declared in Attributes", attr)
		default:
			used[attr] = true
		}
	}
	key("HashKey", a.HashKey, true)
	key("RangeKey", a.RangeKey, false)

	names := map[string]string{} // index name -> the field that named it first
	indexName := func(field, n string) {
		if !namePattern.MatchString(n) {
			r.Addf(field+".Name", "%q must be 3-255 letters, digits, '_', '-' or '.'", n)
		} else if first, dup := names[n]; dup {
			r.Addf(field+".Name", "%q is also the name of %s", n, first)
		} else {
			names[n] = field
		}
	}
	projected := 0
	projection := func(field string, p *Projection, nonKey []string) {
		if *p == "" {
			*p = DefaultProjection
		}
		if !r.OneOf(field+".Projection", string(*p), projections) {
			return
		}
		switch {
		case *p == ProjectInclude && len(nonKey) == 0:
			r.Addf(field+".NonKeyAttributes", "is empty: ProjectInclude needs the attributes to copy")
		case *p != ProjectInclude && len(nonKey) > 0:
			r.Addf(field+".NonKeyAttributes", "%q need Projection INCLUDE, not %s", nonKey, *p)
		}
		projected += len(nonKey)
	}

	if n := len(a.GlobalSecondaryIndexes); n > MaxGlobalIndexes {
		r.Addf("GlobalSecondaryIndexes", "has %d indexes, over DynamoDB's default quota of %d", n, MaxGlobalIndexes)
	}
	for i := range s.GlobalSecondaryIndexes {
		ix := &s.GlobalSecondaryIndexes[i]
		field := fmt.Sprintf("GlobalSecondaryIndexes[%d]", i)
		indexName(field, ix.Name)
		key(field+".HashKey", ix.HashKey, true)
		key(field+".RangeKey", ix.RangeKey, false)
		projection(field, &ix.Projection, ix.NonKeyAttributes)
		if p := ix.Provisioned; p != nil {
			if a.Provisioned == nil {
				r.Addf(field+".Provisioned", "is set on an on-demand table: set Args.Provisioned too, or leave it nil")
			} else {
				capacity(r, field+".Provisioned", *p)
			}
		} else if a.Provisioned != nil {
			c := *a.Provisioned
			ix.Provisioned = &c
		}
	}

	if n := len(a.LocalSecondaryIndexes); n > MaxLocalIndexes {
		r.Addf("LocalSecondaryIndexes", "has %d indexes, over DynamoDB's limit of %d", n, MaxLocalIndexes)
	}
	if len(a.LocalSecondaryIndexes) > 0 && a.RangeKey == "" {
		r.Addf("LocalSecondaryIndexes", "need the table to have a RangeKey: a local index shares the HashKey and sorts by another attribute")
	}
	for i := range s.LocalSecondaryIndexes {
		ix := &s.LocalSecondaryIndexes[i]
		field := fmt.Sprintf("LocalSecondaryIndexes[%d]", i)
		indexName(field, ix.Name)
		key(field+".RangeKey", ix.RangeKey, true)
		projection(field, &ix.Projection, ix.NonKeyAttributes)
	}
	if projected > MaxProjectedAttributes {
		r.Addf("NonKeyAttributes", "the indexes project %d attributes together, over DynamoDB's %d", projected, MaxProjectedAttributes)
	}

	for _, attr := range slices.Sorted(maps.Keys(a.Attributes)) {
		field := fmt.Sprintf("Attributes[%q]", attr)
		r.OneOf(field, string(a.Attributes[attr]), attributeTypes)
		if !used[attr] {
			r.Addf(field, "is declared but is no table or index key (DynamoDB refuses it)")
		}
	}

	if a.Provisioned != nil {
		capacity(r, "Provisioned", *a.Provisioned)
	}
	if a.Class != "" {
		r.OneOf("Class", string(a.Class), classes)
	}
	if a.Stream != "" {
		r.OneOf("Stream", string(a.Stream), streamViews)
	}
	if len(a.TTLAttribute) > 255 {
		r.Addf("TTLAttribute", "is %d characters, over DynamoDB's 255", len(a.TTLAttribute))
	}
	return s, r.Err()
}

// capacity checks provisioned throughput: at least one unit of each. There is no upper bound
// here: the per-table maximum is an account quota that AWS raises on request.
func capacity(r *check.Report, field string, c Capacity) {
	for _, u := range []struct {
		unit string
		n    int
	}{{"Read", c.Read}, {"Write", c.Write}} {
		if u.n < 1 {
			r.Addf(field+"."+u.unit, "%d is below 1 capacity unit", u.n)
		}
	}
}
