package policy_test

import (
	"slices"
	"sort"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/policy"
)

type program = func(*pulumi.Context) error

const (
	account = "123456789012"
	role    = "arn:aws:iam::123456789012:role/r"
)

// Policy documents the cases share.
const (
	planted   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"%s/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	s3TLSDeny = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},"Action":["s3:*"],"Resource":["%s","%s/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	sqsDeny   = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sqs:*","Resource":"%s","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
)

// rawBucket registers a bare bucket "b" and lets more tie to it.
func rawBucket(more func(ctx *pulumi.Context, b *s3.BucketV2) error) program {
	return func(ctx *pulumi.Context) error {
		b, err := s3.NewBucketV2(ctx, "b", &s3.BucketV2Args{})
		if err != nil || more == nil {
			return err
		}
		return more(ctx, b)
	}
}

func bucketPolicy(doc string, arns int) func(*pulumi.Context, *s3.BucketV2) error {
	return func(ctx *pulumi.Context, b *s3.BucketV2) error {
		args := []any{b.Arn}
		if arns == 2 {
			args = append(args, b.Arn)
		}
		_, err := s3.NewBucketPolicy(ctx, "b-policy", &s3.BucketPolicyArgs{Bucket: b.ID(), Policy: pulumi.Sprintf(doc, args...)})
		return err
	}
}

func rawQueue(given sqs.QueueArgs, policy string) program {
	return func(ctx *pulumi.Context) error {
		args := given // each run gets its own copy: a program may run more than once
		q, err := sqs.NewQueue(ctx, "q", &args)
		if err != nil || policy == "" {
			return err
		}
		_, err = sqs.NewQueuePolicy(ctx, "q-policy", &sqs.QueuePolicyArgs{QueueUrl: q.Url, Policy: pulumi.Sprintf(policy, q.Arn)})
		return err
	}
}

func rawFunction(given lambda.FunctionArgs) program {
	return func(ctx *pulumi.Context) error {
		args := given // each run gets its own copy: a program may run more than once
		args.Role = pulumi.String(role)
		_, err := lambda.NewFunction(ctx, "fn", &args)
		return err
	}
}

// permission registers a function "fn" and a permission "perm" on it.
func permission(given lambda.PermissionArgs) program {
	return func(ctx *pulumi.Context) error {
		args := given // each run gets its own copy: a program may run more than once
		fn, err := lambda.NewFunction(ctx, "fn", &lambda.FunctionArgs{Role: pulumi.String(role), Runtime: pulumi.String("provided.al2023")})
		if err != nil {
			return err
		}
		api, err := apigatewayv2.NewApi(ctx, "api", &apigatewayv2.ApiArgs{ProtocolType: pulumi.String("HTTP")})
		if err != nil {
			return err
		}
		args.Function, args.Action = fn.Name, pulumi.String("lambda:InvokeFunction")
		if args.SourceArn == pulumi.StringInput(pulumi.String("API")) {
			args.SourceArn = pulumi.Sprintf("%s/*/*", api.ExecutionArn)
		}
		_, err = lambda.NewPermission(ctx, "perm", &args)
		return err
	}
}

// consumer registers a queue "src" (with redrive or not) and a mapping "esm" from it.
func consumer(redrive bool) program {
	return func(ctx *pulumi.Context) error {
		dlq, err := sqs.NewQueue(ctx, "dlq", &sqs.QueueArgs{})
		if err != nil {
			return err
		}
		args := &sqs.QueueArgs{}
		if redrive {
			args.RedrivePolicy = pulumi.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":5}`, dlq.Arn)
		}
		src, err := sqs.NewQueue(ctx, "src", args)
		if err != nil {
			return err
		}
		_, err = lambda.NewEventSourceMapping(ctx, "esm", &lambda.EventSourceMappingArgs{EventSourceArn: src.Arn, FunctionName: pulumi.String("fn")})
		return err
	}
}

// s3Invoked registers a function "fn" that a bucket invokes, with an on-failure
// destination or not.
func s3Invoked(destination bool) program {
	return func(ctx *pulumi.Context) error {
		fn, err := lambda.NewFunction(ctx, "fn", &lambda.FunctionArgs{Role: pulumi.String(role), Runtime: pulumi.String("provided.al2023")})
		if err != nil {
			return err
		}
		b, err := s3.NewBucketV2(ctx, "b", &s3.BucketV2Args{})
		if err != nil {
			return err
		}
		if _, err := lambda.NewPermission(ctx, "perm", &lambda.PermissionArgs{Function: fn.Name, Action: pulumi.String("lambda:InvokeFunction"),
			Principal: pulumi.String("s3.amazonaws.com"), SourceArn: b.Arn, SourceAccount: pulumi.String(account)}); err != nil {
			return err
		}
		if !destination {
			return nil
		}
		_, err = lambda.NewFunctionEventInvokeConfig(ctx, "fn-async", &lambda.FunctionEventInvokeConfigArgs{FunctionName: fn.Name,
			DestinationConfig: &lambda.FunctionEventInvokeConfigDestinationConfigArgs{OnFailure: &lambda.FunctionEventInvokeConfigDestinationConfigOnFailureArgs{
				Destination: pulumi.String("arn:aws:sqs:us-east-1:123456789012:failed")}}})
		return err
	}
}

func stage(given apigatewayv2.StageArgs) program {
	return func(ctx *pulumi.Context) error {
		args := given // each run gets its own copy: a program may run more than once
		args.ApiId = pulumi.String("api")
		_, err := apigatewayv2.NewStage(ctx, "stage", &args)
		return err
	}
}

var (
	accessLogs = &apigatewayv2.StageAccessLogSettingsArgs{DestinationArn: pulumi.String("arn:aws:logs:us-east-1:123456789012:log-group:access"), Format: pulumi.String(`{"id":"$context.requestId"}`)}
	throttled  = &apigatewayv2.StageDefaultRouteSettingsArgs{ThrottlingBurstLimit: pulumi.Int(100), ThrottlingRateLimit: pulumi.Float64(50)}
)

func route(given apigatewayv2.RouteArgs, integrated bool) program {
	return func(ctx *pulumi.Context) error {
		args := given // each run gets its own copy: a program may run more than once
		integ, err := apigatewayv2.NewIntegration(ctx, "integ", &apigatewayv2.IntegrationArgs{ApiId: pulumi.String("api"), IntegrationType: pulumi.String("AWS_PROXY")})
		if err != nil {
			return err
		}
		args.ApiId, args.RouteKey = pulumi.String("api"), pulumi.String("GET /x")
		args.Target = pulumi.String("integrations/none")
		if integrated {
			args.Target = pulumi.Sprintf("integrations/%s", integ.ID())
		}
		_, err = apigatewayv2.NewRoute(ctx, "route", &args)
		return err
	}
}

func rawTable(given dynamodb.TableArgs, opts ...pulumi.ResourceOption) program {
	return func(ctx *pulumi.Context) error {
		args := given // each run gets its own copy: a program may run more than once
		args.HashKey = pulumi.String("pk")
		_, err := dynamodb.NewTable(ctx, "t", &args, opts...)
		return err
	}
}

// identity registers one IAM identity policy document of each kind the rules read, all
// holding doc: a role's inline policy, an inline role policy, a standalone policy, a user
// policy and a group policy.
func identity(doc string) program {
	return func(ctx *pulumi.Context) error {
		r, err := iam.NewRole(ctx, "role", &iam.RoleArgs{AssumeRolePolicy: pulumi.String(`{}`),
			InlinePolicies: iam.RoleInlinePolicyArray{iam.RoleInlinePolicyArgs{Name: pulumi.String("inline"), Policy: pulumi.String(doc)}}})
		if err != nil {
			return err
		}
		if _, err := iam.NewRolePolicy(ctx, "role-policy", &iam.RolePolicyArgs{Role: r.Name, Policy: pulumi.String(doc)}); err != nil {
			return err
		}
		if _, err := iam.NewPolicy(ctx, "policy", &iam.PolicyArgs{Policy: pulumi.String(doc)}); err != nil {
			return err
		}
		if _, err := iam.NewUserPolicy(ctx, "user-policy", &iam.UserPolicyArgs{User: pulumi.String("u"), Policy: pulumi.String(doc)}); err != nil {
			return err
		}
		_, err = iam.NewGroupPolicy(ctx, "group-policy", &iam.GroupPolicyArgs{Group: pulumi.String("g"), Policy: pulumi.String(doc)})
		return err
	}
}

var everyIdentityDoc = []string{"group-policy", "policy", "role", "role-policy", "user-policy"}

func statementDoc(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + action + `"],"Resource":"` + resource + `"}]}`
}

func managed(arn string) program {
	return func(ctx *pulumi.Context) error {
		r, err := iam.NewRole(ctx, "role", &iam.RoleArgs{AssumeRolePolicy: pulumi.String(`{}`), ManagedPolicyArns: pulumi.StringArray{pulumi.String(arn)}})
		if err != nil {
			return err
		}
		if _, err := iam.NewRolePolicyAttachment(ctx, "role-attach", &iam.RolePolicyAttachmentArgs{Role: r.Name, PolicyArn: pulumi.String(arn)}); err != nil {
			return err
		}
		if _, err := iam.NewUserPolicyAttachment(ctx, "user-attach", &iam.UserPolicyAttachmentArgs{User: pulumi.String("u"), PolicyArn: pulumi.String(arn)}); err != nil {
			return err
		}
		if _, err := iam.NewGroupPolicyAttachment(ctx, "group-attach", &iam.GroupPolicyAttachmentArgs{Group: pulumi.String("g"), PolicyArn: pulumi.String(arn)}); err != nil {
			return err
		}
		_, err = iam.NewPolicyAttachment(ctx, "attach", &iam.PolicyAttachmentArgs{Roles: pulumi.Array{r.Name}, PolicyArn: pulumi.String(arn)})
		return err
	}
}

func logGroup(days int) program {
	return func(ctx *pulumi.Context) error {
		args := &cloudwatch.LogGroupArgs{}
		if days > 0 {
			args.RetentionInDays = pulumi.Int(days)
		}
		_, err := cloudwatch.NewLogGroup(ctx, "logs", args)
		return err
	}
}

func alarmed(alarms ...string) program {
	return func(ctx *pulumi.Context) error {
		fn, err := lambda.NewFunction(ctx, "fn", &lambda.FunctionArgs{Role: pulumi.String(role), Runtime: pulumi.String("provided.al2023")})
		if err != nil {
			return err
		}
		for _, m := range alarms {
			if _, err := cloudwatch.NewMetricAlarm(ctx, "fn-"+m, &cloudwatch.MetricAlarmArgs{Namespace: pulumi.String("AWS/Lambda"), MetricName: pulumi.String(m),
				ComparisonOperator: pulumi.String("GreaterThanThreshold"), EvaluationPeriods: pulumi.Int(1),
				Dimensions: pulumi.StringMap{"FunctionName": fn.Name}}); err != nil {
				return err
			}
		}
		return nil
	}
}

// ruleCase is one program and the resources (by logical name) one rule reports in it.
type ruleCase struct {
	rule, name string
	program    program
	production bool
	// want are the logical names of the resources the rule reports; nil means it passes.
	want []string
}

var ruleCases = []ruleCase{
	{"s3-encryption", "SSE-S3 by default", rawBucket(func(ctx *pulumi.Context, b *s3.BucketV2) error {
		_, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, "b-sse", &s3.BucketServerSideEncryptionConfigurationV2Args{Bucket: b.ID(),
			Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
				ApplyServerSideEncryptionByDefault: s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{SseAlgorithm: pulumi.String("AES256")}}}})
		return err
	}), false, nil},
	{"s3-encryption", "no encryption configuration", rawBucket(nil), false, []string{"b"}},

	{"s3-public-access-block", "all four blocks", rawBucket(func(ctx *pulumi.Context, b *s3.BucketV2) error {
		_, err := s3.NewBucketPublicAccessBlock(ctx, "b-pab", &s3.BucketPublicAccessBlockArgs{Bucket: b.ID(), BlockPublicAcls: pulumi.Bool(true),
			BlockPublicPolicy: pulumi.Bool(true), IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true)})
		return err
	}), false, nil},
	{"s3-public-access-block", "public policies not blocked", rawBucket(func(ctx *pulumi.Context, b *s3.BucketV2) error {
		_, err := s3.NewBucketPublicAccessBlock(ctx, "b-pab", &s3.BucketPublicAccessBlockArgs{Bucket: b.ID(), BlockPublicAcls: pulumi.Bool(true),
			BlockPublicPolicy: pulumi.Bool(false), IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true)})
		return err
	}), false, []string{"b"}},

	{"s3-tls-only", "a Deny for insecure transport on the bucket and its objects", rawBucket(bucketPolicy(s3TLSDeny, 2)), false, nil},
	{"s3-tls-only", "an Allow that mentions aws:SecureTransport", rawBucket(bucketPolicy(planted, 1)), false, []string{"b"}},
	{"s3-tls-only", "a Deny that leaves the objects out", rawBucket(bucketPolicy(`{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"%s","Condition":{"Bool":{"aws:SecureTransport":false}}}}`, 1)), false, []string{"b"}},
	{"s3-tls-only", "no bucket policy", rawBucket(nil), false, []string{"b"}},
	{"s3-tls-only", "a Deny of every action, the condition a JSON boolean", rawBucket(bucketPolicy(`{"Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":["%s","%s/*"],"Condition":{"Bool":{"aws:SecureTransport":false}}}}`, 2)), false, nil},
	{"s3-tls-only", "a Deny of one action only", rawBucket(bucketPolicy(`{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":["%s","%s/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}}`, 2)), false, []string{"b"}},
	{"s3-tls-only", "a Deny for everyone over TLS (the condition inverted)", rawBucket(bucketPolicy(`{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["%s","%s/*"],"Condition":{"Bool":{"aws:SecureTransport":"true"}}}}`, 2)), false, []string{"b"}},

	{"s3-versioning", "versioning enabled", rawBucket(func(ctx *pulumi.Context, b *s3.BucketV2) error {
		_, err := s3.NewBucketVersioningV2(ctx, "b-versioning", &s3.BucketVersioningV2Args{Bucket: b.ID(),
			VersioningConfiguration: s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")}})
		return err
	}), false, nil},
	{"s3-versioning", "versioning suspended", rawBucket(func(ctx *pulumi.Context, b *s3.BucketV2) error {
		_, err := s3.NewBucketVersioningV2(ctx, "b-versioning", &s3.BucketVersioningV2Args{Bucket: b.ID(),
			VersioningConfiguration: s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Suspended")}})
		return err
	}), false, []string{"b"}},

	{"s3-ownership", "ACLs disabled", rawBucket(func(ctx *pulumi.Context, b *s3.BucketV2) error {
		_, err := s3.NewBucketOwnershipControls(ctx, "b-ownership", &s3.BucketOwnershipControlsArgs{Bucket: b.ID(),
			Rule: s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")}})
		return err
	}), false, nil},
	{"s3-ownership", "writers own their objects", rawBucket(func(ctx *pulumi.Context, b *s3.BucketV2) error {
		_, err := s3.NewBucketOwnershipControls(ctx, "b-ownership", &s3.BucketOwnershipControlsArgs{Bucket: b.ID(),
			Rule: s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("ObjectWriter")}})
		return err
	}), false, []string{"b"}},

	{"s3-access-logging", "logs to a target bucket", rawBucket(func(ctx *pulumi.Context, b *s3.BucketV2) error {
		_, err := s3.NewBucketLoggingV2(ctx, "b-logging", &s3.BucketLoggingV2Args{Bucket: b.ID(), TargetBucket: pulumi.String("logs"), TargetPrefix: pulumi.String("b/")})
		return err
	}), false, nil},
	{"s3-access-logging", "off, with the reason as a tag", func(ctx *pulumi.Context) error {
		_, err := s3.NewBucketV2(ctx, "b", &s3.BucketV2Args{Tags: pulumi.StringMap{policy.AccessLoggingOffTag: pulumi.String("holds build caches only")}})
		return err
	}, false, nil},
	{"s3-access-logging", "off, without a reason", rawBucket(nil), false, []string{"b"}},

	{"s3-public-policy", "a Deny for everyone and an Allow for one account", rawBucket(bucketPolicy(`{"Statement":[`+
		`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"%s/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},`+
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"*"}]}`, 1)), false, nil},
	{"s3-public-policy", "an Allow for everyone over plain HTTP", rawBucket(bucketPolicy(planted, 1)), false, []string{"b-policy"}},
	{"s3-public-policy", "an Allow for everyone whose source condition is a wildcard", rawBucket(bucketPolicy(`{"Statement":[`+
		`{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"s3:GetObject","Resource":"%s/*","Condition":{"StringLike":{"aws:SourceArn":"arn:aws:*"}}}]}`, 1)), false, []string{"b-policy"}},

	{"sqs-encryption", "SSE-SQS", rawQueue(sqs.QueueArgs{SqsManagedSseEnabled: pulumi.Bool(true)}, ""), false, nil},
	{"sqs-encryption", "a KMS key", rawQueue(sqs.QueueArgs{SqsManagedSseEnabled: pulumi.Bool(false), KmsMasterKeyId: pulumi.String("alias/k")}, ""), false, nil},
	{"sqs-encryption", "encryption off", rawQueue(sqs.QueueArgs{SqsManagedSseEnabled: pulumi.Bool(false)}, ""), false, []string{"q"}},

	{"sqs-tls-only", "a Deny for insecure transport", rawQueue(sqs.QueueArgs{}, sqsDeny), false, nil},
	{"sqs-tls-only", "an Allow that mentions aws:SecureTransport", rawQueue(sqs.QueueArgs{},
		`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sqs:*","Resource":"%s","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`), false, []string{"q"}},
	{"sqs-tls-only", "no queue policy", rawQueue(sqs.QueueArgs{}, ""), false, []string{"q"}},

	{"sqs-dead-letter-queue", "a queue and its DLQ", consumer(true), false, nil},
	{"sqs-dead-letter-queue", "queues without redrive", consumer(false), false, []string{"dlq", "src"}},

	{"sqs-public-policy", "a Deny for everyone", rawQueue(sqs.QueueArgs{}, sqsDeny), false, nil},
	{"sqs-public-policy", "an Allow for everyone", rawQueue(sqs.QueueArgs{},
		`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sqs:SendMessage","Resource":"%s"}]}`), false, []string{"q-policy"}},

	{"sqs-policy-scoped", "SNS may send for one topic of one account", rawQueue(sqs.QueueArgs{},
		`{"Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"%s",`+
			`"Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:t"},"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`), false, nil},
	{"sqs-policy-scoped", "S3 may send for any bucket", rawQueue(sqs.QueueArgs{},
		`{"Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"%s",`+
			`"Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`), false, []string{"q-policy"}},

	{"lambda-supported-runtime", "provided.al2023", rawFunction(lambda.FunctionArgs{Runtime: pulumi.String("provided.al2023")}), false, nil},
	{"lambda-supported-runtime", "go1.x", rawFunction(lambda.FunctionArgs{Runtime: pulumi.String("go1.x")}), false, []string{"fn"}},
	{"lambda-supported-runtime", "no runtime", rawFunction(lambda.FunctionArgs{}), false, []string{"fn"}},

	{"lambda-tracing", "active tracing", rawFunction(lambda.FunctionArgs{TracingConfig: lambda.FunctionTracingConfigArgs{Mode: pulumi.String("Active")}}), false, nil},
	{"lambda-tracing", "pass-through", rawFunction(lambda.FunctionArgs{TracingConfig: lambda.FunctionTracingConfigArgs{Mode: pulumi.String("PassThrough")}}), false, []string{"fn"}},

	{"lambda-explicit-memory", "256 MB", rawFunction(lambda.FunctionArgs{MemorySize: pulumi.Int(256)}), false, nil},
	{"lambda-explicit-memory", "Lambda's default", rawFunction(lambda.FunctionArgs{}), false, []string{"fn"}},

	{"lambda-explicit-timeout", "10 s", rawFunction(lambda.FunctionArgs{Timeout: pulumi.Int(10)}), false, nil},
	{"lambda-explicit-timeout", "Lambda's default", rawFunction(lambda.FunctionArgs{}), false, []string{"fn"}},

	{"lambda-failure-destination", "a consumer of a queue with a DLQ", consumer(true), false, nil},
	{"lambda-failure-destination", "a consumer of a queue without one", consumer(false), false, []string{"esm"}},
	{"lambda-failure-destination", "S3 invokes a function with an on-failure destination", s3Invoked(true), false, nil},
	{"lambda-failure-destination", "S3 invokes a function without one", s3Invoked(false), false, []string{"fn"}},

	{"lambda-permission-scoped", "API Gateway for one API", permission(lambda.PermissionArgs{Principal: pulumi.String("apigateway.amazonaws.com"), SourceArn: pulumi.String("API")}), false, nil},
	{"lambda-permission-scoped", "API Gateway for another API", permission(lambda.PermissionArgs{Principal: pulumi.String("apigateway.amazonaws.com"),
		SourceArn: pulumi.String("arn:aws:execute-api:us-east-1:123456789012:other/*/*")}), false, []string{"perm"}},
	{"lambda-permission-scoped", "S3 for a bucket of any account", permission(lambda.PermissionArgs{Principal: pulumi.String("s3.amazonaws.com"),
		SourceArn: pulumi.String("arn:aws:s3:::someone-elses")}), false, []string{"perm"}},
	{"lambda-permission-scoped", "everyone, with no source ARN", permission(lambda.PermissionArgs{Principal: pulumi.String("*")}), false, []string{"perm"}},

	{"lambda-public-access", "everyone in one account", permission(lambda.PermissionArgs{Principal: pulumi.String("*"), SourceAccount: pulumi.String(account)}), false, nil},
	{"lambda-public-access", "everyone", permission(lambda.PermissionArgs{Principal: pulumi.String("*")}), false, []string{"perm"}},

	{"lambda-url-authorization", "IAM", functionURL("AWS_IAM"), false, nil},
	{"lambda-url-authorization", "public, unsuppressed", functionURL("NONE"), false, []string{"fn-url"}},

	{"api-access-logging", "access logs", stage(apigatewayv2.StageArgs{AccessLogSettings: accessLogs}), false, nil},
	{"api-access-logging", "none", stage(apigatewayv2.StageArgs{}), false, []string{"stage"}},

	{"api-throttling", "default route throttling", stage(apigatewayv2.StageArgs{DefaultRouteSettings: throttled}), false, nil},
	{"api-throttling", "none", stage(apigatewayv2.StageArgs{}), false, []string{"stage", "stage"}},

	{"api-route-authorization", "a JWT authorizer", route(apigatewayv2.RouteArgs{AuthorizationType: pulumi.String("JWT"), AuthorizerId: pulumi.String("a1")}, true), false, nil},
	{"api-route-authorization", "IAM", route(apigatewayv2.RouteArgs{AuthorizationType: pulumi.String("AWS_IAM")}, true), false, nil},
	{"api-route-authorization", "public, unsuppressed", route(apigatewayv2.RouteArgs{AuthorizationType: pulumi.String("NONE")}, true), false, []string{"route"}},
	{"api-route-authorization", "JWT without an authorizer", route(apigatewayv2.RouteArgs{AuthorizationType: pulumi.String("JWT")}, true), false, []string{"route"}},
	{"api-route-authorization", "no decision", route(apigatewayv2.RouteArgs{}, true), false, []string{"route"}},

	{"api-route-integration", "targets its integration", route(apigatewayv2.RouteArgs{}, true), false, nil},
	{"api-route-integration", "targets nothing", route(apigatewayv2.RouteArgs{}, false), false, []string{"route"}},

	{"dynamodb-pitr", "PITR on", rawTable(dynamodb.TableArgs{PointInTimeRecovery: dynamodb.TablePointInTimeRecoveryArgs{Enabled: pulumi.Bool(true)}}), false, nil},
	{"dynamodb-pitr", "PITR off", rawTable(dynamodb.TableArgs{}), false, []string{"t"}},

	{"dynamodb-encryption", "KMS", rawTable(dynamodb.TableArgs{ServerSideEncryption: dynamodb.TableServerSideEncryptionArgs{Enabled: pulumi.Bool(true)}}), false, nil},
	{"dynamodb-encryption", "DynamoDB owned key", rawTable(dynamodb.TableArgs{}), false, []string{"t"}},

	{"dynamodb-deletion-protection", "protected in prod", rawTable(dynamodb.TableArgs{DeletionProtectionEnabled: pulumi.Bool(true)}), true, nil},
	{"dynamodb-deletion-protection", "unprotected, not prod", rawTable(dynamodb.TableArgs{}), false, nil},
	{"dynamodb-deletion-protection", "unprotected in prod", rawTable(dynamodb.TableArgs{}), true, []string{"t"}},

	{"iam-policy-json", "JSON", identity(statementDoc("s3:GetObject", "arn:aws:s3:::b/*")), false, nil},
	{"iam-policy-json", "not JSON", identity(`Allow everything`), false, everyIdentityDoc},

	{"iam-no-admin", "one action", identity(statementDoc("s3:GetObject", "*")), false, nil},
	{"iam-no-admin", "* on *", identity(statementDoc("*", "*")), false, everyIdentityDoc},

	{"iam-explicit-actions", "explicit", identity(statementDoc("s3:GetObject", "arn:aws:s3:::b/*")), false, nil},
	{"iam-explicit-actions", "service-wide", identity(statementDoc("s3:*", "arn:aws:s3:::b/*")), false, everyIdentityDoc},
	{"iam-explicit-actions", "partial", identity(statementDoc("s3:Get*", "arn:aws:s3:::b/*")), false, everyIdentityDoc},
	{"iam-explicit-actions", "NotAction", identity(`{"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`), false, everyIdentityDoc},

	{"iam-explicit-resources", "an ARN, and X-Ray on *", identity(`{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},` +
		`{"Effect":"Allow","Action":["xray:PutTraceSegments"],"Resource":"*"}]}`), false, nil},
	{"iam-explicit-resources", "*", identity(statementDoc("s3:GetObject", "*")), false, everyIdentityDoc},
	{"iam-explicit-resources", "no ARN", identity(statementDoc("s3:GetObject", "b")), false, everyIdentityDoc},

	{"iam-action-resource", "objects", identity(statementDoc("s3:GetObject", "arn:aws:s3:::b/*")), false, nil},
	{"iam-action-resource", "the bucket", identity(statementDoc("s3:GetObject", "arn:aws:s3:::b")), false, everyIdentityDoc},

	{"iam-known-actions", "a vocabulary action", identity(statementDoc("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:q")), false, nil},
	{"iam-known-actions", "an action no grant makes", identity(statementDoc("sqs:DeleteQueue", "arn:aws:sqs:us-east-1:123456789012:q")), false, everyIdentityDoc},

	{"iam-no-managed-policies", "customer managed", managed("arn:aws:iam::123456789012:policy/mine"), false, nil},
	{"iam-no-managed-policies", "AWS managed", managed("arn:aws:iam::aws:policy/AdministratorAccess"), false,
		[]string{"attach", "group-attach", "role", "role-attach", "user-attach"}},

	{"iam-role-trust", "Lambda's service", trusting(`{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`), false, nil},
	{"iam-role-trust", "everyone", trusting(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`), false, []string{"role"}},

	{"unchecked-type", "a BucketV2 and an HTTP API", func(ctx *pulumi.Context) error {
		if _, err := s3.NewBucketV2(ctx, "b", &s3.BucketV2Args{}); err != nil {
			return err
		}
		_, err := apigatewayv2.NewApi(ctx, "api", &apigatewayv2.ApiArgs{ProtocolType: pulumi.String("HTTP")})
		return err
	}, false, nil},
	{"unchecked-type", "a legacy Bucket and a REST API", func(ctx *pulumi.Context) error {
		if _, err := s3.NewBucket(ctx, "legacy", &s3.BucketArgs{}); err != nil {
			return err
		}
		_, err := apigateway.NewRestApi(ctx, "rest", &apigateway.RestApiArgs{})
		return err
	}, false, []string{"legacy", "rest"}},

	{"logs-retention", "a week", logGroup(7), false, nil},
	{"logs-retention", "forever", logGroup(0), false, []string{"logs"}},

	{"logs-retention-year", "a year in prod", logGroup(365), true, nil},
	{"logs-retention-year", "a month, not prod", logGroup(30), false, nil},
	{"logs-retention-year", "a month in prod", logGroup(30), true, []string{"logs"}},

	{"kms-key-rotation", "rotating", func(ctx *pulumi.Context) error {
		_, err := kms.NewKey(ctx, "k", &kms.KeyArgs{EnableKeyRotation: pulumi.Bool(true)})
		return err
	}, false, nil},
	{"kms-key-rotation", "an asymmetric key, which cannot rotate", func(ctx *pulumi.Context) error {
		_, err := kms.NewKey(ctx, "k", &kms.KeyArgs{CustomerMasterKeySpec: pulumi.String("RSA_2048"), KeyUsage: pulumi.String("SIGN_VERIFY")})
		return err
	}, false, nil},
	{"kms-key-rotation", "rotation left unset", func(ctx *pulumi.Context) error {
		_, err := kms.NewKey(ctx, "k", &kms.KeyArgs{})
		return err
	}, false, []string{"k"}},

	{"kms-public-policy", "the account administers, one service in the account uses", func(ctx *pulumi.Context) error {
		_, err := kms.NewKey(ctx, "k", &kms.KeyArgs{EnableKeyRotation: pulumi.Bool(true), Policy: pulumi.String(`{"Statement":[` +
			`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"},` +
			`{"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`)})
		return err
	}, false, nil},
	{"kms-public-policy", "everyone may use the key", func(ctx *pulumi.Context) error {
		k, err := kms.NewKey(ctx, "k", &kms.KeyArgs{EnableKeyRotation: pulumi.Bool(true)})
		if err != nil {
			return err
		}
		_, err = kms.NewKeyPolicy(ctx, "k-policy", &kms.KeyPolicyArgs{KeyId: k.ID(), Policy: pulumi.String(
			`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}]}`)})
		return err
	}, false, []string{"k-policy"}},

	{"sns-public-policy", "CloudWatch of the account publishes", func(ctx *pulumi.Context) error {
		t, err := sns.NewTopic(ctx, "topic", &sns.TopicArgs{})
		if err != nil {
			return err
		}
		_, err = sns.NewTopicPolicy(ctx, "topic-policy", &sns.TopicPolicyArgs{Arn: t.Arn, Policy: pulumi.Sprintf(
			`{"Statement":[{"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"sns:Publish","Resource":"%s","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`, t.Arn)})
		return err
	}, false, nil},
	{"sns-public-policy", "everyone subscribes, inline", func(ctx *pulumi.Context) error {
		_, err := sns.NewTopic(ctx, "topic", &sns.TopicArgs{Policy: pulumi.String(
			`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sns:Subscribe","Resource":"*"}]}`)})
		return err
	}, false, []string{"topic"}},

	{"sns-encryption", "a KMS key", func(ctx *pulumi.Context) error {
		_, err := sns.NewTopic(ctx, "topic", &sns.TopicArgs{KmsMasterKeyId: pulumi.String("alias/k")})
		return err
	}, false, nil},
	{"sns-encryption", "unencrypted", func(ctx *pulumi.Context) error {
		_, err := sns.NewTopic(ctx, "topic", &sns.TopicArgs{})
		return err
	}, false, []string{"topic"}},

	{"alarms", "errors and throttles", alarmed("Errors", "Throttles"), false, nil},
	{"alarms", "errors only", alarmed("Errors"), false, []string{"fn"}},

	{"protect-stateful", "protected in prod", rawTable(dynamodb.TableArgs{}, pulumi.Protect(true)), true, nil},
	{"protect-stateful", "unprotected, not prod", rawTable(dynamodb.TableArgs{}), false, nil},
	{"protect-stateful", "unprotected in prod", rawTable(dynamodb.TableArgs{}), true, []string{"t"}},
}

func TestEveryRule(t *testing.T) {
	// Given programs that meet or break each rule
	runRuleCases(t, ruleCases)
}

// runRuleCases checks each case's program against the baseline: its rule reports exactly the
// resources the case names.
func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			rec := componenttest.MustRun(t, tc.program)
			// When the baseline is checked
			var got []string
			for _, v := range policy.Check(rec.Resources(), policy.Options{Production: tc.production}) {
				if v.Rule == tc.rule {
					got = append(got, logicalName(v.Resource))
				}
			}
			// Then the rule reports exactly the resources that break it
			sort.Strings(got)
			assert.Equal(t, tc.want, got, "resources %s reports", tc.rule)
		})
	}
}

func TestEveryRuleHasAPassingAndAFailingCase(t *testing.T) {
	pass, fail := map[string]bool{}, map[string]bool{}
	for _, tc := range ruleCases {
		if tc.want == nil {
			pass[tc.rule] = true
		} else {
			fail[tc.rule] = true
		}
	}
	var ids []string
	for _, r := range policy.Rules() {
		ids = append(ids, r.ID)
		assert.True(t, pass[r.ID], "rule %s has a case it passes", r.ID)
		assert.True(t, fail[r.ID], "rule %s has a case it fails", r.ID)
	}
	for id := range pass {
		assert.Contains(t, ids, id, "case for a rule the catalogue has")
	}
	for id := range fail {
		assert.Contains(t, ids, id, "case for a rule the catalogue has")
	}
}

func TestRuleTypesAreExactlyWhatTheirChecksRead(t *testing.T) {
	// Given every program of the rule cases
	read := map[string]map[string]bool{}
	for _, tc := range ruleCases {
		rec := componenttest.MustRun(t, tc.program)
		for id, types := range policy.TypesRead(rec.Resources()) {
			if read[id] == nil {
				read[id] = map[string]bool{}
			}
			for _, typ := range types {
				read[id][typ] = true
			}
		}
	}
	// Then each rule declared exactly the types its check read (reading or reporting on an
	// undeclared type panics, so none is missing; this finds those declared but unread)
	for _, r := range policy.Rules() {
		var got []string
		for typ := range read[r.ID] {
			got = append(got, typ)
		}
		assert.ElementsMatch(t, r.Types, got, "types rule %s reads", r.ID)
	}
}

func TestRulesAreWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range policy.Rules() {
		assert.Regexp(t, `^[a-z0-9]+(-[a-z0-9]+)*$`, r.ID, "kebab-case id")
		assert.False(t, seen[r.ID], "id %s is unique", r.ID)
		seen[r.ID] = true
		assert.NotEmpty(t, r.Title, "%s title", r.ID)
		assert.NotEmpty(t, r.Reason, "%s reason", r.ID)
		assert.NotEmpty(t, r.Types, "%s types", r.ID)
		assert.Contains(t, []policy.Severity{policy.Critical, policy.High, policy.Medium, policy.Low}, r.Severity, "%s severity", r.ID)
		for _, c := range r.Controls {
			assert.Regexp(t, `^(FSBP [A-Za-z0-9]+\.[0-9]+|AwsSolutions-[A-Z0-9]+|Serverless-[A-Za-z]+|NIST\.800\.53\.R5-[A-Za-z0-9]+)$`, c, "%s control id form", r.ID)
		}
		l, ok := policy.Lookup(r.ID)
		require.True(t, ok, "Lookup(%s)", r.ID)
		assert.Equal(t, r.Title, l.Title, "Lookup returns the rule")
	}
	assert.True(t, slices.IsSortedFunc(policy.Rules(), func(a, b policy.Rule) int {
		if a.ID < b.ID {
			return -1
		}
		return 1
	}), "Rules are sorted by ID")
}
