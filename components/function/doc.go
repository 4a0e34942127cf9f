// Package function is a Go Lambda as a Pulumi component: a reproducible linux/arm64 build of
// a Go main package, zipped so the same sources give the same bytes (and `pulumi preview` shows
// no code change), on the provided.al2023 runtime with X-Ray tracing and JSON logs into its own
// log group, and an execution role that can only write to that log group, send traces, and do
// what its Grants declare.
//
// Secure defaults are not switches: there is no way to attach an AWS managed policy or to let
// another principal assume the role. What a team must customize beyond Args goes through
// Args.Transform, whose changes the tests (componenttest) and the baseline (policy) see.
//
// # Children
//
// A Function named "api" registers these children, each parented to it (the logical name,
// its type, and what it refers to):
//
//	api                 groundwork:function:Function   the component
//	api-logs            aws:cloudwatch/logGroup        -
//	api-role            aws:iam/role                   trusts lambda.amazonaws.com only;
//	                                                   permissionsBoundary = PermissionsBoundary
//	api-logging         aws:iam/rolePolicy             role = api-role's name; resources =
//	                                                   api-logs's ARN and its streams; X-Ray on "*"
//	api-<grant name>    aws:iam/rolePolicy             one per grant: role = api-role's name;
//	                                                   statements = the grant's
//	api-vpc-access      aws:iam/rolePolicy             with VPC only: role = api-role's name;
//	                                                   the network interface actions below
//	api                 aws:lambda/function            role = api-role's ARN; loggingConfig.logGroup
//	                                                   = api-logs's name; depends on api-logs and
//	                                                   every role policy above
//	api-errors          aws:cloudwatch/metricAlarm     dimension FunctionName = api's name
//	api-throttles       aws:cloudwatch/metricAlarm     dimension FunctionName = api's name
//
// Every child is auto-named by Pulumi (its logical name plus 8 characters), so New refuses a
// name longer than 51 characters: "<name>-role" would exceed IAM's 64 for a role. A grant's
// name must leave its role policy within IAM's 128.
//
// # In a VPC
//
// With Args.VPC, Lambda creates network interfaces in the given subnets with the given
// security groups, using the function's role. The role policy "<name>-vpc-access" allows
// exactly the EC2 actions the Lambda Developer Guide lists for that ("Giving Lambda functions
// access to resources in an Amazon VPC", execution role permissions), each on the narrowest
// resources IAM accepts for it:
//
//   - ec2:CreateNetworkInterface on network interfaces of the function's account and region,
//     the VPC's subnets and its security groups, by ARN;
//   - ec2:DeleteNetworkInterface, ec2:AssignPrivateIpAddresses and
//     ec2:UnassignPrivateIpAddresses on network interfaces of the function's account and
//     region (their IDs are Lambda's to choose; the guide warns that a Delete narrower than
//     that can cut the function off its VPC);
//   - ec2:DescribeNetworkInterfaces on "*", the only resource it accepts (listed with X-Ray's
//     actions in components/internal/iampolicy.WildcardOnlyActions).
//
// The account, region and partition come from the function's provider (the getCallerIdentity,
// getRegion and getPartition invokes), so the ARNs are the ones the function lives in.
package function
