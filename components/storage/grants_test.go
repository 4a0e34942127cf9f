package storage_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/storage"
)

// resolved is a grant's statements with their resources resolved.
type resolved struct {
	Sid       string
	Actions   []string
	Resources []string
}

// resolve runs a program that builds storage, picks a grant, and resolves its ARNs.
func resolve(t *testing.T, pick func(*storage.Table, *storage.Bucket) grant.Grant, kms bool) (string, []resolved, *componenttest.Recorder) {
	t.Helper()
	var name string
	var out []resolved
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		var key pulumi.StringInput
		if kms {
			key = pulumi.String("arn:aws:kms:us-east-1:123456789012:key/k1")
		}
		tbl, err := storage.NewTable(ctx, "records", &storage.TableArgs{
			Attributes: map[string]storage.AttributeType{"pk": storage.String}, HashKey: "pk", KMSKeyArn: key})
		if err != nil {
			return err
		}
		b, err := storage.NewBucket(ctx, "archive", &storage.BucketArgs{KMSKeyArn: key})
		if err != nil {
			return err
		}
		g := pick(tbl, b)
		name = g.Name
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
	return name, out, rec
}

func TestStorageGrants(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:123456789012:key/k1"
	read := []string{"dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"}
	write := []string{"dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
	tests := []struct {
		name     string
		pick     func(*storage.Table, *storage.Bucket) grant.Grant
		kms      bool
		wantName string
		want     func(tableArn, bucketArn string) []resolved
	}{
		{"table read", func(t *storage.Table, _ *storage.Bucket) grant.Grant { return t.GrantRead() }, false, "records-read",
			func(ta, _ string) []resolved { return []resolved{{"ReadTable", read, []string{ta, ta + "/index/*"}}} }},
		{"table read-write", func(t *storage.Table, _ *storage.Bucket) grant.Grant { return t.GrantReadWrite() }, false, "records-readwrite",
			func(ta, _ string) []resolved {
				return []resolved{{"ReadWriteTable", append(append([]string{}, read...), write...), []string{ta, ta + "/index/*"}}}
			}},
		{"table read-write with KMS", func(t *storage.Table, _ *storage.Bucket) grant.Grant { return t.GrantReadWrite() }, true, "records-readwrite",
			func(ta, _ string) []resolved {
				return []resolved{{"ReadWriteTable", append(append([]string{}, read...), write...), []string{ta, ta + "/index/*"}},
					{"ReadWriteTableKey", []string{"kms:Decrypt", "kms:GenerateDataKey"}, []string{key}}}
			}},
		{"bucket read", func(_ *storage.Table, b *storage.Bucket) grant.Grant { return b.GrantRead() }, false, "archive-read",
			func(_, ba string) []resolved {
				return []resolved{{"ListBucket", []string{"s3:ListBucket"}, []string{ba}}, {"ReadObjects", []string{"s3:GetObject"}, []string{ba + "/*"}}}
			}},
		{"bucket write", func(_ *storage.Table, b *storage.Bucket) grant.Grant { return b.GrantWrite() }, false, "archive-write",
			func(_, ba string) []resolved {
				return []resolved{{"WriteObjects", []string{"s3:PutObject"}, []string{ba + "/*"}}}
			}},
		{"bucket write with KMS", func(_ *storage.Table, b *storage.Bucket) grant.Grant { return b.GrantWrite() }, true, "archive-write",
			func(_, ba string) []resolved {
				return []resolved{{"WriteObjects", []string{"s3:PutObject"}, []string{ba + "/*"}}, {"EncryptObjects", []string{"kms:Decrypt", "kms:GenerateDataKey"}, []string{key}}}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name, got, rec := resolve(t, tc.pick, tc.kms)
			tbl := rec.Must(t, "aws:dynamodb/table:Table", "records")
			b := rec.Must(t, "aws:s3/bucketV2:BucketV2", "archive")
			assert.Equal(t, tc.wantName, name, "grant name")
			assert.Equal(t, tc.want(tbl.Outputs["arn"].StringValue(), b.Outputs["arn"].StringValue()), got, "exact actions on exact ARNs")
		})
	}
}
