package inquiry

import (
	"context"
	"errors"
	"time"
)

// Status is where an inquiry is in its life.
type Status string

const (
	// StatusReceived: stored by the API (after its event was queued), not yet archived.
	StatusReceived Status = "received"
	// StatusProcessed: archived by the worker.
	StatusProcessed Status = "processed"
)

// Inquiry is the stored record, and also the JSON the API returns and the worker archives.
type Inquiry struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Email       string     `json:"email"`
	Company     string     `json:"company"`
	Message     string     `json:"message"`
	Status      Status     `json:"status"`
	ReceivedAt  time.Time  `json:"receivedAt"`
	ProcessedAt *time.Time `json:"processedAt"`
	ArchiveKey  string     `json:"archiveKey"`
}

// Idempotency is what is kept for an Idempotency-Key header: which body it came with and
// which inquiry it created, until ExpiresAt (24 hours after the first request).
type Idempotency struct {
	Key       string    `json:"key"`
	BodyHash  string    `json:"bodyHash"`
	InquiryID string    `json:"inquiryId"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// EventTypeReceived is the type of the event the API publishes for each new inquiry.
const EventTypeReceived = "inquiry.received"

// Event is the message body on the events queue (JSON). It carries the id only: the worker
// reads the record, so the message stays small and never disagrees with the store.
type Event struct {
	Type       string    `json:"type"`
	InquiryID  string    `json:"inquiryId"`
	OccurredAt time.Time `json:"occurredAt"`
}

// Errors the ports return; adapters wrap nothing else into them.
var (
	// ErrNotFound: no record with that id.
	ErrNotFound = errors.New("inquiry not found")
	// ErrExists: a record with that id, or an unexpired idempotency key, is already stored.
	ErrExists = errors.New("already exists")
)

// RecordStore keeps inquiry records and idempotency keys. Every write is conditional, so a
// retried or redelivered call never overwrites what is stored.
type RecordStore interface {
	// Create stores a new record with status received, and idem with it in one atomic write
	// when idem is not nil. It returns ErrExists, storing nothing, when the id is taken or an
	// unexpired record for idem.Key exists.
	Create(ctx context.Context, in Inquiry, idem *Idempotency) error
	// Get returns the record, or ErrNotFound.
	Get(ctx context.Context, id string) (Inquiry, error)
	// GetIdempotency returns the unexpired record for key, or ErrNotFound.
	GetIdempotency(ctx context.Context, key string) (Idempotency, error)
	// MarkProcessed sets status processed, processedAt and archiveKey, only if the record's
	// status is received. It returns (false, nil) when the record was already processed (a
	// redelivery), and ErrNotFound when there is no record.
	MarkProcessed(ctx context.Context, id string, at time.Time, archiveKey string) (bool, error)
}

// ArchiveStore keeps archived inquiries as objects under keys such as
// inquiries/2026/11/26/<id>.json.
type ArchiveStore interface {
	// Put stores body at key. Storing the same body at the same key again is harmless.
	Put(ctx context.Context, key string, body []byte) error
	// Get returns the object at key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// List returns the keys under prefix, sorted.
	List(ctx context.Context, prefix string) ([]string, error)
}

// Publisher sends events to the consumers of the events queue.
type Publisher interface {
	Publish(ctx context.Context, e Event) error
}
