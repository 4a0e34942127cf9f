package table_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/table"
)

func TestTableKeepsItsTypeFromBeforeTheStorageSplit(t *testing.T) {
	// Given a stack deployed when the table was groundwork:storage:Table
	// When the table component is registered now
	rec := componenttest.MustRun(t, componenttest.Component(table.New, "records", &table.Args{HashKey: "pk", Attributes: map[string]table.AttributeType{"pk": table.String}}), componenttest.Stack("prod"))

	// Then it aliases its old URN, so the engine finds the deployed table (and, through the
	// parent, its children) instead of replacing it
	c := rec.One(t, "groundwork:table:Table")
	assert.Equal(t, []string{"urn:pulumi:prod::groundwork::groundwork:storage:Table::records"}, c.Aliases,
		"the component's aliases")
}
