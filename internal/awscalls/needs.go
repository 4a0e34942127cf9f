package awscalls

// Kind is the kind of resource an IAM action is authorized on. The stack test turns a Need's
// Kind and Resource into the ARN a role policy must name.
type Kind string

// The resource kinds.
const (
	// Table is a DynamoDB table's ARN; Need.Resource is the table's name.
	Table Kind = "table"
	// Index is the ARN of the indexes of a table, "<table ARN>/index/*" (grants name every
	// index of a table alike); Need.Resource is the table's name.
	Index Kind = "index"
	// Bucket is an S3 bucket's ARN; Need.Resource is the bucket's name.
	Bucket Kind = "bucket"
	// Object is the ARN of a bucket's objects, "<bucket ARN>/*" (grants name every key of a
	// bucket alike); Need.Resource is the bucket's name.
	Object Kind = "object"
	// Queue is an SQS queue's ARN; Need.Resource is the queue's URL.
	Queue Kind = "queue"
)

// Need is one IAM action a call needs, on one resource.
type Need struct {
	// Action is the IAM action, such as "dynamodb:PutItem".
	Action string
	// On is the kind of resource it is authorized on.
	On Kind
	// Resource is the resource as the call named it (Call.Resource).
	Resource string
}

type authz struct {
	action string
	on     Kind
}

// operations maps "<service id> <operation>" (and "<service id> <operation> <item>" for the
// items of a DynamoDB transaction) to the IAM action that authorizes it and the kind of
// resource it is authorized on. It is the only such map: the stack test reads it, and an
// operation missing here fails the tests that record it.
//
// Sources: the "API operations" and "Actions" tables of the Service Authorization Reference
// for DynamoDB, S3 and SQS
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html,
// list_amazons3.html, list_amazonsqs.html), and for transactions "Using IAM with DynamoDB
// transactions" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html):
// "Permissions for Put, Update, Delete, and Get actions are governed by the permissions used
// for the underlying PutItem, UpdateItem, DeleteItem, and GetItem operations. For the
// ConditionCheck action, you can use the dynamodb:ConditionCheckItem permission." There is
// no IAM action for TransactWriteItems or TransactGetItems themselves.
var operations = map[string]authz{
	"DynamoDB GetItem":                           {"dynamodb:GetItem", Table},
	"DynamoDB PutItem":                           {"dynamodb:PutItem", Table},
	"DynamoDB UpdateItem":                        {"dynamodb:UpdateItem", Table},
	"DynamoDB DeleteItem":                        {"dynamodb:DeleteItem", Table},
	"DynamoDB BatchGetItem":                      {"dynamodb:BatchGetItem", Table},
	"DynamoDB BatchWriteItem":                    {"dynamodb:BatchWriteItem", Table},
	"DynamoDB Query":                             {"dynamodb:Query", Table}, // Index when IndexName is set
	"DynamoDB Scan":                              {"dynamodb:Scan", Table},  // Index when IndexName is set
	"DynamoDB DescribeTable":                     {"dynamodb:DescribeTable", Table},
	"DynamoDB TransactWriteItems Put":            {"dynamodb:PutItem", Table},
	"DynamoDB TransactWriteItems Update":         {"dynamodb:UpdateItem", Table},
	"DynamoDB TransactWriteItems Delete":         {"dynamodb:DeleteItem", Table},
	"DynamoDB TransactWriteItems ConditionCheck": {"dynamodb:ConditionCheckItem", Table},
	"DynamoDB TransactGetItems Get":              {"dynamodb:GetItem", Table},

	"S3 GetObject":               {"s3:GetObject", Object},
	"S3 HeadObject":              {"s3:GetObject", Object}, // no action of its own
	"S3 PutObject":               {"s3:PutObject", Object},
	"S3 CreateMultipartUpload":   {"s3:PutObject", Object}, // the parts of a PutObject
	"S3 UploadPart":              {"s3:PutObject", Object},
	"S3 CompleteMultipartUpload": {"s3:PutObject", Object},
	"S3 DeleteObject":            {"s3:DeleteObject", Object},
	"S3 ListObjectsV2":           {"s3:ListBucket", Bucket}, // listing is an action on the bucket

	"SQS SendMessage":                  {"sqs:SendMessage", Queue},
	"SQS SendMessageBatch":             {"sqs:SendMessage", Queue}, // no action of its own
	"SQS ReceiveMessage":               {"sqs:ReceiveMessage", Queue},
	"SQS DeleteMessage":                {"sqs:DeleteMessage", Queue},
	"SQS DeleteMessageBatch":           {"sqs:DeleteMessage", Queue},
	"SQS ChangeMessageVisibility":      {"sqs:ChangeMessageVisibility", Queue},
	"SQS ChangeMessageVisibilityBatch": {"sqs:ChangeMessageVisibility", Queue},
	"SQS GetQueueAttributes":           {"sqs:GetQueueAttributes", Queue},
	"SQS GetQueueUrl":                  {"sqs:GetQueueUrl", Queue},
}

// Needs returns the IAM action c needs, on the resource it named, or an error naming an
// operation this package does not know (or a call that named no resource).
func Needs(c Call) (Need, error) {
	key := c.Service + " " + c.Operation
	if c.Item != "" {
		key += " " + c.Item
	}
	a, ok := operations[key]
	if !ok {
		return Need{}, errUnknown(c)
	}
	if c.Resource == "" {
		return Need{}, errNoResource(c)
	}
	on := a.on
	if c.Index != "" && (c.Operation == "Query" || c.Operation == "Scan") {
		on = Index
	}
	return Need{Action: a.action, On: on, Resource: c.Resource}, nil
}
