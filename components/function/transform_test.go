package function_test

import (
	"errors"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/policy"
)

// full is a function with every kind of child: a grant's policy and a VPC's.
func full(tf function.Transform) *function.Args {
	return &function.Args{
		Package: hello,
		Grants: []grant.Grant{{Name: "send", Statements: []grant.Statement{{Actions: []string{"sqs:SendMessage"},
			Resources: []pulumi.StringInput{pulumi.String("arn:aws:sqs:us-east-1:123456789012:events")}}}}},
		VPC: &function.VPC{SubnetIDs: []pulumi.StringInput{pulumi.String("subnet-0a1")},
			SecurityGroupIDs: []pulumi.StringInput{pulumi.String("sg-0c3")}},
		Transform: tf,
	}
}

func TestEveryChildTakesItsTransform(t *testing.T) {
	// Given a transform for every child, each making a change and noting the names it saw
	seen := map[string][]string{}
	note := func(kind, name string) { seen[kind] = append(seen[kind], name) }
	policyPrefix := func(kind string) func(string, *iam.RolePolicyArgs, *[]pulumi.ResourceOption) error {
		return func(name string, a *iam.RolePolicyArgs, _ *[]pulumi.ResourceOption) error {
			note(kind, name)
			a.NamePrefix = pulumi.String(kind + "-")
			return nil
		}
	}
	layer := "arn:aws:lambda:us-east-1:123456789012:layer:otel:3"
	boundary := "arn:aws:iam::123456789012:policy/boundary"
	tf := function.Transform{
		Function: func(name string, a *lambda.FunctionArgs, _ *[]pulumi.ResourceOption) error {
			note("Function", name)
			a.Layers = pulumi.StringArray{pulumi.String(layer)}
			return nil
		},
		Role: func(name string, a *iam.RoleArgs, opts *[]pulumi.ResourceOption) error {
			note("Role", name)
			a.PermissionsBoundary = pulumi.String(boundary)
			*opts = append(*opts, pulumi.Protect(true))
			return nil
		},
		LoggingPolicy: policyPrefix("LoggingPolicy"),
		GrantPolicy:   policyPrefix("GrantPolicy"),
		VPCPolicy:     policyPrefix("VPCPolicy"),
		LogGroup: func(name string, a *cloudwatch.LogGroupArgs, _ *[]pulumi.ResourceOption) error {
			note("LogGroup", name)
			a.Tags = pulumi.StringMap{"team": pulumi.String("payments")}
			return nil
		},
		Alarm: func(name string, a *cloudwatch.MetricAlarmArgs, _ *[]pulumi.ResourceOption) error {
			note("Alarm", name)
			a.EvaluationPeriods = pulumi.Int(3)
			return nil
		},
	}
	// When the function is made
	rec := run(t, full(tf))

	// Then each transform ran once per child of its kind, with the child's logical name
	assert.Equal(t, map[string][]string{
		"Function": {"api"}, "Role": {"api-role"}, "LoggingPolicy": {"api-logging"}, "GrantPolicy": {"api-send"},
		"VPCPolicy": {"api-vpc-access"}, "LogGroup": {"api-logs"}, "Alarm": {"api-errors", "api-throttles"},
	}, seen)
	// And what each changed is what the mocks recorded
	layers, _ := rec.Must(t, tFunction, "api").Input("layers")
	assert.Equal(t, []any{layer}, layers, "Function: layers")
	role := rec.Must(t, tRole, "api-role")
	assert.Equal(t, boundary, role.InputString("permissionsBoundary"), "Role: permissions boundary")
	assert.True(t, role.Protect, "Role: an option the transform appended")
	for kind, name := range map[string]string{"LoggingPolicy": "api-logging", "GrantPolicy": "api-send", "VPCPolicy": "api-vpc-access"} {
		assert.Equal(t, kind+"-", rec.Must(t, tRolePolicy, name).InputString("namePrefix"), "%s: name prefix", kind)
	}
	assert.Equal(t, "payments", rec.Must(t, tLogGroup, "api-logs").InputString("tags.team"), "LogGroup: tags")
	for _, name := range []string{"api-errors", "api-throttles"} {
		assert.Equal(t, float64(3), rec.Must(t, "aws:cloudwatch/metricAlarm:MetricAlarm", name).MustNumber(t, "evaluationPeriods"), "Alarm: %s", name)
	}
}

func TestTransformsThatWeakenTheBaselineAreCaught(t *testing.T) {
	tests := []struct {
		name     string
		tf       function.Transform
		rule     string
		typ      string
		resource string
	}{
		{"log group kept forever", function.Transform{LogGroup: func(_ string, a *cloudwatch.LogGroupArgs, _ *[]pulumi.ResourceOption) error {
			a.RetentionInDays = nil
			return nil
		}}, "logs-retention", tLogGroup, "api-logs"},
		{"logging policy on every resource", function.Transform{LoggingPolicy: func(_ string, a *iam.RolePolicyArgs, _ *[]pulumi.ResourceOption) error {
			a.Policy = pulumi.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:PutLogEvents"],"Resource":"*"}]}`)
			return nil
		}}, "iam-explicit-resources", tRolePolicy, "api-logging"},
		{"VPC policy deletes any network interface anywhere", function.Transform{VPCPolicy: func(_ string, a *iam.RolePolicyArgs, _ *[]pulumi.ResourceOption) error {
			a.Policy = pulumi.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:DeleteNetworkInterface"],"Resource":"*"}]}`)
			return nil
		}}, "iam-explicit-resources", tRolePolicy, "api-vpc-access"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Given a transform that removes a secure default
			rec := run(t, full(tc.tf))
			// When the baseline checks what was recorded
			var hits []string
			for _, v := range policy.Check(rec.Resources(), policy.Options{}) {
				hits = append(hits, v.Rule+" "+v.Resource)
			}
			// Then it reports that rule on that child, and nothing else
			res := rec.Must(t, tc.typ, tc.resource)
			assert.Equal(t, []string{tc.rule + " " + res.URN}, hits)
		})
	}
}

func TestTransformErrorStopsNewNamingTheChild(t *testing.T) {
	// Given a log group transform that fails
	tf := function.Transform{LogGroup: func(string, *cloudwatch.LogGroupArgs, *[]pulumi.ResourceOption) error {
		return errors.New("retention is set by the platform team")
	}}
	// When the function is made
	rec, err := componenttest.Run(componenttest.Component(function.New, "api", full(tf)))
	// Then New fails naming the child, and registers nothing after it
	require.Error(t, err)
	assert.Contains(t, err.Error(), "transform of api-logs: retention is set by the platform team")
	assert.Empty(t, rec.ByType(tFunction), "no Lambda function")
	assert.Empty(t, rec.ByType(tLogGroup), "no log group")
}
