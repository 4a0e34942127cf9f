package bucket

import (
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/internal/grantops"
	"github.com/groundwork-dev/groundwork/components/internal/iampolicy"
)

// DefaultNoncurrentVersionDays is how long old object versions are kept when
// Args.NoncurrentVersionExpirationDays is zero.
const DefaultNoncurrentVersionDays = 30

// abortMultipartDays is when incomplete multipart uploads are aborted (their parts cost money
// and are invisible).
const abortMultipartDays = 7

// Args configures a Bucket.
type Args struct {
	// BucketName is the bucket's physical name; it must follow S3's naming rules. Empty means
	// Pulumi names it after the component plus a random suffix, which avoids delete-before-
	// replace and clashes between stacks.
	BucketName string
	// KMSKeyARN encrypts objects with this KMS key (SSE-KMS, with an S3 bucket key to cut KMS
	// requests). Nil means SSE-S3 (AES256).
	KMSKeyARN pulumi.StringInput
	// NoncurrentVersionExpirationDays is how many days an object version is kept after it
	// stops being current. Zero means 30.
	NoncurrentVersionExpirationDays int
	// AccessLogBucket is the name of the bucket that receives this bucket's server access
	// logs. Nil means no access logging.
	AccessLogBucket pulumi.StringInput
	// AccessLogPrefix prefixes the access log objects. Empty means "<component name>/".
	AccessLogPrefix string
	// ForceDestroy lets `pulumi destroy` delete the bucket with the objects still in it.
	// False keeps a non-empty bucket from being deleted.
	ForceDestroy bool
}

// Bucket is an S3 bucket with its encryption, public access block, ownership controls,
// versioning, TLS-only policy, lifecycle and (optionally) access logging.
type Bucket struct {
	pulumi.ResourceState

	Bucket            *s3.BucketV2
	Encryption        *s3.BucketServerSideEncryptionConfigurationV2
	PublicAccessBlock *s3.BucketPublicAccessBlock
	OwnershipControls *s3.BucketOwnershipControls
	Versioning        *s3.BucketVersioningV2
	Policy            *s3.BucketPolicy
	Lifecycle         *s3.BucketLifecycleConfigurationV2
	Logging           *s3.BucketLoggingV2 // nil without AccessLogBucket

	// Name is the bucket's name, ARN its ARN.
	Name pulumi.StringOutput
	ARN  pulumi.StringOutput

	name   string
	kmsKey pulumi.StringInput
}

var bucketChars = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)

// CheckName returns why S3 would reject name as a bucket name, or nil.
func CheckName(name string) error {
	switch {
	case len(name) < 3 || len(name) > 63:
		return fmt.Errorf("%q must be 3-63 characters long", name)
	case !bucketChars.MatchString(name):
		return fmt.Errorf("%q may hold only lowercase letters, digits, '.' and '-', and must begin and end with a letter or digit", name)
	case strings.Contains(name, ".."):
		return fmt.Errorf("%q must not contain two adjacent periods", name)
	case net.ParseIP(name) != nil:
		return fmt.Errorf("%q must not be formatted as an IP address", name)
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return fmt.Errorf("%q must not start with the reserved prefix %q", name, p)
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return fmt.Errorf("%q must not end with the reserved suffix %q", name, s)
		}
	}
	return nil
}

func (a *Args) check(name string) error {
	if a.BucketName != "" {
		if err := CheckName(a.BucketName); err != nil {
			return fmt.Errorf("BucketName: %w", err)
		}
	} else if err := CheckName(name + "-abcdef0"); err != nil {
		// Auto-naming appends "-" and 7 characters to the component's name.
		return fmt.Errorf("the name makes an invalid auto-named bucket (set BucketName or rename): %w", err)
	}
	if a.NoncurrentVersionExpirationDays < 0 {
		return fmt.Errorf("NoncurrentVersionExpirationDays %d is negative", a.NoncurrentVersionExpirationDays)
	}
	if a.AccessLogBucket == nil && a.AccessLogPrefix != "" {
		return fmt.Errorf("AccessLogPrefix is set without AccessLogBucket")
	}
	return nil
}

// New validates args and registers the bucket and its configuration.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Bucket, error) {
	if args == nil {
		args = &Args{}
	}
	a := *args
	if err := a.check(name); err != nil {
		return nil, fmt.Errorf("bucket %q: %w", name, err)
	}
	if a.NoncurrentVersionExpirationDays == 0 {
		a.NoncurrentVersionExpirationDays = DefaultNoncurrentVersionDays
	}
	b := &Bucket{name: name, kmsKey: a.KMSKeyARN}
	// The type was groundwork:storage:Bucket before the storage package split in two: the alias keeps the URNs
	// of stacks deployed before then (and, through the parent, their children's), so the
	// split replaces nothing.
	opts = append(opts[:len(opts):len(opts)], pulumi.Aliases([]pulumi.Alias{{Type: pulumi.String("groundwork:storage:Bucket")}}))
	if err := ctx.RegisterComponentResource("groundwork:bucket:Bucket", name, b, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(b)
	var err error

	bargs := &s3.BucketV2Args{ForceDestroy: pulumi.Bool(a.ForceDestroy)}
	if a.BucketName != "" {
		bargs.Bucket = pulumi.String(a.BucketName)
	}
	if b.Bucket, err = s3.NewBucketV2(ctx, name, bargs, parent); err != nil {
		return nil, err
	}
	id := b.Bucket.ID()

	sse := &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
		SseAlgorithm: pulumi.String("AES256"),
	}
	rule := s3.BucketServerSideEncryptionConfigurationV2RuleArgs{ApplyServerSideEncryptionByDefault: sse}
	if a.KMSKeyARN != nil {
		sse.SseAlgorithm = pulumi.String("aws:kms")
		sse.KmsMasterKeyId = a.KMSKeyARN
		rule.BucketKeyEnabled = pulumi.Bool(true)
	}
	b.Encryption, err = s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name+"-sse",
		&s3.BucketServerSideEncryptionConfigurationV2Args{
			Bucket: id,
			Rules:  s3.BucketServerSideEncryptionConfigurationV2RuleArray{rule},
		}, parent)
	if err != nil {
		return nil, err
	}
	b.PublicAccessBlock, err = s3.NewBucketPublicAccessBlock(ctx, name+"-public-access", &s3.BucketPublicAccessBlockArgs{
		Bucket:                id,
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return nil, err
	}
	b.OwnershipControls, err = s3.NewBucketOwnershipControls(ctx, name+"-ownership", &s3.BucketOwnershipControlsArgs{
		Bucket: id,
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, parent)
	if err != nil {
		return nil, err
	}
	b.Versioning, err = s3.NewBucketVersioningV2(ctx, name+"-versioning", &s3.BucketVersioningV2Args{
		Bucket:                  id,
		VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, parent)
	if err != nil {
		return nil, err
	}

	objects := b.Bucket.Arn.ApplyT(func(arn string) string { return arn + "/*" }).(pulumi.StringOutput)
	policy, err := iampolicy.Document(iampolicy.Statement{
		Sid:       "DenyInsecureTransport",
		Effect:    "Deny",
		Principal: map[string]any{"AWS": "*"},
		Actions:   []string{"s3:*"},
		Resources: []pulumi.StringInput{b.Bucket.Arn, objects},
		Condition: map[string]map[string]any{"Bool": {"aws:SecureTransport": "false"}},
	})
	if err != nil {
		return nil, err
	}
	// S3 refuses a bucket policy while the public access block is being applied, and a policy
	// written before the ownership controls can race them: wait for both.
	b.Policy, err = s3.NewBucketPolicy(ctx, name+"-policy", &s3.BucketPolicyArgs{
		Bucket: id,
		Policy: policy,
	}, parent, pulumi.DependsOn([]pulumi.Resource{b.PublicAccessBlock, b.OwnershipControls}))
	if err != nil {
		return nil, err
	}

	// Lifecycle rules on a versioned bucket need versioning in place first.
	b.Lifecycle, err = s3.NewBucketLifecycleConfigurationV2(ctx, name+"-lifecycle", &s3.BucketLifecycleConfigurationV2Args{
		Bucket: id,
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{
			s3.BucketLifecycleConfigurationV2RuleArgs{
				Id:     pulumi.String("abort-incomplete-multipart-uploads"),
				Status: pulumi.String("Enabled"),
				Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
				AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
					DaysAfterInitiation: pulumi.Int(abortMultipartDays),
				},
			},
			s3.BucketLifecycleConfigurationV2RuleArgs{
				Id:     pulumi.String("expire-noncurrent-versions"),
				Status: pulumi.String("Enabled"),
				Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
				NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
					NoncurrentDays: pulumi.Int(a.NoncurrentVersionExpirationDays),
				},
			},
		},
	}, parent, pulumi.DependsOn([]pulumi.Resource{b.Versioning}))
	if err != nil {
		return nil, err
	}

	if a.AccessLogBucket != nil {
		prefix := a.AccessLogPrefix
		if prefix == "" {
			prefix = name + "/"
		}
		b.Logging, err = s3.NewBucketLoggingV2(ctx, name+"-logging", &s3.BucketLoggingV2Args{
			Bucket:       id,
			TargetBucket: a.AccessLogBucket,
			TargetPrefix: pulumi.String(prefix),
		}, parent)
		if err != nil {
			return nil, err
		}
	}

	b.Name, b.ARN = b.Bucket.Bucket, b.Bucket.Arn
	return b, ctx.RegisterResourceOutputs(b, pulumi.Map{"name": b.Name, "arn": b.ARN})
}

// Operation is an operation on a bucket's objects that Bucket.Grant allows. Each maps
// to exactly the IAM actions listed on its constant. The zero value is no operation:
// Bucket.Grant refuses it.
type Operation string

// The bucket operations.
const (
	// ObjectGet reads objects (GetObject, HeadObject): s3:GetObject on "<bucket ARN>/*".
	// Without ObjectList too, S3 answers a missing key with 403 AccessDenied, not 404.
	ObjectGet Operation = "ObjectGet"
	// ObjectPut writes objects (PutObject, multipart uploads): s3:PutObject on
	// "<bucket ARN>/*".
	ObjectPut Operation = "ObjectPut"
	// ObjectDelete deletes objects (DeleteObject): s3:DeleteObject on "<bucket ARN>/*".
	ObjectDelete Operation = "ObjectDelete"
	// ObjectList lists keys (ListObjectsV2): s3:ListBucket on the bucket's ARN.
	ObjectList Operation = "ObjectList"
)

// specs is what each bucket operation needs, in the order grant names list them. With
// a customer managed key, S3 generates a data key for each object written and decrypts it
// for each read and for every part of a multipart upload (kms:Decrypt on put), per "Using
// server-side encryption with AWS KMS keys (SSE-KMS)",
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html.
var specs = []grantops.Spec[Operation]{
	{Op: ObjectGet, Slug: "get", Actions: map[string][]string{"objects": {"s3:GetObject"}}, KMS: []string{"kms:Decrypt"}},
	{Op: ObjectPut, Slug: "put", Actions: map[string][]string{"objects": {"s3:PutObject"}}, KMS: []string{"kms:Decrypt", "kms:GenerateDataKey"}},
	{Op: ObjectDelete, Slug: "delete", Actions: map[string][]string{"objects": {"s3:DeleteObject"}}},
	{Op: ObjectList, Slug: "list", Actions: map[string][]string{"bucket": {"s3:ListBucket"}}},
}

// Grant lets a function perform ops on the bucket's objects, and nothing else: the grant is
// named "<bucket>-<ops>" (such as "archive-put") and allows each operation's actions on the
// bucket's or its objects' ARN, and on the bucket's customer managed key, when it has one.
// No operation, an empty or unknown one, or one listed twice makes a grant that
// function.New refuses, naming it.
func (b *Bucket) Grant(ops ...Operation) grant.Grant {
	return grantops.Build(fmt.Sprintf("bucket %q Grant", b.name), b.name, ops, specs, []grantops.Target{
		{Key: "bucket", Sid: "Bucket", Resource: b.ARN},
		{Key: "objects", Sid: "Objects", Resource: grant.Suffix(b.ARN, "/*")},
	}, b.kmsKey, "ObjectsKey")
}
