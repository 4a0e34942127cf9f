package inquiry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// DefaultIdempotencyTTL is how long an Idempotency-Key is remembered.
const DefaultIdempotencyTTL = 24 * time.Hour

// MaxIdempotencyKeyLen is the longest Idempotency-Key accepted, in bytes.
const MaxIdempotencyKeyLen = 255

// IdempotencyKeyField is the field name validation errors about the key carry.
const IdempotencyKeyField = "Idempotency-Key"

// StoreWindow is how long after an inquiry's event is stamped Submit may still write its
// record: a write is started only within the window, and given the rest of it as its
// deadline. It bounds how late a record can appear after its event, whatever the request's
// own time limit, so that OrphanGrace is a fact rather than a hope. 10 s is the api
// function's timeout in the stacks; API Gateway gives up on an HTTP API integration after
// 30 s at most, so no client is still waiting for a slower write anyway.
const StoreWindow = 10 * time.Second

// OrphanGrace is the age past which an event whose record does not exist is an orphan, left
// by a submission that queued its event and then failed or died before its record was
// written: the worker drops it with a warning instead of retrying it into the dead-letter
// queue. It is StoreWindow plus 50 s for a write already on the wire when its deadline
// passed to be applied, and for clock skew between the API's and the worker's hosts. It is
// well inside the time a queue takes to dead-letter an event (its visibility timeout times
// maxReceiveCount - 1: 12 min for the stacks' queue, 180 s x 4; 2 min for the local server's
// defaults, 30 s x 4), so an orphan is dropped rather than dead-lettered; with shorter
// timeouts it is dead-lettered instead, which loses nothing either.
const OrphanGrace = time.Minute

// ErrIdempotencyMismatch: the Idempotency-Key was first used with a different body (HTTP 422).
var ErrIdempotencyMismatch = errors.New("idempotency key already used with a different request body")

// ErrNoArchive: Process was called on a service built without an archive store.
var ErrNoArchive = errors.New("inquiry service has no archive store")

// ErrStoreWindowClosed: Submit queued the event but StoreWindow had passed before it could
// start writing the record, so it wrote nothing; the event is an orphan.
var ErrStoreWindowClosed = errors.New("record not written: the store window after its event had closed")

// Errors Process returns for an event whose record does not exist; both also wrap
// ErrNotFound. An event without occurredAt gets plain ErrNotFound: with its age unknown it is
// retried, then dead-lettered, for someone to look at.
var (
	// ErrNotYetStored: the event is younger than OrphanGrace, so its record may still be on
	// its way (the API queues the event first); read again shortly, then retry the message.
	ErrNotYetStored = errors.New("record not stored yet")
	// ErrOrphanEvent: the event is OrphanGrace old or older and its record does not exist,
	// so it never will: acknowledge the message, with a warning.
	ErrOrphanEvent = errors.New("orphan event: its record was never stored")
)

// Service accepts, reads and processes inquiries. Its methods are safe for concurrent use.
type Service struct {
	records RecordStore
	archive ArchiveStore
	pub     Publisher

	now     func() time.Time
	newID   func(time.Time) string
	idemTTL time.Duration
	log     *slog.Logger
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock. Nil (the default) means time.Now.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithIDs sets the id generator. Nil (the default) means NewID. Ids must pass ValidID.
func WithIDs(newID func(time.Time) string) Option { return func(s *Service) { s.newID = newID } }

// WithIdempotencyTTL sets how long an Idempotency-Key is remembered. Zero or negative (the
// default) means DefaultIdempotencyTTL.
func WithIdempotencyTTL(d time.Duration) Option { return func(s *Service) { s.idemTTL = d } }

// WithLogger sets where the service reports what it recovers from (a republished event).
// Nil (the default) means slog.Default().
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// NewService returns a service over the given ports. archive may be nil for a service that
// only accepts and reads inquiries (the API Lambda): Process then returns ErrNoArchive.
func NewService(records RecordStore, archive ArchiveStore, pub Publisher, opts ...Option) *Service {
	s := &Service{records: records, archive: archive, pub: pub}
	for _, o := range opts {
		o(s)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = NewID
	}
	if s.idemTTL <= 0 {
		s.idemTTL = DefaultIdempotencyTTL
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// Receipt is the answer to a submission: the HTTP API's 202 body.
type Receipt struct {
	ID     string `json:"id"`
	Status Status `json:"status"`
	// Replayed is true when the receipt repeats the answer to an earlier request with the
	// same Idempotency-Key and body; nothing new was created.
	Replayed bool `json:"-"`
}

// Submit validates a submission, publishes its inquiry.received event, then stores it as a
// new record with status received (see the package doc for why in this order). The record is
// written within StoreWindow of the event's time or not at all; a write that returns later
// than that (a suspended process) publishes the event again, since the worker may have
// dropped the first one as an orphan meanwhile.
//
// idemKey is the request's Idempotency-Key ("" means none; a structured-field string in
// double quotes is unquoted). Within the TTL, the same key with the same (normalized)
// submission returns the first receipt with Replayed set and creates nothing; if that record
// is still received, its event is published again, so an event that was dead-lettered or is
// slow in coming gets another chance (the worker is idempotent). The same key with a
// different submission returns ErrIdempotencyMismatch.
//
// Errors: *ValidationError for a bad submission or key, ErrIdempotencyMismatch,
// ErrStoreWindowClosed, or a store or publisher error. After a publish error nothing is
// stored; after a store error, or a crash between the two writes, the event queued is an
// orphan, which the worker drops. Either way a retry, with the same key or without one,
// creates the inquiry afresh, and no record is left that no event will process.
func (s *Service) Submit(ctx context.Context, sub Submission, idemKey string) (Receipt, error) {
	sub, err := Validate(sub)
	var fields []FieldError
	var verr *ValidationError
	if errors.As(err, &verr) {
		fields = verr.Fields
	}
	idemKey, kerr := normalizeIdempotencyKey(idemKey)
	if kerr != nil {
		fields = append(fields, *kerr)
	}
	if len(fields) > 0 {
		return Receipt{}, &ValidationError{Fields: fields}
	}

	var hash string
	if idemKey != "" {
		hash = submissionHash(sub)
		if r, done, err := s.replay(ctx, idemKey, hash); done {
			return r, err
		}
	}

	for attempt := 0; ; attempt++ {
		// Milliseconds: the precision of the id's timestamp, and one every store keeps.
		now := s.now().UTC().Truncate(time.Millisecond)
		in := Inquiry{
			ID:         s.newID(now),
			Name:       sub.Name,
			Email:      sub.Email,
			Company:    sub.Company,
			Message:    sub.Message,
			Status:     StatusReceived,
			ReceivedAt: now,
		}
		var idem *Idempotency
		if idemKey != "" {
			idem = &Idempotency{Key: idemKey, BodyHash: hash, InquiryID: in.ID, ExpiresAt: now.Add(s.idemTTL)}
		}
		// The event first: once it is queued, a record written after it always has it.
		if err := s.publish(ctx, in.ID, now); err != nil {
			return Receipt{}, err
		}
		err := s.create(ctx, in, idem, now)
		if errors.Is(err, ErrExists) {
			// Either a concurrent request with the same key won the race (answer as it
			// did; the event just published is an orphan), or the id was taken (the event
			// is a harmless extra delivery for the record that has it; try another id).
			if idem != nil {
				if r, done, err := s.replay(ctx, idemKey, hash); done {
					return r, err
				}
			}
			if attempt < 3 {
				continue
			}
			return Receipt{}, fmt.Errorf("create inquiry: %w", err)
		}
		if err != nil {
			return Receipt{}, fmt.Errorf("create inquiry: %w", err)
		}
		return Receipt{ID: in.ID, Status: StatusReceived}, nil
	}
}

// create writes the record whose event was stamped at published, within StoreWindow of it.
func (s *Service) create(ctx context.Context, in Inquiry, idem *Idempotency, published time.Time) error {
	left := StoreWindow - s.now().Sub(published)
	if left <= 0 {
		return fmt.Errorf("%s: %w", in.ID, ErrStoreWindowClosed)
	}
	// The deadline stops the store's own retries at the window's end. A context that ends
	// sooner (a Lambda invocation's) already does, and costs no timer.
	if d, ok := ctx.Deadline(); !ok || time.Until(d) > left {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, left)
		defer cancel()
	}
	if err := s.records.Create(ctx, in, idem); err != nil {
		return err
	}
	if s.now().Sub(published) >= StoreWindow {
		s.log.WarnContext(ctx, "record written after its store window; publishing its event again", "inquiryId", in.ID)
		return s.publish(ctx, in.ID, s.now().UTC())
	}
	return nil
}

// replay answers a request whose key is already stored. done is false when the key is
// unknown (or expired) and the caller must create the record.
func (s *Service) replay(ctx context.Context, key, hash string) (r Receipt, done bool, err error) {
	idem, err := s.records.GetIdempotency(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return Receipt{}, false, nil
	}
	if err != nil {
		return Receipt{}, true, fmt.Errorf("read idempotency key: %w", err)
	}
	if idem.BodyHash != hash {
		return Receipt{}, true, ErrIdempotencyMismatch
	}
	rec, err := s.records.Get(ctx, idem.InquiryID)
	if err != nil {
		// Key and record are written in one atomic write, so this is a store failure.
		return Receipt{}, true, fmt.Errorf("read inquiry %s of idempotency key: %w", idem.InquiryID, err)
	}
	if rec.Status == StatusReceived {
		s.log.InfoContext(ctx, "republishing event on idempotent replay", "inquiryId", rec.ID)
		if err := s.publish(ctx, rec.ID, s.now().UTC()); err != nil {
			return Receipt{}, true, err
		}
	}
	return Receipt{ID: rec.ID, Status: StatusReceived, Replayed: true}, true, nil
}

func (s *Service) publish(ctx context.Context, id string, at time.Time) error {
	if err := s.pub.Publish(ctx, Event{Type: EventTypeReceived, InquiryID: id, OccurredAt: at}); err != nil {
		return fmt.Errorf("publish %s for %s: %w", EventTypeReceived, id, err)
	}
	return nil
}

// normalizeIdempotencyKey reads an Idempotency-Key header value: one key of 1 to
// MaxIdempotencyKeyLen visible ASCII characters, bare (abc) or as a structured-field string
// ("abc", RFC 8941 §3.3.3, with \" and \\ escapes), which is how the IETF draft
// (draft-ietf-httpapi-idempotency-key-header) defines the header. Surrounding spaces and
// tabs are ignored, as HTTP ignores them.
//
// A comma outside a quoted string is refused: API Gateway and net/http-based proxies join
// a header sent twice into one value with commas, so "a1,b2" is two keys, and keeping either
// (or both as one) would tie a retry to the wrong request.
func normalizeIdempotencyKey(k string) (string, *FieldError) {
	if k == "" {
		return "", nil
	}
	bad := func() *FieldError {
		return &FieldError{Field: IdempotencyKeyField, Message: fmt.Sprintf("must be 1 to %d visible ASCII characters", MaxIdempotencyKeyLen)}
	}
	twice := func() *FieldError {
		return &FieldError{Field: IdempotencyKeyField, Message: "must be given once: it holds more than one key " +
			"(repeated headers arrive joined with commas); send a key that has a comma as a quoted string"}
	}
	k = strings.Trim(k, " \t")
	if k == "" {
		return "", bad()
	}
	key := k
	if k[0] == '"' {
		var b []byte // the key, once it has an escape
		end := -1
		for i := 1; i < len(k) && end < 0; i++ {
			switch c := k[i]; {
			case c == '"':
				end = i
			case c == '\\' && i+1 < len(k) && (k[i+1] == '"' || k[i+1] == '\\'):
				if b == nil {
					b = append(make([]byte, 0, len(k)), k[1:i]...)
				}
				b = append(b, k[i+1])
				i++
			case c < 0x20 || c > 0x7e || c == '\\':
				return "", bad()
			default:
				if b != nil {
					b = append(b, c)
				}
			}
		}
		if end < 0 {
			return "", bad() // no closing quote
		}
		switch rest := strings.TrimLeft(k[end+1:], " \t"); {
		case rest == "":
		case rest[0] == ',':
			return "", twice()
		default:
			return "", bad()
		}
		if key = k[1:end]; b != nil {
			key = string(b)
		}
	} else if strings.IndexByte(k, ',') >= 0 {
		return "", twice()
	}
	if key == "" || len(key) > MaxIdempotencyKeyLen {
		return "", bad()
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return "", bad()
		}
	}
	return key, nil
}

// submissionHash identifies a normalized submission: the hex SHA-256 of its JSON. Bodies
// that differ only in white space, key order or surrounding spaces of a value hash alike.
func submissionHash(s Submission) string {
	b, _ := json.Marshal(s) // a struct of strings always marshals
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Get returns the record, or ErrNotFound (also for an id that is not well formed).
func (s *Service) Get(ctx context.Context, id string) (Inquiry, error) {
	if !ValidID(id) {
		return Inquiry{}, ErrNotFound
	}
	return s.records.Get(ctx, id)
}

// ArchiveKey is where an inquiry is archived: inquiries/YYYY/MM/DD/<id>.json, the date
// being the day it was received, in UTC. It depends on the record only, so every delivery
// of an event writes the same key.
func ArchiveKey(in Inquiry) string {
	return in.ReceivedAt.UTC().Format("inquiries/2006/01/02/") + in.ID + ".json"
}

// Process is the worker's step for one event: it reads the record, puts the archive JSON at
// ArchiveKey, and marks the record processed. It is idempotent: for a record already
// processed it does nothing, and a delivery that races another writes the same bytes to the
// same key, then loses the conditional MarkProcessed harmlessly.
//
// The archived JSON is the record as received plus its archiveKey (status received,
// processedAt null): its bytes never depend on when or how often the worker runs.
//
// A missing record is judged by the event's age on the service's clock: younger than
// OrphanGrace it is ErrNotYetStored (the API queues the event before it writes the record,
// so the worker can be first), from OrphanGrace on it is ErrOrphanEvent (the API failed
// between the two writes; nothing will ever write it). Both wrap ErrNotFound.
//
// Errors: an event of another type, ErrNotYetStored, ErrOrphanEvent, ErrNotFound (wrapped)
// when the record of an event without occurredAt is missing (retried, then dead-lettered),
// ErrNoArchive, or a store error.
func (s *Service) Process(ctx context.Context, e Event) error {
	if e.Type != EventTypeReceived {
		return fmt.Errorf("process event: unknown type %q", e.Type)
	}
	if s.archive == nil {
		return ErrNoArchive
	}
	rec, err := s.records.Get(ctx, e.InquiryID)
	if errors.Is(err, ErrNotFound) && !e.OccurredAt.IsZero() {
		age := s.now().Sub(e.OccurredAt)
		if age < OrphanGrace {
			return fmt.Errorf("process %s: event %v old: %w: %w", e.InquiryID, age, ErrNotYetStored, err)
		}
		return fmt.Errorf("process %s: event %v old: %w: %w", e.InquiryID, age, ErrOrphanEvent, err)
	}
	if err != nil {
		return fmt.Errorf("process %s: read record: %w", e.InquiryID, err)
	}
	if rec.Status == StatusProcessed {
		return nil
	}
	key := ArchiveKey(rec)
	doc := rec
	doc.ArchiveKey = key
	body, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("process %s: encode archive: %w", rec.ID, err)
	}
	if err := s.archive.Put(ctx, key, body); err != nil {
		return fmt.Errorf("process %s: put archive %s: %w", rec.ID, key, err)
	}
	if _, err := s.records.MarkProcessed(ctx, rec.ID, s.now().UTC(), key); err != nil {
		return fmt.Errorf("process %s: mark processed: %w", rec.ID, err)
	}
	return nil
}
