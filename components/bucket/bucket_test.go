package bucket_test

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/bucket"
	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/policy"
	"github.com/groundwork-dev/groundwork/components/queue"
	"github.com/groundwork-dev/groundwork/components/transform"
)

// The types of the bucket's children.
const (
	typeBucket       = "aws:s3/bucketV2:BucketV2"
	typeSSE          = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	typePAB          = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	typeOwnership    = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	typeVersioning   = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	typePolicy       = "aws:s3/bucketPolicy:BucketPolicy"
	typeLifecycle    = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	typeLogging      = "aws:s3/bucketLoggingV2:BucketLoggingV2"
	typeCORS         = "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2"
	typeNotification = "aws:s3/bucketNotification:BucketNotification"
	typePermission   = "aws:lambda/permission:Permission"
)

// thumbs is the ARN of a function that notifications invoke.
const thumbs = "arn:aws:lambda:us-east-1:123456789012:function:thumbs"

// runBucket makes a bucket "archive" with args; the program must succeed.
func runBucket(t *testing.T, args *bucket.Args, opts ...componenttest.Option) *componenttest.Recorder {
	t.Helper()
	return componenttest.MustRun(t, componenttest.Component(bucket.New, "archive", args), opts...)
}

func TestBucketDefaults(t *testing.T) {
	// Given a bucket with every Args field at its zero value
	rec := runBucket(t, nil)
	comp := rec.Must(t, "groundwork:bucket:Bucket", "archive")
	b := rec.Must(t, typeBucket, "archive")
	for _, c := range rec.Descendants(comp.URN) {
		assert.Equal(t, comp.URN, c.Parent, "%s parented to the component", c.Name)
	}
	assert.Len(t, rec.Descendants(comp.URN), 7, "bucket, sse, public access, ownership, versioning, policy, lifecycle; no logging, CORS or notifications")
	assert.Empty(t, rec.Invokes(), "no invoke without notifications")

	// Then objects can't be destroyed with the bucket
	fd, _ := b.Input("forceDestroy")
	assert.Equal(t, false, fd, "forceDestroy off")
	_, named := b.Input("bucket")
	assert.False(t, named, "auto-named")

	// And SSE is AES256 without a KMS key
	sse := rec.Must(t, typeSSE, "archive-sse")
	assert.Equal(t, b.ID, sse.InputString("bucket"), "SSE applies to the bucket")
	assert.Equal(t, "AES256", sse.InputString("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm"), "SSE-S3")
	_, kms := sse.Input("rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId")
	assert.False(t, kms, "no KMS key")

	// And all four public access block flags are on
	pab := rec.Must(t, typePAB, "archive-public-access")
	assert.Equal(t, b.ID, pab.InputString("bucket"))
	for _, flag := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		v, _ := pab.Input(flag)
		assert.Equal(t, true, v, flag)
	}

	// And ACLs are disabled
	own := rec.Must(t, typeOwnership, "archive-ownership")
	assert.Equal(t, "BucketOwnerEnforced", own.InputString("rule.objectOwnership"), "object ownership")

	// And versioning is enabled
	ver := rec.Must(t, typeVersioning, "archive-versioning")
	assert.Equal(t, "Enabled", ver.InputString("versioningConfiguration.status"), "versioning")

	// And the policy denies every request without TLS, on the bucket and its objects
	pol := rec.Must(t, typePolicy, "archive-policy")
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
	lc := rec.Must(t, typeLifecycle, "archive-lifecycle")
	rules, _ := lc.Input("rules")
	assert.Equal(t, []any{
		map[string]any{"id": "abort-incomplete-multipart-uploads", "status": "Enabled", "filter": map[string]any{"prefix": ""},
			"abortIncompleteMultipartUpload": map[string]any{"daysAfterInitiation": float64(7)}},
		map[string]any{"id": "expire-noncurrent-versions", "status": "Enabled", "filter": map[string]any{"prefix": ""},
			"noncurrentVersionExpiration": map[string]any{"noncurrentDays": float64(30)}},
	}, rules, "the built-in rules, with filters and no deprecated prefix")
	assert.True(t, lc.DependsOnURN(ver.URN), "lifecycle waits for versioning")

	// And the baseline finds only that access logging is off with no reason given
	vs := policy.Check(rec.Resources(), policy.Options{})
	require.Len(t, vs, 1, "one violation: %v", vs)
	assert.Equal(t, "s3-access-logging", vs[0].Rule, "no access logging and no AccessLoggingOff reason")
	assert.Equal(t, b.URN, vs[0].Resource, "on the bucket")
}

func TestBucketAccessLoggingOffIsRecordedAsATag(t *testing.T) {
	// Given a bucket whose access logging is off for a stated reason
	rec := runBucket(t, &bucket.Args{AccessLoggingOff: "holds build caches only"})
	// Then the reason is the bucket's tag, where the plan shows it
	b := rec.Must(t, typeBucket, "archive")
	assert.Equal(t, "holds build caches only", b.InputString("tags."+policy.AccessLoggingOffTag), "the reason as a tag")
	assert.Empty(t, rec.ByType("aws:s3/bucketLoggingV2:BucketLoggingV2"), "no logging configuration")
	// And the baseline accepts it
	assert.Empty(t, policy.Check(rec.Resources(), policy.Options{}), "baseline")
}

func TestBucketOptions(t *testing.T) {
	// Given a KMS key, a name, a noncurrent age, access logging and force destroy
	rec := runBucket(t, &bucket.Args{
		BucketName: "groundwork-archive-prod", KMSKeyARN: pulumi.String("arn:aws:kms:us-east-1:123456789012:key/k1"),
		NoncurrentVersionExpiration: 90 * bucket.Day, AccessLogBucket: pulumi.String("logs-bucket"), ForceDestroy: true,
	})
	b := rec.Must(t, typeBucket, "archive")
	assert.Equal(t, "groundwork-archive-prod", b.InputString("bucket"), "explicit name")
	fd, _ := b.Input("forceDestroy")
	assert.Equal(t, true, fd, "forceDestroy when asked")
	sse := rec.Must(t, typeSSE, "archive-sse")
	assert.Equal(t, "aws:kms", sse.InputString("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm"))
	assert.Equal(t, "arn:aws:kms:us-east-1:123456789012:key/k1", sse.InputString("rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId"))
	bk, _ := sse.Input("rules[0].bucketKeyEnabled")
	assert.Equal(t, true, bk, "bucket key with KMS")
	lc := rec.Must(t, typeLifecycle, "archive-lifecycle")
	assert.Equal(t, float64(90), lc.MustNumber(t, "rules[1].noncurrentVersionExpiration.noncurrentDays"), "noncurrent versions kept 90 days")
	lg := rec.Must(t, typeLogging, "archive-logging")
	assert.Equal(t, "logs-bucket", lg.InputString("targetBucket"))
	assert.Equal(t, "archive/", lg.InputString("targetPrefix"), "prefix defaults to the component name")
}

func TestBucketLifecycleRules(t *testing.T) {
	// Given rules by prefix, by one tag, and by a prefix and tags
	rec := runBucket(t, &bucket.Args{LifecycleRules: []bucket.LifecycleRule{
		{ID: "logs", Prefix: "logs/", Expiration: 365 * bucket.Day, Transitions: []bucket.Transition{
			{After: 30 * bucket.Day, StorageClass: bucket.StandardIA}, {After: 90 * bucket.Day, StorageClass: bucket.Glacier},
		}},
		{ID: "scratch", Tags: map[string]string{"kind": "scratch"}, Expiration: 7 * bucket.Day},
		{ID: "exports", Prefix: "exports/", Tags: map[string]string{"kind": "export", "team": "bi"}, Transitions: []bucket.Transition{
			{After: 0, StorageClass: bucket.IntelligentTiering},
		}},
	}})
	// Then they follow the built-in rules, each with its filter and actions
	lc := rec.Must(t, typeLifecycle, "archive-lifecycle")
	rules, _ := lc.Input("rules")
	require.Len(t, rules, 5, "2 built-in rules and 3 of the Args")
	assert.Equal(t, []any{
		map[string]any{"id": "logs", "status": "Enabled", "filter": map[string]any{"prefix": "logs/"},
			"expiration": map[string]any{"days": float64(365)},
			"transitions": []any{
				map[string]any{"days": float64(30), "storageClass": "STANDARD_IA"},
				map[string]any{"days": float64(90), "storageClass": "GLACIER"},
			}},
		map[string]any{"id": "scratch", "status": "Enabled", "filter": map[string]any{"tag": map[string]any{"key": "kind", "value": "scratch"}},
			"expiration": map[string]any{"days": float64(7)}},
		map[string]any{"id": "exports", "status": "Enabled",
			"filter":      map[string]any{"and": map[string]any{"prefix": "exports/", "tags": map[string]any{"kind": "export", "team": "bi"}}},
			"transitions": []any{map[string]any{"days": float64(0), "storageClass": "INTELLIGENT_TIERING"}}},
	}, rules.([]any)[2:], "the Args' rules")
}

func TestBucketCORS(t *testing.T) {
	// Given a rule for an app's origin, and a second, bare one
	rec := runBucket(t, &bucket.Args{CORS: []bucket.CORSRule{
		{ID: "app", AllowedOrigins: []string{"https://app.example.com"}, AllowedMethods: []string{"GET", "PUT"},
			AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}, MaxAge: time.Hour},
		{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"HEAD"}},
	}})
	// Then the CORS configuration holds both, leaving out what is unset
	c := rec.Must(t, typeCORS, "archive-cors")
	assert.Equal(t, rec.Must(t, typeBucket, "archive").ID, c.InputString("bucket"), "on the bucket")
	rules, _ := c.Input("corsRules")
	assert.Equal(t, []any{
		map[string]any{"id": "app", "allowedOrigins": []any{"https://app.example.com"}, "allowedMethods": []any{"GET", "PUT"},
			"allowedHeaders": []any{"*"}, "exposeHeaders": []any{"ETag"}, "maxAgeSeconds": float64(3600)},
		map[string]any{"allowedOrigins": []any{"*"}, "allowedMethods": []any{"HEAD"}},
	}, rules, "CORS rules")
}

func TestBucketNotifications(t *testing.T) {
	// Given images sent to a function and uploads to a queue the bucket creates
	var b *bucket.Bucket
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		var err error
		b, err = bucket.New(ctx, "archive", &bucket.Args{AccessLoggingOff: "test data only", Notifications: []bucket.Notification{
			{Name: "thumbs", Prefix: "images/", Suffix: ".jpg", Function: pulumi.String(thumbs)},
			{Name: "uploads", Prefix: "uploads/", Queue: &queue.Args{MaxReceiveCount: 3}},
		}})
		return err
	})
	comp := rec.Must(t, "groundwork:bucket:Bucket", "archive")
	bkt := rec.Must(t, typeBucket, "archive")
	arn := bkt.Outputs["arn"].StringValue()

	// Then S3 may invoke the function for this bucket of this account only
	perm := rec.Must(t, typePermission, "archive-thumbs-invoke")
	assert.Equal(t, comp.URN, perm.Parent, "the permission is the bucket's child")
	assert.Equal(t, "lambda:InvokeFunction", perm.InputString("action"))
	assert.Equal(t, thumbs, perm.InputString("function"))
	assert.Equal(t, "s3.amazonaws.com", perm.InputString("principal"))
	assert.Equal(t, arn, perm.InputString("sourceArn"), "this bucket")
	assert.Equal(t, componenttest.Account, perm.InputString("sourceAccount"), "this account")

	// And the queue is the bucket's child, with the queue's Args, and lets S3 send for this
	// bucket of this account only, in its one policy
	qc := rec.Must(t, "groundwork:queue:Queue", "archive-uploads")
	assert.Equal(t, comp.URN, qc.Parent, "the queue component is the bucket's child")
	q := rec.Must(t, "aws:sqs/queue:Queue", "archive-uploads")
	assert.Contains(t, q.InputString("redrivePolicy"), `"maxReceiveCount":3`, "the notification's queue.Args")
	doc := rec.Must(t, "aws:sqs/queuePolicy:QueuePolicy", "archive-uploads-policy").MustPolicy(t, "policy")
	require.Len(t, doc.Statement, 2, "the TLS deny and S3's allow")
	assert.Equal(t, map[string]any{"Service": "s3.amazonaws.com"}, doc.Statement[1].Principal)
	assert.Equal(t, map[string]map[string]any{
		"ArnEquals":    {"aws:SourceArn": arn},
		"StringEquals": {"aws:SourceAccount": componenttest.Account},
	}, doc.Statement[1].Condition, "scoped to the bucket and the account")
	assert.Contains(t, b.Queues, "uploads", "the queue by notification name")
	assert.Contains(t, b.Permissions, "thumbs", "the permission by notification name")

	// And the one notification configuration sends created objects to both, filtered, once
	// both let S3 deliver
	n := rec.Must(t, typeNotification, "archive-notifications")
	assert.Equal(t, bkt.ID, n.InputString("bucket"))
	fns, _ := n.Input("lambdaFunctions")
	assert.Equal(t, []any{map[string]any{"id": "thumbs", "events": []any{"s3:ObjectCreated:*"}, "lambdaFunctionArn": thumbs,
		"filterPrefix": "images/", "filterSuffix": ".jpg"}}, fns, "function target")
	qs, _ := n.Input("queues")
	assert.Equal(t, []any{map[string]any{"id": "uploads", "events": []any{"s3:ObjectCreated:*"}, "queueArn": q.Outputs["arn"].StringValue(),
		"filterPrefix": "uploads/"}}, qs, "queue target")
	assert.True(t, n.DependsOnURN(perm.URN), "waits for the permission")
	qp := rec.Must(t, "aws:sqs/queuePolicy:QueuePolicy", "archive-uploads-policy")
	assert.True(t, n.DependsOnURN(qp.URN), "waits for the queue's policy (the policy itself, not the queue component): %v", n.DependsOn)

	// And the account came from one invoke through the bucket's provider
	assert.Equal(t, []componenttest.Invoke{{Token: "aws:index/getCallerIdentity:getCallerIdentity"}}, rec.Invokes())
	// And the baseline finds nothing
	assert.Empty(t, policy.Check(rec.Resources(), policy.Options{}), "baseline")
}

func TestBucketPreview(t *testing.T) {
	rec := runBucket(t, &bucket.Args{Notifications: []bucket.Notification{{Name: "thumbs", Function: pulumi.String(thumbs)}}}, componenttest.Preview())
	b := rec.Must(t, typeBucket, "archive")
	assert.Empty(t, b.ID, "no id in preview")
	pol := rec.Must(t, typePolicy, "archive-policy")
	_, known := pol.Input("policy")
	assert.False(t, known, "policy depends on the unknown ARN")
	assert.Len(t, rec.ByType(typePAB), 1)
	perm := rec.Must(t, typePermission, "archive-thumbs-invoke")
	assert.Equal(t, componenttest.Account, perm.InputString("sourceAccount"), "the account is known in preview")
}

func TestBucketValidationRegistersNothing(t *testing.T) {
	tests := []struct {
		name, comp string
		args       bucket.Args
		want       string
	}{
		{"uppercase BucketName", "archive", bucket.Args{BucketName: "My-Bucket"}, `BucketName "My-Bucket" may hold only lowercase`},
		{"component name unfit for auto-naming", "Archive", bucket.Args{}, `name "Archive" has 'A'`},
		{"log prefix without bucket", "archive", bucket.Args{AccessLogPrefix: "x/"}, "AccessLogPrefix"},
		{"access logging both on and off", "archive", bucket.Args{AccessLogBucket: pulumi.String("logs"), AccessLoggingOff: "no need"},
			"AccessLoggingOff is set with AccessLogBucket"},
		{"an access-logging-off reason no tag can hold", "archive", bucket.Args{AccessLoggingOff: "caches, only"},
			`AccessLoggingOff "caches, only" has characters a tag value cannot hold`},
		{"an access-logging-off reason too long", "archive", bucket.Args{AccessLoggingOff: strings.Repeat("x", 257)},
			"AccessLoggingOff is 257 characters; a tag value holds at most 256"},
		{"lifecycle rule replacing a built-in", "archive", bucket.Args{LifecycleRules: []bucket.LifecycleRule{{ID: "abort-incomplete-multipart-uploads", Expiration: bucket.Day}}},
			`LifecycleRules[0].ID "abort-incomplete-multipart-uploads" is a built-in rule's`},
		{"CORS without methods", "archive", bucket.Args{CORS: []bucket.CORSRule{{AllowedOrigins: []string{"*"}}}}, "CORS[0].AllowedMethods is empty"},
		{"notification to a FIFO queue", "archive", bucket.Args{Notifications: []bucket.Notification{{Name: "in", Queue: &queue.Args{FIFO: true}}}},
			"Notifications[0].Queue.FIFO is set"},
	}
	for _, tc := range tests {
		for _, mode := range componenttest.Modes {
			t.Run(tc.name+"/"+mode.Name, func(t *testing.T) {
				rec, err := componenttest.Run(componenttest.Component(bucket.New, tc.comp, &tc.args), mode.Options...)
				require.Error(t, err)
				assert.Contains(t, err.Error(), `bucket "`+tc.comp+`": `, "names the component")
				assert.Contains(t, err.Error(), tc.want)
				assert.Empty(t, rec.Resources(), "nothing registered")
				assert.Empty(t, rec.Invokes(), "nothing invoked")
			})
		}
	}
}

func TestBucketNotificationQueueErrorsNameTheNotification(t *testing.T) {
	// Given a notification queue whose own Args are invalid (queue.New checks them)
	_, err := componenttest.Run(componenttest.Component(bucket.New, "archive", &bucket.Args{Notifications: []bucket.Notification{
		{Name: "uploads", Queue: &queue.Args{MaxReceiveCount: 5000}},
	}}))
	// Then the error names the bucket, the notification and the queue's field
	require.Error(t, err)
	assert.Contains(t, err.Error(), `bucket "archive": Notifications[0].Queue: queue "archive-uploads": MaxReceiveCount 5000`)
}

// mark is a transform that records the name it ran with and adds an option to the child.
func mark[T any](seen *[]string) transform.Func[T] {
	return func(name string, _ *T, opts *[]pulumi.ResourceOption) error {
		*seen = append(*seen, name)
		*opts = append(*opts, pulumi.IgnoreChanges([]string{"tags"}))
		return nil
	}
}

func TestEveryChildHasItsTransform(t *testing.T) {
	// Given a bucket with every optional child, and a transform on each that adds an option
	var seen []string
	args := &bucket.Args{
		AccessLogBucket: pulumi.String("logs"),
		CORS:            []bucket.CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}}},
		Notifications:   []bucket.Notification{{Name: "thumbs", Function: pulumi.String(thumbs)}},
		Transform: bucket.Transform{
			Bucket: mark[s3.BucketV2Args](&seen), Encryption: mark[s3.BucketServerSideEncryptionConfigurationV2Args](&seen),
			PublicAccessBlock: mark[s3.BucketPublicAccessBlockArgs](&seen), OwnershipControls: mark[s3.BucketOwnershipControlsArgs](&seen),
			Versioning: mark[s3.BucketVersioningV2Args](&seen), Policy: mark[s3.BucketPolicyArgs](&seen),
			Lifecycle: mark[s3.BucketLifecycleConfigurationV2Args](&seen), Logging: mark[s3.BucketLoggingV2Args](&seen),
			CORS: mark[s3.BucketCorsConfigurationV2Args](&seen), Notification: mark[s3.BucketNotificationArgs](&seen),
			Permission: mark[lambda.PermissionArgs](&seen),
		},
	}
	rec := runBucket(t, args)
	// Then each ran once, on its child, and the child is recorded with the option
	children := map[string]string{
		"archive": typeBucket, "archive-sse": typeSSE, "archive-public-access": typePAB, "archive-ownership": typeOwnership,
		"archive-versioning": typeVersioning, "archive-policy": typePolicy, "archive-lifecycle": typeLifecycle,
		"archive-logging": typeLogging, "archive-cors": typeCORS, "archive-notifications": typeNotification,
		"archive-thumbs-invoke": typePermission,
	}
	assert.ElementsMatch(t, slices.Collect(maps.Keys(children)), seen, "one transform per child")
	for name, typ := range children {
		assert.Equal(t, []string{"tags"}, rec.Must(t, typ, name).IgnoreChanges, "%s has the transform's option", name)
	}
}

func TestTransformChangesAreRecorded(t *testing.T) {
	// Given transforms that tag the bucket and keep noncurrent versions a year
	rec := runBucket(t, &bucket.Args{Transform: bucket.Transform{
		Bucket: func(_ string, a *s3.BucketV2Args, _ *[]pulumi.ResourceOption) error {
			a.Tags = pulumi.StringMap{"team": pulumi.String("archive")}
			return nil
		},
		Lifecycle: func(_ string, a *s3.BucketLifecycleConfigurationV2Args, _ *[]pulumi.ResourceOption) error {
			rules := a.Rules.(s3.BucketLifecycleConfigurationV2RuleArray)
			rule := rules[1].(s3.BucketLifecycleConfigurationV2RuleArgs)
			rule.NoncurrentVersionExpiration = &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{NoncurrentDays: pulumi.Int(365)}
			rules[1] = rule
			return nil
		},
	}})
	// Then the recorded children carry the changes
	assert.Equal(t, "archive", rec.Must(t, typeBucket, "archive").InputString("tags.team"), "bucket tag")
	assert.Equal(t, float64(365), rec.Must(t, typeLifecycle, "archive-lifecycle").MustNumber(t, "rules[1].noncurrentVersionExpiration.noncurrentDays"), "lifecycle change")
}

func TestTransformsThatWeakenTheBucketAreCaught(t *testing.T) {
	tests := []struct {
		name      string
		transform bucket.Transform
		rule, msg string
	}{
		{"public access block flags off", bucket.Transform{PublicAccessBlock: func(_ string, a *s3.BucketPublicAccessBlockArgs, _ *[]pulumi.ResourceOption) error {
			a.BlockPublicPolicy, a.RestrictPublicBuckets = pulumi.Bool(false), pulumi.Bool(false)
			return nil
		}}, "s3-public-access-block", "no public access block"},
		{"encryption removed", bucket.Transform{Encryption: func(_ string, a *s3.BucketServerSideEncryptionConfigurationV2Args, _ *[]pulumi.ResourceOption) error {
			a.Rules = s3.BucketServerSideEncryptionConfigurationV2RuleArray{}
			return nil
		}}, "s3-encryption", "no server-side encryption configuration"},
		{"ACLs back on", bucket.Transform{OwnershipControls: func(_ string, a *s3.BucketOwnershipControlsArgs, _ *[]pulumi.ResourceOption) error {
			a.Rule = &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("ObjectWriter")}
			return nil
		}}, "s3-ownership", "no ownership controls with BucketOwnerEnforced"},
		{"versioning suspended", bucket.Transform{Versioning: func(_ string, a *s3.BucketVersioningV2Args, _ *[]pulumi.ResourceOption) error {
			a.VersioningConfiguration = &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Suspended")}
			return nil
		}}, "s3-versioning", "no versioning configuration"},
		{"TLS deny replaced", bucket.Transform{Policy: func(_ string, a *s3.BucketPolicyArgs, _ *[]pulumi.ResourceOption) error {
			a.Policy = pulumi.String(`{"Version":"2012-10-17","Statement":[]}`)
			return nil
		}}, "s3-tls-only", "no bucket policy denies"},
		{"S3 may invoke for any account", bucket.Transform{Permission: func(_ string, a *lambda.PermissionArgs, _ *[]pulumi.ResourceOption) error {
			a.SourceAccount = nil
			return nil
		}}, "lambda-permission-scoped", "S3 may invoke it for source ARN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Given a transform that undoes one secure default
			rec := runBucket(t, &bucket.Args{
				AccessLoggingOff: "test data only",
				Notifications:    []bucket.Notification{{Name: "thumbs", Function: pulumi.String(thumbs)}},
				Transform:        tc.transform,
			})
			// Then the baseline reports exactly that
			vs := policy.Check(rec.Resources(), policy.Options{})
			require.Len(t, vs, 1, "one violation: %v", vs)
			assert.Equal(t, tc.rule, vs[0].Rule)
			assert.Contains(t, vs[0].Message, tc.msg)
		})
	}
}

func TestTransformErrorStopsNew(t *testing.T) {
	// Given a transform of the versioning that fails
	rec, err := componenttest.Run(componenttest.Component(bucket.New, "archive", &bucket.Args{Transform: bucket.Transform{
		Versioning: func(string, *s3.BucketVersioningV2Args, *[]pulumi.ResourceOption) error {
			return errors.New("versioning is managed elsewhere")
		},
	}}))
	// Then New fails naming the bucket and the child, and registers nothing from there on
	require.Error(t, err)
	assert.Contains(t, err.Error(), `bucket "archive": transform of archive-versioning: versioning is managed elsewhere`)
	assert.Empty(t, rec.ByType(typeVersioning), "the child is not registered")
	assert.Empty(t, rec.ByType(typeLifecycle), "nor what follows it")
}
