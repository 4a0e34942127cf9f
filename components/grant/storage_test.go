package grant_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/bucket"
	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/table"
)

// resolved is a grant's statements with their resources resolved.
type resolved struct {
	Sid       string
	Actions   []string
	Resources []string
}

const keyArn = "arn:aws:kms:us-east-1:123456789012:key/k1"

// resolve runs a program that builds storage, picks a grant, and resolves its ARNs.
func resolve(t *testing.T, pick func(*table.Table, *bucket.Bucket) grant.Grant, kms bool) (grant.Grant, []resolved, *componenttest.Recorder) {
	t.Helper()
	var g grant.Grant
	var out []resolved
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		var key pulumi.StringInput
		if kms {
			key = pulumi.String(keyArn)
		}
		tbl, err := table.New(ctx, "records", &table.Args{
			Attributes: map[string]table.AttributeType{"pk": table.String}, HashKey: "pk", KMSKeyARN: key,
			Stream: table.StreamNewImage})
		if err != nil {
			return err
		}
		b, err := bucket.New(ctx, "archive", &bucket.Args{KMSKeyARN: key})
		if err != nil {
			return err
		}
		g = pick(tbl, b)
		out = make([]resolved, len(g.Statements))
		for i, s := range g.Statements {
			out[i] = resolved{Sid: s.Sid, Actions: s.Actions, Resources: make([]string, len(s.Resources))}
			for j, in := range s.Resources {
				if plain, ok := in.(pulumi.String); ok { // not an output: no apply to wait for
					out[i].Resources[j] = string(plain)
					continue
				}
				in.ToStringOutput().ApplyT(func(v string) string {
					out[i].Resources[j] = v
					return v
				})
			}
		}
		return nil
	})
	// RunErr waits for every apply, so the resources are filled in by now.
	return g, out, rec
}

func tableGrant(ops ...table.Operation) func(*table.Table, *bucket.Bucket) grant.Grant {
	return func(t *table.Table, _ *bucket.Bucket) grant.Grant { return t.Grant(ops...) }
}

func bucketGrant(ops ...bucket.Operation) func(*table.Table, *bucket.Bucket) grant.Grant {
	return func(_ *table.Table, b *bucket.Bucket) grant.Grant { return b.Grant(ops...) }
}

func TestStorageGrantsAreTheOperationsActionsOnExactARNs(t *testing.T) {
	tests := []struct {
		name     string
		pick     func(*table.Table, *bucket.Bucket) grant.Grant
		kms      bool
		wantName string
		// want builds the statements from the table's and the bucket's ARNs.
		want func(ta, ba string) []resolved
	}{
		{"item get", tableGrant(table.ItemGet), false, "records-get",
			func(ta, _ string) []resolved {
				return []resolved{{"Table", []string{"dynamodb:GetItem"}, []string{ta}}}
			}},
		{"item put", tableGrant(table.ItemPut), false, "records-put",
			func(ta, _ string) []resolved {
				return []resolved{{"Table", []string{"dynamodb:PutItem"}, []string{ta}}}
			}},
		{"item update", tableGrant(table.ItemUpdate), false, "records-update",
			func(ta, _ string) []resolved {
				return []resolved{{"Table", []string{"dynamodb:UpdateItem"}, []string{ta}}}
			}},
		{"item delete", tableGrant(table.ItemDelete), false, "records-delete",
			func(ta, _ string) []resolved {
				return []resolved{{"Table", []string{"dynamodb:DeleteItem"}, []string{ta}}}
			}},
		{"item condition check", tableGrant(table.ItemConditionCheck), false, "records-check",
			func(ta, _ string) []resolved {
				return []resolved{{"Table", []string{"dynamodb:ConditionCheckItem"}, []string{ta}}}
			}},
		{"batch get", tableGrant(table.ItemBatchGet), false, "records-batchget",
			func(ta, _ string) []resolved {
				return []resolved{{"Table", []string{"dynamodb:BatchGetItem"}, []string{ta}}}
			}},
		{"batch write", tableGrant(table.ItemBatchWrite), false, "records-batchwrite",
			func(ta, _ string) []resolved {
				return []resolved{{"Table", []string{"dynamodb:BatchWriteItem"}, []string{ta}}}
			}},
		{"query reads the indexes too", tableGrant(table.Query), false, "records-query",
			func(ta, _ string) []resolved {
				return []resolved{{"Table", []string{"dynamodb:Query"}, []string{ta}}, {"TableIndexes", []string{"dynamodb:Query"}, []string{ta + "/index/*"}}}
			}},
		{"scan reads the indexes too", tableGrant(table.Scan), false, "records-scan",
			func(ta, _ string) []resolved {
				return []resolved{{"Table", []string{"dynamodb:Scan"}, []string{ta}}, {"TableIndexes", []string{"dynamodb:Scan"}, []string{ta + "/index/*"}}}
			}},
		{"get and put: no index ARN", tableGrant(table.ItemPut, table.ItemGet), false, "records-get-put",
			func(ta, _ string) []resolved {
				return []resolved{{"Table", []string{"dynamodb:GetItem", "dynamodb:PutItem"}, []string{ta}}}
			}},
		{"get and query: only Query on the indexes", tableGrant(table.Query, table.ItemGet), false, "records-get-query",
			func(ta, _ string) []resolved {
				return []resolved{{"Table", []string{"dynamodb:GetItem", "dynamodb:Query"}, []string{ta}}, {"TableIndexes", []string{"dynamodb:Query"}, []string{ta + "/index/*"}}}
			}},
		{"item get with KMS decrypts", tableGrant(table.ItemGet), true, "records-get",
			func(ta, _ string) []resolved {
				return []resolved{{"Table", []string{"dynamodb:GetItem"}, []string{ta}}, {"TableKey", []string{"kms:Decrypt"}, []string{keyArn}}}
			}},
		{"item update with KMS decrypts and generates data keys", tableGrant(table.ItemGet, table.ItemUpdate), true, "records-get-update",
			func(ta, _ string) []resolved {
				return []resolved{{"Table", []string{"dynamodb:GetItem", "dynamodb:UpdateItem"}, []string{ta}}, {"TableKey", []string{"kms:Decrypt", "kms:GenerateDataKey"}, []string{keyArn}}}
			}},
		{"stream read: the stream actions on the table's streams", tableGrant(table.StreamRead), false, "records-stream",
			func(ta, _ string) []resolved {
				return []resolved{{"TableStream", []string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"}, []string{ta + "/stream/*"}}}
			}},
		{"stream read with KMS decrypts the records", tableGrant(table.StreamRead, table.ItemGet), true, "records-get-stream",
			func(ta, _ string) []resolved {
				return []resolved{{"Table", []string{"dynamodb:GetItem"}, []string{ta}},
					{"TableStream", []string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"}, []string{ta + "/stream/*"}},
					{"TableKey", []string{"kms:Decrypt"}, []string{keyArn}}}
			}},
		{"object get", bucketGrant(bucket.ObjectGet), false, "archive-get",
			func(_, ba string) []resolved {
				return []resolved{{"Objects", []string{"s3:GetObject"}, []string{ba + "/*"}}}
			}},
		{"object put", bucketGrant(bucket.ObjectPut), false, "archive-put",
			func(_, ba string) []resolved {
				return []resolved{{"Objects", []string{"s3:PutObject"}, []string{ba + "/*"}}}
			}},
		{"object delete", bucketGrant(bucket.ObjectDelete), false, "archive-delete",
			func(_, ba string) []resolved {
				return []resolved{{"Objects", []string{"s3:DeleteObject"}, []string{ba + "/*"}}}
			}},
		{"object list is on the bucket", bucketGrant(bucket.ObjectList), false, "archive-list",
			func(_, ba string) []resolved { return []resolved{{"Bucket", []string{"s3:ListBucket"}, []string{ba}}} }},
		{"object get and list", bucketGrant(bucket.ObjectList, bucket.ObjectGet), false, "archive-get-list",
			func(_, ba string) []resolved {
				return []resolved{{"Bucket", []string{"s3:ListBucket"}, []string{ba}}, {"Objects", []string{"s3:GetObject"}, []string{ba + "/*"}}}
			}},
		{"object put with KMS: data keys, and decrypt for multipart uploads", bucketGrant(bucket.ObjectPut), true, "archive-put",
			func(_, ba string) []resolved {
				return []resolved{{"Objects", []string{"s3:PutObject"}, []string{ba + "/*"}}, {"ObjectsKey", []string{"kms:Decrypt", "kms:GenerateDataKey"}, []string{keyArn}}}
			}},
		{"object list with KMS: no key use", bucketGrant(bucket.ObjectList), true, "archive-list",
			func(_, ba string) []resolved { return []resolved{{"Bucket", []string{"s3:ListBucket"}, []string{ba}}} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Given a table and a bucket, when the grant is declared by operation
			g, got, rec := resolve(t, tc.pick, tc.kms)
			tbl := rec.Must(t, "aws:dynamodb/table:Table", "records")
			b := rec.Must(t, "aws:s3/bucketV2:BucketV2", "archive")
			// Then it is named by its operations and allows exactly their actions on exact ARNs
			require.NoError(t, g.Err(), "a valid grant")
			assert.Equal(t, tc.wantName, g.Name, "grant name")
			assert.Equal(t, tc.want(tbl.Outputs["arn"].StringValue(), b.Outputs["arn"].StringValue()), got, "exact actions on exact ARNs")
		})
	}
}

func TestStorageGrantsRefuseWrongOperations(t *testing.T) {
	tests := []struct {
		name string
		pick func(*table.Table, *bucket.Bucket) grant.Grant
		want string
	}{
		{"table: no operation", tableGrant(), `table "records" Grant: no operations; name at least one of ItemGet, ItemPut`},
		{"table: empty operation", tableGrant(table.ItemGet, ""), `table "records" Grant: operations[1] is empty; use one of ItemGet`},
		{"table: unknown operation", tableGrant(table.Operation("DescribeTable")), `table "records" Grant: operations[0] "DescribeTable" is not one of ItemGet`},
		{"table: repeated operation", tableGrant(table.ItemGet, table.ItemPut, table.ItemGet), `table "records" Grant: operations[2] ItemGet repeats operations[0]`},
		{"table: stream read without a stream", tableGrant(table.ItemGet, table.StreamRead), `table "records" Grant: operations[1] StreamRead needs a stream; set Args.Stream`},
		{"bucket: no operation", bucketGrant(), `bucket "archive" Grant: no operations; name at least one of ObjectGet, ObjectPut, ObjectDelete, ObjectList`},
		{"bucket: empty operation", bucketGrant(""), `bucket "archive" Grant: operations[0] is empty`},
		{"bucket: unknown operation", bucketGrant("PutBucketPolicy"), `bucket "archive" Grant: operations[0] "PutBucketPolicy" is not one of ObjectGet`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Given a grant declared with a wrong operation
			var fnErr error
			rec, err := componenttest.Run(func(ctx *pulumi.Context) error {
				tbl, err := table.New(ctx, "records", &table.Args{Attributes: map[string]table.AttributeType{"pk": table.String}, HashKey: "pk"})
				if err != nil {
					return err
				}
				b, err := bucket.New(ctx, "archive", nil)
				if err != nil {
					return err
				}
				g := tc.pick(tbl, b)
				// Then the grant carries the error, naming the operation's position
				assert.ErrorContains(t, g.Err(), tc.want, "grant error")
				assert.Empty(t, g.Statements, "an invalid grant allows nothing")
				// And function.New refuses it before registering anything of its own
				_, fnErr = function.New(ctx, "api", &function.Args{Package: "./components/function/testdata/hello", Grants: []grant.Grant{g}})
				return fnErr
			})
			require.Error(t, err)
			assert.ErrorContains(t, fnErr, `function "api": Grants[0] `+tc.want, "function error names the grant and the operation")
			assert.Empty(t, rec.ByType("groundwork:function:Function"), "no function component registered")
			assert.Empty(t, rec.ByType("aws:iam/role:Role"), "no role registered")
		})
	}
}

func TestProtectIsInherited(t *testing.T) {
	// Given both components created with pulumi.Protect(true), as prod does
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		if _, err := bucket.New(ctx, "archive", nil, pulumi.Protect(true)); err != nil {
			return err
		}
		_, err := table.New(ctx, "records", &table.Args{Attributes: map[string]table.AttributeType{"pk": table.String}, HashKey: "pk"}, pulumi.Protect(true))
		return err
	})
	// Then every registered resource, children included, is protected
	require.NotEmpty(t, rec.Resources())
	for _, r := range rec.Resources() {
		assert.True(t, r.Protect, "%s %s protected", r.Type, r.Name)
	}
}
