// Package function is a Go Lambda as a Pulumi component: a reproducible linux/arm64 build of
// a Go main package, zipped so the same sources give the same bytes (and `pulumi preview` shows
// no code change), on the provided.al2023 runtime with X-Ray tracing and JSON logs into its own
// log group, and an execution role that can only write to that log group and send traces.
//
// Secure defaults are not switches: there is no way to attach an AWS managed policy or to let
// another principal assume the role.
package function

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/internal/check"
	"github.com/groundwork-dev/groundwork/components/internal/iampolicy"
	"github.com/groundwork-dev/groundwork/components/internal/metricalarm"
)

// Defaults for the zero values of Args.
const (
	DefaultMemoryMB     = 256
	DefaultTimeout      = 10 * time.Second
	DefaultLogRetention = 30 * check.Day
	// MaxTimeout is the longest a Lambda invocation may run.
	MaxTimeout = 900 * time.Second
	// maxNameLen keeps every derived child's auto-name (name + "-role" + Pulumi's 8-character
	// suffix) within AWS's 64-character limit for function and role names.
	maxNameLen = 51
)

// Args configures a Function.
type Args struct {
	// Package is the Go main package to build as bootstrap, as a path relative to the Pulumi
	// project root (ctx.RootDirectory()), such as "./cmd/api"; a library package is an error,
	// before anything is registered. Exactly one of Package and Archive is set.
	Package string
	// Archive is the path of a prebuilt zip that holds a linux/arm64 bootstrap, relative to the
	// project root or absolute. Empty means build Package.
	Archive string
	// Description is the function's description. Empty means none.
	Description string
	// MemoryMB is the memory size, 128 to 10240. Zero means 256.
	MemoryMB int
	// Timeout is the longest one invocation may run, in whole seconds from 1 s to 900 s.
	// Zero means 10 s.
	Timeout time.Duration
	// LogRetention is how long the function's log group keeps events: a whole number of days
	// the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653). Zero means 30.
	LogRetention time.Duration
	// Environment holds environment variables. Names must be valid and not reserved by Lambda
	// (AWS_*, _HANDLER, ...). Nil means none.
	Environment pulumi.StringMap
	// ReservedConcurrency reserves (and caps) concurrent executions. Zero means none reserved:
	// the function shares the account's unreserved pool.
	ReservedConcurrency int
	// Grants are the accesses the function's code needs to other components, declared by
	// operation (Table.Grant(storage.ItemGet, storage.ItemPut), Queue.Grant(queue.Send),
	// ...); each becomes one inline policy on its role, named "<name>-<grant name>". Nil
	// means none: the role can only write its logs and traces. A grant a component made
	// from a wrong operation (grant.Grant.Err) is refused, before anything is registered.
	Grants []grant.Grant
	// AlarmTopic is the ARN of the SNS topic the function's Errors and Throttles alarms notify.
	// Nil means the alarms exist without actions (visible in the console only).
	AlarmTopic pulumi.StringInput
}

// Function is a Go Lambda with its role, role policy and log group.
type Function struct {
	pulumi.ResourceState

	// The children, for escape hatches and for grants.
	Function   *lambda.Function
	Role       *iam.Role
	RolePolicy *iam.RolePolicy
	LogGroup   *cloudwatch.LogGroup
	// GrantPolicies holds the role policy of each grant, by grant name.
	GrantPolicies map[string]*iam.RolePolicy
	// Alarms are the Errors and Throttles alarms.
	Alarms []*cloudwatch.MetricAlarm

	// Name and ARN are the function's; InvokeARN is what API Gateway integrations call.
	Name      pulumi.StringOutput
	ARN       pulumi.StringOutput
	InvokeARN pulumi.StringOutput
	RoleName  pulumi.StringOutput
	RoleARN   pulumi.StringOutput
	// Timeout is the effective timeout, known while the graph is built (queues size their
	// visibility timeout from it).
	Timeout time.Duration
	// ArchivePath is the zip the function's code comes from.
	ArchivePath string

	name string
}

var (
	namePattern   = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	envKeyPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	reservedEnv   = []string{"_HANDLER", "_X_AMZN_TRACE_ID", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ"}
)

// CheckLogRetention returns an error when d is not a whole number of days that CloudWatch
// Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653), for programs that validate their own
// config before they build Args.
func CheckLogRetention(d time.Duration) error { return check.CheckLogRetention(d) }

// withDefaults returns args with zero values replaced, or the first invalid field's error.
func (a Args) withDefaults() (Args, error) {
	if (a.Package == "") == (a.Archive == "") {
		return a, fmt.Errorf("set exactly one of Package and Archive")
	}
	if a.MemoryMB == 0 {
		a.MemoryMB = DefaultMemoryMB
	}
	if a.MemoryMB < 128 || a.MemoryMB > 10240 {
		return a, fmt.Errorf("MemoryMB %d is outside 128-10240", a.MemoryMB)
	}
	if a.Timeout == 0 {
		a.Timeout = DefaultTimeout
	}
	if a.Timeout < time.Second || a.Timeout > MaxTimeout || a.Timeout%time.Second != 0 {
		return a, fmt.Errorf("Timeout %v must be whole seconds from 1s to %v", a.Timeout, MaxTimeout)
	}
	if a.LogRetention == 0 {
		a.LogRetention = DefaultLogRetention
	}
	if err := CheckLogRetention(a.LogRetention); err != nil {
		return a, fmt.Errorf("LogRetention: %w", err)
	}
	if a.ReservedConcurrency < 0 {
		return a, fmt.Errorf("ReservedConcurrency %d is negative", a.ReservedConcurrency)
	}
	for k := range a.Environment {
		if !envKeyPattern.MatchString(k) {
			return a, fmt.Errorf("Environment: %q is not a valid variable name", k)
		}
		if strings.HasPrefix(k, "AWS_") || slices.Contains(reservedEnv, k) {
			return a, fmt.Errorf("Environment: %q is reserved by Lambda", k)
		}
	}
	seen := map[string]bool{"logging": true}
	for i, g := range a.Grants {
		if err := g.Err(); err != nil {
			return a, fmt.Errorf("Grants[%d]: %w", i, err)
		}
		if !namePattern.MatchString(g.Name) || seen[g.Name] {
			return a, fmt.Errorf("Grants: name %q must be unique, not \"logging\", and made of letters, digits, '-' and '_'", g.Name)
		}
		seen[g.Name] = true
		if err := iampolicy.Check(grantStatements(g)...); err != nil {
			return a, fmt.Errorf("Grants[%s]: %w", g.Name, err)
		}
	}
	return a, nil
}

func grantStatements(g grant.Grant) []iampolicy.Statement {
	out := make([]iampolicy.Statement, len(g.Statements))
	for i, s := range g.Statements {
		out[i] = iampolicy.Statement{Sid: s.Sid, Actions: s.Actions, Resources: s.Resources}
	}
	return out
}

// New validates args, builds the package, and registers the function and its children. Any
// error (invalid field, missing package, compile error) comes before anything is registered.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Function, error) {
	a, archive, err := prepare(ctx, name, args)
	if err != nil {
		return nil, err
	}

	f := &Function{Timeout: a.Timeout, ArchivePath: archive, name: name, GrantPolicies: map[string]*iam.RolePolicy{}}
	if err := ctx.RegisterComponentResource("groundwork:function:Function", name, f, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(f)

	f.LogGroup, err = cloudwatch.NewLogGroup(ctx, name+"-logs", &cloudwatch.LogGroupArgs{
		RetentionInDays: pulumi.Int(int(a.LogRetention / check.Day)),
	}, parent)
	if err != nil {
		return nil, err
	}
	f.Role, err = iam.NewRole(ctx, name+"-role", &iam.RoleArgs{
		Description:      pulumi.Sprintf("Execution role of the %s function", name),
		AssumeRolePolicy: pulumi.String(iampolicy.AssumeRole("lambda.amazonaws.com")),
	}, parent)
	if err != nil {
		return nil, err
	}
	logStreams := f.LogGroup.Arn.ApplyT(func(arn string) string { return arn + ":*" }).(pulumi.StringOutput)
	policy, err := iampolicy.Document(
		iampolicy.Statement{
			Sid:       "WriteOwnLogs",
			Actions:   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
			Resources: []pulumi.StringInput{f.LogGroup.Arn, logStreams},
		},
		iampolicy.Statement{
			Sid:         "SendTraces",
			Actions:     []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"},
			AnyResource: true,
		},
	)
	if err != nil {
		return nil, err
	}
	f.RolePolicy, err = iam.NewRolePolicy(ctx, name+"-logging", &iam.RolePolicyArgs{
		Role:   f.Role.Name,
		Policy: policy,
	}, parent)
	if err != nil {
		return nil, err
	}

	grantPolicies := []pulumi.Resource{f.LogGroup, f.RolePolicy}
	for _, g := range a.Grants {
		doc, err := iampolicy.Document(grantStatements(g)...)
		if err != nil {
			return nil, err
		}
		rp, err := iam.NewRolePolicy(ctx, name+"-"+g.Name, &iam.RolePolicyArgs{Role: f.Role.Name, Policy: doc}, parent)
		if err != nil {
			return nil, err
		}
		f.GrantPolicies[g.Name] = rp
		grantPolicies = append(grantPolicies, rp)
	}

	fargs := &lambda.FunctionArgs{
		Code:          pulumi.NewFileArchive(archive),
		Runtime:       pulumi.String(string(lambda.RuntimeCustomAL2023)),
		Handler:       pulumi.String("bootstrap"),
		Architectures: pulumi.StringArray{pulumi.String("arm64")},
		MemorySize:    pulumi.Int(a.MemoryMB),
		Timeout:       pulumi.Int(int(a.Timeout / time.Second)),
		Role:          f.Role.Arn,
		TracingConfig: &lambda.FunctionTracingConfigArgs{Mode: pulumi.String("Active")},
		LoggingConfig: &lambda.FunctionLoggingConfigArgs{
			LogFormat: pulumi.String("JSON"),
			LogGroup:  f.LogGroup.Name,
		},
	}
	if a.Description != "" {
		fargs.Description = pulumi.String(a.Description)
	}
	if len(a.Environment) > 0 {
		fargs.Environment = &lambda.FunctionEnvironmentArgs{Variables: a.Environment}
	}
	if a.ReservedConcurrency > 0 {
		fargs.ReservedConcurrentExecutions = pulumi.Int(a.ReservedConcurrency)
	}
	// The log group must exist before the function's first invocation writes to it, and the
	// role must hold its policies before the function first runs: both are explicit, not left
	// to the data flow.
	f.Function, err = lambda.NewFunction(ctx, name, fargs, parent, pulumi.DependsOn(grantPolicies))
	if err != nil {
		return nil, err
	}
	dims := pulumi.StringMap{"FunctionName": f.Function.Name}
	for _, spec := range []metricalarm.Spec{
		{Suffix: "errors", Description: "The " + name + " function returned errors (invocations that failed or timed out).",
			Namespace: "AWS/Lambda", Metric: "Errors", Dimensions: dims, Statistic: "Sum", Threshold: 1, Period: 5 * time.Minute},
		{Suffix: "throttles", Description: "The " + name + " function was throttled: requests were refused for lack of concurrency.",
			Namespace: "AWS/Lambda", Metric: "Throttles", Dimensions: dims, Statistic: "Sum", Threshold: 1, Period: 5 * time.Minute},
	} {
		al, err := metricalarm.New(ctx, name, spec, a.AlarmTopic, nil, parent)
		if err != nil {
			return nil, err
		}
		f.Alarms = append(f.Alarms, al)
	}
	f.Name, f.ARN, f.InvokeARN = f.Function.Name, f.Function.Arn, f.Function.InvokeArn
	f.RoleName, f.RoleARN = f.Role.Name, f.Role.Arn
	return f, ctx.RegisterResourceOutputs(f, pulumi.Map{
		"name":      f.Name,
		"arn":       f.ARN,
		"invokeArn": f.InvokeARN,
		"roleArn":   f.RoleARN,
		"logGroup":  f.LogGroup.Name,
	})
}

// Check validates args for a function named name and builds its package (memoized, so New
// reuses the build), without registering anything. Components that create a function as a
// child call it before they register themselves, so a bad function fails them cleanly.
func Check(ctx *pulumi.Context, name string, args *Args) error {
	_, _, err := prepare(ctx, name, args)
	return err
}

// prepare returns args with defaults and the path of the code archive, or the first error,
// naming the function.
func prepare(ctx *pulumi.Context, name string, args *Args) (Args, string, error) {
	if args == nil {
		args = &Args{}
	}
	a, err := args.withDefaults()
	if err == nil {
		err = checkName(name)
	}
	if err != nil {
		return a, "", fmt.Errorf("function %q: %w", name, err)
	}
	archive := a.Archive
	if archive != "" && !filepath.IsAbs(archive) {
		archive = filepath.Join(ctx.RootDirectory(), archive)
	}
	if a.Package != "" {
		if archive, err = Build(context.Background(), ctx.RootDirectory(), a.Package); err != nil {
			return a, "", fmt.Errorf("function %q: %w", name, err)
		}
	} else if !fileExists(archive) {
		return a, "", fmt.Errorf("function %q: Archive %s does not exist", name, archive)
	}
	return a, archive, nil
}

func checkName(name string) error {
	if !namePattern.MatchString(name) || len(name) > maxNameLen {
		return fmt.Errorf("name must be 1-%d letters, digits, '-' or '_' so the names derived from it fit AWS limits", maxNameLen)
	}
	return nil
}
