package awsadapter

import (
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/inquiry/porttest"
)

// minidyn supports conditional writes, ReturnValuesOnConditionCheckFailure and transactions
// with rollback, so the contract runs unchanged. It has no TTL: items are never deleted when
// their ttl passes, which is exactly the lazy deletion the adapter must cope with in AWS.
func TestRecordStoreContract(t *testing.T) {
	porttest.RecordStore(t, func(t *testing.T) inquiry.RecordStore {
		c, table, _ := newDynamo(t)
		return NewRecordStore(c, table)
	})
}

func TestRecordStoreItemLayout(t *testing.T) {
	// Given a record created with an idempotency key
	c, table, _ := newDynamo(t)
	s := NewRecordStore(c, table)
	ctx := t.Context()
	received := time.Date(2026, 11, 26, 9, 30, 0, 500, time.UTC)
	in := inquiry.Inquiry{ID: "01J", Name: "Ada", Email: "ada@example.com", Message: "hi", Status: inquiry.StatusReceived, ReceivedAt: received}
	expires := time.Date(2026, 11, 27, 9, 30, 0, 999_000_000, time.UTC)
	idem := inquiry.Idempotency{Key: "k1", BodyHash: "h", InquiryID: in.ID, ExpiresAt: expires}
	if err := s.Create(ctx, in, &idem); err != nil {
		t.Fatalf("Create: %v", err)
	}

	// When the raw items are read
	record := rawItem(t, c, table, "inquiry#01J")
	key := rawItem(t, c, table, "idem#k1")

	// Then they sit at the documented keys, the key carries the TTL attribute as epoch
	// seconds (type N) and times are RFC 3339 strings in UTC
	cases := []struct {
		property string
		item     map[string]types.AttributeValue
		attr     string
		want     types.AttributeValue
	}{
		{"record at pk inquiry#<id>", record, "pk", &types.AttributeValueMemberS{Value: "inquiry#01J"}},
		{"record status received", record, "status", &types.AttributeValueMemberS{Value: "received"}},
		{"receivedAt as RFC 3339 UTC", record, "receivedAt", &types.AttributeValueMemberS{Value: "2026-11-26T09:30:00.0000005Z"}},
		{"key at pk idem#<key>", key, "pk", &types.AttributeValueMemberS{Value: "idem#k1"}},
		{"ttl in epoch seconds", key, "ttl", &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)}},
	}
	for _, tc := range cases {
		if got := tc.item[tc.attr]; !equalAttr(got, tc.want) {
			t.Errorf("%s: %s = %#v, want %#v", tc.property, tc.attr, got, tc.want)
		}
	}
	for _, absent := range []string{"company", "processedAt", "archiveKey", "ttl"} {
		if _, ok := record[absent]; ok {
			t.Errorf("record has %s; empty optional fields and ttl must be left out (a record never expires)", absent)
		}
	}
}

func TestRecordStoreIdempotencyExpiry(t *testing.T) {
	// DynamoDB deletes expired items lazily and minidyn never does, so the item stays in the
	// table in every case below: the adapter alone decides with its clock, at whole seconds
	// (ttl < now in epoch seconds, the rule DynamoDB TTL uses).
	expires := time.Date(2026, 11, 27, 9, 30, 0, 250_000_000, time.UTC)
	cases := []struct {
		name      string
		now       time.Time
		wantFound bool
	}{
		{"a day before", expires.Add(-24 * time.Hour), true},
		{"in the second ExpiresAt falls in", expires.Add(500 * time.Millisecond), true},
		{"the next second", expires.Truncate(time.Second).Add(time.Second), false},
		{"long after", expires.Add(30 * 24 * time.Hour), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a key that expires at a fixed time
			c, table, _ := newDynamo(t)
			s := NewRecordStore(c, table)
			s.now = func() time.Time { return expires.Add(-48 * time.Hour) }
			idem := inquiry.Idempotency{Key: "k", BodyHash: "h", InquiryID: "first", ExpiresAt: expires}
			first := inquiry.Inquiry{ID: "first", Status: inquiry.StatusReceived, ReceivedAt: expires.Add(-24 * time.Hour)}
			if err := s.Create(t.Context(), first, &idem); err != nil {
				t.Fatalf("Create: %v", err)
			}
			// When the clock reads tc.now
			s.now = func() time.Time { return tc.now }
			_, getErr := s.GetIdempotency(t.Context(), "k")
			second := inquiry.Inquiry{ID: "second", Status: inquiry.StatusReceived, ReceivedAt: tc.now}
			reuse := idem
			reuse.InquiryID, reuse.ExpiresAt = "second", tc.now.Add(24*time.Hour)
			createErr := s.Create(t.Context(), second, &reuse)
			// Then the read and the conditional write agree on whether the key is live
			if found := getErr == nil; found != tc.wantFound {
				t.Errorf("GetIdempotency found = %v (err %v), want %v", found, getErr, tc.wantFound)
			}
			if tc.wantFound && !errors.Is(createErr, inquiry.ErrExists) {
				t.Errorf("Create reusing a live key: error = %v, want ErrExists", createErr)
			}
			if !tc.wantFound && createErr != nil {
				t.Errorf("Create reusing an expired key: error = %v, want nil (the stale item is overwritable)", createErr)
			}
			if len(rawItem(t, c, table, "idem#k")) == 0 {
				t.Errorf("idempotency item was deleted; this test relies on minidyn keeping it")
			}
		})
	}
}

func TestRecordStoreMarkProcessedRoundTrips(t *testing.T) {
	// The update asks for the old item on a failed condition (ALL_OLD), which minidyn returns
	// as DynamoDB does; a lookup is needed only when the record may be missing.
	cases := []struct {
		name    string
		setup   func(t *testing.T, s *RecordStore)
		wantOps []string
	}{
		{"received record: one update", func(t *testing.T, s *RecordStore) { createReceived(t, s) }, []string{"UpdateItem"}},
		{"redelivery: one update, no read", func(t *testing.T, s *RecordStore) {
			createReceived(t, s)
			if ok, err := s.MarkProcessed(t.Context(), "r", time.Now(), "k"); !ok || err != nil {
				t.Fatalf("first MarkProcessed = (%v, %v)", ok, err)
			}
		}, []string{"UpdateItem"}},
		{"unknown record: update then read", func(t *testing.T, s *RecordStore) {}, []string{"UpdateItem", "GetItem"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a store in the case's state
			c, table, log := newDynamo(t)
			s := NewRecordStore(c, table)
			tc.setup(t, s)
			log.all()
			// When MarkProcessed runs
			_, _ = s.MarkProcessed(t.Context(), "r", time.Now(), "k2")
			// Then it made exactly the expected requests
			if got := log.all(); !slices.Equal(got, tc.wantOps) {
				t.Errorf("requests = %q, want %q", got, tc.wantOps)
			}
		})
	}
}

func createReceived(t *testing.T, s *RecordStore) {
	t.Helper()
	in := inquiry.Inquiry{ID: "r", Name: "n", Status: inquiry.StatusReceived, ReceivedAt: time.Now().UTC()}
	if err := s.Create(t.Context(), in, nil); err != nil {
		t.Fatalf("Create: %v", err)
	}
}

func TestRecordStoreServiceErrorsAreNotPortErrors(t *testing.T) {
	// Given a store on a table that does not exist (ResourceNotFoundException)
	c, _, _ := newDynamo(t)
	s := NewRecordStore(c, "no-such-table")
	ctx := t.Context()
	in := inquiry.Inquiry{ID: "x", Status: inquiry.StatusReceived, ReceivedAt: time.Now().UTC()}
	idem := inquiry.Idempotency{Key: "k", ExpiresAt: time.Now().Add(time.Hour)}
	calls := map[string]func() error{
		"Create":          func() error { return s.Create(ctx, in, nil) },
		"Create with key": func() error { return s.Create(ctx, in, &idem) },
		"Get":             func() error { _, err := s.Get(ctx, "x"); return err },
		"GetIdempotency":  func() error { _, err := s.GetIdempotency(ctx, "k"); return err },
		"MarkProcessed":   func() error { _, err := s.MarkProcessed(ctx, "x", time.Now(), "k"); return err },
	}
	for name, call := range calls {
		// When the call fails
		err := call()
		// Then the error is reported, and not mistaken for ErrNotFound or ErrExists
		if err == nil || errors.Is(err, inquiry.ErrNotFound) || errors.Is(err, inquiry.ErrExists) {
			t.Errorf("%s on a missing table: error = %v, want a service error that is neither ErrNotFound nor ErrExists", name, err)
		}
	}
}

func rawItem(t *testing.T, c *dynamodb.Client, table, pk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := c.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName: aws.String(table),
		Key:       map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}},
	})
	if err != nil {
		t.Fatalf("raw GetItem %s: %v", pk, err)
	}
	return out.Item
}

func equalAttr(a, b types.AttributeValue) bool {
	switch a := a.(type) {
	case *types.AttributeValueMemberS:
		b, ok := b.(*types.AttributeValueMemberS)
		return ok && a.Value == b.Value
	case *types.AttributeValueMemberN:
		b, ok := b.(*types.AttributeValueMemberN)
		return ok && a.Value == b.Value
	}
	return false
}
