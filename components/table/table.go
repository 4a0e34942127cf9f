package table

import (
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/internal/grantops"
	"github.com/groundwork-dev/groundwork/components/transform"
)

// AttributeType is a key attribute's DynamoDB type.
type AttributeType string

// The key attribute types DynamoDB accepts.
const (
	String AttributeType = "S"
	Number AttributeType = "N"
	Binary AttributeType = "B"
)

// Projection is which attributes a secondary index copies from the table.
type Projection string

// The projections DynamoDB offers.
const (
	// ProjectAll copies every attribute, so a query on the index reads whole items.
	ProjectAll Projection = "ALL"
	// ProjectKeysOnly copies only the table's and the index's keys.
	ProjectKeysOnly Projection = "KEYS_ONLY"
	// ProjectInclude copies the keys and the attributes named in NonKeyAttributes.
	ProjectInclude Projection = "INCLUDE"
)

// Index is a global secondary index: another partition key (and optionally sort key) over the
// same items, which DynamoDB keeps up to date asynchronously.
type Index struct {
	// Name is the index's name, 3-255 letters, digits, '_', '-' and '.', unique among the
	// table's indexes. Required.
	Name string
	// HashKey names the index's partition key, declared in Args.Attributes. Required.
	HashKey string
	// RangeKey names the index's sort key, declared in Args.Attributes. Empty means none.
	RangeKey string
	// Projection is which attributes the index copies. Empty means DefaultProjection (ALL).
	Projection Projection
	// NonKeyAttributes are the attributes ProjectInclude copies besides the keys; they need
	// not be declared. Required with ProjectInclude, refused with the other projections.
	NonKeyAttributes []string
	// Provisioned is the index's own throughput; allowed only on a table with
	// Args.Provisioned. Nil means the table's throughput.
	Provisioned *Capacity
}

// LocalIndex is a local secondary index: the table's partition key with another sort key. It
// shares the table's throughput and can only be created with the table: adding, changing or
// removing one replaces the table, which deletion protection refuses.
type LocalIndex struct {
	// Name is the index's name, 3-255 letters, digits, '_', '-' and '.', unique among the
	// table's indexes. Required.
	Name string
	// RangeKey names the index's sort key, declared in Args.Attributes. Required.
	RangeKey string
	// Projection is which attributes the index copies. Empty means DefaultProjection (ALL).
	Projection Projection
	// NonKeyAttributes are the attributes ProjectInclude copies besides the keys. Required
	// with ProjectInclude, refused with the other projections.
	NonKeyAttributes []string
}

// Capacity is provisioned throughput, in read and write capacity units, each at least 1.
type Capacity struct {
	// Read and Write are the capacity units DynamoDB provisions and bills by the hour.
	Read, Write int
}

// Class is a table class: what DynamoDB charges for storage against what it charges for
// reads and writes.
type Class string

// The table classes.
const (
	// Standard is the default class, for tables whose cost is mostly reads and writes.
	Standard Class = "STANDARD"
	// StandardInfrequentAccess stores data for up to 60% less and charges more per read and
	// write: for tables whose cost is mostly storage (logs, old orders).
	StandardInfrequentAccess Class = "STANDARD_INFREQUENT_ACCESS"
)

// StreamView is what each record of a table's stream holds about a changed item.
type StreamView string

// The stream views.
const (
	// StreamKeysOnly records the changed item's key attributes.
	StreamKeysOnly StreamView = "KEYS_ONLY"
	// StreamNewImage records the item as it is after the change.
	StreamNewImage StreamView = "NEW_IMAGE"
	// StreamOldImage records the item as it was before the change.
	StreamOldImage StreamView = "OLD_IMAGE"
	// StreamNewAndOldImages records both.
	StreamNewAndOldImages StreamView = "NEW_AND_OLD_IMAGES"
)

// DefaultProjection is an index's projection when it names none: ALL, so a query on the index
// returns whole items without a GetItem per result. KEYS_ONLY and INCLUDE trade that for less
// storage and cheaper writes, which a team chooses knowingly.
const DefaultProjection = ProjectAll

// Limits DynamoDB enforces on a table's indexes ("Service, account, and table quotas in
// Amazon DynamoDB", Secondary indexes).
const (
	// MaxGlobalIndexes is the default quota of global secondary indexes per table.
	MaxGlobalIndexes = 20
	// MaxLocalIndexes is the number of local secondary indexes a table may have.
	MaxLocalIndexes = 5
	// MaxProjectedAttributes is how many NonKeyAttributes all of a table's indexes may name
	// together; an attribute projected into two indexes counts twice.
	MaxProjectedAttributes = 100
)

// Settings the table always has, with their reasons.
const (
	// pointInTimeRecovery is always on: AWS Security Hub control DynamoDB.2 ("DynamoDB tables
	// should have point-in-time recovery enabled"); a bad deploy or a bug that rewrites items
	// can be undone to any second of the last 35 days.
	pointInTimeRecovery = true
	// serverSideEncryption is always on: DynamoDB encrypts every table, and Enabled selects a
	// KMS key (the AWS managed aws/dynamodb key unless Args.KMSKeyARN names one) instead of
	// the AWS owned key, so every use of the key is visible in CloudTrail.
	serverSideEncryption = true
	// onDemand billing unless Args.Provisioned: capacity follows demand, which satisfies
	// Security Hub control DynamoDB.1 ("DynamoDB tables should automatically scale capacity
	// with demand") and costs nothing while the table is idle.
	onDemand = "PAY_PER_REQUEST"
)

// Transform customizes the table's child before it is registered (see package transform).
// The zero value customizes nothing.
type Transform struct {
	// Table customizes the DynamoDB table, "<name>".
	Table transform.Func[dynamodb.TableArgs]
}

// Args configures a Table. HashKey and its declaration in Attributes are required, so nil
// Args are refused.
type Args struct {
	// TableName is the table's physical name (3-255 letters, digits, '_', '-', '.'). Empty
	// means Pulumi names it after the component plus a random suffix, which avoids
	// delete-before-replace and clashes between stacks.
	TableName string
	// Attributes declares the type of every key attribute: the table's and its indexes'. Only
	// key attributes are declared; DynamoDB refuses an unused declaration.
	Attributes map[string]AttributeType
	// HashKey names the partition key. Required.
	HashKey string
	// RangeKey names the sort key. Empty means none; LocalSecondaryIndexes need one.
	RangeKey string
	// GlobalSecondaryIndexes are the table's global secondary indexes, at most 20. Nil means
	// none.
	GlobalSecondaryIndexes []Index
	// LocalSecondaryIndexes are the table's local secondary indexes, at most 5; they need a
	// RangeKey, and changing them replaces the table. Nil means none.
	LocalSecondaryIndexes []LocalIndex
	// Provisioned sets provisioned throughput for the table and, unless an index sets its
	// own, its global secondary indexes. Nil means on-demand (PAY_PER_REQUEST) billing.
	Provisioned *Capacity
	// Class is the table class. Empty means Standard.
	Class Class
	// TTLAttribute names the attribute holding each item's expiry time (epoch seconds).
	// Empty means no TTL.
	TTLAttribute string
	// Stream turns the table's stream on, with this view of each changed item; the stream's
	// ARN is Table.StreamARN and Grant(StreamRead) reads it. Empty means no stream.
	Stream StreamView
	// KMSKeyARN encrypts the table with this customer managed key. Nil means the AWS managed
	// key (aws/dynamodb). Encryption itself is always on.
	KMSKeyARN pulumi.StringInput
	// AllowDeletion turns deletion protection off, so the table can be deleted. False keeps
	// deletion protection on (Security Hub control DynamoDB.6).
	AllowDeletion bool
	// Transform customizes the child before it is registered. The zero value changes
	// nothing.
	Transform Transform
}

// Table is a DynamoDB table with point-in-time recovery, server-side encryption and deletion
// protection.
type Table struct {
	pulumi.ResourceState

	// Table is the DynamoDB table, for escape hatches.
	Table *dynamodb.Table

	// Name and ARN of the table.
	Name pulumi.StringOutput
	ARN  pulumi.StringOutput
	// StreamARN is the ARN of the table's stream; an empty string without Args.Stream.
	StreamARN pulumi.StringOutput

	name   string
	stream bool
	kmsKey pulumi.StringInput
}

// New validates args and registers the table. Every invalid field is reported, naming it,
// before anything is registered.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Table, error) {
	if args == nil {
		args = &Args{}
	}
	s, err := resolve(name, *args)
	if err != nil {
		return nil, err
	}
	t := &Table{name: name, kmsKey: s.KMSKeyARN, stream: s.Stream != ""}
	// The type was groundwork:storage:Table before the storage package split in two: the alias
	// keeps the URNs of stacks deployed before then (and, through the parent, their
	// children's), so the split replaces nothing.
	opts = append(opts[:len(opts):len(opts)], pulumi.Aliases([]pulumi.Alias{{Type: pulumi.String("groundwork:storage:Table")}}))
	if err := ctx.RegisterComponentResource("groundwork:table:Table", name, t, opts...); err != nil {
		return nil, err
	}
	targs := s.tableArgs()
	topts, err := transform.Apply(s.Transform.Table, name, targs, []pulumi.ResourceOption{pulumi.Parent(t)})
	if err != nil {
		return nil, fmt.Errorf("table %q: %w", name, err)
	}
	if t.Table, err = dynamodb.NewTable(ctx, name, targs, topts...); err != nil {
		return nil, err
	}
	// Without a stream, DynamoDB reports no stream ARN and the output is "".
	t.Name, t.ARN, t.StreamARN = t.Table.Name, t.Table.Arn, t.Table.StreamArn
	return t, ctx.RegisterResourceOutputs(t, pulumi.Map{"name": t.Name, "arn": t.ARN, "streamArn": t.StreamARN})
}

// tableArgs are the table's arguments for resolved settings.
func (s settings) tableArgs() *dynamodb.TableArgs {
	targs := &dynamodb.TableArgs{
		HashKey:                   pulumi.String(s.HashKey),
		BillingMode:               pulumi.String(onDemand),
		PointInTimeRecovery:       &dynamodb.TablePointInTimeRecoveryArgs{Enabled: pulumi.Bool(pointInTimeRecovery)},
		ServerSideEncryption:      &dynamodb.TableServerSideEncryptionArgs{Enabled: pulumi.Bool(serverSideEncryption)},
		DeletionProtectionEnabled: pulumi.Bool(!s.AllowDeletion),
	}
	if s.KMSKeyARN != nil {
		targs.ServerSideEncryption = &dynamodb.TableServerSideEncryptionArgs{Enabled: pulumi.Bool(serverSideEncryption), KmsKeyArn: s.KMSKeyARN}
	}
	if s.TableName != "" {
		targs.Name = pulumi.String(s.TableName)
	}
	if s.RangeKey != "" {
		targs.RangeKey = pulumi.String(s.RangeKey)
	}
	var attrs dynamodb.TableAttributeArray
	for _, attr := range slices.Sorted(maps.Keys(s.Attributes)) {
		attrs = append(attrs, dynamodb.TableAttributeArgs{
			Name: pulumi.String(attr), Type: pulumi.String(string(s.Attributes[attr])),
		})
	}
	targs.Attributes = attrs
	if p := s.Provisioned; p != nil {
		targs.BillingMode = pulumi.String("PROVISIONED")
		targs.ReadCapacity, targs.WriteCapacity = pulumi.Int(p.Read), pulumi.Int(p.Write)
	}
	if len(s.GlobalSecondaryIndexes) > 0 {
		var gsis dynamodb.TableGlobalSecondaryIndexArray
		for _, ix := range s.GlobalSecondaryIndexes {
			gsi := dynamodb.TableGlobalSecondaryIndexArgs{
				Name:             pulumi.String(ix.Name),
				HashKey:          pulumi.String(ix.HashKey),
				ProjectionType:   pulumi.String(string(ix.Projection)),
				NonKeyAttributes: nonKey(ix.NonKeyAttributes),
			}
			if ix.RangeKey != "" {
				gsi.RangeKey = pulumi.String(ix.RangeKey)
			}
			if p := ix.Provisioned; p != nil {
				gsi.ReadCapacity, gsi.WriteCapacity = pulumi.Int(p.Read), pulumi.Int(p.Write)
			}
			gsis = append(gsis, gsi)
		}
		targs.GlobalSecondaryIndexes = gsis
	}
	if len(s.LocalSecondaryIndexes) > 0 {
		var lsis dynamodb.TableLocalSecondaryIndexArray
		for _, ix := range s.LocalSecondaryIndexes {
			lsis = append(lsis, dynamodb.TableLocalSecondaryIndexArgs{
				Name:             pulumi.String(ix.Name),
				RangeKey:         pulumi.String(ix.RangeKey),
				ProjectionType:   pulumi.String(string(ix.Projection)),
				NonKeyAttributes: nonKey(ix.NonKeyAttributes),
			})
		}
		targs.LocalSecondaryIndexes = lsis
	}
	if s.Class != "" {
		targs.TableClass = pulumi.String(string(s.Class))
	}
	if s.TTLAttribute != "" {
		targs.Ttl = &dynamodb.TableTtlArgs{AttributeName: pulumi.String(s.TTLAttribute), Enabled: pulumi.Bool(true)}
	}
	if s.Stream != "" {
		targs.StreamEnabled = pulumi.Bool(true)
		targs.StreamViewType = pulumi.String(string(s.Stream))
	}
	return targs
}

// nonKey is an index's NonKeyAttributes input: nil (left out) when there are none.
func nonKey(attrs []string) pulumi.StringArrayInput {
	if len(attrs) == 0 {
		return nil
	}
	return pulumi.ToStringArray(attrs)
}

// Operation is an operation on a table's items that Table.Grant allows. Each maps to
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
type Operation string

// The table operations.
const (
	// ItemGet reads one item (GetItem, and the Get items of TransactGetItems):
	// dynamodb:GetItem.
	ItemGet Operation = "ItemGet"
	// ItemPut writes a whole item, conditionally or not (PutItem, and the Put items of
	// TransactWriteItems): dynamodb:PutItem.
	ItemPut Operation = "ItemPut"
	// ItemUpdate changes attributes of an item (UpdateItem, and the Update items of
	// TransactWriteItems): dynamodb:UpdateItem.
	ItemUpdate Operation = "ItemUpdate"
	// ItemDelete deletes an item (DeleteItem, and the Delete items of TransactWriteItems):
	// dynamodb:DeleteItem.
	ItemDelete Operation = "ItemDelete"
	// ItemConditionCheck checks a condition on an item inside TransactWriteItems without
	// writing it: dynamodb:ConditionCheckItem.
	ItemConditionCheck Operation = "ItemConditionCheck"
	// ItemBatchGet reads items with BatchGetItem: dynamodb:BatchGetItem.
	ItemBatchGet Operation = "ItemBatchGet"
	// ItemBatchWrite puts and deletes items with BatchWriteItem: dynamodb:BatchWriteItem.
	ItemBatchWrite Operation = "ItemBatchWrite"
	// Query reads the items of one partition of the table or of any of its indexes:
	// dynamodb:Query on the table and on "<table ARN>/index/*".
	Query Operation = "Query"
	// Scan reads every item of the table or of any of its indexes: dynamodb:Scan on the
	// table and on "<table ARN>/index/*".
	Scan Operation = "Scan"
	// StreamRead reads the table's stream, as a Lambda event source mapping or a Kinesis
	// client library worker does: dynamodb:DescribeStream, dynamodb:GetRecords,
	// dynamodb:GetShardIterator and dynamodb:ListStreams on "<table ARN>/stream/*", the
	// statement of "IAM policy to allow an AWS Lambda function to access DynamoDB stream
	// records" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/iam-policy-example-lamda-process-dynamodb-streams.html),
	// and with a customer managed key kms:Decrypt, as the records are encrypted with the
	// table's key. Only for a table with Args.Stream.
	StreamRead Operation = "StreamRead"
)

// KMS actions on a table's customer managed key (Args.KMSKeyARN). DynamoDB uses the
// key on the caller's behalf, so the caller's role needs it: decrypting the table key for
// every read and write, and generating data keys for writes.
var (
	keyRead  = []string{"kms:Decrypt"}
	keyWrite = []string{"kms:Decrypt", "kms:GenerateDataKey"}
)

// specs is what each table operation needs, in the order grant names list them.
var specs = []grantops.Spec[Operation]{
	{Op: ItemGet, Slug: "get", Actions: map[string][]string{"table": {"dynamodb:GetItem"}}, KMS: keyRead},
	{Op: ItemPut, Slug: "put", Actions: map[string][]string{"table": {"dynamodb:PutItem"}}, KMS: keyWrite},
	{Op: ItemUpdate, Slug: "update", Actions: map[string][]string{"table": {"dynamodb:UpdateItem"}}, KMS: keyWrite},
	{Op: ItemDelete, Slug: "delete", Actions: map[string][]string{"table": {"dynamodb:DeleteItem"}}, KMS: keyWrite},
	{Op: ItemConditionCheck, Slug: "check", Actions: map[string][]string{"table": {"dynamodb:ConditionCheckItem"}}, KMS: keyRead},
	{Op: ItemBatchGet, Slug: "batchget", Actions: map[string][]string{"table": {"dynamodb:BatchGetItem"}}, KMS: keyRead},
	{Op: ItemBatchWrite, Slug: "batchwrite", Actions: map[string][]string{"table": {"dynamodb:BatchWriteItem"}}, KMS: keyWrite},
	{Op: Query, Slug: "query", Actions: map[string][]string{"table": {"dynamodb:Query"}, "index": {"dynamodb:Query"}}, KMS: keyRead},
	{Op: Scan, Slug: "scan", Actions: map[string][]string{"table": {"dynamodb:Scan"}, "index": {"dynamodb:Scan"}}, KMS: keyRead},
	{Op: StreamRead, Slug: "stream", Actions: map[string][]string{"stream": {
		"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams",
	}}, KMS: keyRead},
}

// Grant lets a function perform ops on the table's items, and nothing else: the grant is
// named "<table>-<ops>" (such as "orders-get-put") and allows each operation's actions on
// the table's ARN, on its indexes' ARNs for Query and Scan, on its stream's for StreamRead,
// and on the table's customer managed key, when it has one. No operation, an empty or
// unknown one, one listed twice, or StreamRead on a table without a stream makes a grant
// that function.New refuses, naming it.
func (t *Table) Grant(ops ...Operation) grant.Grant {
	what := fmt.Sprintf("table %q Grant", t.name)
	if i := slices.Index(ops, StreamRead); i >= 0 && !t.stream {
		return grant.Invalid(t.name+"-invalid", fmt.Errorf("%s: operations[%d] StreamRead needs a stream; set Args.Stream", what, i))
	}
	return grantops.Build(what, t.name, ops, specs, []grantops.Target{
		{Key: "table", Sid: "Table", Resource: t.ARN},
		{Key: "index", Sid: "TableIndexes", Resource: grant.Suffix(t.ARN, "/index/*")},
		{Key: "stream", Sid: "TableStream", Resource: grant.Suffix(t.ARN, "/stream/*")},
	}, t.kmsKey, "TableKey")
}
