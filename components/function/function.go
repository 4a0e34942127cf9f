package function

import (
	"context"
	"errors"
	"path/filepath"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/internal/check"
	"github.com/groundwork-dev/groundwork/components/internal/iampolicy"
	"github.com/groundwork-dev/groundwork/components/internal/metricalarm"
	"github.com/groundwork-dev/groundwork/components/internal/naming"
	"github.com/groundwork-dev/groundwork/components/transform"
)

// Defaults for the zero values of Args, and the limits Lambda sets.
const (
	// DefaultMemoryMB: Lambda gives a function CPU in proportion to its memory (one vCPU at
	// 1,769 MB, Lambda Developer Guide "Configuring Lambda function memory"). A Go handler
	// needs little memory, so 128 MB (Lambda's minimum) would hold it, but with half the CPU
	// of 256 MB for its cold start, TLS handshakes and JSON; at 256 MB a request costs twice
	// as much per millisecond and takes fewer of them. Measure and tune per function.
	DefaultMemoryMB = 256
	// DefaultTimeout: Lambda's own default of 3 s can be spent by a cold start plus one SDK
	// call's retries; 10 s answers a stuck request as an error well inside API Gateway's 30 s
	// integration limit, caps what a hung invocation costs, and gives a queue consumer a 60 s
	// visibility timeout (6x, AWS's recommendation for SQS event sources).
	DefaultTimeout = 10 * time.Second
	// DefaultLogRetention: CloudWatch Logs keeps events forever unless told otherwise, and
	// bills every GB-month stored; 30 days covers the review of an incident noticed weeks
	// late, and the baseline's logs-retention rule wants a limit.
	DefaultLogRetention = 30 * check.Day
	// DefaultEphemeralStorageMB: the /tmp size Lambda gives every function and includes in
	// its price; a larger one is billed per GB-second.
	DefaultEphemeralStorageMB = 512
	// TracingMode is X-Ray's "Active" mode: Lambda samples requests by X-Ray's default rule
	// (the first request each second and 5% of the rest), so traces of slow paths exist at a
	// bounded cost (the first 100,000 traces a month are free).
	TracingMode = "Active"

	// MaxTimeout is the longest a Lambda invocation may run.
	MaxTimeout = 900 * time.Second
	// MaxLayers is how many layers Lambda lets a function use.
	MaxLayers = 5
	// MaxSubnets and MaxSecurityGroups are Lambda's limits on a function's VPC configuration.
	MaxSubnets, MaxSecurityGroups = 16, 5
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
	// Description is the function's description, at most 256 characters. Empty means none.
	Description string
	// MemoryMB is the memory size, 128 to 10240. Zero means 256 (DefaultMemoryMB).
	MemoryMB int
	// Timeout is the longest one invocation may run, in whole seconds from 1 s to 900 s.
	// Zero means 10 s (DefaultTimeout).
	Timeout time.Duration
	// EphemeralStorageMB is the size of /tmp, 512 to 10240. Zero means 512, Lambda's default.
	EphemeralStorageMB int
	// LogRetention is how long the function's log group keeps events: a whole number of days
	// the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653). Zero means 30.
	LogRetention time.Duration
	// Environment holds environment variables. Names must be valid and not reserved by Lambda
	// (AWS_*, _HANDLER, ...). Nil means none.
	Environment pulumi.StringMap
	// ReservedConcurrency reserves (and caps) concurrent executions: 1 up to the account's
	// concurrency limit less the 100 Lambda keeps unreserved (AWS refuses more when it
	// deploys). Zero means none reserved: the function shares the account's unreserved pool.
	// (Lambda's own 0, which stops every invocation, is not offered.)
	ReservedConcurrency int
	// Layers are the ARNs of layer versions to add to the function, in order, at most 5; each
	// must hold arm64-compatible content. Nil means none.
	Layers []pulumi.StringInput
	// VPC connects the function to subnets of a VPC, with the role policy Lambda needs to
	// manage the function's network interfaces there (see the package doc). Nil means no
	// VPC: the function reaches AWS APIs and the internet through Lambda's own network.
	VPC *VPC
	// PermissionsBoundary is the ARN of a managed policy set as the permissions boundary of
	// the function's role, as many organisations require on every role. Nil means none.
	PermissionsBoundary pulumi.StringInput
	// Grants are the accesses the function's code needs to other components, declared by
	// operation (Table.Grant(table.ItemGet, table.ItemPut), Queue.Grant(queue.Send), ...);
	// each becomes one inline policy on its role, named "<name>-<grant name>". Nil means
	// none: the role can only write its logs and traces. A grant a component made from a
	// wrong operation (grant.Grant.Err) is refused, before anything is registered.
	Grants []grant.Grant
	// AlarmTopic is the ARN of the SNS topic the function's Errors and Throttles alarms notify.
	// Nil means the alarms exist without actions (visible in the console only).
	AlarmTopic pulumi.StringInput
	// Transform customizes the children before they are registered. The zero value changes
	// nothing.
	Transform Transform
}

// VPC places a function in a VPC.
type VPC struct {
	// SubnetIDs are the subnets ("subnet-...") Lambda creates the function's network
	// interfaces in, 1 to 16; two or more in different Availability Zones keep the function
	// up when one zone is not.
	SubnetIDs []pulumi.StringInput
	// SecurityGroupIDs are the security groups ("sg-...") of those interfaces, 1 to 5.
	SecurityGroupIDs []pulumi.StringInput
}

// Transform customizes a Function's children, each just before it is registered (see
// package transform). name is the child's logical name, as the package doc lists them. A nil
// field leaves its child as the component built it.
type Transform struct {
	// Function customizes the Lambda function "<name>".
	Function transform.Func[lambda.FunctionArgs]
	// Role customizes the execution role "<name>-role".
	Role transform.Func[iam.RoleArgs]
	// LoggingPolicy customizes the role policy "<name>-logging" (own logs and traces).
	LoggingPolicy transform.Func[iam.RolePolicyArgs]
	// GrantPolicy customizes the role policy of every grant, "<name>-<grant name>".
	GrantPolicy transform.Func[iam.RolePolicyArgs]
	// VPCPolicy customizes the role policy "<name>-vpc-access" (made with Args.VPC only).
	VPCPolicy transform.Func[iam.RolePolicyArgs]
	// LogGroup customizes the log group "<name>-logs".
	LogGroup transform.Func[cloudwatch.LogGroupArgs]
	// Alarm customizes both alarms, "<name>-errors" and "<name>-throttles".
	Alarm transform.Func[cloudwatch.MetricAlarmArgs]
}

// Function is a Go Lambda with its role, role policies, log group and alarms.
type Function struct {
	pulumi.ResourceState

	// The children, for escape hatches and for grants. VPCPolicy is nil without Args.VPC.
	Function      *lambda.Function
	Role          *iam.Role
	LoggingPolicy *iam.RolePolicy
	VPCPolicy     *iam.RolePolicy
	LogGroup      *cloudwatch.LogGroup
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

// CheckLogRetention returns an error when d is not a whole number of days that CloudWatch
// Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653), for programs that validate their own
// config before they build Args.
func CheckLogRetention(d time.Duration) error { return check.CheckLogRetention(d) }

func grantStatements(g grant.Grant) []iampolicy.Statement {
	out := make([]iampolicy.Statement, len(g.Statements))
	for i, s := range g.Statements {
		out[i] = iampolicy.Statement{Sid: s.Sid, Actions: s.Actions, Resources: s.Resources}
	}
	return out
}

// New validates args, builds the package, and registers the function and its children. Any
// error (invalid fields, missing package, compile error) comes before anything is registered;
// invalid fields are reported all at once.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Function, error) {
	s, archive, err := prepare(ctx, name, args)
	if err != nil {
		return nil, err
	}
	tf := s.Transform

	f := &Function{Timeout: s.Timeout, ArchivePath: archive, name: name, GrantPolicies: map[string]*iam.RolePolicy{}}
	if err := ctx.RegisterComponentResource("groundwork:function:Function", name, f, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(f)

	f.LogGroup, err = transform.Register(ctx, cloudwatch.NewLogGroup, tf.LogGroup, naming.Child(name, childLogs), &cloudwatch.LogGroupArgs{
		RetentionInDays: pulumi.Int(int(s.LogRetention / check.Day)),
	}, parent)
	if err != nil {
		return nil, err
	}
	roleArgs := &iam.RoleArgs{
		Description:      pulumi.Sprintf("Execution role of the %s function", name),
		AssumeRolePolicy: pulumi.String(iampolicy.AssumeRole("lambda.amazonaws.com")),
	}
	if s.PermissionsBoundary != nil {
		roleArgs.PermissionsBoundary = s.PermissionsBoundary.ToStringOutput()
	}
	if f.Role, err = transform.Register(ctx, iam.NewRole, tf.Role, naming.Child(name, childRole), roleArgs, parent); err != nil {
		return nil, err
	}
	// rolePolicy registers one inline policy of the role.
	rolePolicy := func(tf transform.Func[iam.RolePolicyArgs], role string, stmts ...iampolicy.Statement) (*iam.RolePolicy, error) {
		doc, err := iampolicy.Document(stmts...)
		if err != nil {
			return nil, err
		}
		return transform.Register(ctx, iam.NewRolePolicy, tf, naming.Child(name, role), &iam.RolePolicyArgs{Role: f.Role.Name, Policy: doc}, parent)
	}
	logStreams := f.LogGroup.Arn.ApplyT(func(arn string) string { return arn + ":*" }).(pulumi.StringOutput)
	f.LoggingPolicy, err = rolePolicy(tf.LoggingPolicy, childLogging,
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
	// The log group must exist before the function's first invocation writes to it, and the
	// role must hold its policies before the function first runs (and, in a VPC, before
	// Lambda checks that the role may create network interfaces): all explicit, not left to
	// the data flow.
	before := []pulumi.Resource{f.LogGroup, f.LoggingPolicy}
	for _, g := range s.Grants {
		rp, err := rolePolicy(tf.GrantPolicy, g.Name, grantStatements(g)...)
		if err != nil {
			return nil, err
		}
		f.GrantPolicies[g.Name] = rp
		before = append(before, rp)
	}
	if s.VPC != nil {
		if f.VPCPolicy, err = rolePolicy(tf.VPCPolicy, childVPC, vpcStatements(ctx, s.VPC, parent)...); err != nil {
			return nil, err
		}
		before = append(before, f.VPCPolicy)
	}

	fargs := &lambda.FunctionArgs{
		Code:             pulumi.NewFileArchive(archive),
		Runtime:          pulumi.String(string(lambda.RuntimeCustomAL2023)),
		Handler:          pulumi.String("bootstrap"),
		Architectures:    pulumi.StringArray{pulumi.String(Architecture)},
		MemorySize:       pulumi.Int(s.MemoryMB),
		Timeout:          pulumi.Int(int(s.Timeout / time.Second)),
		EphemeralStorage: &lambda.FunctionEphemeralStorageArgs{Size: pulumi.Int(s.EphemeralStorageMB)},
		Role:             f.Role.Arn,
		TracingConfig:    &lambda.FunctionTracingConfigArgs{Mode: pulumi.String(TracingMode)},
		LoggingConfig: &lambda.FunctionLoggingConfigArgs{
			LogFormat: pulumi.String("JSON"),
			LogGroup:  f.LogGroup.Name,
		},
	}
	if s.Description != "" {
		fargs.Description = pulumi.String(s.Description)
	}
	if len(s.Environment) > 0 {
		fargs.Environment = &lambda.FunctionEnvironmentArgs{Variables: s.Environment}
	}
	if s.ReservedConcurrency > 0 {
		fargs.ReservedConcurrentExecutions = pulumi.Int(s.ReservedConcurrency)
	}
	if len(s.Layers) > 0 {
		fargs.Layers = pulumi.StringArray(s.Layers)
	}
	if s.VPC != nil {
		fargs.VpcConfig = &lambda.FunctionVpcConfigArgs{
			SubnetIds:        pulumi.StringArray(s.VPC.SubnetIDs),
			SecurityGroupIds: pulumi.StringArray(s.VPC.SecurityGroupIDs),
		}
	}
	if f.Function, err = transform.Register(ctx, lambda.NewFunction, tf.Function, name, fargs, parent, pulumi.DependsOn(before)); err != nil {
		return nil, err
	}
	dims := pulumi.StringMap{"FunctionName": f.Function.Name}
	for _, spec := range []metricalarm.Spec{
		{Suffix: childErrors, Description: "The " + name + " function returned errors (invocations that failed or timed out).",
			Namespace: "AWS/Lambda", Metric: "Errors", Dimensions: dims, Statistic: "Sum", Threshold: 1, Period: 5 * time.Minute},
		{Suffix: childThrottles, Description: "The " + name + " function was throttled: requests were refused for lack of concurrency.",
			Namespace: "AWS/Lambda", Metric: "Throttles", Dimensions: dims, Statistic: "Sum", Threshold: 1, Period: 5 * time.Minute},
	} {
		al, err := metricalarm.New(ctx, name, spec, s.AlarmTopic, tf.Alarm, parent)
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
// child call it before they register themselves, so a bad function fails them cleanly; its
// error is a report of every invalid field, which such a component adds to its own under its
// field (a queue's "Consumer.MemoryMB").
func Check(ctx *pulumi.Context, name string, args *Args) error {
	_, _, err := prepare(ctx, name, args)
	return err
}

// prepare resolves args and finds or builds the code archive. Its error reports every invalid
// field at once; the package is built only when the fields are valid.
func prepare(ctx *pulumi.Context, name string, args *Args) (settings, string, error) {
	if args == nil {
		args = &Args{}
	}
	s, err := resolve(name, *args)
	if err != nil {
		return s, "", err
	}
	r := check.New(kind, name)
	archive := s.Archive
	if s.Package != "" {
		var pe *packageError
		archive, err = Build(context.Background(), ctx.RootDirectory(), s.Package)
		switch {
		case errors.As(err, &pe):
			r.Addf("Package", "%q %s", pe.pkg, pe.reason)
		case err != nil:
			r.Add("Package", err)
		}
	} else {
		if !filepath.IsAbs(archive) {
			archive = filepath.Join(ctx.RootDirectory(), archive)
		}
		if !fileExists(archive) {
			r.Addf("Archive", "%s does not exist", archive)
		}
	}
	return s, archive, r.Err()
}
