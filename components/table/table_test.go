package table_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/table"
)

// runTable makes a table "records" with args; the program must succeed.
func runTable(t *testing.T, args *table.Args, opts ...componenttest.Option) *componenttest.Recorder {
	t.Helper()
	return componenttest.MustRun(t, componenttest.Component(table.New, "records", args), opts...)
}

func TestTableDefaults(t *testing.T) {
	// Given a table with only a hash key
	rec := runTable(t, &table.Args{Attributes: map[string]table.AttributeType{"pk": table.String}, HashKey: "pk"})
	comp := rec.Must(t, "groundwork:table:Table", "records")
	tbl := rec.Must(t, "aws:dynamodb/table:Table", "records")
	assert.Equal(t, comp.URN, tbl.Parent)

	// Then it is on-demand, encrypted, recoverable and protected from deletion
	assert.Equal(t, "PAY_PER_REQUEST", tbl.InputString("billingMode"), "on-demand")
	assert.Equal(t, "pk", tbl.InputString("hashKey"))
	_, rk := tbl.Input("rangeKey")
	assert.False(t, rk, "no range key")
	attrs, _ := tbl.Input("attributes")
	assert.Equal(t, []any{map[string]any{"name": "pk", "type": "S"}}, attrs)
	pitr, _ := tbl.Input("pointInTimeRecovery.enabled")
	assert.Equal(t, true, pitr, "point-in-time recovery")
	sse, _ := tbl.Input("serverSideEncryption.enabled")
	assert.Equal(t, true, sse, "server-side encryption")
	dp, _ := tbl.Input("deletionProtectionEnabled")
	assert.Equal(t, true, dp, "deletion protection")
	for _, absent := range []string{"ttl", "streamEnabled", "globalSecondaryIndexes", "readCapacity"} {
		_, ok := tbl.Input(absent)
		assert.False(t, ok, "%s unset by default", absent)
	}
}

func TestTableOptions(t *testing.T) {
	rec := runTable(t, &table.Args{
		Attributes:             map[string]table.AttributeType{"pk": table.String, "sk": table.String, "email": table.String, "at": table.Number},
		HashKey:                "pk",
		RangeKey:               "sk",
		GlobalSecondaryIndexes: []table.Index{{Name: "by-email", HashKey: "email", RangeKey: "at"}},
		TTLAttribute:           "ttl",
		StreamViewType:         "NEW_IMAGE",
		AllowDeletion:          true,
	})
	tbl := rec.Must(t, "aws:dynamodb/table:Table", "records")
	assert.Equal(t, "sk", tbl.InputString("rangeKey"))
	assert.Equal(t, "by-email", tbl.InputString("globalSecondaryIndexes[0].name"))
	assert.Equal(t, "email", tbl.InputString("globalSecondaryIndexes[0].hashKey"))
	assert.Equal(t, "at", tbl.InputString("globalSecondaryIndexes[0].rangeKey"))
	assert.Equal(t, "ALL", tbl.InputString("globalSecondaryIndexes[0].projectionType"))
	assert.Equal(t, "ttl", tbl.InputString("ttl.attributeName"))
	ttlOn, _ := tbl.Input("ttl.enabled")
	assert.Equal(t, true, ttlOn)
	stream, _ := tbl.Input("streamEnabled")
	assert.Equal(t, true, stream)
	assert.Equal(t, "NEW_IMAGE", tbl.InputString("streamViewType"))
	dp, _ := tbl.Input("deletionProtectionEnabled")
	assert.Equal(t, false, dp, "AllowDeletion turns deletion protection off")
	assert.NotEmpty(t, tbl.Outputs["streamArn"].StringValue(), "stream ARN output")
}

func TestTableKMSAndProvisioned(t *testing.T) {
	// Given a customer managed key, provisioned capacity, a name and an INCLUDE index
	key := "arn:aws:kms:us-east-1:123456789012:key/k1"
	rec := runTable(t, &table.Args{
		TableName:  "orders-prod",
		Attributes: map[string]table.AttributeType{"pk": table.String, "email": table.String},
		HashKey:    "pk",
		GlobalSecondaryIndexes: []table.Index{{Name: "by-email", HashKey: "email", ProjectionType: "INCLUDE",
			NonKeyAttributes: []string{"status"}}},
		Provisioned: &table.Capacity{Read: 5, Write: 2},
		KMSKeyARN:   pulumi.String(key),
	})
	tbl := rec.Must(t, "aws:dynamodb/table:Table", "records")
	assert.Equal(t, "orders-prod", tbl.InputString("name"), "explicit name")
	assert.Equal(t, "PROVISIONED", tbl.InputString("billingMode"), "provisioned billing")
	assert.Equal(t, float64(5), tbl.MustNumber(t, "readCapacity"), "table read capacity")
	assert.Equal(t, float64(2), tbl.MustNumber(t, "writeCapacity"), "table write capacity")
	assert.Equal(t, float64(5), tbl.MustNumber(t, "globalSecondaryIndexes[0].readCapacity"), "index read capacity")
	assert.Equal(t, float64(2), tbl.MustNumber(t, "globalSecondaryIndexes[0].writeCapacity"), "index write capacity")
	assert.Equal(t, "INCLUDE", tbl.InputString("globalSecondaryIndexes[0].projectionType"))
	nka, _ := tbl.Input("globalSecondaryIndexes[0].nonKeyAttributes")
	assert.Equal(t, []any{"status"}, nka, "projected attributes")
	sse, _ := tbl.Input("serverSideEncryption.enabled")
	assert.Equal(t, true, sse, "encryption stays on")
	assert.Equal(t, key, tbl.InputString("serverSideEncryption.kmsKeyArn"), "with the customer managed key")
	pitr, _ := tbl.Input("pointInTimeRecovery.enabled")
	assert.Equal(t, true, pitr, "point-in-time recovery stays on")
}

func TestTablePreview(t *testing.T) {
	rec := runTable(t, &table.Args{Attributes: map[string]table.AttributeType{"pk": table.String}, HashKey: "pk"}, componenttest.Preview())
	tbl := rec.Must(t, "aws:dynamodb/table:Table", "records")
	assert.Empty(t, tbl.ID)
	pitr, _ := tbl.Input("pointInTimeRecovery.enabled")
	assert.Equal(t, true, pitr)
}

func TestTableValidation(t *testing.T) {
	s := table.String
	tests := []struct {
		name string
		args table.Args
		want string
	}{
		{"no hash key", table.Args{}, "HashKey is required"},
		{"hash key undeclared", table.Args{HashKey: "pk"}, `HashKey "pk" is not declared in Attributes`},
		{"range key undeclared", table.Args{Attributes: map[string]table.AttributeType{"pk": s}, HashKey: "pk", RangeKey: "sk"}, `RangeKey "sk" is not declared`},
		{"GSI on an undeclared attribute", table.Args{Attributes: map[string]table.AttributeType{"pk": s}, HashKey: "pk",
			GlobalSecondaryIndexes: []table.Index{{Name: "by-email", HashKey: "email"}}}, `GlobalSecondaryIndexes[0] (by-email) HashKey "email" is not declared in Attributes`},
		{"unused attribute", table.Args{Attributes: map[string]table.AttributeType{"pk": s, "x": s}, HashKey: "pk"}, `Attributes["x"] is declared but is no table or index key`},
		{"bad attribute type", table.Args{Attributes: map[string]table.AttributeType{"pk": "BOOL"}, HashKey: "pk"}, `type "BOOL"`},
		{"bad stream view", table.Args{Attributes: map[string]table.AttributeType{"pk": s}, HashKey: "pk", StreamViewType: "ALL"}, `StreamViewType "ALL"`},
		{"bad table name", table.Args{TableName: "a b", Attributes: map[string]table.AttributeType{"pk": s}, HashKey: "pk"}, `TableName "a b"`},
	}
	for _, tc := range tests {
		for _, mode := range componenttest.Modes {
			t.Run(tc.name+"/"+mode.Name, func(t *testing.T) {
				rec, err := componenttest.Run(componenttest.Component(table.New, "records", &tc.args), mode.Options...)
				require.Error(t, err)
				assert.Contains(t, err.Error(), `table "records"`)
				assert.Contains(t, err.Error(), tc.want)
				assert.Empty(t, rec.Resources(), "nothing registered")
			})
		}
	}
}
