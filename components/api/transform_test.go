package api_test

import (
	"errors"
	"slices"
	"sort"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/api"
	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/policy"
)

// everyChild is Args with every kind of child: two functions, a JWT and a Lambda authorizer,
// a domain with its DNS record.
func everyChild(f fns, tf api.Transform) *api.Args {
	return &api.Args{
		JWTAuthorizers:    map[string]api.JWTAuthorizer{"users": {Issuer: issuer, Audiences: []string{"web"}}},
		LambdaAuthorizers: map[string]api.LambdaAuthorizer{"partners": {Function: f.writer}},
		Routes: []api.Route{
			{Method: "GET", Path: "/v1/inquiries/{id}", Function: f.reader, Authorizer: "users"},
			{Method: "POST", Path: "/v1/inquiries", Function: f.writer, Authorizer: "partners"},
			{Method: "GET", Path: "/healthz", Function: f.reader, Public: true},
		},
		Domain: &api.Domain{Name: "api.example.com", CertificateARN: pulumi.String("arn:aws:acm:us-east-1:123456789012:certificate/abc"),
			ZoneID: pulumi.String("Z123")},
		Transform: tf,
	}
}

// names records the logical names a transform saw.
type names map[string][]string

func (n names) saw(kind, name string) { n[kind] = append(n[kind], name) }

func TestAPITransforms(t *testing.T) {
	// Given a transform for every kind of child, each setting what Args has no field for
	seen := names{}
	tf := api.Transform{
		HTTPAPI: func(name string, a *apigatewayv2.ApiArgs, _ *[]pulumi.ResourceOption) error {
			seen.saw("api", name)
			a.IpAddressType = pulumi.String("dualstack")
			return nil
		},
		Stage: func(name string, a *apigatewayv2.StageArgs, opts *[]pulumi.ResourceOption) error {
			seen.saw("stage", name)
			a.StageVariables = pulumi.StringMap{"environment": pulumi.String("test")}
			*opts = append(*opts, pulumi.IgnoreChanges([]string{"deploymentId"}))
			return nil
		},
		Integration: func(name string, a *apigatewayv2.IntegrationArgs, _ *[]pulumi.ResourceOption) error {
			seen.saw("integration", name)
			a.TimeoutMilliseconds = pulumi.Int(5000)
			return nil
		},
		Permission: func(name string, a *lambda.PermissionArgs, _ *[]pulumi.ResourceOption) error {
			seen.saw("permission", name)
			a.SourceAccount = pulumi.String(componenttest.Account)
			return nil
		},
		Route: func(name string, a *apigatewayv2.RouteArgs, _ *[]pulumi.ResourceOption) error {
			seen.saw("route", name)
			a.OperationName = pulumi.String(name)
			return nil
		},
		Authorizer: func(name string, a *apigatewayv2.AuthorizerArgs, _ *[]pulumi.ResourceOption) error {
			seen.saw("authorizer", name)
			a.Name = pulumi.String(name + "-authorizer")
			return nil
		},
		LogGroup: func(name string, a *cloudwatch.LogGroupArgs, _ *[]pulumi.ResourceOption) error {
			seen.saw("log group", name)
			a.KmsKeyId = pulumi.String("arn:aws:kms:us-east-1:123456789012:key/logs")
			return nil
		},
		DomainName: func(name string, a *apigatewayv2.DomainNameArgs, _ *[]pulumi.ResourceOption) error {
			seen.saw("domain", name)
			a.Tags = pulumi.StringMap{"team": pulumi.String("web")}
			return nil
		},
		APIMapping: func(name string, a *apigatewayv2.ApiMappingArgs, _ *[]pulumi.ResourceOption) error {
			seen.saw("mapping", name)
			a.ApiMappingKey = pulumi.String("inquiries")
			return nil
		},
		DNSRecord: func(name string, a *route53.RecordArgs, _ *[]pulumi.ResourceOption) error {
			seen.saw("dns", name)
			a.AllowOverwrite = pulumi.Bool(true)
			return nil
		},
		Alarm: func(name string, a *cloudwatch.MetricAlarmArgs, _ *[]pulumi.ResourceOption) error {
			seen.saw("alarm", name)
			if name == "http-latency-p99" {
				a.DatapointsToAlarm = pulumi.Int(2)
			}
			return nil
		},
	}
	rec, _ := mustRun(t, func(f fns) *api.Args { return everyChild(f, tf) })

	// Then each transform ran once per child of its kind, with the child's logical name
	for kind := range seen {
		sort.Strings(seen[kind])
	}
	assert.Equal(t, names{
		"api":         {"http"},
		"stage":       {"http"},
		"integration": {"http-reader", "http-writer"},
		"permission":  {"http-partners-authorizer-invoke", "http-reader-invoke", "http-writer-invoke"},
		"route":       {"http-GET /healthz", "http-GET /v1/inquiries/{id}", "http-POST /v1/inquiries"},
		"authorizer":  {"http-partners", "http-users"},
		"log group":   {"http-access-logs"},
		"domain":      {"http-domain"},
		"mapping":     {"http-mapping"},
		"dns":         {"http-dns"},
		"alarm":       {"http-5xx", "http-latency-p99"},
	}, seen, "transforms by kind of child, with the names they saw")

	// And the recorded resources carry each change, as they would deploy
	assert.Equal(t, "dualstack", rec.Must(t, tApi, "http").InputString("ipAddressType"), "the API's IP address type")
	stage := rec.Must(t, tStage, "http")
	assert.Equal(t, "test", stage.InputString("stageVariables.environment"), "the stage's variables")
	assert.Equal(t, []string{"deploymentId"}, stage.IgnoreChanges, "an option a transform appended")
	for _, fn := range []string{"reader", "writer"} {
		assert.Equal(t, float64(5000), rec.Must(t, tIntegration, "http-"+fn).MustNumber(t, "timeoutMilliseconds"), "%s integration timeout", fn)
	}
	for _, p := range seen["permission"] {
		assert.Equal(t, componenttest.Account, rec.Must(t, tPermission, p).InputString("sourceAccount"), "%s source account", p)
	}
	for _, r := range seen["route"] {
		assert.Equal(t, r, rec.Must(t, tRoute, r).InputString("operationName"), "%s operation name", r)
	}
	for _, a := range seen["authorizer"] {
		assert.Equal(t, a+"-authorizer", rec.Must(t, tAuthorizer, a).InputString("name"), "%s name", a)
	}
	assert.Equal(t, "arn:aws:kms:us-east-1:123456789012:key/logs", rec.Must(t, tLogGroup, "http-access-logs").InputString("kmsKeyId"), "log group key")
	assert.Equal(t, "web", rec.Must(t, tDomain, "http-domain").InputString("tags.team"), "domain tags")
	assert.Equal(t, "inquiries", rec.Must(t, tMapping, "http-mapping").InputString("apiMappingKey"), "mapping key")
	overwrite, _ := rec.Must(t, tRecord, "http-dns").Input("allowOverwrite")
	assert.Equal(t, true, overwrite, "DNS record overwrite")
	assert.Equal(t, float64(2), rec.Must(t, tAlarm, "http-latency-p99").MustNumber(t, "datapointsToAlarm"), "latency alarm datapoints")
	_, set := rec.Must(t, tAlarm, "http-5xx").Input("datapointsToAlarm")
	assert.False(t, set, "the 5xx alarm, which the transform left alone")
}

// A transform may weaken a secure default; the baseline sees what it did.
func TestAPITransformWeakeningIsCaught(t *testing.T) {
	tests := []struct {
		name string
		tf   api.Transform
		rule string
		on   string
	}{
		{"permission for every API in the account", api.Transform{Permission: func(_ string, a *lambda.PermissionArgs, _ *[]pulumi.ResourceOption) error {
			a.SourceArn = nil
			return nil
		}}, "lambda-permission-scoped", "http-reader-invoke"},
		{"route without an authorization decision", api.Transform{Route: func(name string, a *apigatewayv2.RouteArgs, _ *[]pulumi.ResourceOption) error {
			if name == "http-GET /v1/inquiries/{id}" {
				a.AuthorizerId = nil
			}
			return nil
		}}, "api-route-authorization", "http-GET /v1/inquiries/{id}"},
		{"access logs kept forever", api.Transform{LogGroup: func(_ string, a *cloudwatch.LogGroupArgs, _ *[]pulumi.ResourceOption) error {
			a.RetentionInDays = nil
			return nil
		}}, "logs-retention", "http-access-logs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Given a transform that removes a secure default
			rec, _ := mustRun(t, func(f fns) *api.Args { return everyChild(f, tc.tf) })
			// When the baseline checks the recorded resources
			violations := policy.Check(rec.Resources(), policy.Options{})
			// Then it reports the rule on the transformed child
			assert.True(t, slices.ContainsFunc(violations, func(v policy.Violation) bool {
				return v.Rule == tc.rule && v.Resource == urnOf(rec, tc.on)
			}), "%s on %s in %v", tc.rule, tc.on, violations)
		})
	}
}

// urnOf is the URN of the only resource with a logical name.
func urnOf(rec *componenttest.Recorder, name string) string {
	r, _ := rec.Named(name)
	return r.URN
}

func TestAPITransformError(t *testing.T) {
	for _, mode := range componenttest.Modes {
		t.Run(mode.Name, func(t *testing.T) {
			// Given a route transform that fails for one route
			boom := errors.New("boom")
			_, _, err := run(func(f fns) *api.Args {
				return &api.Args{Routes: publicRoutes(f), Transform: api.Transform{
					Route: func(name string, _ *apigatewayv2.RouteArgs, _ *[]pulumi.ResourceOption) error {
						if name == "http-POST /v1/inquiries" {
							return boom
						}
						return nil
					},
				}}
			}, mode.Options...)
			// Then New stops with the error, naming the component and the child
			require.ErrorIs(t, err, boom)
			assert.Contains(t, err.Error(), `api "http": transform of http-POST /v1/inquiries: boom`)
		})
	}
}

func TestAPITransformErrorStopsRegistration(t *testing.T) {
	// Given a stage transform that fails
	var c *api.API
	rec, err := componenttest.Run(func(ctx *pulumi.Context) error {
		fn, err := function.New(ctx, "reader", &function.Args{Package: hello})
		if err != nil {
			return err
		}
		c, err = api.New(ctx, "http", &api.Args{
			Routes: []api.Route{{Method: "GET", Path: "/x", Function: fn, Public: true}},
			Transform: api.Transform{Stage: func(string, *apigatewayv2.StageArgs, *[]pulumi.ResourceOption) error {
				return errors.New("no stage today")
			}},
		})
		return err
	})
	// Then no stage and nothing after it is registered
	require.ErrorContains(t, err, `api "http": transform of http: no stage today`)
	assert.Nil(t, c, "no component is returned")
	assert.Empty(t, rec.ByType(tStage), "no stage")
	for _, a := range rec.ByType(tAlarm) {
		assert.NotContains(t, a.Name, "http-", "no API alarm after the failed stage: %s", a.Name)
	}
}
