package table_test

import (
	"errors"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/policy"
	"github.com/groundwork-dev/groundwork/components/table"
)

const tableType = "aws:dynamodb/table:Table"

// runTable makes a table "records" with args; the program must succeed.
func runTable(t *testing.T, args *table.Args, opts ...componenttest.Option) *componenttest.Recorder {
	t.Helper()
	return componenttest.MustRun(t, componenttest.Component(table.New, "records", args), opts...)
}

// pk is Args with a string partition key "pk" and nothing else.
func pk() *table.Args {
	return &table.Args{Attributes: map[string]table.AttributeType{"pk": table.String}, HashKey: "pk"}
}

func TestTableDefaults(t *testing.T) {
	// Given a table with only a hash key
	var streamARN string
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		tbl, err := table.New(ctx, "records", pk())
		if err != nil {
			return err
		}
		tbl.StreamARN.ApplyT(func(v string) string { streamARN = v; return v })
		return nil
	})
	comp := rec.Must(t, "groundwork:table:Table", "records")
	tbl := rec.Must(t, tableType, "records")
	assert.Equal(t, comp.URN, tbl.Parent)
	assert.Len(t, rec.Descendants(comp.URN), 1, "the table is the only child")

	// Then it is on-demand, encrypted, recoverable and protected from deletion
	assert.Equal(t, "PAY_PER_REQUEST", tbl.InputString("billingMode"), "on-demand")
	assert.Equal(t, "pk", tbl.InputString("hashKey"))
	attrs, _ := tbl.Input("attributes")
	assert.Equal(t, []any{map[string]any{"name": "pk", "type": "S"}}, attrs)
	pitr, _ := tbl.Input("pointInTimeRecovery.enabled")
	assert.Equal(t, true, pitr, "point-in-time recovery")
	sse, _ := tbl.Input("serverSideEncryption.enabled")
	assert.Equal(t, true, sse, "server-side encryption")
	_, key := tbl.Input("serverSideEncryption.kmsKeyArn")
	assert.False(t, key, "the AWS managed key")
	dp, _ := tbl.Input("deletionProtectionEnabled")
	assert.Equal(t, true, dp, "deletion protection")
	for _, absent := range []string{"rangeKey", "ttl", "streamEnabled", "streamViewType", "globalSecondaryIndexes",
		"localSecondaryIndexes", "readCapacity", "tableClass", "name"} {
		_, ok := tbl.Input(absent)
		assert.False(t, ok, "%s unset by default", absent)
	}
	// And the stream ARN is empty
	assert.Equal(t, "", streamARN, "no stream, no stream ARN")
}

func TestTableIndexesClassAndStream(t *testing.T) {
	// Given a sorted table with a GSI, an LSI, the infrequent-access class, TTL and a stream
	var streamARN string
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		tbl, err := table.New(ctx, "records", &table.Args{
			Attributes: map[string]table.AttributeType{"pk": table.String, "sk": table.String, "email": table.String, "at": table.Number},
			HashKey:    "pk",
			RangeKey:   "sk",
			GlobalSecondaryIndexes: []table.Index{
				{Name: "by-email", HashKey: "email", RangeKey: "at"},
				{Name: "by-email-keys", HashKey: "email", Projection: table.ProjectKeysOnly},
			},
			LocalSecondaryIndexes: []table.LocalIndex{
				{Name: "by-at", RangeKey: "at", Projection: table.ProjectInclude, NonKeyAttributes: []string{"status", "total"}},
			},
			Class:         table.StandardInfrequentAccess,
			TTLAttribute:  "ttl",
			Stream:        table.StreamNewImage,
			AllowDeletion: true,
		})
		if err != nil {
			return err
		}
		tbl.StreamARN.ApplyT(func(v string) string { streamARN = v; return v })
		return nil
	})
	tbl := rec.Must(t, tableType, "records")

	// Then the keys and the GSIs are recorded, projecting ALL unless told otherwise
	assert.Equal(t, "sk", tbl.InputString("rangeKey"))
	gsis, _ := tbl.Input("globalSecondaryIndexes")
	assert.Equal(t, []any{
		map[string]any{"name": "by-email", "hashKey": "email", "rangeKey": "at", "projectionType": "ALL"},
		map[string]any{"name": "by-email-keys", "hashKey": "email", "projectionType": "KEYS_ONLY"},
	}, gsis, "global secondary indexes")
	// And the LSI sorts by its own key and projects what it includes
	lsis, _ := tbl.Input("localSecondaryIndexes")
	assert.Equal(t, []any{
		map[string]any{"name": "by-at", "rangeKey": "at", "projectionType": "INCLUDE", "nonKeyAttributes": []any{"status", "total"}},
	}, lsis, "local secondary indexes")
	// And the class, TTL, stream and deletion protection are as asked
	assert.Equal(t, "STANDARD_INFREQUENT_ACCESS", tbl.InputString("tableClass"), "table class")
	assert.Equal(t, "ttl", tbl.InputString("ttl.attributeName"))
	ttlOn, _ := tbl.Input("ttl.enabled")
	assert.Equal(t, true, ttlOn)
	stream, _ := tbl.Input("streamEnabled")
	assert.Equal(t, true, stream, "stream on")
	assert.Equal(t, "NEW_IMAGE", tbl.InputString("streamViewType"), "stream view")
	dp, _ := tbl.Input("deletionProtectionEnabled")
	assert.Equal(t, false, dp, "AllowDeletion turns deletion protection off")
	// And StreamARN is the stream's ARN
	assert.Equal(t, tbl.Outputs["streamArn"].StringValue(), streamARN, "StreamARN")
	assert.Contains(t, streamARN, ":table/records-", "a stream of this table")
}

func TestTableKMSAndProvisioned(t *testing.T) {
	// Given a customer managed key, provisioned capacity, a name and two indexes, one with
	// capacity of its own
	key := "arn:aws:kms:us-east-1:123456789012:key/k1"
	rec := runTable(t, &table.Args{
		TableName:  "orders-prod",
		Attributes: map[string]table.AttributeType{"pk": table.String, "email": table.String, "status": table.String},
		HashKey:    "pk",
		GlobalSecondaryIndexes: []table.Index{
			{Name: "by-email", HashKey: "email", Projection: table.ProjectInclude, NonKeyAttributes: []string{"total"}},
			{Name: "by-status", HashKey: "status", Provisioned: &table.Capacity{Read: 1, Write: 1}},
		},
		Provisioned: &table.Capacity{Read: 5, Write: 2},
		KMSKeyARN:   pulumi.String(key),
	})
	tbl := rec.Must(t, tableType, "records")
	assert.Equal(t, "orders-prod", tbl.InputString("name"), "explicit name")
	assert.Equal(t, "PROVISIONED", tbl.InputString("billingMode"), "provisioned billing")
	assert.Equal(t, float64(5), tbl.MustNumber(t, "readCapacity"), "table read capacity")
	assert.Equal(t, float64(2), tbl.MustNumber(t, "writeCapacity"), "table write capacity")
	assert.Equal(t, float64(5), tbl.MustNumber(t, "globalSecondaryIndexes[0].readCapacity"), "index inherits the table's reads")
	assert.Equal(t, float64(2), tbl.MustNumber(t, "globalSecondaryIndexes[0].writeCapacity"), "index inherits the table's writes")
	assert.Equal(t, float64(1), tbl.MustNumber(t, "globalSecondaryIndexes[1].readCapacity"), "index's own reads")
	assert.Equal(t, float64(1), tbl.MustNumber(t, "globalSecondaryIndexes[1].writeCapacity"), "index's own writes")
	assert.Equal(t, "INCLUDE", tbl.InputString("globalSecondaryIndexes[0].projectionType"))
	nka, _ := tbl.Input("globalSecondaryIndexes[0].nonKeyAttributes")
	assert.Equal(t, []any{"total"}, nka, "projected attributes")
	sse, _ := tbl.Input("serverSideEncryption.enabled")
	assert.Equal(t, true, sse, "encryption stays on")
	assert.Equal(t, key, tbl.InputString("serverSideEncryption.kmsKeyArn"), "with the customer managed key")
	pitr, _ := tbl.Input("pointInTimeRecovery.enabled")
	assert.Equal(t, true, pitr, "point-in-time recovery stays on")
}

func TestTablePreview(t *testing.T) {
	rec := runTable(t, pk(), componenttest.Preview())
	tbl := rec.Must(t, tableType, "records")
	assert.Empty(t, tbl.ID)
	pitr, _ := tbl.Input("pointInTimeRecovery.enabled")
	assert.Equal(t, true, pitr)
}

func TestTableValidationRegistersNothing(t *testing.T) {
	s := table.String
	tests := []struct {
		name string
		comp string
		args table.Args
		want string
	}{
		{"no hash key", "records", table.Args{}, "HashKey is required"},
		{"hash key undeclared", "records", table.Args{HashKey: "pk"}, `HashKey "pk" is not declared in Attributes`},
		{"GSI on an undeclared attribute", "records", table.Args{Attributes: map[string]table.AttributeType{"pk": s}, HashKey: "pk",
			GlobalSecondaryIndexes: []table.Index{{Name: "by-email", HashKey: "email"}}}, `GlobalSecondaryIndexes[0].HashKey "email" is not declared in Attributes`},
		{"LSI without a table range key", "records", table.Args{Attributes: map[string]table.AttributeType{"pk": s, "at": s}, HashKey: "pk",
			LocalSecondaryIndexes: []table.LocalIndex{{Name: "by-at", RangeKey: "at"}}}, "LocalSecondaryIndexes need the table to have a RangeKey"},
		{"bad stream view", "records", table.Args{Attributes: map[string]table.AttributeType{"pk": s}, HashKey: "pk", Stream: "ALL"}, `Stream "ALL" is not one of`},
		{"bad class", "records", table.Args{Attributes: map[string]table.AttributeType{"pk": s}, HashKey: "pk", Class: "COLD"}, `Class "COLD" is not one of`},
		{"name with a slash", "records/v2", *pk(), `name "records/v2" has '/'`},
	}
	for _, tc := range tests {
		for _, mode := range componenttest.Modes {
			t.Run(tc.name+"/"+mode.Name, func(t *testing.T) {
				rec, err := componenttest.Run(componenttest.Component(table.New, tc.comp, &tc.args), mode.Options...)
				require.Error(t, err)
				assert.Contains(t, err.Error(), `table "`+tc.comp+`": `, "names the table")
				assert.Contains(t, err.Error(), tc.want)
				assert.Empty(t, rec.Resources(), "nothing registered")
			})
		}
	}
}

func TestTableTransform(t *testing.T) {
	// Given a transform that tags the table and ignores changes to its capacity
	args := pk()
	var seen string
	args.Transform.Table = func(name string, a *dynamodb.TableArgs, opts *[]pulumi.ResourceOption) error {
		seen = name
		a.Tags = pulumi.StringMap{"team": pulumi.String("payments")}
		*opts = append(*opts, pulumi.IgnoreChanges([]string{"readCapacity"}))
		return nil
	}
	rec := runTable(t, args)
	tbl := rec.Must(t, tableType, "records")
	// Then it ran on the table, and what it set is recorded
	assert.Equal(t, "records", seen, "the transform gets the child's logical name")
	assert.Equal(t, "payments", tbl.InputString("tags.team"), "the transform's tag")
	assert.Equal(t, []string{"readCapacity"}, tbl.IgnoreChanges, "the transform's option")
	comp := rec.Must(t, "groundwork:table:Table", "records")
	assert.Equal(t, comp.URN, tbl.Parent, "still the component's child")
}

func TestTableTransformThatWeakensIsCaughtByPolicy(t *testing.T) {
	// Given a transform that turns point-in-time recovery and the KMS key off
	args := pk()
	args.Transform.Table = func(_ string, a *dynamodb.TableArgs, _ *[]pulumi.ResourceOption) error {
		a.PointInTimeRecovery = &dynamodb.TablePointInTimeRecoveryArgs{Enabled: pulumi.Bool(false)}
		a.ServerSideEncryption = nil
		return nil
	}
	rec := runTable(t, args)
	// Then the baseline reports both on the table
	var got []string
	for _, v := range policy.Check(rec.Resources(), policy.Options{}) {
		if v.Rule == "dynamodb-pitr" || v.Rule == "dynamodb-encryption" {
			got = append(got, v.Rule+": "+v.Message)
		}
	}
	assert.ElementsMatch(t, []string{"dynamodb-pitr: pointInTimeRecovery.enabled is not true", "dynamodb-encryption: serverSideEncryption.enabled is not true"}, got)
}

func TestTableTransformErrorStopsNew(t *testing.T) {
	args := pk()
	args.Transform.Table = func(string, *dynamodb.TableArgs, *[]pulumi.ResourceOption) error {
		return errors.New("tables need an owner tag")
	}
	rec, err := componenttest.Run(componenttest.Component(table.New, "records", args))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `table "records": transform of records: tables need an owner tag`, "names the component and the child")
	assert.Empty(t, rec.ByType(tableType), "the table is not registered")
}
