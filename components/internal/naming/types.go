package naming

import (
	"fmt"
	"strings"
)

// Two more kinds, for names a program sets explicitly rather than leaves to auto-naming.
var (
	// APIStage: 1-128 characters of letters, digits, '-' and '_', or "$default" (API Gateway
	// v2 CreateStage, StageName; the console's rule). The per-byte check admits '$' anywhere.
	APIStage = Kind{Resource: "API Gateway stage", Min: 1, Max: 128, Chars: "letters, digits, '-' and '_' (or $default)", allowed: oneOf("-_$")}
	// CustomDomain: a DNS name of at most 253 characters (RFC 1035), of letters, digits, '-'
	// and '.', and a leading "*." for a wildcard (API Gateway v2 CreateDomainName).
	CustomDomain = Kind{Resource: "API Gateway custom domain", Min: 1, Max: 253, Chars: "letters, digits, '-', '.' and '*'", allowed: oneOf("-.*")}
)

// PrefixSuffixLen is how many characters AWS's providers add to a namePrefix input:
// Terraform's unique id (id.UniqueIDSuffixLength), a timestamp and a counter.
const PrefixSuffixLen = 26

// Type is how the resources of one Pulumi type are named in AWS.
type Type struct {
	// Property is the input that holds the physical name ("name", "bucket", "statementId").
	// Empty means the type has no name of its own (a queue policy, a route, a mapping).
	Property string
	// Kind is what AWS allows in that name.
	Kind Kind
	// Lower is true when auto-naming lower-cases the logical name (S3 buckets).
	Lower bool
	// Prefix is what auto-naming puts before the logical name ("alias/" for KMS aliases).
	Prefix string
	// FIFO names the boolean input that, when true, makes auto-naming append ".fifo"
	// (fifoQueue, fifoTopic). Empty means none.
	FIFO string
}

// Types maps the type token of every resource a Groundwork component or stack registers to
// how AWS names it, as the pulumi-aws provider auto-names it when the program sets no name
// (provider/resources.go: AutoName, AutoNameTransform, SetAutonaming). A type that is missing
// here is unknown to componenttest.CheckNames, which reports it: add it when a component
// starts registering it.
var Types = map[string]Type{
	"pulumi:providers:aws": {},

	"aws:apigatewayv2/api:Api":                                             {Property: "name", Kind: HTTPAPI},
	"aws:apigatewayv2/apiMapping:ApiMapping":                               {},
	"aws:apigatewayv2/authorizer:Authorizer":                               {Property: "name", Kind: Authorizer},
	"aws:apigatewayv2/domainName:DomainName":                               {Property: "domainName", Kind: CustomDomain},
	"aws:apigatewayv2/integration:Integration":                             {},
	"aws:apigatewayv2/route:Route":                                         {},
	"aws:apigatewayv2/stage:Stage":                                         {Property: "name", Kind: APIStage},
	"aws:cloudwatch/logGroup:LogGroup":                                     {Property: "name", Kind: LogGroup},
	"aws:cloudwatch/metricAlarm:MetricAlarm":                               {Property: "name", Kind: MetricAlarm},
	"aws:dynamodb/table:Table":                                             {Property: "name", Kind: DynamoDBTable},
	"aws:iam/role:Role":                                                    {Property: "name", Kind: IAMRole},
	"aws:iam/rolePolicy:RolePolicy":                                        {Property: "name", Kind: IAMRolePolicy},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment":                    {},
	"aws:kms/alias:Alias":                                                  {Property: "name", Kind: KMSAlias, Prefix: "alias/"},
	"aws:kms/key:Key":                                                      {},
	"aws:lambda/eventSourceMapping:EventSourceMapping":                     {},
	"aws:lambda/function:Function":                                         {Property: "name", Kind: LambdaFunction},
	"aws:lambda/permission:Permission":                                     {Property: "statementId", Kind: LambdaPermission},
	"aws:s3/bucket:Bucket":                                                 {Property: "bucket", Kind: S3Bucket, Lower: true},
	"aws:s3/bucketV2:BucketV2":                                             {Property: "bucket", Kind: S3Bucket, Lower: true},
	"aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2":           {},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": {},
	"aws:s3/bucketLoggingV2:BucketLoggingV2":                               {},
	"aws:s3/bucketNotification:BucketNotification":                         {},
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":               {},
	"aws:s3/bucketPolicy:BucketPolicy":                                     {},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":               {},
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": {},
	"aws:s3/bucketVersioningV2:BucketVersioningV2":                                               {},
	"aws:sns/topic:Topic":                           {Property: "name", Kind: SNSTopic, FIFO: "fifoTopic"},
	"aws:sns/topicPolicy:TopicPolicy":               {},
	"aws:sns/topicSubscription:TopicSubscription":   {},
	"aws:sqs/queue:Queue":                           {Property: "name", Kind: SQSQueue, FIFO: "fifoQueue"},
	"aws:sqs/queuePolicy:QueuePolicy":               {},
	"aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": {},
}

// AutoName is the physical name Pulumi's auto-naming gives a resource of type t with
// logical name logical, random standing for the AutoSuffixLen-1 random characters:
// Prefix + logical (lower-cased where the type says) + "-" + random, and ".fifo" when fifo.
func (t Type) AutoName(logical, random string, fifo bool) string {
	if t.Lower {
		logical = strings.ToLower(logical)
	}
	name := t.Prefix + logical + "-" + random
	if fifo {
		name += ".fifo"
	}
	return name
}

// Validate reports whether a whole physical name is one AWS allows for the type: its length
// (a ".fifo" ending included) and its characters (the ".fifo" ending of a type that has FIFO
// resources aside). The error quotes the name and says which rule it breaks.
func (t Type) Validate(name string) error {
	k := t.Kind
	if n := len(name); n < k.Min || n > k.Max {
		return fmt.Errorf("%s name %q is %d characters; AWS allows %d to %d", k.Resource, name, n, k.Min, k.Max)
	}
	stem := name
	if t.FIFO != "" {
		stem = strings.TrimSuffix(name, ".fifo")
	}
	for i := 0; i < len(stem); i++ {
		if !k.allowed(stem[i]) {
			return fmt.Errorf("%s name %q has %q at byte %d; AWS allows only %s", k.Resource, name, stem[i], i, k.Chars)
		}
	}
	return nil
}
