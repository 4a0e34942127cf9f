package awsadapter

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

// Key prefixes of the single-table layout.
const (
	inquiryPrefix = "inquiry#"
	idemPrefix    = "idem#"
)

// Condition expressions. Attribute names go through placeholders: status and ttl are DynamoDB
// reserved words.
const (
	condNew = "attribute_not_exists(pk)"
	// condNewOrExpired lets an idempotency record whose ttl has passed be overwritten: DynamoDB
	// deletes expired items lazily (typically within days), so an expired key may still be there.
	condNewOrExpired = "attribute_not_exists(pk) OR #ttl < :now"
	condReceived     = "#status = :received"
	updateProcessed  = "SET #status = :processed, #processedAt = :at, #archiveKey = :archiveKey"
)

// RecordStore is an inquiry.RecordStore on one DynamoDB table.
type RecordStore struct {
	client *dynamodb.Client
	table  string
	// now is the clock that decides whether an idempotency record has expired. Nil means
	// time.Now; tests set it.
	now func() time.Time
}

var _ inquiry.RecordStore = (*RecordStore)(nil)

// NewRecordStore returns a RecordStore on table, which must have the layout described in the
// package documentation.
func NewRecordStore(c *dynamodb.Client, table string) *RecordStore {
	return &RecordStore{client: c, table: table}
}

// recordItem is an inquiry record as stored. Times are RFC 3339 strings with nanoseconds, in
// UTC. Empty optional fields are left out of the item.
type recordItem struct {
	PK          string     `dynamodbav:"pk"`
	ID          string     `dynamodbav:"id"`
	Name        string     `dynamodbav:"name"`
	Email       string     `dynamodbav:"email"`
	Company     string     `dynamodbav:"company,omitempty"`
	Message     string     `dynamodbav:"message"`
	Status      string     `dynamodbav:"status"`
	ReceivedAt  time.Time  `dynamodbav:"receivedAt"`
	ProcessedAt *time.Time `dynamodbav:"processedAt,omitempty"`
	ArchiveKey  string     `dynamodbav:"archiveKey,omitempty"`
}

// idemItem is an idempotency record as stored. TTL is ExpiresAt in whole epoch seconds: the
// table's TTL attribute, and what decides expiry here too, so that reads and conditional
// writes agree (a key stays valid until the end of the second ExpiresAt falls in).
type idemItem struct {
	PK        string    `dynamodbav:"pk"`
	Key       string    `dynamodbav:"key"`
	BodyHash  string    `dynamodbav:"bodyHash"`
	InquiryID string    `dynamodbav:"inquiryId"`
	ExpiresAt time.Time `dynamodbav:"expiresAt"`
	TTL       int64     `dynamodbav:"ttl"`
}

func toRecordItem(in inquiry.Inquiry) recordItem {
	it := recordItem{
		PK:         inquiryPrefix + in.ID,
		ID:         in.ID,
		Name:       in.Name,
		Email:      in.Email,
		Company:    in.Company,
		Message:    in.Message,
		Status:     string(in.Status),
		ReceivedAt: in.ReceivedAt.UTC(),
		ArchiveKey: in.ArchiveKey,
	}
	if in.ProcessedAt != nil {
		at := in.ProcessedAt.UTC()
		it.ProcessedAt = &at
	}
	return it
}

func (it recordItem) inquiry() inquiry.Inquiry {
	return inquiry.Inquiry{
		ID:          it.ID,
		Name:        it.Name,
		Email:       it.Email,
		Company:     it.Company,
		Message:     it.Message,
		Status:      inquiry.Status(it.Status),
		ReceivedAt:  it.ReceivedAt,
		ProcessedAt: it.ProcessedAt,
		ArchiveKey:  it.ArchiveKey,
	}
}

func (s *RecordStore) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// Create stores a new record, and idem with it in one transaction when idem is not nil. It
// returns inquiry.ErrExists when the id is taken or idem.Key names an unexpired record.
func (s *RecordStore) Create(ctx context.Context, in inquiry.Inquiry, idem *inquiry.Idempotency) error {
	record, err := attributevalue.MarshalMap(toRecordItem(in))
	if err != nil {
		return fmt.Errorf("awsadapter: encode inquiry %s: %w", in.ID, err)
	}
	if idem == nil {
		_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:           &s.table,
			Item:                record,
			ConditionExpression: aws.String(condNew),
		})
		if _, ok := errors.AsType[*types.ConditionalCheckFailedException](err); ok {
			return fmt.Errorf("inquiry %s: %w", in.ID, inquiry.ErrExists)
		}
		if err != nil {
			return fmt.Errorf("awsadapter: put inquiry %s: %w", in.ID, err)
		}
		return nil
	}

	key, err := attributevalue.MarshalMap(idemItem{
		PK:        idemPrefix + idem.Key,
		Key:       idem.Key,
		BodyHash:  idem.BodyHash,
		InquiryID: idem.InquiryID,
		ExpiresAt: idem.ExpiresAt.UTC(),
		TTL:       idem.ExpiresAt.Unix(),
	})
	if err != nil {
		return fmt.Errorf("awsadapter: encode idempotency key: %w", err)
	}
	_, err = s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
		TransactItems: []types.TransactWriteItem{
			{Put: &types.Put{
				TableName:           &s.table,
				Item:                record,
				ConditionExpression: aws.String(condNew),
			}},
			{Put: &types.Put{
				TableName:                &s.table,
				Item:                     key,
				ConditionExpression:      aws.String(condNewOrExpired),
				ExpressionAttributeNames: map[string]string{"#ttl": "ttl"},
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":now": epochSeconds(s.clock()),
				},
			}},
		},
	})
	if conditionFailed(err) {
		return fmt.Errorf("inquiry %s or its idempotency key: %w", in.ID, inquiry.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("awsadapter: put inquiry %s with idempotency key: %w", in.ID, err)
	}
	return nil
}

// conditionFailed reports whether err is a cancelled transaction in which a condition failed.
// Other cancellations (conflicts with concurrent transactions, throttling) are not ErrExists:
// the caller may retry them.
func conditionFailed(err error) bool {
	tce, ok := errors.AsType[*types.TransactionCanceledException](err)
	if !ok {
		return false
	}
	for _, r := range tce.CancellationReasons {
		if aws.ToString(r.Code) == "ConditionalCheckFailed" {
			return true
		}
	}
	return false
}

// Get returns the record with id, or inquiry.ErrNotFound.
func (s *RecordStore) Get(ctx context.Context, id string) (inquiry.Inquiry, error) {
	item, err := s.get(ctx, inquiryPrefix+id)
	if err != nil {
		return inquiry.Inquiry{}, fmt.Errorf("awsadapter: get inquiry %s: %w", id, err)
	}
	if item == nil {
		return inquiry.Inquiry{}, fmt.Errorf("inquiry %s: %w", id, inquiry.ErrNotFound)
	}
	var it recordItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return inquiry.Inquiry{}, fmt.Errorf("awsadapter: decode inquiry %s: %w", id, err)
	}
	return it.inquiry(), nil
}

// GetIdempotency returns the unexpired record for key, or inquiry.ErrNotFound. An item whose
// ttl has passed counts as absent even while DynamoDB has not deleted it yet.
func (s *RecordStore) GetIdempotency(ctx context.Context, key string) (inquiry.Idempotency, error) {
	item, err := s.get(ctx, idemPrefix+key)
	if err != nil {
		return inquiry.Idempotency{}, fmt.Errorf("awsadapter: get idempotency key: %w", err)
	}
	if item == nil {
		return inquiry.Idempotency{}, fmt.Errorf("idempotency key: %w", inquiry.ErrNotFound)
	}
	var it idemItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return inquiry.Idempotency{}, fmt.Errorf("awsadapter: decode idempotency key: %w", err)
	}
	if it.TTL < s.clock().Unix() {
		return inquiry.Idempotency{}, fmt.Errorf("idempotency key expired: %w", inquiry.ErrNotFound)
	}
	return inquiry.Idempotency{
		Key:       it.Key,
		BodyHash:  it.BodyHash,
		InquiryID: it.InquiryID,
		ExpiresAt: it.ExpiresAt,
	}, nil
}

// get reads the item at pk with a strongly consistent read; nil means there is none.
func (s *RecordStore) get(ctx context.Context, pk string) (map[string]types.AttributeValue, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &s.table,
		Key:            map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, err
	}
	if len(out.Item) == 0 {
		return nil, nil
	}
	return out.Item, nil
}

// MarkProcessed sets status processed, processedAt and archiveKey if the record's status is
// received, in one conditional update. It returns (false, nil) when the record was already
// processed and inquiry.ErrNotFound when there is none.
func (s *RecordStore) MarkProcessed(ctx context.Context, id string, at time.Time, archiveKey string) (bool, error) {
	atValue, err := attributevalue.Marshal(at.UTC())
	if err != nil {
		return false, fmt.Errorf("awsadapter: encode processedAt: %w", err)
	}
	pk := inquiryPrefix + id
	_, err = s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           &s.table,
		Key:                 map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}},
		UpdateExpression:    aws.String(updateProcessed),
		ConditionExpression: aws.String(condReceived),
		ExpressionAttributeNames: map[string]string{
			"#status":      "status",
			"#processedAt": "processedAt",
			"#archiveKey":  "archiveKey",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":received":   &types.AttributeValueMemberS{Value: string(inquiry.StatusReceived)},
			":processed":  &types.AttributeValueMemberS{Value: string(inquiry.StatusProcessed)},
			":at":         atValue,
			":archiveKey": &types.AttributeValueMemberS{Value: archiveKey},
		},
		// Saves a read on the redelivery path: the failure carries the item when there is one.
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	ccf, failed := errors.AsType[*types.ConditionalCheckFailedException](err)
	switch {
	case err == nil:
		return true, nil
	case !failed:
		return false, fmt.Errorf("awsadapter: mark inquiry %s processed: %w", id, err)
	case len(ccf.Item) > 0:
		return false, nil
	}
	// The condition failed and no item came back: either there is no record, or the service
	// did not return it. One consistent read tells which (records are never deleted).
	item, err := s.get(ctx, pk)
	if err != nil {
		return false, fmt.Errorf("awsadapter: mark inquiry %s processed: %w", id, err)
	}
	if item == nil {
		return false, fmt.Errorf("inquiry %s: %w", id, inquiry.ErrNotFound)
	}
	return false, nil
}

func epochSeconds(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.Unix(), 10)}
}
