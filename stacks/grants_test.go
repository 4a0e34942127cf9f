package stacks_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/table"
	"github.com/groundwork-dev/groundwork/internal/awscalls"
	"github.com/groundwork-dev/groundwork/stacks"
)

// The least-privilege proof: for every function of the stack, the (action, resource) pairs
// its role policies allow equal the pairs its code needs (the IAM actions of the AWS calls
// its entry point's tests recorded against the emulators, in <package>/testdata/aws-calls.json)
// plus the pairs the platform needs on its behalf (platformNeeds). Nothing missing, nothing
// extra, per function, in every stack.

// functionPackages names the entry point of each function the stack creates: its recorded
// calls are in <package>/testdata/aws-calls.json. A function missing here fails the proof.
var functionPackages = map[string]string{
	"api":             stacks.APIPackage,
	"events-consumer": stacks.WorkerPackage,
}

// platformNeed is what AWS does with a function's role on the function's behalf, beyond
// the calls its code makes.
type platformNeed struct {
	// why says who calls and where AWS says so.
	why string
	// needs returns the pairs for fn, from the recorded resources (nil when it does not
	// apply to fn).
	needs func(all []componenttest.Resource, fn componenttest.Resource) ([]pair, error)
}

// platformNeeds is the one list of what the platform does with a function's role.
var platformNeeds = []platformNeed{
	{
		why: "Lambda sends the function's output to its log group with the execution role: " +
			"logs:CreateLogStream and logs:PutLogEvents on the group and its streams (\"<group ARN>:*\"); " +
			"the group exists, so no logs:CreateLogGroup " +
			"(https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html)",
		needs: func(all []componenttest.Resource, fn componenttest.Resource) ([]pair, error) {
			name := fn.InputString("loggingConfig.logGroup")
			group, ok := find(all, tLogGroup, "name", name)
			if !ok {
				return nil, fmt.Errorf("function %s logs to %q, which is no log group of the stack", fn.Name, name)
			}
			arn := outputString(group, "arn")
			return pairs([]string{"logs:CreateLogStream", "logs:PutLogEvents"}, arn, arn+":*"), nil
		},
	},
	{
		why: "With active tracing, Lambda sends the function's trace segments with the execution role: " +
			"xray:PutTraceSegments and xray:PutTelemetryRecords, which have no resource type, on \"*\" " +
			"(https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html)",
		needs: func(_ []componenttest.Resource, fn componenttest.Resource) ([]pair, error) {
			if fn.InputString("tracingConfig.mode") != "Active" {
				return nil, nil
			}
			return pairs([]string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"}, "*"), nil
		},
	},
	{
		why: "An SQS event source mapping polls the queue with the function's execution role: " +
			"sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes on the queue, and " +
			"kms:Decrypt on its customer managed key, if any " +
			"(https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html)",
		needs: func(all []componenttest.Resource, fn componenttest.Resource) ([]pair, error) {
			var out []pair
			for _, m := range byType(all, "aws:lambda/eventSourceMapping:EventSourceMapping") {
				if m.InputString("functionName") != outputString(fn, "arn") {
					continue
				}
				q, ok := find(all, tQueue, "arn", m.InputString("eventSourceArn"))
				if !ok {
					return nil, fmt.Errorf("mapping %s reads %q, which is no queue of the stack", m.Name, m.InputString("eventSourceArn"))
				}
				out = append(out, pairs([]string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}, outputString(q, "arn"))...)
				if key := q.InputString("kmsMasterKeyId"); key != "" {
					out = append(out, pair{"kms:Decrypt", key})
				}
			}
			return out, nil
		},
	},
}

const (
	tQueue      = "aws:sqs/queue:Queue"
	tRolePolicy = "aws:iam/rolePolicy:RolePolicy"
)

// pair is one action allowed on one resource.
type pair struct{ action, resource string }

func (p pair) String() string { return p.action + " on " + p.resource }

func pairs(actions []string, resources ...string) []pair {
	var out []pair
	for _, a := range actions {
		for _, r := range resources {
			out = append(out, pair{a, r})
		}
	}
	return out
}

func TestEachFunctionIsGrantedExactlyWhatItsCodeCalls(t *testing.T) {
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			// Given the stack as the real stack file makes it
			rec := runStack(t, env)
			all := rec.Resources()
			fns := byType(all, tFunction)
			require.NotEmpty(t, fns)
			for _, fn := range fns {
				t.Run(fn.Name, func(t *testing.T) {
					// And the calls the function's code makes, as its entry point's test recorded them
					calls := goldenCalls(t, fn.Name)
					// Then its role policies allow exactly what those calls and the platform need
					assert.NoError(t, proveGrants(all, fn, calls))
				})
			}
			// And every role policy of the stack is on a function's role the proof covered
			roles := map[string]bool{}
			for _, fn := range fns {
				roles[roleName(all, fn)] = true
			}
			for _, p := range byType(all, tRolePolicy) {
				assert.True(t, roles[p.InputString("role")], "role policy %s is on the role of a function the proof covers", p.Name)
			}
		})
	}
}

func TestTheProofFailsOnAnExtraGrantOrAnExtraCall(t *testing.T) {
	rec := runStack(t, "prod")
	all := rec.Resources()
	api := rec.Must(t, tFunction, "api")
	calls := goldenCalls(t, "api")
	table := outputString(rec.Must(t, tTable, "inquiries"), "arn")
	require.NoError(t, proveGrants(all, api, calls), "the stack as it is passes")

	// plant returns the stack's resources with one more role policy on the api's role.
	plant := func(policy string) []componenttest.Resource {
		extra := componenttest.Resource{Type: tRolePolicy, Name: "api-planted", Inputs: resource.NewPropertyMapFromMap(map[string]any{
			"role": roleName(all, api), "policy": policy})}
		return append(slices.Clone(all), extra)
	}
	tests := []struct {
		name string
		all  []componenttest.Resource
		// calls are the api's recorded calls for this case.
		calls []awscalls.Call
		want  []string
	}{
		{"an extra grant: Scan on the table", plant(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:Scan"],"Resource":["` + table + `"]}]}`), calls,
			[]string{"granted, but neither its code nor the platform needs it: dynamodb:Scan on " + table}},
		{"an extra call: the code deletes items", all, append(slices.Clone(calls), awscalls.Call{Service: "DynamoDB", Operation: "DeleteItem", Resource: "$TABLE_NAME"}),
			[]string{"needed, but not granted: dynamodb:DeleteItem on " + table}},
		{"the api's grant before this change: GrantReadWrite", plant(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:BatchGetItem","dynamodb:ConditionCheckItem","dynamodb:DescribeTable","dynamodb:GetItem","dynamodb:Query","dynamodb:Scan","dynamodb:BatchWriteItem","dynamodb:DeleteItem","dynamodb:PutItem","dynamodb:UpdateItem"],"Resource":["` + table + `","` + table + `/index/*"]}]}`), calls,
			[]string{
				"granted, but neither its code nor the platform needs it: dynamodb:Scan on " + table,
				"granted, but neither its code nor the platform needs it: dynamodb:DeleteItem on " + table,
				"granted, but neither its code nor the platform needs it: dynamodb:GetItem on " + table + "/index/*",
			}},
		{"a call on a resource the function does not get from its environment", all, append(slices.Clone(calls), awscalls.Call{Service: "DynamoDB", Operation: "GetItem", Resource: "other-table"}),
			[]string{`resource "other-table" is not "$" and the name of one of the function's environment variables`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := proveGrants(tc.all, api, tc.calls)
			require.Error(t, err, "the proof fails")
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
		})
	}
}

func TestTheProofCountsTheKeysOfEncryptedResources(t *testing.T) {
	// Given a function granted ItemGet on a table encrypted with a customer managed key
	const key = "arn:aws:kms:us-east-1:123456789012:key/k1"
	program := func(ops ...table.Operation) pulumi.RunFunc {
		return func(ctx *pulumi.Context) error {
			tbl, err := table.New(ctx, "records", &table.Args{
				Attributes: map[string]table.AttributeType{"pk": table.String}, HashKey: "pk", KMSKeyARN: pulumi.String(key)})
			if err != nil {
				return err
			}
			_, err = function.New(ctx, "fn", &function.Args{Package: "./components/function/testdata/hello",
				Environment: pulumi.StringMap{"TABLE_NAME": tbl.Name}, Grants: []grant.Grant{tbl.Grant(ops...)}})
			return err
		}
	}
	get := []awscalls.Call{{Service: "DynamoDB", Operation: "GetItem", Resource: "$TABLE_NAME"}}

	// When its code gets items, then the grant, kms:Decrypt on the key included, is exact
	rec := componenttest.MustRun(t, program(table.ItemGet))
	assert.NoError(t, proveGrants(rec.Resources(), rec.Must(t, tFunction, "fn"), get), "get: GetItem and kms:Decrypt")

	// And when its code also updates items, the missing UpdateItem and kms:GenerateDataKey show
	update := append(slices.Clone(get), awscalls.Call{Service: "DynamoDB", Operation: "UpdateItem", Resource: "$TABLE_NAME"})
	err := proveGrants(rec.Resources(), rec.Must(t, tFunction, "fn"), update)
	assert.ErrorContains(t, err, "needed, but not granted: dynamodb:UpdateItem on ")
	assert.ErrorContains(t, err, "needed, but not granted: kms:GenerateDataKey on "+key)
}

// goldenCalls reads the calls recorded for the function's entry point.
func goldenCalls(t *testing.T, fn string) []awscalls.Call {
	t.Helper()
	pkg, ok := functionPackages[fn]
	require.True(t, ok, "function %s has an entry point in functionPackages", fn)
	calls, err := awscalls.ReadGolden(filepath.Join(projectDir(t), pkg, awscalls.GoldenFile))
	require.NoError(t, err)
	return calls
}

// proveGrants compares what fn's role policies allow with what its calls and the platform
// need, and returns an error listing every difference.
func proveGrants(all []componenttest.Resource, fn componenttest.Resource, calls []awscalls.Call) error {
	need := map[pair]string{} // pair -> why
	for _, c := range calls {
		n, err := awscalls.Needs(c)
		if err != nil {
			return err
		}
		target, err := resolve(all, fn, n)
		if err != nil {
			return fmt.Errorf("function %s: %s: %w", fn.Name, c, err)
		}
		need[pair{n.Action, target.arn}] = c.String()
		if target.key != "" {
			for _, a := range n.KeyActions {
				need[pair{a, target.key}] = c.String() + " (customer managed key)"
			}
		}
	}
	for _, p := range platformNeeds {
		ps, err := p.needs(all, fn)
		if err != nil {
			return err
		}
		for _, x := range ps {
			need[x] = p.why
		}
	}

	have := map[pair]bool{}
	role := roleName(all, fn)
	for _, p := range byType(all, tRolePolicy) {
		if p.InputString("role") != role {
			continue
		}
		doc, err := componenttest.ParsePolicy(p.InputString("policy"))
		if err != nil {
			return fmt.Errorf("role policy %s: %w", p.Name, err)
		}
		for _, st := range doc.Statement {
			if st.Effect != "Allow" || len(st.NotAction) > 0 || st.NotResource != nil {
				return fmt.Errorf("role policy %s: only Allow statements of Action and Resource are understood here", p.Name)
			}
			for _, r := range strs(st.Resource) {
				for _, a := range st.Action {
					have[pair{a, r}] = true
				}
			}
		}
	}

	var diffs []string
	for _, p := range sortedPairs(need) {
		if !have[p] {
			diffs = append(diffs, fmt.Sprintf("needed, but not granted: %s (for %s)", p, need[p]))
		}
	}
	for p := range have {
		if _, ok := need[p]; !ok {
			diffs = append(diffs, "granted, but neither its code nor the platform needs it: "+p.String())
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	slices.Sort(diffs)
	return fmt.Errorf("function %s: its role does not allow exactly what it needs:\n  %s", fn.Name, strings.Join(diffs, "\n  "))
}

// target is the ARN a need is authorized on, and the resource's customer managed key.
type target struct{ arn, key string }

// resolve finds the stack resource a need names through the function's environment and
// returns the ARN of the kind the need is authorized on.
func resolve(all []componenttest.Resource, fn componenttest.Resource, n awscalls.Need) (target, error) {
	name, ok := strings.CutPrefix(n.Resource, "$")
	value := fn.InputString("environment.variables." + name)
	if !ok || value == "" {
		return target{}, fmt.Errorf("resource %q is not \"$\" and the name of one of the function's environment variables", n.Resource)
	}
	switch n.On {
	case awscalls.Table, awscalls.Index:
		t, ok := find(all, tTable, "name", value)
		if !ok {
			return target{}, fmt.Errorf("$%s is %q, which is no table of the stack", name, value)
		}
		arn := outputString(t, "arn")
		if n.On == awscalls.Index {
			arn += "/index/*"
		}
		return target{arn, t.InputString("serverSideEncryption.kmsKeyArn")}, nil
	case awscalls.Bucket, awscalls.Object:
		b, ok := find(all, tBucket, "bucket", value)
		if !ok {
			return target{}, fmt.Errorf("$%s is %q, which is no bucket of the stack", name, value)
		}
		arn := outputString(b, "arn")
		if n.On == awscalls.Object {
			arn += "/*"
		}
		key := ""
		for _, sse := range byType(all, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2") {
			if sse.InputString("bucket") == b.ID {
				key = sse.InputString("rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId")
			}
		}
		return target{arn, key}, nil
	case awscalls.Queue:
		q, ok := find(all, tQueue, "url", value)
		if !ok {
			return target{}, fmt.Errorf("$%s is %q, which is no queue of the stack", name, value)
		}
		return target{outputString(q, "arn"), q.InputString("kmsMasterKeyId")}, nil
	}
	return target{}, fmt.Errorf("resource kind %q is unknown here", n.On)
}

// roleName is the name of fn's execution role.
func roleName(all []componenttest.Resource, fn componenttest.Resource) string {
	role, _ := find(all, "aws:iam/role:Role", "arn", fn.InputString("role"))
	return outputString(role, "name")
}

func byType(all []componenttest.Resource, typ string) []componenttest.Resource {
	var out []componenttest.Resource
	for _, r := range all {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// find returns the resource of a type whose output key is value.
func find(all []componenttest.Resource, typ, key, value string) (componenttest.Resource, bool) {
	for _, r := range byType(all, typ) {
		if value != "" && outputString(r, key) == value {
			return r, true
		}
	}
	return componenttest.Resource{}, false
}

func outputString(r componenttest.Resource, key string) string {
	v, _ := r.Output(key)
	s, _ := v.(string)
	return s
}

// strs reads an IAM Resource, a string or a list of strings.
func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func sortedPairs(m map[pair]string) []pair {
	out := make([]pair, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b pair) int { return strings.Compare(a.String(), b.String()) })
	return out
}
