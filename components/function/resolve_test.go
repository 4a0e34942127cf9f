package function

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/internal/check"
	"github.com/groundwork-dev/groundwork/components/internal/naming"
)

// The defaulting decisions, without the engine.
func TestResolveDefaults(t *testing.T) {
	tests := []struct {
		name             string
		args             Args
		memory, storage  int
		timeout, logKeep time.Duration
	}{
		{"zero values", Args{Package: "./x"}, 256, 512, 10 * time.Second, 30 * 24 * time.Hour},
		{"explicit values are kept", Args{Package: "./x", MemoryMB: 1024, EphemeralStorageMB: 2048, Timeout: time.Minute, LogRetention: 7 * check.Day},
			1024, 2048, time.Minute, 7 * 24 * time.Hour},
		{"the largest Lambda allows", Args{Archive: "a.zip", MemoryMB: 10240, EphemeralStorageMB: 10240, Timeout: 900 * time.Second, LogRetention: 3653 * check.Day},
			10240, 10240, 900 * time.Second, 3653 * 24 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := resolve("api", tc.args)
			require.NoError(t, err)
			assert.Equal(t, tc.memory, s.MemoryMB, "MemoryMB")
			assert.Equal(t, tc.storage, s.EphemeralStorageMB, "EphemeralStorageMB")
			assert.Equal(t, tc.timeout, s.Timeout, "Timeout")
			assert.Equal(t, tc.logKeep, s.LogRetention, "LogRetention")
		})
	}
}

// problems returns the fields resolve reports, in order.
func problems(t *testing.T, err error) []check.Problem {
	t.Helper()
	var e *check.Error
	require.True(t, errors.As(err, &e), "a *check.Error, got %v", err)
	return e.Problems
}

func TestResolveReportsEveryInvalidFieldAtOnce(t *testing.T) {
	// Given Args with eight invalid fields
	a := Args{
		MemoryMB: 64, Timeout: 1500 * time.Millisecond, EphemeralStorageMB: 256, LogRetention: 2 * check.Day,
		ReservedConcurrency: -1,
		Layers:              []pulumi.StringInput{pulumi.String("my-layer")},
		PermissionsBoundary: pulumi.String("arn:aws:iam::123456789012:role/boundary"),
		VPC:                 &VPC{SubnetIDs: []pulumi.StringInput{pulumi.String("subnet-0abc")}},
	}
	// When it is resolved
	_, err := resolve("api", a)
	// Then every one is reported, in the order of Args, each naming its field
	var fields []string
	for _, p := range problems(t, err) {
		fields = append(fields, p.Field)
	}
	assert.Equal(t, []string{"Package", "MemoryMB", "Timeout", "EphemeralStorageMB", "LogRetention", "ReservedConcurrency",
		"Layers[0]", "PermissionsBoundary", "VPC.SecurityGroupIDs"}, fields)
	assert.True(t, strings.HasPrefix(err.Error(), `function "api": 9 invalid fields:`), "one error names the function: %v", err)
}

func TestResolveValidation(t *testing.T) {
	s := func(v ...string) []pulumi.StringInput {
		out := make([]pulumi.StringInput, len(v))
		for i, x := range v {
			out[i] = pulumi.String(x)
		}
		return out
	}
	layer := "arn:aws:lambda:us-east-1:123456789012:layer:otel:3"
	vpc := func(subnets, groups []pulumi.StringInput) Args {
		return Args{Package: "./x", VPC: &VPC{SubnetIDs: subnets, SecurityGroupIDs: groups}}
	}
	grantOf := func(names ...string) Args {
		a := Args{Package: "./x"}
		for _, n := range names {
			a.Grants = append(a.Grants, grant.Grant{Name: n, Statements: []grant.Statement{{Actions: []string{"sqs:SendMessage"},
				Resources: s("arn:aws:sqs:us-east-1:123456789012:q")}}})
		}
		return a
	}
	tests := []struct {
		name  string
		fn    string
		args  Args
		field string // the one problem's field; empty when the Args are valid
		msg   string // in its message
	}{
		{"neither package nor archive", "api", Args{}, "Package", "and Archive are both empty"},
		{"both package and archive", "api", Args{Package: "./x", Archive: "a.zip"}, "Package", `"./x" and Archive "a.zip" are both set`},
		{"description over 256", "api", Args{Package: "./x", Description: strings.Repeat("d", 257)}, "Description", "is 257 characters; Lambda allows 256"},
		{"memory under 128", "api", Args{Package: "./x", MemoryMB: 127}, "MemoryMB", "127 is outside 128-10240"},
		{"memory over 10240", "api", Args{Package: "./x", MemoryMB: 10241}, "MemoryMB", "10241 is outside 128-10240"},
		{"timeout over 900s", "api", Args{Package: "./x", Timeout: 901 * time.Second}, "Timeout", "901s must be whole seconds from 1s to 900s"},
		{"timeout negative", "api", Args{Package: "./x", Timeout: -time.Second}, "Timeout", "-1s must be whole seconds"},
		{"ephemeral storage under 512", "api", Args{Package: "./x", EphemeralStorageMB: 511}, "EphemeralStorageMB", "511 is outside 512-10240"},
		{"ephemeral storage over 10240", "api", Args{Package: "./x", EphemeralStorageMB: 10241}, "EphemeralStorageMB", "10241 is outside 512-10240"},
		{"retention CloudWatch refuses", "api", Args{Package: "./x", LogRetention: 2 * check.Day}, "LogRetention", "2 days is not a retention"},
		{"negative reserved concurrency", "api", Args{Package: "./x", ReservedConcurrency: -1}, "ReservedConcurrency", "-1 is negative"},
		{"reserved concurrency 1", "api", Args{Package: "./x", ReservedConcurrency: 1}, "", ""},
		{"reserved env var", "api", Args{Package: "./x", Environment: pulumi.StringMap{"AWS_REGION": pulumi.String("x")}}, "Environment", `"AWS_REGION" is reserved by Lambda`},
		{"reserved env var TZ", "api", Args{Package: "./x", Environment: pulumi.StringMap{"TZ": pulumi.String("x")}}, "Environment", `"TZ" is reserved by Lambda`},
		{"invalid env var name", "api", Args{Package: "./x", Environment: pulumi.StringMap{"1X": pulumi.String("x")}}, "Environment", `"1X" is not a valid variable name`},
		{"five layers", "api", Args{Package: "./x", Layers: s(layer, layer, layer, layer, layer)}, "", ""},
		{"six layers", "api", Args{Package: "./x", Layers: s(layer, layer, layer, layer, layer, layer)}, "Layers", "has 6 layers; Lambda allows at most 5"},
		{"a layer that is no layer version ARN", "api", Args{Package: "./x", Layers: s("arn:aws:lambda:us-east-1:123456789012:layer:otel")}, "Layers[0]", "is not a layer version ARN"},
		{"a nil layer", "api", Args{Package: "./x", Layers: []pulumi.StringInput{nil}}, "Layers[0]", "is nil"},
		{"a layer from another resource is AWS's to check", "api", Args{Package: "./x", Layers: []pulumi.StringInput{pulumi.String("x").ToStringOutput()}}, "", ""},
		{"an AWS managed boundary", "api", Args{Package: "./x", PermissionsBoundary: pulumi.String("arn:aws:iam::aws:policy/PowerUserAccess")}, "", ""},
		{"a boundary that is a role", "api", Args{Package: "./x", PermissionsBoundary: pulumi.String("arn:aws:iam::123456789012:role/b")}, "PermissionsBoundary", "is not a managed policy ARN"},
		{"a VPC", "api", vpc(s("subnet-0a1b", "subnet-2c3d"), s("sg-0a1b")), "", ""},
		{"a VPC without subnets", "api", vpc(nil, s("sg-0a1b")), "VPC.SubnetIDs", "has 0; Lambda takes 1 to 16 subnet IDs"},
		{"a VPC with 17 subnets", "api", vpc(s(strings.Split(strings.Repeat("subnet-1 ", 17), " ")[:17]...), s("sg-0a1b")), "VPC.SubnetIDs", "has 17; Lambda takes 1 to 16"},
		{"a VPC with 6 security groups", "api", vpc(s("subnet-0a1b"), s("sg-1", "sg-2", "sg-3", "sg-4", "sg-5", "sg-6")), "VPC.SecurityGroupIDs", "has 6; Lambda takes 1 to 5 security group IDs"},
		{"a subnet that is a VPC", "api", vpc(s("vpc-0a1b"), s("sg-0a1b")), "VPC.SubnetIDs[0]", `"vpc-0a1b" is not a subnet ID`},
		{"a security group that is a subnet", "api", vpc(s("subnet-0a1b"), s("subnet-0a1b")), "VPC.SecurityGroupIDs[0]", `"subnet-0a1b" is not a security group ID`},
		{"a name of 51 characters", strings.Repeat("n", 51), Args{Package: "./x"}, "", ""},
		{"a name of 52 characters", strings.Repeat("n", 52), Args{Package: "./x"}, "name", `its child "` + strings.Repeat("n", 52) + `-role" (IAM role) would be named up to 65 characters, over the 64 AWS allows; at most 51 characters fit`},
		{"a name with a dot", "api.v2", Args{Package: "./x"}, "name", `"api.v2" has '.' at byte 3`},
		{"an empty name", "", Args{Package: "./x"}, "name", "is empty"},
		{"a grant named like the logging policy", "api", grantOf("logging"), "Grants[0].Name", `"logging" is the name of the function's own logging policy`},
		{"a grant named like the VPC policy", "api", grantOf("vpc-access"), "Grants[0].Name", `"vpc-access" is the name of the function's own vpc-access policy`},
		{"two grants of one name", "api", grantOf("send", "send"), "Grants[1].Name", `"send" is the name of an earlier grant`},
		{"a grant without a name", "api", grantOf(""), "Grants[0].Name", "is empty"},
		{"a grant with a space in its name", "api", grantOf("a b"), "Grants[0].Name", "allows only letters, digits and +=,.@_-"},
		{"a grant whose policy name is over 128", "api", grantOf(strings.Repeat("g", 117)), "Grants[0].Name", "over the 128 AWS allows"},
		{"a grant whose policy name is 128", "api", grantOf(strings.Repeat("g", 116)), "", ""},
		{"a wildcard grant", "api", Args{Package: "./x", Grants: []grant.Grant{{Name: "all", Statements: []grant.Statement{{Actions: []string{"s3:*"},
			Resources: s("arn:aws:s3:::b")}}}}}, "Grants[0]", `"all": statement 0 (): action "s3:*" is a wildcard`},
		{"a grant without resources", "api", Args{Package: "./x", Grants: []grant.Grant{{Name: "none", Statements: []grant.Statement{{Actions: []string{"s3:GetObject"}}}}}},
			"Grants[0]", `"none": statement 0 (): no resources`},
		{"a grant made from a wrong operation", "api", Args{Package: "./x", Grants: []grant.Grant{grant.Invalid("t-invalid", errors.New(`table "t" Grant: operations[0] is empty`))}},
			"Grants[0]", `table "t" Grant: operations[0] is empty`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := resolve(tc.fn, tc.args)
			if tc.field == "" {
				assert.NoError(t, err, "valid Args")
				return
			}
			ps := problems(t, err)
			require.Len(t, ps, 1, "one problem: %v", err)
			assert.Equal(t, tc.field, ps[0].Field, "the field named")
			assert.Contains(t, ps[0].Message, tc.msg, "what is wrong")
		})
	}
}

func TestNameLimitIsIAMRoles(t *testing.T) {
	// The longest name is set by the role, "<name>-role" plus Pulumi's 8-character suffix
	// within IAM's 64: the 51 maxNameLen used to hard-code.
	assert.Equal(t, 64-len("-role")-naming.AutoSuffixLen, naming.MaxName(children))
}
