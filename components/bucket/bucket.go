package bucket

import (
	"fmt"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/internal/grantops"
	"github.com/groundwork-dev/groundwork/components/internal/iampolicy"
	"github.com/groundwork-dev/groundwork/components/internal/optout"
	"github.com/groundwork-dev/groundwork/components/queue"
	"github.com/groundwork-dev/groundwork/components/transform"
)

// Day is the unit of S3 lifecycle ages: every lifecycle duration is whole days.
const Day = 24 * time.Hour

// Defaults, with their reasons.
const (
	// DefaultNoncurrentVersionExpiration is how long an object version is kept after another
	// replaces or deletes it: a month to notice and undo a bad overwrite or delete, while the
	// versioning that Security Hub control S3.14 asks for does not keep paying for every old
	// version forever (S3.10: a versioned bucket needs a lifecycle configuration).
	DefaultNoncurrentVersionExpiration = 30 * Day
	// DefaultAbortIncompleteMultipartUpload is when the parts of a multipart upload that was
	// never completed or aborted are deleted: they are billed as storage but invisible in
	// listings. Seven days is the age S3 Storage Lens reports such uploads from ("incomplete
	// multipart upload storage bytes greater than 7 days old") and the figure of AWS's
	// "Configuring a bucket lifecycle configuration to delete incomplete multipart uploads".
	DefaultAbortIncompleteMultipartUpload = 7 * Day
)

// Settings the bucket always has, with their reasons. Each answers a Security Hub control for
// S3 general purpose buckets, and components/policy checks it again: all four public access
// block flags are on (S3.8), ACLs are disabled (S3.12), versioning is on (S3.14), a
// lifecycle configuration expires old versions (S3.10, S3.13), and the bucket policy denies
// every request made without TLS (S3.5).
const (
	// sseS3 encrypts objects with S3 managed keys when no KMS key is given. S3 does so for
	// every new bucket since January 2023; stating it keeps the encryption visible to the
	// baseline and to drift detection.
	sseS3 = "AES256"
	// ownership disables ACLs: the bucket owner owns every object and only policies grant
	// access.
	ownership = "BucketOwnerEnforced"
	// versioning keeps overwritten and deleted objects recoverable.
	versioning = "Enabled"
)

// The built-in lifecycle rules' IDs, which LifecycleRules may not reuse, and what S3
// notifications are made of.
const (
	abortUploadsRuleID    = "abort-incomplete-multipart-uploads"
	noncurrentRuleID      = "expire-noncurrent-versions"
	objectCreatedEvents   = "s3:ObjectCreated:*"
	notificationPrincipal = "s3.amazonaws.com"
)

// Transform customizes the bucket's children before they are registered (see package
// transform); each runs on the child named in its comment. The zero value customizes
// nothing. A notification queue is customized through its own queue.Args.Transform.
type Transform struct {
	// Bucket customizes the S3 bucket, "<name>".
	Bucket transform.Func[s3.BucketV2Args]
	// Encryption customizes the default encryption, "<name>-sse".
	Encryption transform.Func[s3.BucketServerSideEncryptionConfigurationV2Args]
	// PublicAccessBlock customizes the public access block, "<name>-public-access".
	PublicAccessBlock transform.Func[s3.BucketPublicAccessBlockArgs]
	// OwnershipControls customizes the object ownership controls, "<name>-ownership".
	OwnershipControls transform.Func[s3.BucketOwnershipControlsArgs]
	// Versioning customizes the versioning configuration, "<name>-versioning".
	Versioning transform.Func[s3.BucketVersioningV2Args]
	// Policy customizes the bucket policy, "<name>-policy".
	Policy transform.Func[s3.BucketPolicyArgs]
	// Lifecycle customizes the lifecycle configuration, "<name>-lifecycle".
	Lifecycle transform.Func[s3.BucketLifecycleConfigurationV2Args]
	// Logging customizes the access logging, "<name>-logging" (with AccessLogBucket).
	Logging transform.Func[s3.BucketLoggingV2Args]
	// CORS customizes the CORS configuration, "<name>-cors" (with CORS rules).
	CORS transform.Func[s3.BucketCorsConfigurationV2Args]
	// Notification customizes the notification configuration, "<name>-notifications" (with
	// Notifications).
	Notification transform.Func[s3.BucketNotificationArgs]
	// Permission customizes each function notification's Lambda permission,
	// "<name>-<notification>-invoke".
	Permission transform.Func[lambda.PermissionArgs]
}

// Args configures a Bucket. Nil Args mean every default.
type Args struct {
	// BucketName is the bucket's physical name; it must follow S3's naming rules. Empty means
	// Pulumi names it after the component plus a random suffix, which avoids delete-before-
	// replace and clashes between stacks.
	BucketName string
	// KMSKeyARN encrypts objects with this KMS key (SSE-KMS, with an S3 bucket key, which
	// cuts KMS requests by up to 99%). Nil means SSE-S3 (AES256).
	KMSKeyARN pulumi.StringInput
	// NoncurrentVersionExpiration is how long an object version is kept after it stops being
	// current, in whole days. Zero means DefaultNoncurrentVersionExpiration (30 days).
	NoncurrentVersionExpiration time.Duration
	// LifecycleRules expire or move objects by prefix and tags, beside the built-in rules
	// (abort incomplete uploads after 7 days, expire old versions after
	// NoncurrentVersionExpiration), which they may not replace. Nil means none.
	LifecycleRules []LifecycleRule
	// CORS are the rules under which browsers on other origins may call the bucket, at most
	// 100. Nil means no CORS configuration: browsers refuse cross-origin requests.
	CORS []CORSRule
	// Notifications send an event for each object created, to a function or a queue. Nil
	// means none.
	Notifications []Notification
	// AccessLogBucket is the name of the bucket that receives this bucket's server access
	// logs. Nil means no access logging, which the baseline (policy rule s3-access-logging)
	// reports unless AccessLoggingOff gives the reason.
	AccessLogBucket pulumi.StringInput
	// AccessLoggingOff is the reason this bucket has no server access logs (such as "holds
	// build caches only" or "CloudTrail data events record object access"), recorded as the
	// bucket's tag groundwork:access-logging-off, where the plan, the console and the
	// baseline see it. At most 256 characters: letters, digits, spaces and _ . : / = + - @.
	// Empty means none; it cannot be combined with AccessLogBucket.
	AccessLoggingOff string
	// AccessLogPrefix prefixes the access log objects. Empty means "<component name>/".
	AccessLogPrefix string
	// ForceDestroy lets `pulumi destroy` delete the bucket with the objects still in it.
	// False keeps a non-empty bucket from being deleted.
	ForceDestroy bool
	// Transform customizes the children before they are registered. The zero value changes
	// nothing.
	Transform Transform
}

// LifecycleRule expires or transitions the current versions of the objects it selects. It
// cannot abort uploads or expire noncurrent versions: the bucket's built-in rules do that for
// every object, and a second rule doing it would fight them.
type LifecycleRule struct {
	// ID names the rule, 1-255 characters, unique, and neither of the built-in rules' IDs
	// ("abort-incomplete-multipart-uploads", "expire-noncurrent-versions"). Required.
	ID string
	// Prefix selects the objects whose keys start with it. Empty means every key.
	Prefix string
	// Tags selects the objects that have every one of these tags. Nil means any tags.
	Tags map[string]string
	// Expiration is the age, in whole days, at which an object's current version expires;
	// the bucket being versioned, it becomes a noncurrent version, deleted after
	// NoncurrentVersionExpiration. Zero means never. It must come after every transition.
	Expiration time.Duration
	// Transitions move objects to cheaper storage classes as they age, in increasing age
	// and down S3's waterfall. Nil means none. A rule needs Expiration or Transitions.
	Transitions []Transition
}

// Transition moves objects of a given age to a storage class.
type Transition struct {
	// After is the object's age at the move, in whole days: at least 30 for StandardIA and
	// OneZoneIA, and at least 30 days after a move to either of those.
	After time.Duration
	// StorageClass is where the object moves to. Required.
	StorageClass StorageClass
}

// StorageClass is an S3 storage class a lifecycle rule moves objects to.
type StorageClass string

// The storage classes, in the order S3's lifecycle waterfall allows moving objects down.
const (
	StandardIA         StorageClass = "STANDARD_IA"
	IntelligentTiering StorageClass = "INTELLIGENT_TIERING"
	OneZoneIA          StorageClass = "ONEZONE_IA"
	GlacierIR          StorageClass = "GLACIER_IR"
	Glacier            StorageClass = "GLACIER"
	DeepArchive        StorageClass = "DEEP_ARCHIVE"
)

// CORSRule lets browsers on some origins call the bucket with some methods.
type CORSRule struct {
	// ID names the rule, at most 255 characters. Empty means none.
	ID string
	// AllowedOrigins are the origins allowed, such as "https://app.example.com", each with
	// at most one '*' ("https://*.example.com", or "*" for any). Required.
	AllowedOrigins []string
	// AllowedMethods are the methods allowed: GET, PUT, POST, DELETE, HEAD. Required.
	AllowedMethods []string
	// AllowedHeaders are the request headers a preflight may ask for, each with at most one
	// '*'. Nil means none beyond the CORS-safelisted ones.
	AllowedHeaders []string
	// ExposeHeaders are the response headers scripts may read. Nil means the CORS-safelisted
	// ones only.
	ExposeHeaders []string
	// MaxAge is how long a browser may cache a preflight's answer, in whole seconds. Zero
	// means S3 sends no Access-Control-Max-Age and the browser decides (5 s in Chrome).
	MaxAge time.Duration
}

// Notification sends S3's event for every object created in the bucket (the event types
// s3:ObjectCreated:*: Put, Post, Copy and CompleteMultipartUpload) whose key matches Prefix
// and Suffix to one target: a function, or a queue the bucket creates.
//
// The bucket, not the queue's owner, creates a notification queue because SQS keeps one
// policy per queue and that policy must name the bucket, which does not exist before the
// bucket is created: the bucket makes the queue with queue.Args.Senders allowing S3 for this
// bucket and account only, so the queue's one policy is still the queue component's. A Lambda
// function's policy, by contrast, is a set of separate permissions, so the bucket adds one to
// any existing function.
type Notification struct {
	// Name names the notification and its children: the queue "<bucket>-<Name>" or the
	// permission "<bucket>-<Name>-invoke". 1-32 lower-case letters, digits and '-', unique.
	// Required.
	Name string
	// Prefix selects the keys that start with it, Suffix those that end with it. Empty means
	// every key. No '*': S3 filters are literal. Two notifications whose filters can match the
	// same key are refused, as S3 refuses them.
	Prefix, Suffix string
	// Function is the ARN of the function S3 invokes with the event. The bucket adds a Lambda
	// permission for s3.amazonaws.com, scoped to this bucket and account. Nil means the
	// target is Queue.
	Function pulumi.StringInput
	// Queue configures the queue the bucket creates, "<bucket>-<Name>", and S3 sends to, with
	// its dead-letter queue, alarms and consumer as queue.New makes them. Nil means the target
	// is Function. Not FIFO: S3 cannot send to FIFO queues. With a KMSKeyARN, the key's policy
	// must let s3.amazonaws.com use kms:GenerateDataKey and kms:Decrypt.
	Queue *queue.Args
}

// Bucket is an S3 bucket with its encryption, public access block, ownership controls,
// versioning, TLS-only policy, lifecycle and, as asked, access logging, CORS and
// notifications.
type Bucket struct {
	pulumi.ResourceState

	// The children, for escape hatches. Logging is nil without AccessLogBucket, CORS without
	// CORS rules, Notification without Notifications.
	Bucket            *s3.BucketV2
	Encryption        *s3.BucketServerSideEncryptionConfigurationV2
	PublicAccessBlock *s3.BucketPublicAccessBlock
	OwnershipControls *s3.BucketOwnershipControls
	Versioning        *s3.BucketVersioningV2
	Policy            *s3.BucketPolicy
	Lifecycle         *s3.BucketLifecycleConfigurationV2
	Logging           *s3.BucketLoggingV2
	CORS              *s3.BucketCorsConfigurationV2
	Notification      *s3.BucketNotification
	// Permissions are the function notifications' Lambda permissions, Queues the queue
	// notifications' queues, each by Notification.Name.
	Permissions map[string]*lambda.Permission
	Queues      map[string]*queue.Queue

	// Name is the bucket's name, ARN its ARN.
	Name pulumi.StringOutput
	ARN  pulumi.StringOutput

	name   string
	kmsKey pulumi.StringInput
}

// New validates args and registers the bucket and its configuration. Every invalid field is
// reported, naming it, before anything is registered.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Bucket, error) {
	if args == nil {
		args = &Args{}
	}
	s, err := resolve(name, *args)
	if err != nil {
		return nil, err
	}
	b := &Bucket{name: name, kmsKey: s.KMSKeyARN}
	// The type was groundwork:storage:Bucket before the storage package split in two: the
	// alias keeps the URNs of stacks deployed before then (and, through the parent, their
	// children's), so the split replaces nothing.
	opts = append(opts[:len(opts):len(opts)], pulumi.Aliases([]pulumi.Alias{{Type: pulumi.String("groundwork:storage:Bucket")}}))
	if err := ctx.RegisterComponentResource("groundwork:bucket:Bucket", name, b, opts...); err != nil {
		return nil, err
	}
	if err := b.children(ctx, s); err != nil {
		return nil, fmt.Errorf("bucket %q: %w", name, err)
	}
	b.Name, b.ARN = b.Bucket.Bucket, b.Bucket.Arn
	return b, ctx.RegisterResourceOutputs(b, pulumi.Map{"name": b.Name, "arn": b.ARN})
}

// children registers every child, in dependency order.
func (b *Bucket) children(ctx *pulumi.Context, s settings) error {
	name, tf, parent := b.name, s.Transform, pulumi.Parent(b)
	var err error

	bargs := &s3.BucketV2Args{ForceDestroy: pulumi.Bool(s.ForceDestroy)}
	if s.AccessLoggingOff != "" {
		bargs.Tags = pulumi.StringMap{optout.AccessLoggingOff: pulumi.String(s.AccessLoggingOff)}
	}
	if s.BucketName != "" {
		bargs.Bucket = pulumi.String(s.BucketName)
	}
	if b.Bucket, err = transform.Register(ctx, s3.NewBucketV2, tf.Bucket, name, bargs, parent); err != nil {
		return err
	}
	id := b.Bucket.ID()

	sse := &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
		SseAlgorithm: pulumi.String(sseS3),
	}
	rule := s3.BucketServerSideEncryptionConfigurationV2RuleArgs{ApplyServerSideEncryptionByDefault: sse}
	if s.KMSKeyARN != nil {
		sse.SseAlgorithm = pulumi.String("aws:kms")
		sse.KmsMasterKeyId = s.KMSKeyARN
		rule.BucketKeyEnabled = pulumi.Bool(true)
	}
	if b.Encryption, err = transform.Register(ctx, s3.NewBucketServerSideEncryptionConfigurationV2, tf.Encryption, name+"-sse", &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: id,
		Rules:  s3.BucketServerSideEncryptionConfigurationV2RuleArray{rule},
	}, parent); err != nil {
		return err
	}
	if b.PublicAccessBlock, err = transform.Register(ctx, s3.NewBucketPublicAccessBlock, tf.PublicAccessBlock, name+"-public-access", &s3.BucketPublicAccessBlockArgs{
		Bucket:                id,
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, parent); err != nil {
		return err
	}
	if b.OwnershipControls, err = transform.Register(ctx, s3.NewBucketOwnershipControls, tf.OwnershipControls, name+"-ownership", &s3.BucketOwnershipControlsArgs{
		Bucket: id,
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String(ownership)},
	}, parent); err != nil {
		return err
	}
	if b.Versioning, err = transform.Register(ctx, s3.NewBucketVersioningV2, tf.Versioning, name+"-versioning", &s3.BucketVersioningV2Args{
		Bucket:                  id,
		VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String(versioning)},
	}, parent); err != nil {
		return err
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
		return err
	}
	// S3 refuses a bucket policy while the public access block is being applied, and a policy
	// written before the ownership controls can race them: wait for both.
	if b.Policy, err = transform.Register(ctx, s3.NewBucketPolicy, tf.Policy, name+"-policy", &s3.BucketPolicyArgs{Bucket: id, Policy: policy}, parent, pulumi.DependsOn([]pulumi.Resource{b.PublicAccessBlock, b.OwnershipControls})); err != nil {
		return err
	}

	// Lifecycle rules on a versioned bucket need versioning in place first.
	if b.Lifecycle, err = transform.Register(ctx, s3.NewBucketLifecycleConfigurationV2, tf.Lifecycle, name+"-lifecycle", &s3.BucketLifecycleConfigurationV2Args{
		Bucket: id,
		Rules:  s.lifecycleRules(),
	}, parent, pulumi.DependsOn([]pulumi.Resource{b.Versioning})); err != nil {
		return err
	}

	if s.AccessLogBucket != nil {
		if b.Logging, err = transform.Register(ctx, s3.NewBucketLoggingV2, tf.Logging, name+"-logging", &s3.BucketLoggingV2Args{
			Bucket:       id,
			TargetBucket: s.AccessLogBucket,
			TargetPrefix: pulumi.String(s.AccessLogPrefix),
		}, parent); err != nil {
			return err
		}
	}
	if len(s.CORS) > 0 {
		if b.CORS, err = transform.Register(ctx, s3.NewBucketCorsConfigurationV2, tf.CORS, name+"-cors", &s3.BucketCorsConfigurationV2Args{
			Bucket:    id,
			CorsRules: s.corsRules(),
		}, parent); err != nil {
			return err
		}
	}
	return b.notify(ctx, s)
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
