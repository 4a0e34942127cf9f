package policy_test

import (
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/policy"
)

const routeType = "aws:apigatewayv2/route:Route"

func TestSuppressions(t *testing.T) {
	// Given a public route, which breaks api-route-authorization
	rec := componenttest.MustRun(t, route(apigatewayv2.RouteArgs{AuthorizationType: pulumi.String("NONE")}, true))
	res := rec.Resources()
	urn := rec.Must(t, routeType, "route").URN

	t.Run("a suppression accepts the violation, with its reason", func(t *testing.T) {
		for _, name := range []string{urn, routeType + "::route"} {
			rep, err := policy.Evaluate(res, policy.Options{Suppressions: []policy.Suppression{
				{Rule: "api-route-authorization", Resource: name, Reason: "the health check is public"}}})
			require.NoError(t, err)
			assert.Empty(t, rep.Violations, "no unsuppressed violation (resource named %s)", name)
			require.Len(t, rep.Suppressed, 1, "the suppressed violation is reported")
			assert.Equal(t, "api-route-authorization", rep.Suppressed[0].Rule)
			assert.Equal(t, urn, rep.Suppressed[0].Resource)
			assert.Equal(t, "the health check is public", rep.Suppressed[0].Suppression, "with the suppression's reason")
			assert.Empty(t, rep.Unused, "the suppression was used")
		}
	})

	t.Run("a suppression of a compliant resource is unused", func(t *testing.T) {
		s := policy.Suppression{Rule: "api-route-integration", Resource: urn, Reason: "once, the route had no integration"}
		rep, err := policy.Evaluate(res, policy.Options{Suppressions: []policy.Suppression{s}})
		require.NoError(t, err)
		assert.Equal(t, []policy.Suppression{s}, rep.Unused, "reported as unused")
		assert.Len(t, rep.Violations, 1, "the route's authorization is still reported")
	})

	mistakes := []struct {
		name string
		s    policy.Suppression
		want string
	}{
		{"unknown rule", policy.Suppression{Rule: "no-such-rule", Resource: urn, Reason: "r"},
			`suppression of no-such-rule on "` + urn + `": rule "no-such-rule" is no rule of the baseline`},
		{"unknown resource", policy.Suppression{Rule: "api-route-authorization", Resource: routeType + "::elsewhere", Reason: "r"},
			`suppression of api-route-authorization on "` + routeType + `::elsewhere": resource "` + routeType + `::elsewhere" is not in the program`},
		{"no reason", policy.Suppression{Rule: "api-route-authorization", Resource: urn, Reason: "  "},
			`suppression of api-route-authorization on "` + urn + `": no reason given`},
		{"a rule that never looks at the resource's type", policy.Suppression{Rule: "s3-tls-only", Resource: urn, Reason: "r"},
			`suppression of s3-tls-only on "` + urn + `": rule s3-tls-only looks only at aws:s3/bucketV2:BucketV2, aws:s3/bucketPolicy:BucketPolicy, not at ` + routeType + `, so it can never match`},
	}
	for _, tc := range mistakes {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policy.Evaluate(res, policy.Options{Suppressions: []policy.Suppression{tc.s}})
			require.Error(t, err, "the suppression is refused")
			assert.Equal(t, tc.want, err.Error(), "the error names the suppression and the mistake")
			assert.Equal(t, []policy.Violation{{Rule: "suppression", Severity: policy.Critical, Message: tc.want}},
				policy.Check(res, policy.Options{Suppressions: []policy.Suppression{tc.s}}), "Check reports it as a violation")
		})
	}

	t.Run("a duplicate", func(t *testing.T) {
		s := policy.Suppression{Rule: "api-route-authorization", Resource: urn, Reason: "r"}
		_, err := policy.Evaluate(res, policy.Options{Suppressions: []policy.Suppression{s, s}})
		require.Error(t, err)
		assert.Equal(t, `suppression of api-route-authorization on "`+urn+`": it repeats an earlier suppression of the same rule and resource`, err.Error())
	})

	t.Run("every mistake at once", func(t *testing.T) {
		var ss []policy.Suppression
		for _, tc := range mistakes {
			ss = append(ss, tc.s)
		}
		got := policy.Check(res, policy.Options{Suppressions: ss})
		assert.Len(t, got, len(mistakes), "one violation per mistake")
	})
}
