package function_test

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/internal/check"
)

const hello = "./components/function/testdata/hello"

const (
	tFunction   = "aws:lambda/function:Function"
	tRole       = "aws:iam/role:Role"
	tRolePolicy = "aws:iam/rolePolicy:RolePolicy"
	tLogGroup   = "aws:cloudwatch/logGroup:LogGroup"
)

// run makes a function "api" with args; the program must succeed.
func run(t *testing.T, args *function.Args, opts ...componenttest.Option) *componenttest.Recorder {
	t.Helper()
	return componenttest.MustRun(t, componenttest.Component(function.New, "api", args), opts...)
}

func TestFunctionDefaults(t *testing.T) {
	// Given a function built from a package with every Args field at its zero value
	// When the program runs under mocks
	rec := run(t, &function.Args{Package: hello})

	// Then the component owns a function, a role, a role policy and a log group
	comp := rec.Must(t, "groundwork:function:Function", "api") // registered with its type token
	fn := rec.Must(t, tFunction, "api")
	role := rec.Must(t, tRole, "api-role")
	pol := rec.Must(t, tRolePolicy, "api-logging")
	logs := rec.Must(t, tLogGroup, "api-logs")
	for _, child := range []componenttest.Resource{fn, role, pol, logs} {
		assert.Equal(t, comp.URN, child.Parent, "%s is parented to the component", child.Name)
	}
	assert.Len(t, rec.Descendants(comp.URN), 6, "function, role, policy, log group, two alarms; no managed policy attachment")
	assert.Empty(t, rec.ByType("aws:iam/rolePolicyAttachment:RolePolicyAttachment"), "no AWS managed policies")

	// And the function is arm64 provided.al2023 with explicit memory and timeout
	assert.Equal(t, "provided.al2023", fn.InputString("runtime"), "runtime")
	assert.Equal(t, "bootstrap", fn.InputString("handler"), "handler")
	arch, _ := fn.Input("architectures")
	assert.Equal(t, []any{"arm64"}, arch, "architectures")
	mem, _ := fn.Input("memorySize")
	assert.Equal(t, float64(256), mem, "memory size default")
	timeout, _ := fn.Input("timeout")
	assert.Equal(t, float64(10), timeout, "timeout default")
	assert.Equal(t, "Active", fn.InputString("tracingConfig.mode"), "X-Ray tracing")
	assert.Equal(t, "JSON", fn.InputString("loggingConfig.logFormat"), "log format")
	assert.Equal(t, logs.ID, fn.InputString("loggingConfig.logGroup"), "logs go to its own log group")
	assert.Equal(t, role.Outputs["arn"].StringValue(), fn.InputString("role"), "runs as its own role")
	_, hasReserved := fn.Input("reservedConcurrentExecutions")
	assert.False(t, hasReserved, "no reserved concurrency by default")

	// And the log group keeps 30 days, and exists before the function
	days, _ := logs.Input("retentionInDays")
	assert.Equal(t, float64(30), days, "log retention default")
	assert.True(t, fn.DependsOnURN(logs.URN), "function depends on its log group")
	assert.True(t, fn.DependsOnURN(pol.URN), "function depends on its role policy")

	// And only Lambda may assume the role
	trust := role.MustPolicy(t, "assumeRolePolicy")
	require.Len(t, trust.Statement, 1)
	st := trust.Statement[0]
	assert.Equal(t, "Allow", st.Effect)
	assert.Equal(t, map[string]any{"Service": "lambda.amazonaws.com"}, st.Principal, "only Lambda is trusted")
	assert.Equal(t, []string{"sts:AssumeRole"}, st.Action)

	// And the role may only write its own log group and send traces
	assert.Equal(t, role.ID, pol.InputString("role"), "policy is on the function's role")
	doc := pol.MustPolicy(t, "policy")
	require.Len(t, doc.Statement, 2)
	logStmt, traceStmt := doc.Statement[0], doc.Statement[1]
	logArn := logs.Outputs["arn"].StringValue()
	assert.Equal(t, []string{"logs:CreateLogStream", "logs:PutLogEvents"}, logStmt.Action, "log actions")
	assert.Equal(t, []any{logArn, logArn + ":*"}, logStmt.Resource, "only its own log group")
	assert.Equal(t, []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"}, traceStmt.Action, "trace actions")
	assert.Equal(t, "*", traceStmt.Resource, "X-Ray accepts no narrower resource")

	// And the code is a zip with bootstrap in it
	code := fn.Inputs["code"]
	require.True(t, code.IsArchive(), "code is an archive")
	path := code.ArchiveValue().Path
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	defer zr.Close()
	require.Len(t, zr.File, 1)
	assert.Equal(t, "bootstrap", zr.File[0].Name)
	assert.Equal(t, os.FileMode(0o755), zr.File[0].Mode().Perm(), "bootstrap is executable")
}

func TestFunctionAlarms(t *testing.T) {
	// Given an alarm topic
	topic := "arn:aws:sns:us-east-1:123456789012:alarms"
	rec := run(t, &function.Args{Package: hello, AlarmTopic: pulumi.String(topic)})
	fn := rec.Must(t, tFunction, "api")
	for _, tc := range []struct{ alarm, metric string }{{"api-errors", "Errors"}, {"api-throttles", "Throttles"}} {
		al := rec.Must(t, "aws:cloudwatch/metricAlarm:MetricAlarm", tc.alarm)
		assert.Equal(t, "AWS/Lambda", al.InputString("namespace"), tc.alarm)
		assert.Equal(t, tc.metric, al.InputString("metricName"), tc.alarm)
		assert.Equal(t, fn.ID, al.InputString("dimensions.FunctionName"), "%s watches this function", tc.alarm)
		assert.Equal(t, "Sum", al.InputString("statistic"), tc.alarm)
		assert.Equal(t, "GreaterThanOrEqualToThreshold", al.InputString("comparisonOperator"), tc.alarm)
		th, _ := al.Input("threshold")
		assert.Equal(t, float64(1), th, "%s fires on the first one", tc.alarm)
		actions, _ := al.Input("alarmActions")
		assert.Equal(t, []any{topic}, actions, "%s notifies the topic", tc.alarm)
		ok2, _ := al.Input("okActions")
		assert.Equal(t, []any{topic}, ok2, "%s notifies recovery", tc.alarm)
	}
}

func TestFunctionGrants(t *testing.T) {
	// Given a grant of two actions on a queue
	queueArn := "arn:aws:sqs:us-east-1:123456789012:events"
	rec := run(t, &function.Args{Package: hello, Grants: []grant.Grant{{
		Name: "send-events",
		Statements: []grant.Statement{{Sid: "SendEvents", Actions: []string{"sqs:SendMessage", "sqs:GetQueueAttributes"},
			Resources: []pulumi.StringInput{pulumi.String(queueArn)}}},
	}}})
	// Then the role gets one more inline policy with exactly those actions on that ARN
	role := rec.Must(t, tRole, "api-role")
	pol := rec.Must(t, tRolePolicy, "api-send-events") // one policy per grant
	assert.Equal(t, role.ID, pol.InputString("role"))
	var doc map[string]any // raw JSON: the statements are compared key for key
	pol.MustJSON(t, "policy", &doc)
	assert.Equal(t, []any{map[string]any{"Sid": "SendEvents", "Effect": "Allow",
		"Action": []any{"sqs:SendMessage", "sqs:GetQueueAttributes"}, "Resource": []any{queueArn}}}, doc["Statement"])
	fn := rec.Must(t, tFunction, "api")
	assert.True(t, fn.DependsOnURN(pol.URN), "the function waits for its grants")
}

func TestFunctionOptions(t *testing.T) {
	// Given explicit memory, timeout, retention, environment and reserved concurrency
	rec := run(t, &function.Args{
		Package: hello, MemoryMB: 1024, Timeout: 30 * time.Second, LogRetention: 365 * 24 * time.Hour,
		Environment: pulumi.StringMap{"TABLE_NAME": pulumi.String("t1")}, ReservedConcurrency: 5,
		Description: "the api",
	})
	fn := rec.Must(t, tFunction, "api")
	logs := rec.Must(t, tLogGroup, "api-logs")
	mem, _ := fn.Input("memorySize")
	timeout, _ := fn.Input("timeout")
	rc, _ := fn.Input("reservedConcurrentExecutions")
	days, _ := logs.Input("retentionInDays")
	assert.Equal(t, float64(1024), mem, "memory")
	assert.Equal(t, float64(30), timeout, "timeout in seconds")
	assert.Equal(t, float64(5), rc, "reserved concurrency")
	assert.Equal(t, float64(365), days, "retention")
	assert.Equal(t, "t1", fn.InputString("environment.variables.TABLE_NAME"), "environment")
	assert.Equal(t, "the api", fn.InputString("description"))
}

func TestFunctionPrebuiltArchive(t *testing.T) {
	// Given a prebuilt zip instead of a package
	zipped, err := function.Zip([]byte("#!/bin/sh\n"))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "prebuilt.zip")
	require.NoError(t, os.WriteFile(path, zipped, 0o644))

	rec := run(t, &function.Args{Archive: path})
	fn := rec.Must(t, tFunction, "api")
	assert.Equal(t, path, fn.Inputs["code"].ArchiveValue().Path, "the given archive is the code")
}

func TestFunctionRelativeArchiveResolvesAgainstTheProjectRoot(t *testing.T) {
	// Given a project root that is not the working directory, holding dist/app.zip
	root := t.TempDir()
	zipped, err := function.Zip([]byte("#!/bin/sh\n"))
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(root, "dist"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "dist", "app.zip"), zipped, 0o644))

	// When the archive is given relative to the project
	rec := run(t, &function.Args{Archive: "dist/app.zip"}, componenttest.RootDirectory(root))

	// Then it is found under the project root, not the working directory
	fn := rec.Must(t, tFunction, "api")
	assert.Equal(t, filepath.Join(root, "dist", "app.zip"), fn.Inputs["code"].ArchiveValue().Path)
}

func TestFunctionPreview(t *testing.T) {
	// Given preview mode, where ARNs and names are unknown
	rec := run(t, &function.Args{Package: hello}, componenttest.Preview())
	fn := rec.Must(t, tFunction, "api") // registered in preview
	assert.Empty(t, fn.ID, "no id during preview")
	assert.Equal(t, "provided.al2023", fn.InputString("runtime"))
	_, known := fn.Input("role")
	assert.False(t, known, "the role ARN is unknown in preview")
}

func TestFunctionValidation(t *testing.T) {
	// Every case runs through New in update and preview modes: the error names the function
	// and the field, and nothing is registered. resolve_test.go covers each field's rule.
	tests := []struct {
		name string
		fn   string
		args function.Args
		want []string
	}{
		{"neither package nor archive", "api", function.Args{}, []string{`function "api": Package and Archive are both empty`}},
		{"every invalid field at once", "api", function.Args{Package: hello, MemoryMB: 64, EphemeralStorageMB: 100, Layers: make([]pulumi.StringInput, 6)},
			[]string{`function "api": 9 invalid fields:`, "- MemoryMB 64 is outside 128-10240", "- EphemeralStorageMB 100 is outside 512-10240",
				"- Layers has 6 layers; Lambda allows at most 5", "- Layers[5] is nil"}},
		{"name too long", strings.Repeat("n", 52), function.Args{Package: hello}, []string{`-role" (IAM role) would be named up to 65 characters`, "at most 51 characters fit"}},
		{"missing package", "api", function.Args{Package: "./cmd/nope"}, []string{`function "api": Package "./cmd/nope" is no directory under the project root`}},
		{"package not relative to the project", "api", function.Args{Package: "cmd/api"}, []string{`function "api": Package "cmd/api" is not a path relative to the project root`}},
		{"library package, not a main package", "api", function.Args{Package: "./components/function/testdata/lib"}, []string{`function "api": Package "./components/function/testdata/lib" is package lib, not a main package`}},
		{"package that does not compile", "api", function.Args{Package: "./components/function/testdata/broken"}, []string{`function "api": Package "./components/function/testdata/broken" does not build for linux/arm64`, "undefined: undefinedCall"}},
		{"missing archive", "api", function.Args{Archive: "/nonexistent/x.zip"}, []string{`function "api": Archive /nonexistent/x.zip does not exist`}},
	}
	for _, tc := range tests {
		for _, mode := range componenttest.Modes {
			t.Run(tc.name+"/"+mode.Name, func(t *testing.T) {
				rec, err := componenttest.Run(componenttest.Component(function.New, tc.fn, &tc.args), mode.Options...)
				require.Error(t, err)
				for _, w := range tc.want {
					assert.Contains(t, err.Error(), w)
				}
				assert.Empty(t, rec.Resources(), "nothing registered before the error")
			})
		}
	}
}

func TestCheckReportsNestedFields(t *testing.T) {
	// Given a component (a queue) that creates a function from its Consumer field
	var err error
	componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		outer := check.New("queue", "events")
		// When it adds the function's Check to its own report under that field
		outer.Add("Consumer", function.Check(ctx, "events-consumer", &function.Args{Package: hello, MemoryMB: 64, Timeout: 901 * time.Second}))
		err = outer.Err()
		return nil
	})
	// Then each of the function's invalid fields is reported under the queue's field
	require.Error(t, err)
	assert.Equal(t, `queue "events": 2 invalid fields:
  - Consumer.MemoryMB 64 is outside 128-10240
  - Consumer.Timeout 901s must be whole seconds from 1s to 900s`, err.Error())
}

func TestZipIsReproducible(t *testing.T) {
	// Given the same binary zipped twice
	a, err := function.Zip([]byte("binary"))
	require.NoError(t, err)
	b, err := function.Zip([]byte("binary"))
	require.NoError(t, err)
	// Then the bytes are identical, and a different binary gives different bytes
	assert.True(t, bytes.Equal(a, b), "same input, same zip")
	c, _ := function.Zip([]byte("binary2"))
	assert.False(t, bytes.Equal(a, c), "different input, different zip")
	zr, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
	require.NoError(t, err)
	assert.Equal(t, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), zr.File[0].Modified.UTC(), "fixed timestamp")
}
