package function

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/internal/iampolicy"
)

// vpcStatements are the role policy statements Lambda needs to manage the network interfaces
// of a function in v, on the narrowest resources IAM accepts for each action (the package
// doc says why each is what it is). invoke carries the component's parent, so the ARNs are
// those of the function's own provider: its partition, region and account.
func vpcStatements(ctx *pulumi.Context, v *VPC, invoke pulumi.InvokeOption) []iampolicy.Statement {
	partition := aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, invoke).Partition()
	region := aws.GetRegionOutput(ctx, aws.GetRegionOutputArgs{}, invoke).Name()
	account := aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, invoke).AccountId()
	ec2 := func(resource string, id pulumi.StringInput) pulumi.StringInput {
		return pulumi.Sprintf("arn:%s:ec2:%s:%s:%s/%s", partition, region, account, resource, id)
	}
	interfaces := ec2("network-interface", pulumi.String("*"))
	create := []pulumi.StringInput{interfaces}
	for _, id := range v.SubnetIDs {
		create = append(create, ec2("subnet", id))
	}
	for _, id := range v.SecurityGroupIDs {
		create = append(create, ec2("security-group", id))
	}
	return []iampolicy.Statement{
		{
			Sid:       "CreateNetworkInterfaces",
			Actions:   []string{"ec2:CreateNetworkInterface"},
			Resources: create,
		},
		{
			Sid:       "ManageNetworkInterfaces",
			Actions:   []string{"ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"},
			Resources: []pulumi.StringInput{interfaces},
		},
		{
			Sid:         "DescribeNetworkInterfaces",
			Actions:     []string{"ec2:DescribeNetworkInterfaces"},
			AnyResource: true,
		},
	}
}
