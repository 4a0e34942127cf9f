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
	// KeyActions are the KMS actions the call needs on the resource's customer managed key,
	// when it is encrypted with one (the service uses the key with the caller's
	// permissions). Nil means none.
	KeyActions []string
}

type authz struct {
	action string
	on     Kind
	kms    []string
}

// KMS actions on a customer managed key, by what the call does with the data it encrypts.
// DynamoDB decrypts the table key for every request and generates data keys for writes
// ("How Amazon DynamoDB uses AWS KMS",
// https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html); S3
// generates a data key per object written and decrypts it per object read and per part of
// a multipart upload (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html);
// an SQS producer needs kms:GenerateDataKey and kms:Decrypt, a consumer kms:Decrypt
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
var (
	keyRead  = []string{"kms:Decrypt"}
	keyWrite = []string{"kms:Decrypt", "kms:GenerateDataKey"}
)

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
	"DynamoDB GetItem":                           {"dynamodb:GetItem", Table, keyRead},
	"DynamoDB PutItem":                           {"dynamodb:PutItem", Table, keyWrite},
	"DynamoDB UpdateItem":                        {"dynamodb:UpdateItem", Table, keyWrite},
	"DynamoDB DeleteItem":                        {"dynamodb:DeleteItem", Table, keyWrite},
	"DynamoDB BatchGetItem":                      {"dynamodb:BatchGetItem", Table, keyRead},
	"DynamoDB BatchWriteItem":                    {"dynamodb:BatchWriteItem", Table, keyWrite},
	"DynamoDB Query":                             {"dynamodb:Query", Table, keyRead}, // Index when IndexName is set
	"DynamoDB Scan":                              {"dynamodb:Scan", Table, keyRead},  // Index when IndexName is set
	"DynamoDB DescribeTable":                     {"dynamodb:DescribeTable", Table, nil},
	"DynamoDB TransactWriteItems Put":            {"dynamodb:PutItem", Table, keyWrite},
	"DynamoDB TransactWriteItems Update":         {"dynamodb:UpdateItem", Table, keyWrite},
	"DynamoDB TransactWriteItems Delete":         {"dynamodb:DeleteItem", Table, keyWrite},
	"DynamoDB TransactWriteItems ConditionCheck": {"dynamodb:ConditionCheckItem", Table, keyRead},
	"DynamoDB TransactGetItems Get":              {"dynamodb:GetItem", Table, keyRead},

	"S3 GetObject":               {"s3:GetObject", Object, keyRead},
	"S3 HeadObject":              {"s3:GetObject", Object, keyRead}, // no action of its own
	"S3 PutObject":               {"s3:PutObject", Object, keyWrite},
	"S3 CreateMultipartUpload":   {"s3:PutObject", Object, keyWrite}, // the parts of a PutObject
	"S3 UploadPart":              {"s3:PutObject", Object, keyWrite},
	"S3 CompleteMultipartUpload": {"s3:PutObject", Object, keyWrite},
	"S3 DeleteObject":            {"s3:DeleteObject", Object, nil},
	"S3 ListObjectsV2":           {"s3:ListBucket", Bucket, nil}, // listing is an action on the bucket

	"SQS SendMessage":                  {"sqs:SendMessage", Queue, keyWrite},
	"SQS SendMessageBatch":             {"sqs:SendMessage", Queue, keyWrite}, // no action of its own
	"SQS ReceiveMessage":               {"sqs:ReceiveMessage", Queue, keyRead},
	"SQS DeleteMessage":                {"sqs:DeleteMessage", Queue, nil},
	"SQS DeleteMessageBatch":           {"sqs:DeleteMessage", Queue, nil},
	"SQS ChangeMessageVisibility":      {"sqs:ChangeMessageVisibility", Queue, nil},
	"SQS ChangeMessageVisibilityBatch": {"sqs:ChangeMessageVisibility", Queue, nil},
	"SQS GetQueueAttributes":           {"sqs:GetQueueAttributes", Queue, nil},
	"SQS GetQueueUrl":                  {"sqs:GetQueueUrl", Queue, nil},
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
	return Need{Action: a.action, On: on, Resource: c.Resource, KeyActions: a.kms}, nil
}
