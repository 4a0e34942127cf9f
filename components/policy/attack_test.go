package policy_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/policy"
)

// publicReadIf is a bucket policy that allows everyone to read the bucket's objects under
// one condition block, which the attacks vary.
func publicReadIf(condition string) string {
	return `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"%s/*","Condition":` + condition + `}]}`
}

// s3TLSDenyIf is s3TLSDeny with more in its statement (a principal, more conditions).
func s3TLSDenyIf(principal, condition string) string {
	return `{"Statement":[{"Effect":"Deny",` + principal + `,"Action":"s3:*","Resource":["%s","%s/*"],"Condition":` + condition + `}]}`
}

// attackCases are what an auditor and a careless user tried against the rules: the forms
// IAM accepts that a naive reading gets wrong, and values that look set but are not. Each
// is one program and the resources one rule must report in it (nil: none), as ruleCases.
var attackCases = []ruleCase{
	// IAM: the forms of Action and Resource.
	{"iam-no-admin", "Action a string", identity(`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), false, everyIdentityDoc},
	{"iam-no-admin", "*:*", identity(statementDoc("*:*", "*")), false, everyIdentityDoc},
	{"iam-no-admin", "Statement an object", identity(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`), false, everyIdentityDoc},
	{"iam-no-admin", "Allow NotAction on *", identity(`{"Statement":[{"Effect":"Allow","NotAction":"iam:PassRole","Resource":"*"}]}`), false, everyIdentityDoc},
	{"iam-no-admin", "* on NotResource", identity(`{"Statement":[{"Effect":"Allow","Action":"*","NotResource":"arn:aws:s3:::b/*"}]}`), false, everyIdentityDoc},
	{"iam-no-admin", "* on arn:*", identity(statementDoc("*", "arn:*")), false, everyIdentityDoc},
	{"iam-no-admin", "** on arn:aws:*:*:*:*", identity(statementDoc("**", "arn:aws:*:*:*:*")), false, everyIdentityDoc},
	{"iam-no-admin", "NotAction on one bucket's objects", identity(`{"Statement":[{"Effect":"Allow","NotAction":"s3:DeleteObject","Resource":"arn:aws:s3:::b/*"}]}`), false, nil},
	{"iam-explicit-actions", "mixed-case service-wide", identity(statementDoc("S3:*", "arn:aws:s3:::b/*")), false, everyIdentityDoc},
	{"iam-explicit-actions", "a wildcard inside the name", identity(statementDoc("s3:*Object", "arn:aws:s3:::b/*")), false, everyIdentityDoc},
	{"iam-explicit-actions", "a ? wildcard", identity(statementDoc("s3:?etObject", "arn:aws:s3:::b/*")), false, everyIdentityDoc},
	{"iam-explicit-resources", "iam:PassRole on *", identity(statementDoc("iam:PassRole", "*")), false, everyIdentityDoc},
	{"iam-explicit-resources", "every bucket's objects", identity(statementDoc("s3:GetObject", "arn:aws:s3:::*/*")), false, everyIdentityDoc},
	{"iam-explicit-resources", "a table of any region and account", identity(statementDoc("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/t")), false, everyIdentityDoc},
	{"iam-explicit-resources", "every table", identity(statementDoc("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/*")), false, everyIdentityDoc},
	{"iam-explicit-resources", "the network interfaces Lambda names, in one account and region", identity(statementDoc("ec2:DeleteNetworkInterface", "arn:aws:ec2:us-east-1:123456789012:network-interface/*")), false, nil},
	{"iam-explicit-resources", "the network interfaces Lambda names, in any region", identity(statementDoc("ec2:DeleteNetworkInterface", "arn:aws:ec2:*:123456789012:network-interface/*")), false, everyIdentityDoc},
	{"iam-explicit-resources", "every subnet, with an action on network interfaces", identity(`{"Statement":[{"Effect":"Allow","Action":"ec2:CreateNetworkInterface","Resource":"arn:aws:ec2:us-east-1:123456789012:subnet/*"}]}`), false, everyIdentityDoc},
	{"iam-explicit-resources", "every instance", identity(statementDoc("ec2:TerminateInstances", "arn:aws:ec2:us-east-1:123456789012:instance/*")), false, everyIdentityDoc},
	{"iam-explicit-resources", "a log group's streams", identity(statementDoc("logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn:*")), false, nil},
	{"iam-explicit-resources", "X-Ray on * in another case", identity(statementDoc("XRay:putTraceSegments", "*")), false, nil},
	{"iam-action-resource", "a mixed-case action on the wrong kind", identity(statementDoc("S3:getobject", "arn:aws:s3:::b")), false, everyIdentityDoc},
	{"iam-known-actions", "a mixed-case action no grant makes", identity(statementDoc("SQS:DeleteQueue", "arn:aws:sqs:us-east-1:123456789012:q")), false, everyIdentityDoc},
	{"iam-explicit-resources", "Allow with NotResource", identity(`{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::b/*"}]}`), false, everyIdentityDoc},
	{"iam-policy-json", "a key twice (Go keeps the last)", identity(`{"Statement":[{"Effect":"Deny","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`), false, everyIdentityDoc},
	{"iam-policy-json", "a key twice in another case (Go matches names case-insensitively)", identity(`{"Statement":[{"Effect":"Deny","effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`), false, everyIdentityDoc},
	{"iam-policy-json", "a key twice, once escaped", identity(`{"Statement":[{"Effect":"Deny","\u0045ffect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`), false, everyIdentityDoc},
	{"iam-policy-json", "an escaped element name", identity(`{"Statement":[{"\u0045ffect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`), false, nil},
	{"iam-policy-json", "Statement twice", identity(`{"Statement":[],"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`), false, everyIdentityDoc},
	{"iam-policy-json", "Effect allow in lower case", identity(`{"Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}`), false, everyIdentityDoc},
	{"iam-policy-json", "no Effect", identity(`{"Statement":[{"Action":"*","Resource":"*"}]}`), false, everyIdentityDoc},
	{"iam-policy-json", "an element in lower case", identity(`{"statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`), false, everyIdentityDoc},
	{"iam-policy-json", "a misspelt element", identity(`{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resources":"arn:aws:s3:::b/*"}]}`), false, everyIdentityDoc},
	{"iam-policy-json", "a list inside Resource", identity(`{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*",["*"]]}]}`), false, everyIdentityDoc},
	{"iam-policy-json", "an object as Action", identity(`{"Statement":[{"Effect":"Allow","Action":{"s3":"*"},"Resource":"arn:aws:s3:::b/*"}]}`), false, everyIdentityDoc},
	{"iam-policy-json", "Statement an object", identity(`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`), false, nil},
	{"iam-policy-json", "Statement a string", identity(`{"Statement":"Allow everything"}`), false, everyIdentityDoc},
	{"iam-no-managed-policies", "an AWS managed policy under a path", managed("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"), false,
		[]string{"attach", "group-attach", "role", "role-attach", "user-attach"}},
	{"iam-no-managed-policies", "an AWS managed policy in another partition", managed("arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess"), false,
		[]string{"attach", "group-attach", "role", "role-attach", "user-attach"}},

	// Role trust policies: who may assume the role.
	{"iam-role-trust", "every account's root", trusting(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:root"},"Action":"sts:AssumeRole"}]}`), false, []string{"role"}},
	{"iam-role-trust", "everyone in one organization", trusting(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}]}`), false, nil},
	{"iam-role-trust", "not JSON", trusting(`trust everyone`), false, []string{"role"}},
	{"iam-role-trust", "GitHub Actions of any repository", trusting(githubTrust(`{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}`)), false, []string{"role"}},
	{"iam-role-trust", "GitHub Actions of a repository pattern of *", trusting(githubTrust(`{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:*"}}`)), false, []string{"role"}},
	{"iam-role-trust", "GitHub Actions of one repository", trusting(githubTrust(`{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:groundwork-dev/groundwork:ref:refs/heads/main"}}`)), false, nil},

	// Resource policies: who "everyone" is, and conditions that narrow nothing.
	{"s3-public-policy", `principal "*"`, rawBucket(bucketPolicy(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"%s/*"}]}`, 1)), false, []string{"b-policy"}},
	{"s3-public-policy", `principal {"AWS":"*"}`, rawBucket(bucketPolicy(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"%s/*"}]}`, 1)), false, []string{"b-policy"}},
	{"s3-public-policy", "a source ARN of *", rawBucket(bucketPolicy(publicReadIf(`{"StringLike":{"aws:SourceArn":"*"}}`), 1)), false, []string{"b-policy"}},
	{"s3-public-policy", "a condition on an irrelevant key", rawBucket(bucketPolicy(publicReadIf(`{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`), 1)), false, []string{"b-policy"}},
	{"s3-public-policy", "ForAnyValue with an empty list", rawBucket(bucketPolicy(publicReadIf(`{"ForAnyValue:StringEquals":{"aws:SourceAccount":[]}}`), 1)), false, []string{"b-policy"}},
	{"s3-public-policy", "a Deny that Go reads as Allow (Effect twice)", rawBucket(bucketPolicy(`{"Statement":[{"Effect":"Allow","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"%s/*"}]}`, 1)), false, []string{"b-policy"}},
	{"s3-public-policy", "Effect allow in lower case", rawBucket(bucketPolicy(`{"Statement":[{"Effect":"allow","Principal":"*","Action":"s3:GetObject","Resource":"%s/*"}]}`, 1)), false, []string{"b-policy"}},
	{"s3-public-policy", "a narrowing condition Go reads from a lower-case element", rawBucket(bucketPolicy(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"%s/*","condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`, 1)), false, []string{"b-policy"}},
	{"s3-public-policy", "Allow with NotPrincipal (everyone but one account)", rawBucket(bucketPolicy(`{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"%s/*"}]}`, 1)), false, []string{"b-policy"}},
	{"sqs-public-policy", "Allow with NotPrincipal", rawQueue(sqs.QueueArgs{},
		`{"Statement":[{"Effect":"Allow","NotPrincipal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"%s"}]}`), false, []string{"q-policy"}},
	{"s3-public-policy", "a principal ARN with a wildcard account", rawBucket(bucketPolicy(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:root"},"Action":"s3:GetObject","Resource":"%s/*"}]}`, 1)), false, []string{"b-policy"}},
	{"s3-public-policy", "an IfExists operator (true where the key is absent)", rawBucket(bucketPolicy(publicReadIf(`{"StringEqualsIfExists":{"aws:SourceAccount":"123456789012"}}`), 1)), false, []string{"b-policy"}},
	{"s3-public-policy", "a negated operator (every account but one)", rawBucket(bucketPolicy(publicReadIf(`{"StringNotEquals":{"aws:SourceAccount":"123456789012"}}`), 1)), false, []string{"b-policy"}},
	{"s3-public-policy", "Null (the key present, whatever its value)", rawBucket(bucketPolicy(publicReadIf(`{"Null":{"aws:SourceArn":"false"}}`), 1)), false, []string{"b-policy"}},
	{"s3-public-policy", "ForAllValues (true where the key is absent)", rawBucket(bucketPolicy(publicReadIf(`{"ForAllValues:StringEquals":{"aws:SourceAccount":["123456789012"]}}`), 1)), false, []string{"b-policy"}},
	{"s3-public-policy", "every IPv4 address", rawBucket(bucketPolicy(publicReadIf(`{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`), 1)), false, []string{"b-policy"}},
	{"s3-public-policy", "every IPv4 address in two halves", rawBucket(bucketPolicy(publicReadIf(`{"IpAddress":{"aws:SourceIp":["0.0.0.0/1","128.0.0.0/1"]}}`), 1)), false, []string{"b-policy"}},
	{"s3-public-policy", "every IPv6 address", rawBucket(bucketPolicy(publicReadIf(`{"IpAddress":{"aws:SourceIp":"::/0"}}`), 1)), false, []string{"b-policy"}},
	{"s3-public-policy", "one network", rawBucket(bucketPolicy(publicReadIf(`{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`), 1)), false, nil},
	{"s3-public-policy", "ForAnyValue over one account", rawBucket(bucketPolicy(publicReadIf(`{"ForAnyValue:StringEquals":{"aws:SourceAccount":["123456789012"]}}`), 1)), false, nil},
	{"s3-public-policy", "an inline bucket policy for everyone", func(ctx *pulumi.Context) error {
		_, err := s3.NewBucketV2(ctx, "b", &s3.BucketV2Args{Policy: pulumi.String(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`)}) //nolint:staticcheck // SA1019: the deprecated inline policy still sets the bucket policy, so the rules read it
		return err
	}, false, []string{"b"}},
	{"sqs-public-policy", "an inline queue policy for everyone", rawQueue(sqs.QueueArgs{Policy: pulumi.String(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"*"}]}`)}, ""), false, []string{"q"}},
	{"sqs-public-policy", "an inline queue policy for one account", rawQueue(sqs.QueueArgs{Policy: pulumi.String(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sqs:SendMessage","Resource":"*"}]}`)}, ""), false, nil},
	{"s3-public-policy", "one account", rawBucket(bucketPolicy(publicReadIf(`{"StringEquals":{"aws:SourceAccount":"123456789012"}}`), 1)), false, nil},
	{"s3-public-policy", "one organization", rawBucket(bucketPolicy(publicReadIf(`{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}`), 1)), false, nil},
	{"sqs-policy-scoped", "negated source conditions", rawQueue(sqs.QueueArgs{},
		`{"Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"%s",`+
			`"Condition":{"ArnNotEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:t"},"StringNotEquals":{"aws:SourceAccount":"123456789012"}}}]}`), false, []string{"q-policy"}},
	{"sqs-policy-scoped", "a source ARN of any topic", rawQueue(sqs.QueueArgs{},
		`{"Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"%s",`+
			`"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:*"},"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`), false, []string{"q-policy"}},
	{"sqs-policy-scoped", "IfExists source conditions", rawQueue(sqs.QueueArgs{},
		`{"Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"%s",`+
			`"Condition":{"ArnEqualsIfExists":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:t"},"StringEqualsIfExists":{"aws:SourceAccount":"123456789012"}}}]}`), false, []string{"q-policy"}},
	{"kms-public-policy", "everyone, in one account (kms:CallerAccount)", func(ctx *pulumi.Context) error {
		_, err := kms.NewKey(ctx, "k", &kms.KeyArgs{EnableKeyRotation: pulumi.Bool(true), Policy: pulumi.String(
			`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"123456789012"}}}]}`)})
		return err
	}, false, nil},
	{"kms-public-policy", "everyone, inline", func(ctx *pulumi.Context) error {
		_, err := kms.NewKey(ctx, "k", &kms.KeyArgs{EnableKeyRotation: pulumi.Bool(true), Policy: pulumi.String(
			`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}`)})
		return err
	}, false, []string{"k"}},

	// TLS-only: a Deny that does not deny everyone everything over plain HTTP.
	{"s3-tls-only", "a Deny with NotPrincipal", rawBucket(bucketPolicy(s3TLSDenyIf(`"NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"}`, `{"Bool":{"aws:SecureTransport":"false"}}`), 2)), false, []string{"b"}},
	{"s3-tls-only", "a Deny for one account", rawBucket(bucketPolicy(s3TLSDenyIf(`"Principal":{"AWS":"arn:aws:iam::123456789012:root"}`, `{"Bool":{"aws:SecureTransport":"false"}}`), 2)), false, []string{"b"}},
	{"s3-tls-only", "a Deny for a principal ARN with a wildcard account (not the anonymous)", rawBucket(bucketPolicy(s3TLSDenyIf(`"Principal":{"AWS":"arn:aws:iam::*:root"}`, `{"Bool":{"aws:SecureTransport":"false"}}`), 2)), false, []string{"b"}},
	{"s3-tls-only", "a Deny narrowed by another condition", rawBucket(bucketPolicy(s3TLSDenyIf(`"Principal":"*"`,
		`{"Bool":{"aws:SecureTransport":"false"},"StringEquals":{"aws:PrincipalAccount":"999999999999"}}`), 2)), false, []string{"b"}},
	{"s3-tls-only", "a Deny narrowed by another key of its Bool", rawBucket(bucketPolicy(s3TLSDenyIf(`"Principal":"*"`,
		`{"Bool":{"aws:SecureTransport":"false","aws:MultiFactorAuthPresent":"true"}}`), 2)), false, []string{"b"}},
	{"sqs-tls-only", "a Deny narrowed by another condition", rawQueue(sqs.QueueArgs{},
		`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"%s","Condition":{"Bool":{"aws:SecureTransport":"false"},"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}`), false, []string{"q"}},
	{"s3-tls-only", "a second bucket policy, which replaces the first", rawBucket(func(ctx *pulumi.Context, b *s3.BucketV2) error {
		if err := bucketPolicy(s3TLSDeny, 2)(ctx, b); err != nil {
			return err
		}
		_, err := s3.NewBucketPolicy(ctx, "b-policy-2", &s3.BucketPolicyArgs{Bucket: b.ID(), Policy: pulumi.Sprintf(
			`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"%s/*"}]}`, b.Arn)})
		return err
	}), false, []string{"b"}},
	{"sqs-tls-only", "a second queue policy, which replaces the first", func(ctx *pulumi.Context) error {
		q, err := sqs.NewQueue(ctx, "q", &sqs.QueueArgs{})
		if err != nil {
			return err
		}
		for i, doc := range []string{sqsDeny, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sqs:SendMessage","Resource":"%s"}]}`} {
			if _, err := sqs.NewQueuePolicy(ctx, fmt.Sprintf("q-policy-%d", i), &sqs.QueuePolicyArgs{QueueUrl: q.Url, Policy: pulumi.Sprintf(doc, q.Arn)}); err != nil {
				return err
			}
		}
		return nil
	}, false, []string{"q"}},
	{"sqs-tls-only", "an inline TLS Deny", func(ctx *pulumi.Context) error {
		_, err := sqs.NewQueue(ctx, "q", &sqs.QueueArgs{Policy: pulumi.String(
			`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`)})
		return err
	}, false, nil},
	{"sqs-tls-only", "an inline policy and a queue policy, one of which replaces the other", func(ctx *pulumi.Context) error {
		q, err := sqs.NewQueue(ctx, "q", &sqs.QueueArgs{Policy: pulumi.String(
			`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sqs:SendMessage","Resource":"*"}]}`)})
		if err != nil {
			return err
		}
		_, err = sqs.NewQueuePolicy(ctx, "q-policy", &sqs.QueuePolicyArgs{QueueUrl: q.Url, Policy: pulumi.Sprintf(sqsDeny, q.Arn)})
		return err
	}, false, []string{"q"}},
	{"s3-tls-only", "an inline policy and a bucket policy, one of which replaces the other", func(ctx *pulumi.Context) error {
		b, err := s3.NewBucketV2(ctx, "b", &s3.BucketV2Args{Policy: pulumi.String( //nolint:staticcheck // SA1019: the deprecated inline policy still sets the bucket policy, so the rules read it
			`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`)})
		if err != nil {
			return err
		}
		return bucketPolicy(s3TLSDeny, 2)(ctx, b)
	}, false, []string{"b"}},
	{"s3-tls-only", "a Deny on Resource *", rawBucket(bucketPolicy(`{"Id":"%s","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, 1)), false, nil},
	{"s3-tls-only", "a mixed-case service-wide Deny", rawBucket(bucketPolicy(`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"S3:*","Resource":["%s","%s/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, 2)), false, nil},
	{"s3-tls-only", "a Deny for another bucket", rawBucket(bucketPolicy(`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["%s-other","%s-other/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, 2)), false, []string{"b"}},
	{"sqs-tls-only", "a Deny for another queue", rawQueue(sqs.QueueArgs{},
		`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"%s-other","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`), false, []string{"q"}},

	// Lambda permissions.
	{"lambda-permission-scoped", "everyone in one account, no source ARN", permission(lambda.PermissionArgs{Principal: pulumi.String("*"), SourceAccount: pulumi.String(account)}), false, []string{"perm"}},
	{"lambda-public-access", "a public function URL's permission", permission(lambda.PermissionArgs{Principal: pulumi.String("*"), FunctionUrlAuthType: pulumi.String("NONE")}), false, []string{"perm"}},
	{"lambda-public-access", "everyone, from a source ARN of *", permission(lambda.PermissionArgs{Principal: pulumi.String("*"), SourceArn: pulumi.String("*")}), false, []string{"perm"}},
	{"lambda-public-access", "everyone, from any bucket", permission(lambda.PermissionArgs{Principal: pulumi.String("*"), SourceArn: pulumi.String("arn:aws:s3:::*")}), false, []string{"perm"}},
	{"lambda-permission-scoped", "SNS from any topic", permission(lambda.PermissionArgs{Principal: pulumi.String("sns.amazonaws.com"), SourceArn: pulumi.String("arn:aws:sns:us-east-1:*:*")}), false, []string{"perm"}},
	{"lambda-permission-scoped", "SNS from one topic", permission(lambda.PermissionArgs{Principal: pulumi.String("sns.amazonaws.com"), SourceArn: pulumi.String("arn:aws:sns:us-east-1:123456789012:t")}), false, nil},

	// Lambda, API Gateway, DynamoDB, logs, KMS: zero, missing and odd values.
	{"lambda-supported-runtime", "nodejs20.x (deprecated April 30, 2026)", rawFunction(lambda.FunctionArgs{Runtime: pulumi.String("nodejs20.x")}), false, []string{"fn"}},
	{"lambda-supported-runtime", "dotnet8 (deprecated November 10, 2026)", rawFunction(lambda.FunctionArgs{Runtime: pulumi.String("dotnet8")}), false, []string{"fn"}},
	{"lambda-supported-runtime", "go1.x in another case", rawFunction(lambda.FunctionArgs{Runtime: pulumi.String("Go1.x")}), false, []string{"fn"}},
	{"lambda-supported-runtime", "nodejs22.x", rawFunction(lambda.FunctionArgs{Runtime: pulumi.String("nodejs22.x")}), false, nil},
	{"lambda-explicit-memory", "memorySize 0", rawFunction(lambda.FunctionArgs{MemorySize: pulumi.Int(0)}), false, []string{"fn"}},
	{"lambda-explicit-timeout", "timeout 0", rawFunction(lambda.FunctionArgs{Timeout: pulumi.Int(0)}), false, []string{"fn"}},
	{"lambda-tracing", "active in lower case", rawFunction(lambda.FunctionArgs{TracingConfig: lambda.FunctionTracingConfigArgs{Mode: pulumi.String("active")}}), false, []string{"fn"}},
	{"lambda-tracing", "no tracing config", rawFunction(lambda.FunctionArgs{}), false, []string{"fn"}},
	{"api-route-authorization", "jwt in lower case", route(apigatewayv2.RouteArgs{AuthorizationType: pulumi.String("jwt"), AuthorizerId: pulumi.String("a1")}, true), false, []string{"route"}},
	{"api-throttling", "throttling 0", stage(apigatewayv2.StageArgs{DefaultRouteSettings: &apigatewayv2.StageDefaultRouteSettingsArgs{
		ThrottlingBurstLimit: pulumi.Int(0), ThrottlingRateLimit: pulumi.Float64(0)}}), false, []string{"stage", "stage"}},
	{"api-access-logging", "a destination but no format", stage(apigatewayv2.StageArgs{AccessLogSettings: &apigatewayv2.StageAccessLogSettingsArgs{
		DestinationArn: pulumi.String("arn:aws:logs:us-east-1:123456789012:log-group:access")}}), false, []string{"stage"}},
	{"logs-retention", "retention 0 (never expire)", func(ctx *pulumi.Context) error {
		_, err := cloudwatch.NewLogGroup(ctx, "logs", &cloudwatch.LogGroupArgs{RetentionInDays: pulumi.Int(0)})
		return err
	}, false, []string{"logs"}},
	{"logs-retention-year", "180 days in prod", logGroup(180), true, []string{"logs"}},
	{"dynamodb-pitr", "PITR false", rawTable(dynamodb.TableArgs{PointInTimeRecovery: dynamodb.TablePointInTimeRecoveryArgs{Enabled: pulumi.Bool(false)}}), false, []string{"t"}},
	{"kms-key-rotation", "rotation off", func(ctx *pulumi.Context) error {
		_, err := kms.NewKey(ctx, "k", &kms.KeyArgs{EnableKeyRotation: pulumi.Bool(false)})
		return err
	}, false, []string{"k"}},
	{"kms-key-rotation", "an HMAC key, which cannot rotate", func(ctx *pulumi.Context) error {
		_, err := kms.NewKey(ctx, "k", &kms.KeyArgs{CustomerMasterKeySpec: pulumi.String("HMAC_256"), KeyUsage: pulumi.String("GENERATE_VERIFY_MAC")})
		return err
	}, false, nil},
}

func TestAttacks(t *testing.T) {
	// Given programs that try to slip past a rule (or that it must accept)
	runRuleCases(t, attackCases)
}

func TestAPolicyOfInvalidUTF8NeverReachesTheRules(t *testing.T) {
	// Given a policy document with a byte that is not UTF-8, which encoding/json would read
	// as U+FFFD without an error
	doc := "{\"Statement\":[{\"Sid\":\"a\xffb\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}"
	// When a program registers it
	_, err := componenttest.Run(identity(doc))
	// Then the Pulumi SDK refuses to send it, so neither the engine nor the rules ever see it
	require.Error(t, err, "the program fails")
	assert.Contains(t, err.Error(), "non-UTF8", "the SDK names the reason")
}

func TestASuppressionNamesExactlyOneResource(t *testing.T) {
	// Given two functions named "api" (one top-level, one in a component), an API named
	// "api", and none of them traced
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		var c struct{ pulumi.ResourceState }
		if err := ctx.RegisterComponentResource("test:index:Service", "svc", &c); err != nil {
			return err
		}
		for _, opts := range [][]pulumi.ResourceOption{nil, {pulumi.Parent(&c)}} {
			if _, err := lambda.NewFunction(ctx, "api", &lambda.FunctionArgs{Role: pulumi.String(role), Runtime: pulumi.String("provided.al2023")}, opts...); err != nil {
				return err
			}
		}
		_, err := apigatewayv2.NewApi(ctx, "api", &apigatewayv2.ApiArgs{ProtocolType: pulumi.String("HTTP")})
		return err
	})
	res := rec.Resources()
	const fnType = "aws:lambda/function:Function"
	var topLevel string
	for _, r := range rec.ByType(fnType) {
		if r.Parent == "" || !strings.Contains(r.URN, "$") {
			topLevel = r.URN
		}
	}
	require.NotEmpty(t, topLevel, "the top-level function's URN")

	for _, tc := range []struct{ name, resource, want string }{
		{"a bare logical name", "api", `resource "api" is not in the program`},
		{"a URN's tail that is not type::name", "test:index:Service$" + fnType + "::api", `resource "test:index:Service$` + fnType + `::api" is not in the program`},
		{"type::name shared by two resources", fnType + "::api", "it names 2 resources; name one by its URN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// When a suppression of lambda-tracing names the resource so
			_, err := policy.Evaluate(res, policy.Options{Suppressions: []policy.Suppression{{Rule: "lambda-tracing", Resource: tc.resource, Reason: "r"}}})
			// Then it is refused: it would accept the violations of other resources too
			require.Error(t, err, "the suppression is refused")
			assert.Contains(t, err.Error(), tc.want, "the error says why")
		})
	}

	t.Run("the URN of one of them", func(t *testing.T) {
		rep, err := policy.Evaluate(res, policy.Options{Suppressions: []policy.Suppression{{Rule: "lambda-tracing", Resource: topLevel, Reason: "r"}}})
		require.NoError(t, err)
		require.Len(t, rep.Suppressed, 1, "one violation is suppressed")
		assert.Equal(t, topLevel, rep.Suppressed[0].Resource, "the one the URN names")
	})
}

// trusting registers a role "role" whose trust policy is doc.
func trusting(doc string) program {
	return func(ctx *pulumi.Context) error {
		_, err := iam.NewRole(ctx, "role", &iam.RoleArgs{AssumeRolePolicy: pulumi.String(doc)})
		return err
	}
}

// githubTrust is a trust policy for GitHub Actions' OIDC provider under a condition.
func githubTrust(condition string) string {
	return `{"Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},` +
		`"Action":"sts:AssumeRoleWithWebIdentity","Condition":` + condition + `}]}`
}

func TestASuppressionReasonSaysSomething(t *testing.T) {
	// Given a public route
	rec := componenttest.MustRun(t, route(apigatewayv2.RouteArgs{AuthorizationType: pulumi.String("NONE")}, true))
	for _, reason := range []string{" \t\n", "\u200b", "-", "\u00a0."} {
		// When a suppression accepts it with a reason of blanks, invisible characters or
		// punctuation only
		_, err := policy.Evaluate(rec.Resources(), policy.Options{Suppressions: []policy.Suppression{
			policy.PublicRoute("route", reason)}})
		// Then it is refused as giving no reason
		require.Error(t, err, "reason %q is refused", reason)
		assert.Contains(t, err.Error(), "no reason given", "reason %q", reason)
	}
}

// functionURL registers a function "fn" and its URL "fn-url" with an authorization type.
func functionURL(auth string) program {
	return func(ctx *pulumi.Context) error {
		fn, err := lambda.NewFunction(ctx, "fn", &lambda.FunctionArgs{Role: pulumi.String(role), Runtime: pulumi.String("provided.al2023")})
		if err != nil {
			return err
		}
		_, err = lambda.NewFunctionUrl(ctx, "fn-url", &lambda.FunctionUrlArgs{FunctionName: fn.Name, AuthorizationType: pulumi.String(auth)})
		return err
	}
}

func FuzzParseDocument(f *testing.F) {
	for _, seed := range []string{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, `{"Statement":{"Effect":"Deny","\u0045ffect":"Allow"}}`,
		`{"Statement":[[{}]],"Id":null}`, `[]`, `"x"`, `null`, `{"Statement":[{"Effect":"Allow","Condition":{"Bool":{"a":true}}}, 1, "s"]}`, ``} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		// Given any text, when it is parsed as a policy document, then the parser does not
		// panic, and it accepts only what encoding/json reads without a duplicate key
		err := policy.ParseDocumentErr(doc)
		if err != nil {
			return
		}
		var v map[string]any
		if json.Unmarshal([]byte(doc), &v) != nil && strings.TrimSpace(doc) != "null" {
			t.Fatalf("accepted %q, which is no JSON object", doc)
		}
	})
}

func TestRouteAuthorizationMessagesSayWhatIsWrong(t *testing.T) {
	for _, tc := range []struct {
		name, auth, want string
	}{
		{"missing", "", `has no authorizationType (API Gateway's default is NONE)`},
		{"lower case", "jwt", `has authorizationType "jwt", which is none of NONE, JWT, CUSTOM, AWS_IAM`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Given a route whose authorizationType is missing or misspelt
			args := apigatewayv2.RouteArgs{AuthorizerId: pulumi.String("a1")}
			if tc.auth != "" {
				args.AuthorizationType = pulumi.String(tc.auth)
			}
			rec := componenttest.MustRun(t, route(args, true))

			// When the baseline is evaluated
			rep, err := policy.Evaluate(rec.Resources(), policy.Options{})
			require.NoError(t, err)

			// Then the route's violation says which of the two it is
			var msgs []string
			for _, v := range rep.Violations {
				if v.Rule == "api-route-authorization" {
					msgs = append(msgs, v.Message)
				}
			}
			require.Len(t, msgs, 1, "one api-route-authorization violation: %v", rep.Violations)
			assert.Contains(t, msgs[0], tc.want, "the message names the mistake")
		})
	}
}
