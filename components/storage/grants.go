package storage

import (
	"fmt"

	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/internal/grantops"
)

// TableOperation is an operation on a table's items that Table.Grant allows. Each maps to
// exactly the IAM actions it needs (listed on each constant) on the table's ARN, and only
// Query and Scan, the operations that can read an index, on its indexes' ARNs. The zero
// value is no operation: Table.Grant refuses it.
//
// Transactions have no operation of their own: IAM authorizes each item of a transaction by
// its action ("Permissions for Put, Update, Delete, and Get actions are governed by the
// permissions used for the underlying PutItem, UpdateItem, DeleteItem, and GetItem
// operations. For the ConditionCheck action, you can use the dynamodb:ConditionCheckItem
// permission", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
// Grant a TransactWriteItems of two Puts as ItemPut, one that also checks a condition on
// another item as ItemPut and ItemConditionCheck, a TransactGetItems as ItemGet.
type TableOperation string

// The table operations.
const (
	// ItemGet reads one item (GetItem, and the Get items of TransactGetItems):
	// dynamodb:GetItem.
	ItemGet TableOperation = "ItemGet"
	// ItemPut writes a whole item, conditionally or not (PutItem, and the Put items of
	// TransactWriteItems): dynamodb:PutItem.
	ItemPut TableOperation = "ItemPut"
	// ItemUpdate changes attributes of an item (UpdateItem, and the Update items of
	// TransactWriteItems): dynamodb:UpdateItem.
	ItemUpdate TableOperation = "ItemUpdate"
	// ItemDelete deletes an item (DeleteItem, and the Delete items of TransactWriteItems):
	// dynamodb:DeleteItem.
	ItemDelete TableOperation = "ItemDelete"
	// ItemConditionCheck checks a condition on an item inside TransactWriteItems without
	// writing it: dynamodb:ConditionCheckItem.
	ItemConditionCheck TableOperation = "ItemConditionCheck"
	// ItemBatchGet reads items with BatchGetItem: dynamodb:BatchGetItem.
	ItemBatchGet TableOperation = "ItemBatchGet"
	// ItemBatchWrite puts and deletes items with BatchWriteItem: dynamodb:BatchWriteItem.
	ItemBatchWrite TableOperation = "ItemBatchWrite"
	// Query reads the items of one partition of the table or of any of its indexes:
	// dynamodb:Query on the table and on "<table ARN>/index/*".
	Query TableOperation = "Query"
	// Scan reads every item of the table or of any of its indexes: dynamodb:Scan on the
	// table and on "<table ARN>/index/*".
	Scan TableOperation = "Scan"
)

// KMS actions on a table's customer managed key (TableArgs.KMSKeyARN). DynamoDB uses the
// key on the caller's behalf, so the caller's role needs it: decrypting the table key for
// every read and write, and generating data keys for writes.
var (
	tableKeyRead  = []string{"kms:Decrypt"}
	tableKeyWrite = []string{"kms:Decrypt", "kms:GenerateDataKey"}
)

// tableSpecs is what each table operation needs, in the order grant names list them.
var tableSpecs = []grantops.Spec[TableOperation]{
	{Op: ItemGet, Slug: "get", Actions: map[string][]string{"table": {"dynamodb:GetItem"}}, KMS: tableKeyRead},
	{Op: ItemPut, Slug: "put", Actions: map[string][]string{"table": {"dynamodb:PutItem"}}, KMS: tableKeyWrite},
	{Op: ItemUpdate, Slug: "update", Actions: map[string][]string{"table": {"dynamodb:UpdateItem"}}, KMS: tableKeyWrite},
	{Op: ItemDelete, Slug: "delete", Actions: map[string][]string{"table": {"dynamodb:DeleteItem"}}, KMS: tableKeyWrite},
	{Op: ItemConditionCheck, Slug: "check", Actions: map[string][]string{"table": {"dynamodb:ConditionCheckItem"}}, KMS: tableKeyRead},
	{Op: ItemBatchGet, Slug: "batchget", Actions: map[string][]string{"table": {"dynamodb:BatchGetItem"}}, KMS: tableKeyRead},
	{Op: ItemBatchWrite, Slug: "batchwrite", Actions: map[string][]string{"table": {"dynamodb:BatchWriteItem"}}, KMS: tableKeyWrite},
	{Op: Query, Slug: "query", Actions: map[string][]string{"table": {"dynamodb:Query"}, "index": {"dynamodb:Query"}}, KMS: tableKeyRead},
	{Op: Scan, Slug: "scan", Actions: map[string][]string{"table": {"dynamodb:Scan"}, "index": {"dynamodb:Scan"}}, KMS: tableKeyRead},
}

// Grant lets a function perform ops on the table's items, and nothing else: the grant is
// named "<table>-<ops>" (such as "orders-get-put") and allows each operation's actions on
// the table's ARN, on its indexes' ARNs for Query and Scan, and on the table's customer
// managed key, when it has one. No operation, an empty or unknown one, or one listed twice
// makes a grant that function.New refuses, naming it.
func (t *Table) Grant(ops ...TableOperation) grant.Grant {
	return grantops.Build(fmt.Sprintf("table %q Grant", t.name), t.name, ops, tableSpecs, []grantops.Target{
		{Key: "table", Sid: "Table", Resource: t.ARN},
		{Key: "index", Sid: "TableIndexes", Resource: grant.Suffix(t.ARN, "/index/*")},
	}, t.kmsKey, "TableKey")
}

// BucketOperation is an operation on a bucket's objects that Bucket.Grant allows. Each maps
// to exactly the IAM actions listed on its constant. The zero value is no operation:
// Bucket.Grant refuses it.
type BucketOperation string

// The bucket operations.
const (
	// ObjectGet reads objects (GetObject, HeadObject): s3:GetObject on "<bucket ARN>/*".
	// Without ObjectList too, S3 answers a missing key with 403 AccessDenied, not 404.
	ObjectGet BucketOperation = "ObjectGet"
	// ObjectPut writes objects (PutObject, multipart uploads): s3:PutObject on
	// "<bucket ARN>/*".
	ObjectPut BucketOperation = "ObjectPut"
	// ObjectDelete deletes objects (DeleteObject): s3:DeleteObject on "<bucket ARN>/*".
	ObjectDelete BucketOperation = "ObjectDelete"
	// ObjectList lists keys (ListObjectsV2): s3:ListBucket on the bucket's ARN.
	ObjectList BucketOperation = "ObjectList"
)

// bucketSpecs is what each bucket operation needs, in the order grant names list them. With
// a customer managed key, S3 generates a data key for each object written and decrypts it
// for each read and for every part of a multipart upload (kms:Decrypt on put), per "Using
// server-side encryption with AWS KMS keys (SSE-KMS)",
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html.
var bucketSpecs = []grantops.Spec[BucketOperation]{
	{Op: ObjectGet, Slug: "get", Actions: map[string][]string{"objects": {"s3:GetObject"}}, KMS: []string{"kms:Decrypt"}},
	{Op: ObjectPut, Slug: "put", Actions: map[string][]string{"objects": {"s3:PutObject"}}, KMS: []string{"kms:Decrypt", "kms:GenerateDataKey"}},
	{Op: ObjectDelete, Slug: "delete", Actions: map[string][]string{"objects": {"s3:DeleteObject"}}},
	{Op: ObjectList, Slug: "list", Actions: map[string][]string{"bucket": {"s3:ListBucket"}}},
}

// Grant lets a function perform ops on the bucket's objects, and nothing else: the grant is
// named "<bucket>-<ops>" (such as "archive-put") and allows each operation's actions on the
// bucket's or its objects' ARN, and on the bucket's customer managed key, when it has one.
// No operation, an empty or unknown one, or one listed twice makes a grant that
// function.New refuses, naming it.
func (b *Bucket) Grant(ops ...BucketOperation) grant.Grant {
	return grantops.Build(fmt.Sprintf("bucket %q Grant", b.name), b.name, ops, bucketSpecs, []grantops.Target{
		{Key: "bucket", Sid: "Bucket", Resource: b.ARN},
		{Key: "objects", Sid: "Objects", Resource: grant.Suffix(b.ARN, "/*")},
	}, b.kmsKey, "ObjectsKey")
}
