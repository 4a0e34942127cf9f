package stacks_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
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

// runStack runs the program with the real stacks/Pulumi.<env>.yaml.
func runStack(t *testing.T, env string, opts ...componenttest.Option) *componenttest.Recorder {
	t.Helper()
	rec, err := componenttest.Run(stacks.Program, append([]componenttest.Option{componenttest.StackConfig(projectDir(t), env)}, opts...)...)
	require.NoError(t, err)
	return rec
}

func one(t *testing.T, rec *componenttest.Recorder, typ string) componenttest.Resource {
	t.Helper()
	rs := rec.ByType(typ)
	require.Len(t, rs, 1, "one %s", typ)
	return rs[0]
}

// expect is one property of one resource the stack must have.
type expect struct {
	typ, path string
	want      any
}

func TestProdStack(t *testing.T) {
	// Given the real prod stack file
	rec := runStack(t, "prod")
	bucket := one(t, rec, tBucket)
	arn := bucket.Outputs["arn"].StringValue()

	// Then the archive bucket, the table and the function have every secure default
	for _, e := range []expect{
		{"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm", "AES256"},
		{"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "blockPublicAcls", true},
		{"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "blockPublicPolicy", true},
		{"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "ignorePublicAcls", true},
		{"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "restrictPublicBuckets", true},
		{"aws:s3/bucketOwnershipControls:BucketOwnershipControls", "rule.objectOwnership", "BucketOwnerEnforced"},
		{"aws:s3/bucketVersioningV2:BucketVersioningV2", "versioningConfiguration.status", "Enabled"},
		{"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "rules[0].abortIncompleteMultipartUpload.daysAfterInitiation", float64(7)},
		{"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "rules[1].noncurrentVersionExpiration.noncurrentDays", float64(30)},
		{tBucket, "forceDestroy", false},
		{tTable, "pointInTimeRecovery.enabled", true},
		{tTable, "serverSideEncryption.enabled", true},
		{tTable, "deletionProtectionEnabled", true},
		{tTable, "billingMode", "PAY_PER_REQUEST"},
		{tTable, "hashKey", "pk"},
		{tTable, "ttl.attributeName", "ttl"},
		{tFunction, "runtime", "provided.al2023"},
		{tFunction, "architectures[0]", "arm64"},
		{tFunction, "tracingConfig.mode", "Active"},
		{tFunction, "loggingConfig.logFormat", "JSON"},
		{tLogGroup, "retentionInDays", float64(365)},
	} {
		r := one(t, rec, e.typ)
		got, _ := r.Input(e.path)
		assert.Equal(t, e.want, got, "%s %s", e.typ, e.path)
		if strings.HasPrefix(r.Type, "aws:s3/") && r.Type != tBucket {
			assert.Equal(t, bucket.ID, r.InputString("bucket"), "%s applies to the archive bucket", r.Type)
		}
	}

	// And the bucket policy refuses requests without TLS
	pol := one(t, rec, "aws:s3/bucketPolicy:BucketPolicy")
	var doc struct{ Statement []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(pol.InputString("policy")), &doc))
	require.Len(t, doc.Statement, 1)
	assert.Equal(t, "Deny", doc.Statement[0]["Effect"])
	assert.Equal(t, []any{arn, arn + "/*"}, doc.Statement[0]["Resource"])
	assert.Equal(t, map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}, doc.Statement[0]["Condition"])

	// And stateful resources, with all their children, are protected; the function is not
	for _, comp := range []string{"groundwork:storage:Bucket", "groundwork:storage:Table"} {
		c := one(t, rec, comp)
		assert.True(t, c.Protect, "%s protected", comp)
		for _, child := range rec.Descendants(c.URN) {
			assert.True(t, child.Protect, "%s %s protected", child.Type, child.Name)
		}
	}
	assert.False(t, one(t, rec, tFunction).Protect, "functions are replaceable")

	// And the function gets the table's name
	tbl := one(t, rec, tTable)
	assert.Equal(t, tbl.ID, one(t, rec, tFunction).InputString("environment.variables.TABLE_NAME"))
}

func TestDevStack(t *testing.T) {
	rec := runStack(t, "dev")
	days, _ := one(t, rec, tLogGroup).Input("retentionInDays")
	assert.Equal(t, float64(7), days, "dev log retention")
	for _, r := range rec.Resources() {
		assert.False(t, r.Protect, "%s %s not protected in dev", r.Type, r.Name)
	}
	dp, _ := one(t, rec, tTable).Input("deletionProtectionEnabled")
	assert.Equal(t, false, dp, "dev tables may be deleted")
	fd, _ := one(t, rec, tBucket).Input("forceDestroy")
	assert.Equal(t, true, fd, "dev buckets may be destroyed with their objects")
}

func TestStagingStack(t *testing.T) {
	rec := runStack(t, "staging")
	days, _ := one(t, rec, tLogGroup).Input("retentionInDays")
	assert.Equal(t, float64(30), days, "staging log retention")
	fd, _ := one(t, rec, tBucket).Input("forceDestroy")
	assert.Equal(t, false, fd, "staging buckets keep their objects")
	assert.False(t, one(t, rec, "groundwork:storage:Table").Protect, "staging is not protected")
}

func TestEveryResourceUsesTheTaggedProvider(t *testing.T) {
	for _, env := range []string{"dev", "staging", "prod"} {
		t.Run(env, func(t *testing.T) {
			rec := runStack(t, env)
			p := one(t, rec, tProvider)
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
		})
	}
}

func TestStacksPreview(t *testing.T) {
	for _, env := range []string{"dev", "staging", "prod"} {
		t.Run(env, func(t *testing.T) {
			rec := runStack(t, env, componenttest.Preview())
			assert.Len(t, rec.ByType(tFunction), 1, "function planned")
			assert.Empty(t, one(t, rec, tTable).ID, "no ids in preview")
			_, known := one(t, rec, tFunction).Input("environment.variables.TABLE_NAME")
			assert.False(t, known, "the table name is unknown in preview")
		})
	}
}

func TestConfigErrors(t *testing.T) {
	base := map[string]string{"aws:region": "eu-west-1"}
	const auth = `"auth":{"issuer":"https://id.example.com/","audiences":["api"]}`
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
		{"not an object", `"prod"`, nil, []string{"groundwork:platform", "want an object"}},
		{"bad account id", `{"accountId":"12",` + auth + `}`, nil, []string{"groundwork:platform.accountId"}},
		{"no issuer", `{"tier":"prod"}`, nil, []string{"groundwork:platform.auth.issuer", "missing"}},
		{"no audiences", `{"tier":"prod","auth":{"issuer":"https://id.example.com/"}}`, nil, []string{"groundwork:platform.auth.audiences", "missing"}},
		{"public reads in prod", `{"tier":"prod","auth":{"publicReads":true}}`, nil, []string{"groundwork:platform.auth.publicReads", "prod stack may not"}},
		{"issuer and public reads", `{"tier":"staging","auth":{"publicReads":true,"issuer":"https://id.example.com/","audiences":["a"]}}`, nil, []string{"groundwork:platform.auth", "not both"}},
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

func TestStackFilesParse(t *testing.T) {
	// Every real stack file decodes strictly, with the tier its name says.
	for _, env := range []string{"dev", "staging", "prod"} {
		sf, err := componenttest.LoadStackConfig(projectDir(t), env)
		require.NoError(t, err)
		s, err := stacks.ParseSettings(sf.Project, env, sf.Values)
		require.NoError(t, err, env)
		assert.Equal(t, stacks.Tier(env), s.Tier)
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
