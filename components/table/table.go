package table

import (
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/internal/grantops"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AttributeType is a key attribute's DynamoDB type.
type AttributeType string

// The key attribute types DynamoDB accepts.
const (
	String AttributeType = "S"
	Number AttributeType = "N"
	Binary AttributeType = "B"
)

// Index is a global secondary index.
type Index struct {
	// Name is the index name, 3-255 characters of letters, digits, '_', '-' and '.'.
	Name string
	// HashKey names the index's partition key; it must be declared in Args.Attributes.
	HashKey string
	// RangeKey names the index's sort key, declared in Args.Attributes. Empty means none.
	RangeKey string
	// ProjectionType is ALL, KEYS_ONLY or INCLUDE. Empty means ALL.
	ProjectionType string
	// NonKeyAttributes are the attributes projected with INCLUDE.
	NonKeyAttributes []string
}

// Capacity is provisioned throughput.
type Capacity struct {
	Read, Write int
}

// Args configures a Table.
type Args struct {
	// TableName is the table's physical name (3-255 of letters, digits, '_', '-', '.'). Empty
	// means Pulumi names it after the component plus a random suffix.
	TableName string
	// Attributes declares the type of every key attribute: the table's and its indexes'. Only
	// key attributes are declared; DynamoDB rejects an unused declaration.
	Attributes map[string]AttributeType
	// HashKey names the partition key. Required.
	HashKey string
	// RangeKey names the sort key. Empty means none.
	RangeKey string
	// GlobalSecondaryIndexes are the table's GSIs. Nil means none.
	GlobalSecondaryIndexes []Index
	// Provisioned sets provisioned throughput for the table and its indexes. Nil means
	// on-demand (PAY_PER_REQUEST) billing.
	Provisioned *Capacity
	// TTLAttribute names the attribute holding each item's expiry time (epoch seconds).
	// Empty means no TTL.
	TTLAttribute string
	// StreamViewType enables a stream with this view: KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or
	// NEW_AND_OLD_IMAGES. Empty means no stream.
	StreamViewType string
	// KMSKeyARN encrypts the table with this customer managed key. Nil means the AWS managed
	// key (aws/dynamodb). Encryption itself is always on.
	KMSKeyARN pulumi.StringInput
	// AllowDeletion turns deletion protection off, so the table can be deleted. False keeps
	// deletion protection on.
	AllowDeletion bool
}

// Table is a DynamoDB table with point-in-time recovery and server-side encryption.
type Table struct {
	pulumi.ResourceState

	Table *dynamodb.Table

	// Name, ARN and StreamARN (empty without a stream) of the table.
	Name      pulumi.StringOutput
	ARN       pulumi.StringOutput
	StreamARN pulumi.StringOutput

	name   string
	kmsKey pulumi.StringInput
}

var namePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)

var streamViews = []string{"KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"}

func (a *Args) check() error {
	if a.TableName != "" && !namePattern.MatchString(a.TableName) {
		return fmt.Errorf("TableName %q must be 3-255 letters, digits, '_', '-' or '.'", a.TableName)
	}
	if a.HashKey == "" {
		return fmt.Errorf("HashKey is required")
	}
	used := map[string]bool{}
	key := func(field, attr string) error {
		if attr == "" {
			return nil
		}
		t, ok := a.Attributes[attr]
		if !ok {
			return fmt.Errorf("%s %q is not declared in Attributes", field, attr)
		}
		if t != String && t != Number && t != Binary {
			return fmt.Errorf("Attributes[%q]: type %q is not S, N or B", attr, t)
		}
		used[attr] = true
		return nil
	}
	if err := key("HashKey", a.HashKey); err != nil {
		return err
	}
	if err := key("RangeKey", a.RangeKey); err != nil {
		return err
	}
	names := map[string]bool{}
	for i, ix := range a.GlobalSecondaryIndexes {
		field := fmt.Sprintf("GlobalSecondaryIndexes[%d]", i)
		if !namePattern.MatchString(ix.Name) {
			return fmt.Errorf("%s: Name %q must be 3-255 letters, digits, '_', '-' or '.'", field, ix.Name)
		}
		if names[ix.Name] {
			return fmt.Errorf("%s: Name %q is used twice", field, ix.Name)
		}
		names[ix.Name] = true
		if ix.HashKey == "" {
			return fmt.Errorf("%s (%s): HashKey is required", field, ix.Name)
		}
		if err := key(field+" ("+ix.Name+") HashKey", ix.HashKey); err != nil {
			return err
		}
		if err := key(field+" ("+ix.Name+") RangeKey", ix.RangeKey); err != nil {
			return err
		}
		switch ix.ProjectionType {
		case "", "ALL", "KEYS_ONLY":
			if len(ix.NonKeyAttributes) > 0 {
				return fmt.Errorf("%s (%s): NonKeyAttributes need ProjectionType INCLUDE", field, ix.Name)
			}
		case "INCLUDE":
			if len(ix.NonKeyAttributes) == 0 {
				return fmt.Errorf("%s (%s): ProjectionType INCLUDE needs NonKeyAttributes", field, ix.Name)
			}
		default:
			return fmt.Errorf("%s (%s): ProjectionType %q is not ALL, KEYS_ONLY or INCLUDE", field, ix.Name, ix.ProjectionType)
		}
	}
	for _, attr := range slices.Sorted(maps.Keys(a.Attributes)) {
		if !used[attr] {
			return fmt.Errorf("Attributes[%q] is declared but is no table or index key (DynamoDB rejects it)", attr)
		}
	}
	if a.Provisioned != nil && (a.Provisioned.Read < 1 || a.Provisioned.Write < 1) {
		return fmt.Errorf("Provisioned capacity must be at least 1 read and 1 write unit")
	}
	if a.StreamViewType != "" && !slices.Contains(streamViews, a.StreamViewType) {
		return fmt.Errorf("StreamViewType %q is not one of %v", a.StreamViewType, streamViews)
	}
	return nil
}

// New validates args and registers the table.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Table, error) {
	if args == nil {
		args = &Args{}
	}
	if err := args.check(); err != nil {
		return nil, fmt.Errorf("table %q: %w", name, err)
	}
	t := &Table{name: name, kmsKey: args.KMSKeyARN}
	// The type was groundwork:storage:Table before the storage package split in two: the alias keeps the URNs
	// of stacks deployed before then (and, through the parent, their children's), so the
	// split replaces nothing.
	opts = append(opts[:len(opts):len(opts)], pulumi.Aliases([]pulumi.Alias{{Type: pulumi.String("groundwork:storage:Table")}}))
	if err := ctx.RegisterComponentResource("groundwork:table:Table", name, t, opts...); err != nil {
		return nil, err
	}

	targs := &dynamodb.TableArgs{
		HashKey:                   pulumi.String(args.HashKey),
		BillingMode:               pulumi.String("PAY_PER_REQUEST"),
		PointInTimeRecovery:       &dynamodb.TablePointInTimeRecoveryArgs{Enabled: pulumi.Bool(true)},
		ServerSideEncryption:      &dynamodb.TableServerSideEncryptionArgs{Enabled: pulumi.Bool(true)},
		DeletionProtectionEnabled: pulumi.Bool(!args.AllowDeletion),
	}
	if args.TableName != "" {
		targs.Name = pulumi.String(args.TableName)
	}
	if args.KMSKeyARN != nil {
		targs.ServerSideEncryption = &dynamodb.TableServerSideEncryptionArgs{Enabled: pulumi.Bool(true), KmsKeyArn: args.KMSKeyARN}
	}
	if args.RangeKey != "" {
		targs.RangeKey = pulumi.String(args.RangeKey)
	}
	var attrs dynamodb.TableAttributeArray
	for _, attr := range slices.Sorted(maps.Keys(args.Attributes)) {
		attrs = append(attrs, dynamodb.TableAttributeArgs{
			Name: pulumi.String(attr), Type: pulumi.String(string(args.Attributes[attr])),
		})
	}
	targs.Attributes = attrs
	if p := args.Provisioned; p != nil {
		targs.BillingMode = pulumi.String("PROVISIONED")
		targs.ReadCapacity, targs.WriteCapacity = pulumi.Int(p.Read), pulumi.Int(p.Write)
	}
	var gsis dynamodb.TableGlobalSecondaryIndexArray
	for _, ix := range args.GlobalSecondaryIndexes {
		gsi := dynamodb.TableGlobalSecondaryIndexArgs{
			Name:           pulumi.String(ix.Name),
			HashKey:        pulumi.String(ix.HashKey),
			ProjectionType: pulumi.String("ALL"),
		}
		if ix.ProjectionType != "" {
			gsi.ProjectionType = pulumi.String(ix.ProjectionType)
		}
		if ix.RangeKey != "" {
			gsi.RangeKey = pulumi.String(ix.RangeKey)
		}
		if len(ix.NonKeyAttributes) > 0 {
			gsi.NonKeyAttributes = pulumi.ToStringArray(ix.NonKeyAttributes)
		}
		if p := args.Provisioned; p != nil {
			gsi.ReadCapacity, gsi.WriteCapacity = pulumi.Int(p.Read), pulumi.Int(p.Write)
		}
		gsis = append(gsis, gsi)
	}
	if len(gsis) > 0 {
		targs.GlobalSecondaryIndexes = gsis
	}
	if args.TTLAttribute != "" {
		targs.Ttl = &dynamodb.TableTtlArgs{AttributeName: pulumi.String(args.TTLAttribute), Enabled: pulumi.Bool(true)}
	}
	if args.StreamViewType != "" {
		targs.StreamEnabled = pulumi.Bool(true)
		targs.StreamViewType = pulumi.String(args.StreamViewType)
	}
	var err error
	if t.Table, err = dynamodb.NewTable(ctx, name, targs, pulumi.Parent(t)); err != nil {
		return nil, err
	}
	t.Name, t.ARN, t.StreamARN = t.Table.Name, t.Table.Arn, t.Table.StreamArn
	return t, ctx.RegisterResourceOutputs(t, pulumi.Map{"name": t.Name, "arn": t.ARN})
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
}

// Grant lets a function perform ops on the table's items, and nothing else: the grant is
// named "<table>-<ops>" (such as "orders-get-put") and allows each operation's actions on
// the table's ARN, on its indexes' ARNs for Query and Scan, and on the table's customer
// managed key, when it has one. No operation, an empty or unknown one, or one listed twice
// makes a grant that function.New refuses, naming it.
func (t *Table) Grant(ops ...Operation) grant.Grant {
	return grantops.Build(fmt.Sprintf("table %q Grant", t.name), t.name, ops, specs, []grantops.Target{
		{Key: "table", Sid: "Table", Resource: t.ARN},
		{Key: "index", Sid: "TableIndexes", Resource: grant.Suffix(t.ARN, "/index/*")},
	}, t.kmsKey, "TableKey")
}
