package componenttest_test

import (
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
)

// fakeTB records what the Must helpers do with a TB; its Fatalf returns, so the helper's
// return value after a failure can be checked too.
type fakeTB struct {
	helpers int
	fatals  []string
}

func (f *fakeTB) Helper() { f.helpers++ }

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fatals = append(f.fatals, fmt.Sprintf(format, args...))
}

var _ componenttest.TB = (*fakeTB)(nil)
var _ componenttest.TB = testing.TB(nil)

const (
	tQueue       = "aws:sqs/queue:Queue"
	tQueuePolicy = "aws:sqs/queuePolicy:QueuePolicy"
)

func TestMustReturnsTheRegisteredResource(t *testing.T) {
	// Given the recorded program with two queues
	rec := componenttest.MustRun(t, program)

	// When Must asks for one that is there
	tb := &fakeTB{}
	got := rec.Must(tb, tQueue, "dlq")

	// Then it is the resource Get returns, and t is not failed
	want, _ := rec.Get(tQueue, "dlq")
	assert.Equal(t, want, got, "the recorded resource")
	assert.Empty(t, tb.fatals, "no failure")
	assert.Positive(t, tb.helpers, "Must marks itself a helper")
}

func TestMustFailsWhenTheResourceIsMissing(t *testing.T) {
	rec := componenttest.MustRun(t, program)
	for _, tc := range []struct {
		name, typ, resource, want string
	}{
		{"name not registered", tQueue, "nope", `componenttest: no aws:sqs/queue:Queue "nope" registered; registered of that type: ["dlq" "main"]`},
		{"type not registered", "aws:sns/topic:Topic", "dlq", `componenttest: no aws:sns/topic:Topic "dlq" registered; none of that type is registered`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// When Must asks for a resource the program did not register
			tb := &fakeTB{}
			got := rec.Must(tb, tc.typ, tc.resource)

			// Then t is failed once, with a message naming the type and name and what there is
			require.Len(t, tb.fatals, 1, "Fatalf called once")
			assert.Equal(t, tc.want, tb.fatals[0], "failure message")
			assert.Equal(t, componenttest.Resource{}, got, "the zero Resource after a failure")
			assert.Positive(t, tb.helpers, "Must marks itself a helper")
		})
	}
}

func TestOneWantsExactlyOneOfAType(t *testing.T) {
	rec := componenttest.MustRun(t, program)

	// Given one holder: One returns it without failing
	tb := &fakeTB{}
	holder := rec.One(tb, "test:index:Holder")
	assert.Empty(t, tb.fatals, "no failure for exactly one")
	assert.Equal(t, "holder", holder.Name, "the only resource of the type")
	assert.Positive(t, tb.helpers, "One marks itself a helper")

	for _, tc := range []struct{ name, typ, want string }{
		{"two of the type", tQueue, `componenttest: want exactly one aws:sqs/queue:Queue, got 2; registered of that type: ["dlq" "main"]`},
		{"none of the type", "aws:sns/topic:Topic", `componenttest: want exactly one aws:sns/topic:Topic, got 0; none of that type is registered`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := &fakeTB{}
			got := rec.One(tb, tc.typ)
			require.Len(t, tb.fatals, 1, "Fatalf called once")
			assert.Equal(t, tc.want, tb.fatals[0], "failure message")
			assert.Equal(t, componenttest.Resource{}, got, "the zero Resource after a failure")
		})
	}
}

func TestMustRunFailsOnAProgramError(t *testing.T) {
	// Given a program that registers a queue and then fails
	failing := func(ctx *pulumi.Context) error {
		if _, err := sqs.NewQueue(ctx, "q", &sqs.QueueArgs{}); err != nil {
			return err
		}
		return errors.New("boom")
	}

	// When MustRun runs it
	tb := &fakeTB{}
	rec := componenttest.MustRun(tb, failing, componenttest.Stack("dev"))

	// Then t is failed with the program's error, and the Recorder still has what was registered
	require.Len(t, tb.fatals, 1, "Fatalf called once")
	assert.Contains(t, tb.fatals[0], "componenttest: the program failed: ", "failure message prefix")
	assert.Contains(t, tb.fatals[0], "boom", "failure message carries the program's error")
	require.NotNil(t, rec, "the Recorder comes back after a failure")
	assert.Equal(t, "dev", rec.Stack, "options applied")
	assert.Len(t, rec.ByType(tQueue), 1, "what the program registered before failing")
	assert.Positive(t, tb.helpers, "MustRun marks itself a helper")

	// And a program that succeeds does not fail t
	ok := &fakeTB{}
	componenttest.MustRun(ok, program)
	assert.Empty(t, ok.fatals, "no failure for a program that succeeds")
}

// queueArgs and newQueueHolder are a component constructor of the house shape, for Component.
type queueArgs struct{ retention int }

func newQueueHolder(ctx *pulumi.Context, name string, args *queueArgs, opts ...pulumi.ResourceOption) (*holder, error) {
	c := &holder{}
	if err := ctx.RegisterComponentResource("test:index:Holder", name, c, opts...); err != nil {
		return nil, err
	}
	q := &sqs.QueueArgs{}
	if args != nil {
		q.MessageRetentionSeconds = pulumi.Int(args.retention)
	}
	if _, err := sqs.NewQueue(ctx, name+"-queue", q, pulumi.Parent(c)); err != nil {
		return nil, err
	}
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{})
}

func TestComponentRunsTheConstructor(t *testing.T) {
	// When Component adapts a constructor with a name, args and options
	rec := componenttest.MustRun(t, componenttest.Component(newQueueHolder, "jobs", &queueArgs{retention: 60}, pulumi.Protect(true)))

	// Then the component is registered under that name with those options, built from the args
	comp := rec.Must(t, "test:index:Holder", "jobs")
	assert.True(t, comp.Protect, "options reach the component")
	q := rec.Must(t, tQueue, "jobs-queue")
	assert.Equal(t, float64(60), q.MustNumber(t, "messageRetentionSeconds"), "args reach the constructor")

	// And nil args type-check and reach the constructor as nil
	rec = componenttest.MustRun(t, componenttest.Component(newQueueHolder, "jobs", nil))
	_, set := rec.Must(t, tQueue, "jobs-queue").Input("messageRetentionSeconds")
	assert.False(t, set, "nil args")

	// And a constructor's error is the program's
	_, err := componenttest.Run(componenttest.Component(func(*pulumi.Context, string, int, ...pulumi.ResourceOption) (*holder, error) {
		return nil, errors.New("refused")
	}, "jobs", 0))
	assert.ErrorContains(t, err, "refused", "the constructor's error")
}

// delayed registers a queue "q" with delaySeconds 5 and returns it.
func delayed(t *testing.T) componenttest.Resource {
	t.Helper()
	return componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		_, err := sqs.NewQueue(ctx, "q", &sqs.QueueArgs{DelaySeconds: pulumi.Int(5)})
		return err
	}).Must(t, tQueue, "q")
}

// inputs registers one queue policy whose inputs are under test.
func inputs(t *testing.T, policy string, opts ...componenttest.Option) componenttest.Resource {
	t.Helper()
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		q, err := sqs.NewQueue(ctx, "q", &sqs.QueueArgs{})
		if err != nil {
			return err
		}
		_, err = sqs.NewQueuePolicy(ctx, "q-policy", &sqs.QueuePolicyArgs{QueueUrl: q.Url, Policy: pulumi.String(policy)})
		return err
	}, opts...)
	return rec.Must(t, tQueuePolicy, "q-policy")
}

func TestMustNumber(t *testing.T) {
	rec := componenttest.MustRun(t, program)
	dlq := rec.Must(t, tQueue, "dlq")
	main := rec.Must(t, tQueue, "main")

	// Given a number: it is returned
	withDelay := delayed(t)
	tb := &fakeTB{}
	assert.Equal(t, float64(5), withDelay.MustNumber(tb, "delaySeconds"), "the number")
	assert.Empty(t, tb.fatals, "no failure")
	assert.Positive(t, tb.helpers, "MustNumber marks itself a helper")

	// Given no number: t is failed naming the resource, the path and why
	for _, tc := range []struct {
		name string
		res  componenttest.Resource
		path string
		want string
	}{
		{"missing", dlq, "delaySeconds", `componenttest: aws:sqs/queue:Queue "dlq": input "delaySeconds" is not set`},
		{"not a number", main, "redrivePolicy", `componenttest: aws:sqs/queue:Queue "main": input "redrivePolicy" is string "{\"deadLetterTargetArn\"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := &fakeTB{}
			assert.Zero(t, tc.res.MustNumber(tb, tc.path), "0 after a failure")
			require.Len(t, tb.fatals, 1, "Fatalf called once")
			assert.Contains(t, tb.fatals[0], tc.want, "failure message")
		})
	}
}

func TestMustJSON(t *testing.T) {
	rec := componenttest.MustRun(t, program)
	main := rec.Must(t, tQueue, "main")
	dlq := rec.Must(t, tQueue, "dlq")

	// Given a JSON input: it is decoded into the value
	tb := &fakeTB{}
	var redrive struct {
		DeadLetterTargetArn string
		MaxReceiveCount     int
	}
	main.MustJSON(tb, "redrivePolicy", &redrive)
	assert.Empty(t, tb.fatals, "no failure")
	assert.Equal(t, dlq.Outputs["arn"].StringValue(), redrive.DeadLetterTargetArn, "decoded string")
	assert.Equal(t, 5, redrive.MaxReceiveCount, "decoded number")
	assert.Positive(t, tb.helpers, "MustJSON marks itself a helper")

	// Given no JSON: t is failed naming the resource, the path and why
	preview := componenttest.MustRun(t, program, componenttest.Preview()).Must(t, tQueue, "main")
	for _, tc := range []struct {
		name string
		res  componenttest.Resource
		path string
		into any
		want string
	}{
		{"missing", dlq, "redrivePolicy", &redrive, `componenttest: aws:sqs/queue:Queue "dlq": input "redrivePolicy" is not set`},
		{"unknown in preview", preview, "redrivePolicy", &redrive, `componenttest: aws:sqs/queue:Queue "main": input "redrivePolicy" is unknown (preview)`},
		{"not a string", delayed(t), "delaySeconds", &redrive, `componenttest: aws:sqs/queue:Queue "q": input "delaySeconds" is float64, not a JSON string`},
		{"not of that shape", main, "redrivePolicy", &[]string{}, `componenttest: aws:sqs/queue:Queue "main": input "redrivePolicy" is not JSON of that shape: json: cannot unmarshal object`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := &fakeTB{}
			tc.res.MustJSON(tb, tc.path, tc.into)
			require.Len(t, tb.fatals, 1, "Fatalf called once")
			assert.Contains(t, tb.fatals[0], tc.want, "failure message")
		})
	}

	// And InputJSON gives the same as an error, for use outside tests
	err := dlq.InputJSON("redrivePolicy", &redrive)
	assert.EqualError(t, err, `aws:sqs/queue:Queue "dlq": input "redrivePolicy" is not set`)
}

func TestParsePolicyKeepsTheFormsApart(t *testing.T) {
	// Given a document with every statement key, "*" as a string and lists as lists
	doc, err := componenttest.ParsePolicy(`{"Version":"2012-10-17","Id":"p1","Statement":[
		{"Sid":"Logs","Effect":"Allow","Action":["logs:PutLogEvents"],"Resource":["arn:a","arn:a:*"]},
		{"Effect":"Allow","Action":["xray:PutTraceSegments"],"Resource":"*"},
		{"Sid":"TLS","Effect":"Deny","Principal":{"AWS":"*"},"NotAction":["s3:GetObject"],"NotResource":"arn:b",
		 "Condition":{"Bool":{"aws:SecureTransport":"false"},"ArnLike":{"aws:SourceArn":["arn:c","arn:d"]}}},
		{"Effect":"Allow","NotPrincipal":"*","Action":["sts:AssumeRole"]}]}`)
	require.NoError(t, err)

	// Then every field is there, in the form it has in the JSON
	assert.Equal(t, componenttest.PolicyDocument{Version: "2012-10-17", ID: "p1", Statement: []componenttest.PolicyStatement{
		{Sid: "Logs", Effect: "Allow", Action: []string{"logs:PutLogEvents"}, Resource: []any{"arn:a", "arn:a:*"}},
		{Effect: "Allow", Action: []string{"xray:PutTraceSegments"}, Resource: "*"},
		{Sid: "TLS", Effect: "Deny", Principal: map[string]any{"AWS": "*"}, NotAction: []string{"s3:GetObject"}, NotResource: "arn:b",
			Condition: map[string]map[string]any{"Bool": {"aws:SecureTransport": "false"}, "ArnLike": {"aws:SourceArn": []any{"arn:c", "arn:d"}}}},
		{Effect: "Allow", NotPrincipal: "*", Action: []string{"sts:AssumeRole"}},
	}}, doc)
	assert.NotEqual(t, []any{"*"}, doc.Statement[1].Resource, `"*" is not a one-element list`)
}

func TestParsePolicyIsStrict(t *testing.T) {
	for _, tc := range []struct{ name, json, want string }{
		{"bare string action", `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, "cannot unmarshal string"},
		{"key IAM does not define", `{"Statement":[{"Effect":"Allow","Actions":["s3:GetObject"]}]}`, `unknown field "Actions"`},
		{"document key IAM does not define", `{"Version":"2012-10-17","Statements":[]}`, `unknown field "Statements"`},
		{"two documents", `{"Statement":[]} {"Statement":[]}`, "more than one JSON value"},
		{"not JSON", `Statement`, "invalid character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := componenttest.ParsePolicy(tc.json)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "not an IAM policy document", "says what it is not")
			assert.Contains(t, err.Error(), tc.want, "says why")
		})
	}
}

func TestMustPolicy(t *testing.T) {
	// Given a queue policy input
	pol := inputs(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},"Action":["sqs:*"],"Resource":"*"}]}`)

	// Then MustPolicy decodes it
	tb := &fakeTB{}
	doc := pol.MustPolicy(tb, "policy")
	assert.Empty(t, tb.fatals, "no failure")
	require.Len(t, doc.Statement, 1)
	assert.Equal(t, componenttest.PolicyStatement{Effect: "Deny", Principal: map[string]any{"AWS": "*"}, Action: []string{"sqs:*"}, Resource: "*"},
		doc.Statement[0], "the statement")
	assert.Positive(t, tb.helpers, "MustPolicy marks itself a helper")

	// And fails t naming the resource and the path when the input is missing or no policy
	for _, tc := range []struct{ name, path, policy, want string }{
		{"missing", "nope", `{}`, `componenttest: aws:sqs/queuePolicy:QueuePolicy "q-policy": input "nope" is not set`},
		{"not a policy", "policy", `{"Statement":[{"Action":"sqs:*"}]}`, `componenttest: aws:sqs/queuePolicy:QueuePolicy "q-policy": input "policy": not an IAM policy document`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := &fakeTB{}
			doc := inputs(t, tc.policy).MustPolicy(tb, tc.path)
			require.Len(t, tb.fatals, 1, "Fatalf called once")
			assert.Contains(t, tb.fatals[0], tc.want, "failure message")
			assert.Equal(t, componenttest.PolicyDocument{}, doc, "the zero document after a failure")
		})
	}
}

func TestThePackageDoesNotImportTesting(t *testing.T) {
	// A command may use the Recorder outside `go test`: no file of the package proper imports testing
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			assert.NotEqual(t, "testing", path, "%s imports testing", f)
		}
		checked++
	}
	assert.GreaterOrEqual(t, checked, 5, "every file of the package proper is checked")
}
