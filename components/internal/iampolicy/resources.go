package iampolicy

import (
	"regexp"
	"slices"
	"strings"
)

// Resource kinds: the resource types of the Service Authorization Reference
// (https://docs.aws.amazon.com/service-authorization/latest/reference/) that the platform's
// grants name, told apart by the form of the ARN.
const (
	KindTable    = "dynamodb table"
	KindIndex    = "dynamodb index"
	KindStream   = "dynamodb stream"
	KindBucket   = "s3 bucket"
	KindObject   = "s3 object"
	KindQueue    = "sqs queue"
	KindKey      = "kms key"
	KindLogGroup = "logs log group"
	KindENI      = "ec2 network-interface"
	KindSubnet   = "ec2 subnet"
	KindSG       = "ec2 security-group"
	KindAny      = `"*"`
)

// ActionKinds maps every action a role policy of this platform may allow, for the services
// its components grant access to, to the resource kinds the action applies to (the
// "Resource types" column of the Service Authorization Reference). An action allowed on a
// resource of another kind is either useless or a sign of a grant wider than meant (the
// item actions that GrantReadWrite once allowed on "<table>/index/*"); an action of these
// services that is not listed is one no grant of the vocabulary produces. components/policy
// reports both.
var ActionKinds = map[string][]string{
	// Items: on the table only. Query and Scan read indexes too.
	"dynamodb:GetItem":            {KindTable},
	"dynamodb:PutItem":            {KindTable},
	"dynamodb:UpdateItem":         {KindTable},
	"dynamodb:DeleteItem":         {KindTable},
	"dynamodb:ConditionCheckItem": {KindTable},
	"dynamodb:BatchGetItem":       {KindTable},
	"dynamodb:BatchWriteItem":     {KindTable},
	"dynamodb:Query":              {KindTable, KindIndex},
	"dynamodb:Scan":               {KindTable, KindIndex},
	// A table's stream, for its consumers ("IAM policy to allow an AWS Lambda function to
	// access DynamoDB stream records", Amazon DynamoDB Developer Guide).
	"dynamodb:DescribeStream":   {KindStream},
	"dynamodb:GetRecords":       {KindStream},
	"dynamodb:GetShardIterator": {KindStream},
	"dynamodb:ListStreams":      {KindStream},
	// Objects and listing.
	"s3:GetObject":    {KindObject},
	"s3:PutObject":    {KindObject},
	"s3:DeleteObject": {KindObject},
	"s3:ListBucket":   {KindBucket},
	// Messages.
	"sqs:SendMessage":        {KindQueue},
	"sqs:ReceiveMessage":     {KindQueue},
	"sqs:DeleteMessage":      {KindQueue},
	"sqs:GetQueueAttributes": {KindQueue},
	// Customer managed keys that encrypt tables, buckets and queues.
	"kms:Decrypt":         {KindKey},
	"kms:GenerateDataKey": {KindKey},
	// A function's own logs (the log group, and its streams as "<group ARN>:*").
	"logs:CreateLogStream": {KindLogGroup},
	"logs:PutLogEvents":    {KindLogGroup},
	// Traces: X-Ray has no resource type for them (WildcardOnlyActions).
	"xray:PutTraceSegments":    {KindAny},
	"xray:PutTelemetryRecords": {KindAny},
	// The network interfaces of a function in a VPC (Lambda manages them with the function's
	// role): created in the function's subnets with its security groups, then described,
	// re-addressed and deleted.
	"ec2:CreateNetworkInterface":     {KindENI, KindSubnet, KindSG},
	"ec2:DescribeNetworkInterfaces":  {KindAny},
	"ec2:DeleteNetworkInterface":     {KindENI},
	"ec2:AssignPrivateIpAddresses":   {KindENI},
	"ec2:UnassignPrivateIpAddresses": {KindENI},
}

// vocabularyServices are the services whose every allowed action must be in ActionKinds.
var vocabularyServices = []string{"dynamodb", "s3", "sqs", "kms", "logs", "xray", "ec2"}

// arnKinds tells the kinds apart by the form of their ARNs; the first match wins.
var arnKinds = []struct {
	form *regexp.Regexp
	kind string
}{
	{regexp.MustCompile(`^arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+$`), KindTable},
	{regexp.MustCompile(`^arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+/index/[^/]+$`), KindIndex},
	{regexp.MustCompile(`^arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+/stream/[^/]+$`), KindStream},
	{regexp.MustCompile(`^arn:[^:]+:s3:::[^/]+$`), KindBucket},
	{regexp.MustCompile(`^arn:[^:]+:s3:::[^/]+/.+$`), KindObject},
	{regexp.MustCompile(`^arn:[^:]+:sqs:[^:]*:[^:]*:[^:/]+$`), KindQueue},
	{regexp.MustCompile(`^arn:[^:]+:kms:[^:]*:[^:]*:key/[^/]+$`), KindKey},
	{regexp.MustCompile(`^arn:[^:]+:logs:[^:]*:[^:]*:log-group:[^:]+(:\*)?$`), KindLogGroup},
	{regexp.MustCompile(`^arn:[^:]+:ec2:[^:]+:[^:]+:network-interface/[^/]+$`), KindENI},
	{regexp.MustCompile(`^arn:[^:]+:ec2:[^:]+:[^:]+:subnet/[^/]+$`), KindSubnet},
	{regexp.MustCompile(`^arn:[^:]+:ec2:[^:]+:[^:]+:security-group/[^/]+$`), KindSG},
}

// ResourceKind returns the kind of resource an ARN (or "*") names, or "" for another kind.
func ResourceKind(arn string) string {
	if arn == "*" {
		return KindAny
	}
	for _, k := range arnKinds {
		if k.form.MatchString(arn) {
			return k.kind
		}
	}
	return ""
}

// CheckActionResource returns why allowing action on resource is wrong, or "" when it is
// right or not this table's business (an action of another service).
func CheckActionResource(action, resource string) string {
	service, _, _ := strings.Cut(action, ":")
	kinds, known := ActionKinds[action]
	if !known {
		if slices.Contains(vocabularyServices, service) {
			return "no grant of the vocabulary allows " + action + " (components/internal/iampolicy.ActionKinds)"
		}
		return ""
	}
	if kind := ResourceKind(resource); !slices.Contains(kinds, kind) {
		if kind == "" {
			kind = "unknown kind"
		}
		return action + " applies to " + strings.Join(kinds, " or ") + ", not to " + resource + " (" + kind + ")"
	}
	return ""
}
