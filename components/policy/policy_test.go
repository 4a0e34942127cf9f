package policy_test

import (
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/policy"
	"github.com/groundwork-dev/groundwork/components/storage"
)

func rules(vs []policy.Violation) map[string]int {
	out := map[string]int{}
	for _, v := range vs {
		out[v.Rule]++
	}
	return out
}

func TestCompliantComponentsPass(t *testing.T) {
	// Given the platform's own components, protected
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		if _, err := storage.NewTable(ctx, "records", &storage.TableArgs{Attributes: map[string]storage.AttributeType{"pk": storage.String}, HashKey: "pk"}, pulumi.Protect(true)); err != nil {
			return err
		}
		if _, err := storage.NewBucket(ctx, "archive", nil, pulumi.Protect(true)); err != nil {
			return err
		}
		_, err := function.New(ctx, "api", &function.Args{Package: "./components/function/testdata/hello"})
		return err
	})
	// Then the baseline finds nothing, even with protection required
	assert.Empty(t, policy.Check(rec.Resources(), policy.Options{RequireProtect: true}))
}

func TestViolationsAreFound(t *testing.T) {
	// Given raw resources that break each rule
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		role, err := iam.NewRole(ctx, "r", &iam.RoleArgs{AssumeRolePolicy: pulumi.String(`{}`)})
		if err != nil {
			return err
		}
		if _, err := iam.NewRolePolicy(ctx, "too-wide", &iam.RolePolicyArgs{Role: role.Name, Policy: pulumi.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":"*"},{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"queue"},{"Effect":"Allow","Action":["s3:Get*"],"Resource":["arn:aws:s3:::b/*"]}]}`)}); err != nil {
			return err
		}
		if _, err := iam.NewRolePolicyAttachment(ctx, "managed", &iam.RolePolicyAttachmentArgs{Role: role.Name,
			PolicyArn: pulumi.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
			return err
		}
		fn, err := lambda.NewFunction(ctx, "fn", &lambda.FunctionArgs{Role: role.Arn})
		if err != nil {
			return err
		}
		api, err := apigatewayv2.NewApi(ctx, "api", &apigatewayv2.ApiArgs{ProtocolType: pulumi.String("HTTP")})
		if err != nil {
			return err
		}
		if _, err := apigatewayv2.NewRoute(ctx, "orphan", &apigatewayv2.RouteArgs{ApiId: api.ID(), RouteKey: pulumi.String("GET /x"),
			Target: pulumi.String("integrations/none")}); err != nil {
			return err
		}
		if _, err := lambda.NewPermission(ctx, "open", &lambda.PermissionArgs{Function: fn.Name, Action: pulumi.String("lambda:InvokeFunction"),
			Principal: pulumi.String("apigateway.amazonaws.com"), SourceArn: pulumi.String("arn:aws:execute-api:us-east-1:123456789012:other/*/*")}); err != nil {
			return err
		}
		if _, err := dynamodb.NewTable(ctx, "bare", &dynamodb.TableArgs{HashKey: pulumi.String("pk")}); err != nil {
			return err
		}
		_, err = s3.NewBucketV2(ctx, "naked", &s3.BucketV2Args{})
		return err
	})

	// Then each rule reports it
	got := rules(policy.Check(rec.Resources(), policy.Options{RequireProtect: true}))
	assert.Equal(t, 2, got["iam-explicit-actions"], "s3:* and the partial wildcard s3:Get* are reported")
	assert.Equal(t, 2, got["iam-explicit-resources"], "s3:* on * and a resource that is no ARN")
	assert.Equal(t, 1, got["iam-no-managed-policies"], "managed policy attachment")
	assert.Equal(t, 1, got["api-route-integration"], "route without integration")
	assert.Equal(t, 1, got["api-route-authorization"], "route without authorization decision")
	assert.Equal(t, 1, got["lambda-permission-scoped"], "permission for another API")
	assert.Equal(t, 4, got["alarms"], "function Errors and Throttles, API 5xx and Latency")
	assert.Equal(t, 2, got["table-baseline"], "no PITR, no SSE")
	assert.Equal(t, 4, got["bucket-baseline"], "no public access block, SSE, ownership, TLS policy")
	assert.Equal(t, 2, got["protect-stateful"], "table and bucket unprotected")
}
