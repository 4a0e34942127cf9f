package function_test

import (
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/policy"
)

func TestFunctionLayersStorageAndBoundary(t *testing.T) {
	// Given two layers, 2 GB of /tmp and a permissions boundary
	layers := []string{"arn:aws:lambda:us-east-1:123456789012:layer:otel:3", "arn:aws:lambda:us-east-1:123456789012:layer:certs:1"}
	boundary := "arn:aws:iam::123456789012:policy/workload-boundary"
	rec := run(t, &function.Args{
		Package:             hello,
		Layers:              []pulumi.StringInput{pulumi.String(layers[0]), pulumi.String(layers[1])},
		EphemeralStorageMB:  2048,
		PermissionsBoundary: pulumi.String(boundary),
	})
	fn := rec.Must(t, tFunction, "api")
	role := rec.Must(t, tRole, "api-role")

	// Then the function has the layers in order and the storage, and the role the boundary
	got, _ := fn.Input("layers")
	assert.Equal(t, []any{layers[0], layers[1]}, got, "layers, in order")
	assert.Equal(t, float64(2048), fn.MustNumber(t, "ephemeralStorage.size"), "ephemeral storage in MB")
	assert.Equal(t, boundary, role.InputString("permissionsBoundary"), "the role's permissions boundary")
}

func TestFunctionZeroValuesOfTheNewSettings(t *testing.T) {
	rec := run(t, &function.Args{Package: hello})
	fn := rec.Must(t, tFunction, "api")
	role := rec.Must(t, tRole, "api-role")
	_, hasLayers := fn.Input("layers")
	assert.False(t, hasLayers, "no layers")
	assert.Equal(t, float64(512), fn.MustNumber(t, "ephemeralStorage.size"), "Lambda's default /tmp, said explicitly")
	_, hasVPC := fn.Input("vpcConfig")
	assert.False(t, hasVPC, "no VPC")
	_, hasBoundary := role.Input("permissionsBoundary")
	assert.False(t, hasBoundary, "no permissions boundary")
	_, ok := rec.Get(tRolePolicy, "api-vpc-access")
	assert.False(t, ok, "no VPC access policy without a VPC")
}

func TestFunctionInAVPC(t *testing.T) {
	// Given a function in two subnets with one security group
	rec := run(t, &function.Args{Package: hello, VPC: &function.VPC{
		SubnetIDs:        []pulumi.StringInput{pulumi.String("subnet-0a1"), pulumi.String("subnet-0b2")},
		SecurityGroupIDs: []pulumi.StringInput{pulumi.String("sg-0c3")},
	}})
	fn := rec.Must(t, tFunction, "api")
	role := rec.Must(t, tRole, "api-role")
	pol := rec.Must(t, tRolePolicy, "api-vpc-access")

	// Then the function's VPC configuration holds them
	subnets, _ := fn.Input("vpcConfig.subnetIds")
	groups, _ := fn.Input("vpcConfig.securityGroupIds")
	assert.Equal(t, []any{"subnet-0a1", "subnet-0b2"}, subnets, "subnets")
	assert.Equal(t, []any{"sg-0c3"}, groups, "security groups")

	// And the role may manage network interfaces exactly as the Lambda guide lists, each
	// action on the narrowest resources of the function's own account and region
	assert.Equal(t, role.ID, pol.InputString("role"), "the policy is on the function's role")
	arn := "arn:aws:ec2:" + componenttest.DefaultRegion + ":" + componenttest.Account + ":"
	var doc map[string]any
	pol.MustJSON(t, "policy", &doc)
	assert.Equal(t, []any{
		map[string]any{"Sid": "CreateNetworkInterfaces", "Effect": "Allow", "Action": []any{"ec2:CreateNetworkInterface"},
			"Resource": []any{arn + "network-interface/*", arn + "subnet/subnet-0a1", arn + "subnet/subnet-0b2", arn + "security-group/sg-0c3"}},
		map[string]any{"Sid": "ManageNetworkInterfaces", "Effect": "Allow",
			"Action":   []any{"ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"},
			"Resource": []any{arn + "network-interface/*"}},
		map[string]any{"Sid": "DescribeNetworkInterfaces", "Effect": "Allow", "Action": []any{"ec2:DescribeNetworkInterfaces"}, "Resource": "*"},
	}, doc["Statement"])

	// And Lambda finds the policy in place when it creates the function
	assert.True(t, fn.DependsOnURN(pol.URN), "the function waits for its VPC access policy")
	// And the baseline accepts it: every action known, on resources of its kinds, and "*"
	// only for the action that accepts nothing else
	assert.Empty(t, policy.Check(rec.Resources(), policy.Options{}), "no baseline violation")
	// And the account and region come from the function's provider, not the default one
	for _, inv := range rec.Invokes() {
		assert.Contains(t, []string{"aws:index/getPartition:getPartition", "aws:index/getRegion:getRegion",
			"aws:index/getCallerIdentity:getCallerIdentity"}, inv.Token, "only the invokes the ARNs need")
	}
	require.Len(t, rec.Invokes(), 3, "partition, region and account, once each")
}

func TestFunctionInAVPCRegionFollowsTheProvider(t *testing.T) {
	// Given the function's provider in another region than the default
	program := func(ctx *pulumi.Context) error {
		p, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{Region: pulumi.String("eu-west-1")})
		if err != nil {
			return err
		}
		_, err = function.New(ctx, "api", &function.Args{Package: hello, VPC: &function.VPC{
			SubnetIDs: []pulumi.StringInput{pulumi.String("subnet-0a1")}, SecurityGroupIDs: []pulumi.StringInput{pulumi.String("sg-0c3")},
		}}, pulumi.Provider(p))
		return err
	}
	rec := componenttest.MustRun(t, program)
	// Then the network interface ARNs are in that region
	doc := rec.Must(t, tRolePolicy, "api-vpc-access").MustPolicy(t, "policy")
	assert.Contains(t, doc.Statement[1].Resource, "arn:aws:ec2:eu-west-1:"+componenttest.Account+":network-interface/*")
}
