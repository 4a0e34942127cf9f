package table

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/internal/check"
)

var s = String

// keyed is Args with a table key "pk" (and "sk", when sorted) and the extra attributes.
func keyed(sorted bool, extra ...string) Args {
	a := Args{Attributes: map[string]AttributeType{"pk": s}, HashKey: "pk"}
	if sorted {
		a.Attributes["sk"], a.RangeKey = s, "sk"
	}
	for _, e := range extra {
		a.Attributes[e] = s
	}
	return a
}

func TestResolveDefaults(t *testing.T) {
	// Given indexes without a projection, on a provisioned table
	a := keyed(true, "email", "at")
	a.Provisioned = &Capacity{Read: 5, Write: 2}
	a.GlobalSecondaryIndexes = []Index{
		{Name: "by-email", HashKey: "email"},
		{Name: "by-email-own", HashKey: "email", RangeKey: "sk", Provisioned: &Capacity{Read: 1, Write: 1}},
	}
	a.LocalSecondaryIndexes = []LocalIndex{{Name: "by-at", RangeKey: "at"}}

	// When resolved
	got, err := resolve("orders", a)
	require.NoError(t, err)

	// Then every index projects ALL
	assert.Equal(t, ProjectAll, got.GlobalSecondaryIndexes[0].Projection, "GSI projection default")
	assert.Equal(t, ProjectAll, got.LocalSecondaryIndexes[0].Projection, "LSI projection default")
	// And a GSI without capacity of its own gets the table's; one with its own keeps it
	assert.Equal(t, &Capacity{Read: 5, Write: 2}, got.GlobalSecondaryIndexes[0].Provisioned, "inherited capacity")
	assert.Equal(t, &Capacity{Read: 1, Write: 1}, got.GlobalSecondaryIndexes[1].Provisioned, "own capacity")
	// And the caller's Args are not changed
	assert.Empty(t, a.GlobalSecondaryIndexes[0].Projection, "caller's index untouched")
	assert.Nil(t, a.GlobalSecondaryIndexes[0].Provisioned, "caller's index capacity untouched")
	assert.Empty(t, a.LocalSecondaryIndexes[0].Projection, "caller's local index untouched")
}

func TestResolveOnDemandIndexesHaveNoCapacity(t *testing.T) {
	a := keyed(false, "email")
	a.GlobalSecondaryIndexes = []Index{{Name: "by-email", HashKey: "email"}}
	got, err := resolve("orders", a)
	require.NoError(t, err)
	assert.Nil(t, got.GlobalSecondaryIndexes[0].Provisioned, "on-demand: no index capacity")
}

func TestResolveRefusesEachInvalidField(t *testing.T) {
	gsi := func(ix ...Index) func(*Args) { return func(a *Args) { a.GlobalSecondaryIndexes = ix } }
	lsi := func(ix ...LocalIndex) func(*Args) { return func(a *Args) { a.LocalSecondaryIndexes = ix } }
	tests := []struct {
		name   string
		sorted bool
		extra  []string
		change func(*Args)
		// field and message of the one problem expected
		field, message string
	}{
		{"no hash key", false, nil, func(a *Args) { a.HashKey = ""; a.Attributes = nil }, "HashKey", "is required"},
		{"hash key undeclared", false, nil, func(a *Args) { a.HashKey, a.Attributes = "id", nil }, "HashKey", `"id" is not declared in Attributes`},
		{"range key undeclared", false, nil, func(a *Args) { a.RangeKey = "sk" }, "RangeKey", `"sk" is not declared in Attributes`},
		{"unused attribute", false, []string{"x"}, nil, `Attributes["x"]`, "is declared but is no table or index key (DynamoDB refuses it)"},
		{"bad attribute type", false, nil, func(a *Args) { a.Attributes["pk"] = "BOOL" }, `Attributes["pk"]`, `"BOOL" is not one of S, N, B`},
		{"bad table name", false, nil, func(a *Args) { a.TableName = "a b" }, "TableName", `"a b" must be 3-255 letters, digits, '_', '-' or '.'`},
		{"short table name", false, nil, func(a *Args) { a.TableName = "ab" }, "TableName", `"ab" must be 3-255`},
		{"bad class", false, nil, func(a *Args) { a.Class = "COLD" }, "Class", `"COLD" is not one of STANDARD, STANDARD_INFREQUENT_ACCESS`},
		{"bad stream view", false, nil, func(a *Args) { a.Stream = "ALL" }, "Stream", `"ALL" is not one of KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES`},
		{"zero provisioned reads", false, nil, func(a *Args) { a.Provisioned = &Capacity{Write: 1} }, "Provisioned.Read", "0 is below 1 capacity unit"},
		{"long TTL attribute", false, nil, func(a *Args) { a.TTLAttribute = strings.Repeat("t", 256) }, "TTLAttribute", "is 256 characters, over DynamoDB's 255"},

		{"GSI without a hash key", false, nil, gsi(Index{Name: "by-x"}), "GlobalSecondaryIndexes[0].HashKey", "is required"},
		{"GSI on an undeclared attribute", false, nil, gsi(Index{Name: "by-email", HashKey: "email"}), "GlobalSecondaryIndexes[0].HashKey", `"email" is not declared in Attributes`},
		{"GSI range key undeclared", false, []string{"email"}, gsi(Index{Name: "by-email", HashKey: "email", RangeKey: "at"}), "GlobalSecondaryIndexes[0].RangeKey", `"at" is not declared in Attributes`},
		{"GSI bad name", false, []string{"email"}, gsi(Index{Name: "x", HashKey: "email"}), "GlobalSecondaryIndexes[0].Name", `"x" must be 3-255`},
		{"GSI bad projection", false, []string{"email"}, gsi(Index{Name: "by-email", HashKey: "email", Projection: "SOME"}), "GlobalSecondaryIndexes[0].Projection", `"SOME" is not one of ALL, KEYS_ONLY, INCLUDE`},
		{"INCLUDE without attributes", false, []string{"email"}, gsi(Index{Name: "by-email", HashKey: "email", Projection: ProjectInclude}), "GlobalSecondaryIndexes[0].NonKeyAttributes", "is empty: ProjectInclude needs the attributes to copy"},
		{"attributes without INCLUDE", false, []string{"email"}, gsi(Index{Name: "by-email", HashKey: "email", NonKeyAttributes: []string{"status"}}), "GlobalSecondaryIndexes[0].NonKeyAttributes", `["status"] need Projection INCLUDE, not ALL`},
		{"GSI capacity on an on-demand table", false, []string{"email"}, gsi(Index{Name: "by-email", HashKey: "email", Provisioned: &Capacity{Read: 1, Write: 1}}), "GlobalSecondaryIndexes[0].Provisioned", "is set on an on-demand table: set Args.Provisioned too, or leave it nil"},
		{"GSI zero capacity", false, []string{"email"}, func(a *Args) {
			a.Provisioned = &Capacity{Read: 1, Write: 1}
			a.GlobalSecondaryIndexes = []Index{{Name: "by-email", HashKey: "email", Provisioned: &Capacity{Read: 1}}}
		}, "GlobalSecondaryIndexes[0].Provisioned.Write", "0 is below 1 capacity unit"},
		{"21 GSIs", false, []string{"email"}, func(a *Args) {
			for i := range MaxGlobalIndexes + 1 {
				a.GlobalSecondaryIndexes = append(a.GlobalSecondaryIndexes, Index{Name: fmt.Sprintf("by-email-%d", i), HashKey: "email"})
			}
		}, "GlobalSecondaryIndexes", "has 21 indexes, over DynamoDB's default quota of 20"},
		{"two indexes with one name", true, []string{"email", "at"}, func(a *Args) {
			a.GlobalSecondaryIndexes = []Index{{Name: "by-x", HashKey: "email"}}
			a.LocalSecondaryIndexes = []LocalIndex{{Name: "by-x", RangeKey: "at"}}
		}, "LocalSecondaryIndexes[0].Name", `"by-x" is also the name of GlobalSecondaryIndexes[0]`},

		{"LSI on a table without a range key", false, []string{"at"}, lsi(LocalIndex{Name: "by-at", RangeKey: "at"}), "LocalSecondaryIndexes", "need the table to have a RangeKey"},
		{"LSI without a range key", true, nil, lsi(LocalIndex{Name: "by-at"}), "LocalSecondaryIndexes[0].RangeKey", "is required"},
		{"LSI range key undeclared", true, nil, lsi(LocalIndex{Name: "by-at", RangeKey: "at"}), "LocalSecondaryIndexes[0].RangeKey", `"at" is not declared in Attributes`},
		{"6 LSIs", true, []string{"at"}, func(a *Args) {
			for i := range MaxLocalIndexes + 1 {
				a.LocalSecondaryIndexes = append(a.LocalSecondaryIndexes, LocalIndex{Name: fmt.Sprintf("by-at-%d", i), RangeKey: "at"})
			}
		}, "LocalSecondaryIndexes", "has 6 indexes, over DynamoDB's limit of 5"},
		{"101 projected attributes", true, []string{"email", "at"}, func(a *Args) {
			attrs := make([]string, 51)
			for i := range attrs {
				attrs[i] = fmt.Sprintf("a%d", i)
			}
			a.GlobalSecondaryIndexes = []Index{{Name: "by-email", HashKey: "email", Projection: ProjectInclude, NonKeyAttributes: attrs}}
			a.LocalSecondaryIndexes = []LocalIndex{{Name: "by-at", RangeKey: "at", Projection: ProjectInclude, NonKeyAttributes: attrs[:50]}}
		}, "NonKeyAttributes", "the indexes project 101 attributes together, over DynamoDB's 100"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Given Args valid but for one field
			a := keyed(tc.sorted, tc.extra...)
			if tc.change != nil {
				tc.change(&a)
			}
			// When resolved, then exactly that field is reported
			_, err := resolve("orders", a)
			var ce *check.Error
			require.True(t, errors.As(err, &ce), "a check.Error: %v", err)
			require.Len(t, ce.Problems, 1, "one problem: %v", err)
			assert.Equal(t, tc.field, ce.Problems[0].Field, "field")
			assert.Contains(t, ce.Problems[0].Message, tc.message, "message")
			assert.Contains(t, err.Error(), `table "orders": `, "names the table")
		})
	}
}

func TestResolveReportsEveryInvalidFieldAtOnce(t *testing.T) {
	// Given Args with four invalid fields
	a := Args{
		TableName:              "a b",
		Attributes:             map[string]AttributeType{"pk": "BOOL"},
		HashKey:                "pk",
		Stream:                 "ALL",
		GlobalSecondaryIndexes: []Index{{Name: "by-email", HashKey: "email"}},
	}
	// When resolved
	_, err := resolve("orders", a)
	// Then every one is listed, in the order of the fields
	var ce *check.Error
	require.True(t, errors.As(err, &ce))
	var fields []string
	for _, p := range ce.Problems {
		fields = append(fields, p.Field)
	}
	assert.Equal(t, []string{"TableName", "GlobalSecondaryIndexes[0].HashKey", `Attributes["pk"]`, "Stream"}, fields)
}

func TestResolveNameFitsDynamoDB(t *testing.T) {
	// The auto-name is the name plus 8 characters, within DynamoDB's 255.
	most := 255 - 8
	_, err := resolve(strings.Repeat("t", most), keyed(false))
	require.NoError(t, err, "a name of %d characters fits", most)
	_, err = resolve(strings.Repeat("t", most+1), keyed(false))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "DynamoDB table", "names the limit's kind")
	assert.Contains(t, err.Error(), fmt.Sprintf("at most %d characters fit", most), "says how long a name may be")
	_, err = resolve("orders/v2", keyed(false))
	assert.ErrorContains(t, err, `name "orders/v2" has '/' at byte 6`, "refuses characters DynamoDB does not allow")
	// An explicit TableName does not derive from the component's name.
	a := keyed(false)
	a.TableName = "orders"
	_, err = resolve(strings.Repeat("t", most+1), a)
	assert.NoError(t, err, "TableName set: the component's name is only logical")
}
