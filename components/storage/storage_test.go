package storage_test

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/storage"
)

// runBucket makes a bucket "archive" with args; the program must succeed.
func runBucket(t *testing.T, args *storage.BucketArgs, opts ...componenttest.Option) *componenttest.Recorder {
	t.Helper()
	return componenttest.MustRun(t, componenttest.Component(storage.NewBucket, "archive", args), opts...)
}

func TestBucketDefaults(t *testing.T) {
	// Given a bucket with every Args field at its zero value
	rec := runBucket(t, nil)
	comp := rec.Must(t, "groundwork:storage:Bucket", "archive")
	b := rec.Must(t, "aws:s3/bucketV2:BucketV2", "archive")
	for _, c := range rec.Descendants(comp.URN) {
		assert.Equal(t, comp.URN, c.Parent, "%s parented to the component", c.Name)
	}
	assert.Len(t, rec.Descendants(comp.URN), 7, "bucket, sse, public access, ownership, versioning, policy, lifecycle; no logging")

	// Then objects can't be destroyed with the bucket
	fd, _ := b.Input("forceDestroy")
	assert.Equal(t, false, fd, "forceDestroy off")
	_, named := b.Input("bucket")
	assert.False(t, named, "auto-named")

	// And SSE is AES256 without a KMS key
	sse := rec.Must(t, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "archive-sse")
	assert.Equal(t, b.ID, sse.InputString("bucket"), "SSE applies to the bucket")
	assert.Equal(t, "AES256", sse.InputString("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm"), "SSE-S3")
	_, kms := sse.Input("rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId")
	assert.False(t, kms, "no KMS key")

	// And all four public access block flags are on
	pab := rec.Must(t, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "archive-public-access")
	assert.Equal(t, b.ID, pab.InputString("bucket"))
	for _, flag := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		v, _ := pab.Input(flag)
		assert.Equal(t, true, v, flag)
	}

	// And ACLs are disabled
	own := rec.Must(t, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "archive-ownership")
	assert.Equal(t, "BucketOwnerEnforced", own.InputString("rule.objectOwnership"), "object ownership")

	// And versioning is enabled
	ver := rec.Must(t, "aws:s3/bucketVersioningV2:BucketVersioningV2", "archive-versioning")
	assert.Equal(t, "Enabled", ver.InputString("versioningConfiguration.status"), "versioning")

	// And the policy denies every request without TLS, on the bucket and its objects
	pol := rec.Must(t, "aws:s3/bucketPolicy:BucketPolicy", "archive-policy")
	doc := pol.MustPolicy(t, "policy")
	require.Len(t, doc.Statement, 1)
	st := doc.Statement[0]
	arn := b.Outputs["arn"].StringValue()
	assert.Equal(t, "Deny", st.Effect)
	assert.Equal(t, map[string]any{"AWS": "*"}, st.Principal, "applies to everyone")
	assert.Equal(t, []string{"s3:*"}, st.Action)
	assert.Equal(t, []any{arn, arn + "/*"}, st.Resource, "bucket and objects")
	assert.Equal(t, "false", st.Condition["Bool"]["aws:SecureTransport"], "non-TLS requests")
	assert.True(t, pol.DependsOnURN(pab.URN), "policy waits for the public access block")
	assert.True(t, pol.DependsOnURN(own.URN), "policy waits for the ownership controls")

	// And the lifecycle aborts incomplete uploads after 7 days and expires old versions after 30
	lc := rec.Must(t, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "archive-lifecycle")
	abort, _ := lc.Input("rules[0].abortIncompleteMultipartUpload.daysAfterInitiation")
	assert.Equal(t, float64(7), abort, "abort incomplete multipart uploads")
	assert.Equal(t, "Enabled", lc.InputString("rules[0].status"))
	nc, _ := lc.Input("rules[1].noncurrentVersionExpiration.noncurrentDays")
	assert.Equal(t, float64(30), nc, "noncurrent version expiry default")
	assert.Equal(t, "Enabled", lc.InputString("rules[1].status"))
	_, prefix := lc.Input("rules[0].prefix")
	assert.False(t, prefix, "no deprecated rule prefix")
	_, filter := lc.Input("rules[0].filter")
	assert.True(t, filter, "rules use a filter")
	assert.True(t, lc.DependsOnURN(ver.URN), "lifecycle waits for versioning")
}

func TestBucketOptions(t *testing.T) {
	// Given a KMS key, a name, a noncurrent age, access logging and force destroy
	rec := runBucket(t, &storage.BucketArgs{
		BucketName: "groundwork-archive-prod", KMSKeyARN: pulumi.String("arn:aws:kms:us-east-1:123456789012:key/k1"),
		NoncurrentVersionExpirationDays: 90, AccessLogBucket: pulumi.String("logs-bucket"), ForceDestroy: true,
	})
	b := rec.Must(t, "aws:s3/bucketV2:BucketV2", "archive")
	assert.Equal(t, "groundwork-archive-prod", b.InputString("bucket"), "explicit name")
	fd, _ := b.Input("forceDestroy")
	assert.Equal(t, true, fd, "forceDestroy when asked")
	sse := rec.Must(t, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "archive-sse")
	assert.Equal(t, "aws:kms", sse.InputString("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm"))
	assert.Equal(t, "arn:aws:kms:us-east-1:123456789012:key/k1", sse.InputString("rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId"))
	bk, _ := sse.Input("rules[0].bucketKeyEnabled")
	assert.Equal(t, true, bk, "bucket key with KMS")
	lc := rec.Must(t, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "archive-lifecycle")
	nc, _ := lc.Input("rules[1].noncurrentVersionExpiration.noncurrentDays")
	assert.Equal(t, float64(90), nc)
	lg := rec.Must(t, "aws:s3/bucketLoggingV2:BucketLoggingV2", "archive-logging")
	assert.Equal(t, "logs-bucket", lg.InputString("targetBucket"))
	assert.Equal(t, "archive/", lg.InputString("targetPrefix"), "prefix defaults to the component name")
}

func TestBucketPreview(t *testing.T) {
	rec := runBucket(t, nil, componenttest.Preview())
	b := rec.Must(t, "aws:s3/bucketV2:BucketV2", "archive")
	assert.Empty(t, b.ID, "no id in preview")
	pol := rec.Must(t, "aws:s3/bucketPolicy:BucketPolicy", "archive-policy")
	_, known := pol.Input("policy")
	assert.False(t, known, "policy depends on the unknown ARN")
	assert.Len(t, rec.ByType("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"), 1)
}

func TestBucketValidation(t *testing.T) {
	tests := []struct {
		name, comp string
		args       storage.BucketArgs
		want       string
	}{
		{"uppercase name", "archive", storage.BucketArgs{BucketName: "My-Bucket"}, `BucketName: "My-Bucket" may hold only lowercase`},
		{"too long", "archive", storage.BucketArgs{BucketName: strings.Repeat("a", 64)}, "must be 3-63 characters"},
		{"too short", "archive", storage.BucketArgs{BucketName: "ab"}, "must be 3-63 characters"},
		{"ip address", "archive", storage.BucketArgs{BucketName: "192.168.1.1"}, "IP address"},
		{"adjacent periods", "archive", storage.BucketArgs{BucketName: "a..b"}, "two adjacent periods"},
		{"reserved prefix", "archive", storage.BucketArgs{BucketName: "xn--abc"}, "reserved prefix"},
		{"reserved suffix", "archive", storage.BucketArgs{BucketName: "abc-s3alias"}, "reserved suffix"},
		{"component name unfit for auto-naming", "Archive", storage.BucketArgs{}, "invalid auto-named bucket"},
		{"log prefix without bucket", "archive", storage.BucketArgs{AccessLogPrefix: "x/"}, "AccessLogPrefix"},
		{"negative noncurrent days", "archive", storage.BucketArgs{NoncurrentVersionExpirationDays: -1}, "NoncurrentVersionExpirationDays -1"},
	}
	for _, tc := range tests {
		for _, mode := range componenttest.Modes {
			t.Run(tc.name+"/"+mode.Name, func(t *testing.T) {
				rec, err := componenttest.Run(componenttest.Component(storage.NewBucket, tc.comp, &tc.args), mode.Options...)
				require.Error(t, err)
				assert.Contains(t, err.Error(), `bucket "`+tc.comp+`"`, "names the component")
				assert.Contains(t, err.Error(), tc.want)
				assert.Empty(t, rec.Resources(), "nothing registered")
			})
		}
	}
}

// runTable makes a table "records" with args; the program must succeed.
func runTable(t *testing.T, args *storage.TableArgs, opts ...componenttest.Option) *componenttest.Recorder {
	t.Helper()
	return componenttest.MustRun(t, componenttest.Component(storage.NewTable, "records", args), opts...)
}

func TestTableDefaults(t *testing.T) {
	// Given a table with only a hash key
	rec := runTable(t, &storage.TableArgs{Attributes: map[string]storage.AttributeType{"pk": storage.String}, HashKey: "pk"})
	comp := rec.Must(t, "groundwork:storage:Table", "records")
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
	rec := runTable(t, &storage.TableArgs{
		Attributes:             map[string]storage.AttributeType{"pk": storage.String, "sk": storage.String, "email": storage.String, "at": storage.Number},
		HashKey:                "pk",
		RangeKey:               "sk",
		GlobalSecondaryIndexes: []storage.Index{{Name: "by-email", HashKey: "email", RangeKey: "at"}},
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
	rec := runTable(t, &storage.TableArgs{
		TableName:  "orders-prod",
		Attributes: map[string]storage.AttributeType{"pk": storage.String, "email": storage.String},
		HashKey:    "pk",
		GlobalSecondaryIndexes: []storage.Index{{Name: "by-email", HashKey: "email", ProjectionType: "INCLUDE",
			NonKeyAttributes: []string{"status"}}},
		Provisioned: &storage.Capacity{Read: 5, Write: 2},
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
	rec := runTable(t, &storage.TableArgs{Attributes: map[string]storage.AttributeType{"pk": storage.String}, HashKey: "pk"}, componenttest.Preview())
	tbl := rec.Must(t, "aws:dynamodb/table:Table", "records")
	assert.Empty(t, tbl.ID)
	pitr, _ := tbl.Input("pointInTimeRecovery.enabled")
	assert.Equal(t, true, pitr)
}

func TestTableValidation(t *testing.T) {
	s := storage.String
	tests := []struct {
		name string
		args storage.TableArgs
		want string
	}{
		{"no hash key", storage.TableArgs{}, "HashKey is required"},
		{"hash key undeclared", storage.TableArgs{HashKey: "pk"}, `HashKey "pk" is not declared in Attributes`},
		{"range key undeclared", storage.TableArgs{Attributes: map[string]storage.AttributeType{"pk": s}, HashKey: "pk", RangeKey: "sk"}, `RangeKey "sk" is not declared`},
		{"GSI on an undeclared attribute", storage.TableArgs{Attributes: map[string]storage.AttributeType{"pk": s}, HashKey: "pk",
			GlobalSecondaryIndexes: []storage.Index{{Name: "by-email", HashKey: "email"}}}, `GlobalSecondaryIndexes[0] (by-email) HashKey "email" is not declared in Attributes`},
		{"unused attribute", storage.TableArgs{Attributes: map[string]storage.AttributeType{"pk": s, "x": s}, HashKey: "pk"}, `Attributes["x"] is declared but is no table or index key`},
		{"bad attribute type", storage.TableArgs{Attributes: map[string]storage.AttributeType{"pk": "BOOL"}, HashKey: "pk"}, `type "BOOL"`},
		{"bad stream view", storage.TableArgs{Attributes: map[string]storage.AttributeType{"pk": s}, HashKey: "pk", StreamViewType: "ALL"}, `StreamViewType "ALL"`},
		{"bad table name", storage.TableArgs{TableName: "a b", Attributes: map[string]storage.AttributeType{"pk": s}, HashKey: "pk"}, `TableName "a b"`},
	}
	for _, tc := range tests {
		for _, mode := range componenttest.Modes {
			t.Run(tc.name+"/"+mode.Name, func(t *testing.T) {
				rec, err := componenttest.Run(componenttest.Component(storage.NewTable, "records", &tc.args), mode.Options...)
				require.Error(t, err)
				assert.Contains(t, err.Error(), `table "records"`)
				assert.Contains(t, err.Error(), tc.want)
				assert.Empty(t, rec.Resources(), "nothing registered")
			})
		}
	}
}

func TestProtectIsInherited(t *testing.T) {
	// Given both components created with pulumi.Protect(true), as prod does
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		if _, err := storage.NewBucket(ctx, "archive", nil, pulumi.Protect(true)); err != nil {
			return err
		}
		_, err := storage.NewTable(ctx, "records", &storage.TableArgs{Attributes: map[string]storage.AttributeType{"pk": storage.String}, HashKey: "pk"}, pulumi.Protect(true))
		return err
	})
	// Then every registered resource, children included, is protected
	require.NotEmpty(t, rec.Resources())
	for _, r := range rec.Resources() {
		assert.True(t, r.Protect, "%s %s protected", r.Type, r.Name)
	}
}
