package bucket_test

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/bucket"
	"github.com/groundwork-dev/groundwork/components/componenttest"
)

// runBucket makes a bucket "archive" with args; the program must succeed.
func runBucket(t *testing.T, args *bucket.Args, opts ...componenttest.Option) *componenttest.Recorder {
	t.Helper()
	return componenttest.MustRun(t, componenttest.Component(bucket.New, "archive", args), opts...)
}

func TestBucketDefaults(t *testing.T) {
	// Given a bucket with every Args field at its zero value
	rec := runBucket(t, nil)
	comp := rec.Must(t, "groundwork:bucket:Bucket", "archive")
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
	rec := runBucket(t, &bucket.Args{
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
		args       bucket.Args
		want       string
	}{
		{"uppercase name", "archive", bucket.Args{BucketName: "My-Bucket"}, `BucketName: "My-Bucket" may hold only lowercase`},
		{"too long", "archive", bucket.Args{BucketName: strings.Repeat("a", 64)}, "must be 3-63 characters"},
		{"too short", "archive", bucket.Args{BucketName: "ab"}, "must be 3-63 characters"},
		{"ip address", "archive", bucket.Args{BucketName: "192.168.1.1"}, "IP address"},
		{"adjacent periods", "archive", bucket.Args{BucketName: "a..b"}, "two adjacent periods"},
		{"reserved prefix", "archive", bucket.Args{BucketName: "xn--abc"}, "reserved prefix"},
		{"reserved suffix", "archive", bucket.Args{BucketName: "abc-s3alias"}, "reserved suffix"},
		{"component name unfit for auto-naming", "Archive", bucket.Args{}, "invalid auto-named bucket"},
		{"log prefix without bucket", "archive", bucket.Args{AccessLogPrefix: "x/"}, "AccessLogPrefix"},
		{"negative noncurrent days", "archive", bucket.Args{NoncurrentVersionExpirationDays: -1}, "NoncurrentVersionExpirationDays -1"},
	}
	for _, tc := range tests {
		for _, mode := range componenttest.Modes {
			t.Run(tc.name+"/"+mode.Name, func(t *testing.T) {
				rec, err := componenttest.Run(componenttest.Component(bucket.New, tc.comp, &tc.args), mode.Options...)
				require.Error(t, err)
				assert.Contains(t, err.Error(), `bucket "`+tc.comp+`"`, "names the component")
				assert.Contains(t, err.Error(), tc.want)
				assert.Empty(t, rec.Resources(), "nothing registered")
			})
		}
	}
}
