package stacks_test

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/policy"
	"github.com/groundwork-dev/groundwork/internal/httpapi"
	"github.com/groundwork-dev/groundwork/stacks"
)

const (
	tBucket   = "aws:s3/bucketV2:BucketV2"
	tTable    = "aws:dynamodb/table:Table"
	tFunction = "aws:lambda/function:Function"
	tLogGroup = "aws:cloudwatch/logGroup:LogGroup"
	tProvider = "pulumi:providers:aws"
)

func projectDir(t testing.TB) string {
	t.Helper()
	dir, err := componenttest.FindProjectDir(".")
	require.NoError(t, err)
	return dir
}

// runStack runs the program with the real stacks/Pulumi.<env>.yaml, or skips the test when
// that file has config mistakes (TestStackFiles reports them, once).
func runStack(t *testing.T, env string, opts ...componenttest.Option) *componenttest.Recorder {
	t.Helper()
	requireValidConfig(t, env)
	return componenttest.MustRun(t, stacks.Program, append([]componenttest.Option{componenttest.StackConfig(projectDir(t), env)}, opts...)...)
}

// expect is one property of one resource the stack must have.
type expect struct {
	typ, name, path string
	want            any
}

func TestProdStack(t *testing.T) {
	// Given the real prod stack file
	rec := runStack(t, "prod")
	bucket := rec.Must(t, tBucket, "archive")
	arn := bucket.Outputs["arn"].StringValue()

	// Then the archive bucket, the table and the functions have every secure default
	for _, e := range []expect{
		{"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "archive-sse", "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm", "AES256"},
		{"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "archive-public-access", "blockPublicAcls", true},
		{"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "archive-public-access", "blockPublicPolicy", true},
		{"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "archive-public-access", "ignorePublicAcls", true},
		{"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "archive-public-access", "restrictPublicBuckets", true},
		{"aws:s3/bucketOwnershipControls:BucketOwnershipControls", "archive-ownership", "rule.objectOwnership", "BucketOwnerEnforced"},
		{"aws:s3/bucketVersioningV2:BucketVersioningV2", "archive-versioning", "versioningConfiguration.status", "Enabled"},
		{"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "archive-lifecycle", "rules[0].abortIncompleteMultipartUpload.daysAfterInitiation", float64(7)},
		{"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "archive-lifecycle", "rules[1].noncurrentVersionExpiration.noncurrentDays", float64(30)},
		{tBucket, "archive", "forceDestroy", false},
		{tBucket, "archive", "tags." + policy.AccessLoggingOffTag, stacks.ArchiveAccessLoggingOff},
		{tTable, "inquiries", "pointInTimeRecovery.enabled", true},
		{tTable, "inquiries", "serverSideEncryption.enabled", true},
		{tTable, "inquiries", "deletionProtectionEnabled", true},
		{tTable, "inquiries", "billingMode", "PAY_PER_REQUEST"},
		{tTable, "inquiries", "hashKey", "pk"},
		{tTable, "inquiries", "ttl.attributeName", "ttl"},
		{tFunction, "api", "runtime", "provided.al2023"},
		{tFunction, "api", "architectures[0]", "arm64"},
		{tFunction, "api", "tracingConfig.mode", "Active"},
		{tFunction, "api", "loggingConfig.logFormat", "JSON"},
		{tFunction, "events-consumer", "runtime", "provided.al2023"},
		{tFunction, "events-consumer", "architectures[0]", "arm64"},
		{tFunction, "events-consumer", "tracingConfig.mode", "Active"},
		{tLogGroup, "api-logs", "retentionInDays", float64(365)},
		{tLogGroup, "events-consumer-logs", "retentionInDays", float64(365)},
		{tLogGroup, "http-access-logs", "retentionInDays", float64(365)},
	} {
		r := rec.Must(t, e.typ, e.name)
		got, _ := r.Input(e.path)
		assert.Equal(t, e.want, got, "%s %s %s", e.typ, e.name, e.path)
		if strings.HasPrefix(r.Type, "aws:s3/") && r.Type != tBucket {
			assert.Equal(t, bucket.ID, r.InputString("bucket"), "%s applies to the archive bucket", r.Type)
		}
	}

	// And the bucket policy refuses requests without TLS
	pol := rec.Must(t, "aws:s3/bucketPolicy:BucketPolicy", "archive-policy")
	doc := pol.MustPolicy(t, "policy")
	require.Len(t, doc.Statement, 1)
	assert.Equal(t, "Deny", doc.Statement[0].Effect)
	assert.Equal(t, []any{arn, arn + "/*"}, doc.Statement[0].Resource)
	assert.Equal(t, map[string]map[string]any{"Bool": {"aws:SecureTransport": "false"}}, doc.Statement[0].Condition)

	// And stateful resources, with all their children, are protected; functions are not
	for _, comp := range []string{"groundwork:bucket:Bucket", "groundwork:table:Table"} {
		c := rec.One(t, comp)
		assert.True(t, c.Protect, "%s protected", comp)
		for _, child := range rec.Descendants(c.URN) {
			assert.True(t, child.Protect, "%s %s protected", child.Type, child.Name)
		}
	}
	for _, fn := range rec.ByType(tFunction) {
		assert.False(t, fn.Protect, "function %s is replaceable", fn.Name)
	}

	// And the functions get the names they need
	tbl := rec.Must(t, tTable, "inquiries")
	q := rec.Must(t, "aws:sqs/queue:Queue", "events")
	api := rec.Must(t, tFunction, "api")
	worker := rec.Must(t, tFunction, "events-consumer")
	assert.Equal(t, tbl.ID, api.InputString("environment.variables.TABLE_NAME"))
	assert.Equal(t, q.Outputs["url"].StringValue(), api.InputString("environment.variables.QUEUE_URL"))
	assert.Equal(t, tbl.ID, worker.InputString("environment.variables.TABLE_NAME"))
	assert.Equal(t, bucket.ID, worker.InputString("environment.variables.BUCKET_NAME"))
}

func TestDevStack(t *testing.T) {
	rec := runStack(t, "dev")
	for _, lg := range rec.ByType(tLogGroup) {
		days, _ := lg.Input("retentionInDays")
		assert.Equal(t, float64(7), days, "dev log retention of %s", lg.Name)
	}
	for _, r := range rec.Resources() {
		assert.False(t, r.Protect, "%s %s not protected in dev", r.Type, r.Name)
	}
	dp, _ := rec.Must(t, tTable, "inquiries").Input("deletionProtectionEnabled")
	assert.Equal(t, false, dp, "dev tables may be deleted")
	fd, _ := rec.Must(t, tBucket, "archive").Input("forceDestroy")
	assert.Equal(t, true, fd, "dev buckets may be destroyed with their objects")
	assert.Empty(t, rec.ByType("aws:apigatewayv2/authorizer:Authorizer"), "dev says publicReads: no authorizer")
	assert.Empty(t, rec.ByType("aws:sns/topicSubscription:TopicSubscription"), "no alarm email in dev")
}

func TestStagingStack(t *testing.T) {
	rec := runStack(t, "staging")
	for _, lg := range rec.ByType(tLogGroup) {
		days, _ := lg.Input("retentionInDays")
		assert.Equal(t, float64(30), days, "staging log retention of %s", lg.Name)
	}
	fd, _ := rec.Must(t, tBucket, "archive").Input("forceDestroy")
	assert.Equal(t, false, fd, "staging buckets keep their objects")
	assert.False(t, rec.One(t, "groundwork:table:Table").Protect, "staging is not protected")
}

func TestEveryStackMeetsTheBaseline(t *testing.T) {
	for _, env := range envs {
		for _, mode := range componenttest.Modes {
			t.Run(env+"/"+mode.Name, func(t *testing.T) {
				// Given the stack as its file configures it, as `pulumi up` or `pulumi
				// preview` (outputs of resources still to be created unknown) runs it
				rec := runStack(t, env, mode.Options...)
				tier := stacks.Dev
				switch env {
				case "staging":
					tier = stacks.Staging
				case "prod":
					tier = stacks.Prod
				}
				// When the baseline of its tier is evaluated, with the program's suppressions
				rep, err := policy.Evaluate(rec.Resources(), stacks.Baseline(tier))
				require.NoError(t, err, "the suppressions are valid")
				// Then no violation is left unsuppressed, and every suppression is still
				// needed (an undecided outcome a suppression names uses it)
				for _, v := range rep.Violations {
					t.Errorf("baseline: %s", v)
				}
				for _, s := range rep.Unused {
					t.Errorf("suppression of %s on %s is unused: the resource complies, remove it", s.Rule, s.Resource)
				}
				// And an update decides every rule; a preview leaves undecided only what
				// reads values not known yet
				if mode.Name == "update" {
					assert.Empty(t, rep.Undecided, "undecided outcomes in an update")
				} else {
					assert.NotEmpty(t, rep.Undecided, "undecided outcomes in a preview: the ARNs the policies are built from are unknown")
				}
			})
		}
	}
}

func TestEveryAlarmNotifiesTheTopic(t *testing.T) {
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			rec := runStack(t, env)
			topic := rec.One(t, "aws:sns/topic:Topic").Outputs["arn"].StringValue()
			alarms := rec.ByType("aws:cloudwatch/metricAlarm:MetricAlarm")
			// api: errors, throttles; worker: errors, throttles; API: 5xx, latency; queue: age, DLQ
			assert.Len(t, alarms, 8, "two alarms each for two functions, the API and the queue")
			for _, a := range alarms {
				actions, _ := a.Input("alarmActions")
				assert.Equal(t, []any{topic}, actions, "%s notifies the stack's topic", a.Name)
				ok, _ := a.Input("okActions")
				assert.Equal(t, []any{topic}, ok, "%s notifies recovery", a.Name)
			}
			subs := rec.ByType("aws:sns/topicSubscription:TopicSubscription")
			if env == "dev" {
				assert.Empty(t, subs, "dev names no alarm email")
				return
			}
			require.Len(t, subs, 1, "the alarm email is subscribed")
			assert.Equal(t, "platform-oncall@groundwork.dev", subs[0].InputString("endpoint"), "email from the stack file")
			assert.Equal(t, "email", subs[0].InputString("protocol"))
			assert.Equal(t, topic, subs[0].InputString("topic"))
		})
	}
}

func TestRoutesAndAuthorization(t *testing.T) {
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			rec := runStack(t, env)
			gw := rec.One(t, "aws:apigatewayv2/api:Api")
			integ := rec.One(t, "aws:apigatewayv2/integration:Integration")
			apiFn := rec.Must(t, tFunction, "api")
			assert.Equal(t, apiFn.Outputs["invokeArn"].StringValue(), integ.InputString("integrationUri"), "the integration calls the api function")
			assert.Equal(t, "2.0", integ.InputString("payloadFormatVersion"))

			// Every route of the service's table is an API route with an integration and an
			// authorization decision
			routes := map[string]componenttest.Resource{}
			for _, r := range rec.ByType("aws:apigatewayv2/route:Route") {
				routes[r.InputString("routeKey")] = r
			}
			require.Len(t, routes, len(httpapi.Routes)+1, "one API route per service route, and $default")
			def, ok := routes["$default"]
			require.True(t, ok, "a $default route")
			assert.Equal(t, "integrations/"+integ.ID, def.InputString("target"), "$default goes to the api function, which answers 404 and 405 problems")
			assert.Equal(t, "NONE", def.InputString("authorizationType"), "$default is public: it serves only errors")
			var authz componenttest.Resource
			if env != "dev" {
				authz = rec.One(t, "aws:apigatewayv2/authorizer:Authorizer")
				assert.Equal(t, "https://auth.groundwork.dev/", authz.InputString("jwtConfiguration.issuer"), "issuer from the stack file")
				aud, _ := authz.Input("jwtConfiguration.audiences")
				assert.Equal(t, []any{"groundwork-api"}, aud, "audiences from the stack file")
			}
			for _, sr := range httpapi.Routes {
				key := sr.Method + " " + sr.Path
				r, ok := routes[key]
				require.True(t, ok, "route %s", key)
				assert.Equal(t, "integrations/"+integ.ID, r.InputString("target"), "%s is integrated", key)
				switch {
				case sr.Public || env == "dev":
					assert.Equal(t, "NONE", r.InputString("authorizationType"), "%s is public", key)
				default:
					assert.Equal(t, "JWT", r.InputString("authorizationType"), "%s needs a token", key)
					assert.Equal(t, authz.ID, r.InputString("authorizerId"), "%s uses the stack's authorizer", key)
				}
				scopes, hasScopes := r.Input("authorizationScopes")
				if !sr.Public && env != "dev" {
					assert.Equal(t, []any{"groundwork-api/inquiries.read"}, scopes, "%s needs the read scope from the stack file", key)
				} else {
					assert.False(t, hasScopes, "%s requires no scope", key)
				}
			}
			_, defScopes := def.Input("authorizationScopes")
			assert.False(t, defScopes, "$default requires no scope")

			// And the Lambda permission names this API's execution ARN
			perm := rec.One(t, "aws:lambda/permission:Permission")
			assert.Equal(t, gw.Outputs["executionArn"].StringValue()+"/*/*", perm.InputString("sourceArn"), "permission scoped to the API")
			assert.Equal(t, "apigateway.amazonaws.com", perm.InputString("principal"))
		})
	}
}

func TestOrderingForAFirstUp(t *testing.T) {
	rec := runStack(t, "prod")
	for _, fn := range []string{"api", "events-consumer"} {
		f := rec.Must(t, tFunction, fn)
		assert.True(t, f.DependsOnURN(rec.Must(t, tLogGroup, fn+"-logs").URN), "%s waits for its log group", fn)
	}
	pol := rec.Must(t, "aws:s3/bucketPolicy:BucketPolicy", "archive-policy")
	assert.True(t, pol.DependsOnURN(rec.Must(t, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "archive-public-access").URN), "bucket policy waits for the public access block")
	assert.True(t, pol.DependsOnURN(rec.Must(t, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "archive-ownership").URN), "bucket policy waits for the ownership controls")
	esm := rec.One(t, "aws:lambda/eventSourceMapping:EventSourceMapping")
	assert.True(t, esm.DependsOnURN(rec.Must(t, "aws:iam/rolePolicy:RolePolicy", "events-consumer-events-consume").URN), "the mapping waits for the consumer's consume policy")
}

func TestStackOutputs(t *testing.T) {
	requireValidConfig(t, "prod")
	var out map[string]pulumi.StringOutput
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		p, err := stacks.New(ctx)
		if err != nil {
			return err
		}
		out = p.Outputs()
		return nil
	}, componenttest.StackConfig(projectDir(t), "prod"))
	got := map[string]string{}
	for k, v := range out {
		got[k] = await(t, v)
	}
	gw := rec.One(t, "aws:apigatewayv2/api:Api")
	assert.Equal(t, map[string]string{
		"apiUrl":        gw.Outputs["apiEndpoint"].StringValue(),
		"tableName":     rec.Must(t, tTable, "inquiries").ID,
		"bucketName":    rec.Must(t, tBucket, "archive").ID,
		"queueName":     rec.Must(t, "aws:sqs/queue:Queue", "events").Outputs["name"].StringValue(),
		"dlqName":       rec.Must(t, "aws:sqs/queue:Queue", "events-dlq").Outputs["name"].StringValue(),
		"alarmTopicArn": rec.One(t, "aws:sns/topic:Topic").Outputs["arn"].StringValue(),
	}, got)
}

// await reads a resolved output's value.
func await(t *testing.T, o pulumi.StringOutput) string {
	t.Helper()
	ch := make(chan string, 1)
	o.ApplyT(func(v string) string { ch <- v; return v })
	return <-ch
}

func TestEveryResourceUsesTheTaggedProvider(t *testing.T) {
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			rec := runStack(t, env)
			p := rec.One(t, tProvider)
			assert.Equal(t, "eu-west-1", p.InputString("region"), "region from aws:region")
			tags, _ := p.Input("defaultTags.tags")
			want := map[string]any{"environment": env, "project": "groundwork", "managed-by": "pulumi", "owner": "platform-team"}
			if env != "dev" {
				want["cost-center"] = "cc-platform"
			}
			assert.Equal(t, want, tags, "default tags")
			ref := p.URN + "::" + p.ID
			for _, r := range rec.Resources() {
				if r.Custom && r.Type != tProvider {
					assert.Equal(t, ref, r.Provider, "%s %s uses the explicit provider", r.Type, r.Name)
				}
			}
			// Invokes too: with pulumi:disable-default-providers, one that fell back to the
			// default provider would fail the deployment.
			require.NotEmpty(t, rec.Invokes(), "the alarm topic asks for the account id")
			for _, inv := range rec.Invokes() {
				assert.Equal(t, ref, inv.Provider, "invoke %s uses the explicit provider", inv.Token)
			}
		})
	}
}

func TestStacksPreview(t *testing.T) {
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			rec := runStack(t, env, componenttest.Preview())
			assert.Len(t, rec.ByType(tFunction), 2, "api and worker planned")
			assert.Len(t, rec.ByType("aws:apigatewayv2/route:Route"), len(httpapi.Routes)+1, "routes planned")
			assert.Empty(t, rec.Must(t, tTable, "inquiries").ID, "no ids in preview")
			_, known := rec.Must(t, tFunction, "api").Input("environment.variables.TABLE_NAME")
			assert.False(t, known, "the table name is unknown in preview")
		})
	}
}

func TestConfigErrors(t *testing.T) {
	base := map[string]string{"aws:region": "eu-west-1"}
	const auth = `"auth":{"issuer":"https://id.example.com/","audiences":["api"],"readScope":"api/read"}`
	tests := []struct {
		name     string
		platform string
		extra    map[string]string
		want     []string
	}{
		{"unknown key", `{"tier":"prod","ownr":"x",` + auth + `}`, nil, []string{"stacks/Pulumi.prod.yaml", "groundwork:platform.ownr", "unknown key"}},
		{"wrong type", `{"tier":"prod","logRetentionDays":"long",` + auth + `}`, nil, []string{"stacks/Pulumi.prod.yaml", "groundwork:platform.logRetentionDays", "want a number, got a string"}},
		{"retention CloudWatch rejects", `{"tier":"prod","logRetentionDays":42,` + auth + `}`, nil, []string{"stacks/Pulumi.prod.yaml", "groundwork:platform.logRetentionDays", "42 days is not a retention"}},
		{"unknown tier", `{"tier":"qa",` + auth + `}`, nil, []string{"groundwork:platform.tier", `"qa"`}},
		{"not an object", `"prod"`, nil, []string{"groundwork:platform", "want a mapping"}},
		{"bad account id", `{"accountId":"12",` + auth + `}`, nil, []string{"groundwork:platform.accountId"}},
		{"no issuer", `{"tier":"prod"}`, nil, []string{"groundwork:platform.auth.issuer", "missing"}},
		{"no audiences", `{"tier":"prod","auth":{"issuer":"https://id.example.com/"}}`, nil, []string{"groundwork:platform.auth.audiences", "missing"}},
		{"public reads in prod", `{"tier":"prod","auth":{"publicReads":true}}`, nil, []string{"groundwork:platform.auth.publicReads", "prod stack may not"}},
		{"issuer and public reads", `{"tier":"staging","auth":{"publicReads":true,"issuer":"https://id.example.com/","audiences":["a"]}}`, nil, []string{"groundwork:platform.auth", "not both"}},
		{"no read scope in prod", `{"tier":"prod","auth":{"issuer":"https://id.example.com/","audiences":["api"]}}`, nil, []string{"stacks/Pulumi.prod.yaml", "groundwork:platform.auth.readScope", "missing", "prod"}},
		{"read scope with public reads", `{"tier":"staging","auth":{"publicReads":true,"readScope":"api/read"}}`, nil, []string{"groundwork:platform.auth.readScope", "publicReads"}},
		{"read scope that is no scope-token", `{"tier":"prod","auth":{"issuer":"https://id.example.com/","audiences":["api"],"readScope":"read inquiries"}}`, nil, []string{"groundwork:platform.auth.readScope", `"read inquiries"`, "without spaces"}},
		{"unknown top-level key", `{"tier":"prod",` + auth + `}`, map[string]string{"groundwork:owner": "x"}, []string{"stacks/Pulumi.prod.yaml", "groundwork:owner", "unknown key"}},
		{"missing region", `{"tier":"prod",` + auth + `}`, map[string]string{"aws:region": ""}, []string{"aws:region", "missing"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			values := map[string]string{stacks.ConfigKey: tc.platform}
			for k, v := range base {
				values[k] = v
			}
			for k, v := range tc.extra {
				values[k] = v
			}
			_, err := stacks.ParseSettings("groundwork", "prod", values)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			if tc.extra != nil {
				return // the program cannot see keys it does not read under mocks
			}
			// And the program itself fails with the same error before registering anything
			rec, perr := componenttest.Run(stacks.Program, componenttest.Stack("prod"), componenttest.Config(values))
			require.Error(t, perr)
			assert.Contains(t, perr.Error(), err.Error())
			assert.Empty(t, rec.Resources(), "nothing registered")
		})
	}
}

func TestReadScopeIsOptionalOutsideProd(t *testing.T) {
	// Given a staging stack with an issuer and no read scope
	values := map[string]string{"aws:region": "eu-west-1",
		stacks.ConfigKey: `{"tier":"staging","auth":{"issuer":"https://id.example.com/","audiences":["api"]}}`}
	s, err := stacks.ParseSettings("groundwork", "staging", values)
	require.NoError(t, err, "outside prod a read scope is optional")
	assert.Empty(t, s.Auth.ReadScope)

	// When the program runs, then the protected route needs a token and no scope
	rec := componenttest.MustRun(t, stacks.Program, componenttest.Stack("staging"), componenttest.Config(values))
	for _, r := range rec.ByType("aws:apigatewayv2/route:Route") {
		_, ok := r.Input("authorizationScopes")
		assert.False(t, ok, "%s requires no scope", r.InputString("routeKey"))
	}
}

// BenchmarkProdProgram runs the whole prod program under mocks; the function build is cached
// after the first run.
func BenchmarkProdProgram(b *testing.B) {
	sf, err := componenttest.LoadStackConfig(projectDir(b), "prod")
	if err != nil {
		b.Fatal(err)
	}
	opt := componenttest.FromStackFile(sf)
	if _, err := componenttest.Run(stacks.Program, opt); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := componenttest.Run(stacks.Program, opt); err != nil {
			b.Fatal(err)
		}
	}
}
