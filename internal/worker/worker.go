// Package worker is the events queue's consumer: the handler the worker Lambda runs on
// batches from SQS, and the local server runs on batches from its in-process queue. Each
// message carries one inquiry.Event; the handler processes the messages of a batch one by
// one and reports those that failed in BatchItemFailures, so that only they are retried
// (the event source mapping must have ReportBatchItemFailures on).
//
// The API queues an event before it writes the record (see package inquiry), so the worker
// can receive an event before its record exists. An event whose record is not stored yet
// (inquiry.ErrNotYetStored) is processed again after each of a few short waits (155 ms in
// all, for all such events of a batch together), then failed alone if its record is still
// missing, so the queue retries it later. An orphan event (inquiry.ErrOrphanEvent: old
// enough that its record will never be written) is acknowledged with a warning instead of
// being retried into the dead-letter queue.
package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/strictjson"
)

// Processor is the step run for each event; *inquiry.Service implements it. It must be
// idempotent: SQS delivers at least once.
type Processor interface {
	Process(ctx context.Context, e inquiry.Event) error
}

// recheckDelays are the waits before each new attempt at the events of a batch whose record
// is not stored yet: 155 ms in all. The API's write normally lands milliseconds after its
// event is queued; a record still missing after this is late for a reason (a slow or
// failing write, a dead API) that the queue's retry after its visibility timeout serves
// better than a longer wait here, which holds up the batch (an orphan event costs its
// batch this wait at every receive until it is OrphanGrace old).
var recheckDelays = []time.Duration{5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond}

// Handler is the worker's Lambda handler. Its zero value is not usable; use New.
type Handler struct {
	p     Processor
	log   *slog.Logger
	sleep func(context.Context, time.Duration) error
}

// Option configures a Handler.
type Option func(*Handler)

// WithSleep sets how the handler waits between attempts at an event whose record is not
// stored yet. sleep returns an error, and the handler stops waiting, when the wait cannot be
// completed. Nil (the default) means Sleep.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(h *Handler) { h.sleep = sleep }
}

// New returns the handler that runs p on every message. log receives one record per failed
// or dropped message; nil means slog.Default().
func New(p Processor, log *slog.Logger, opts ...Option) *Handler {
	if log == nil {
		log = slog.Default()
	}
	h := &Handler{p: p, log: log}
	for _, o := range opts {
		o(h)
	}
	if h.sleep == nil {
		h.sleep = Sleep
	}
	return h
}

// ErrNoTimeToWait is Sleep's error when ctx's deadline leaves too little time for the wait.
var ErrNoTimeToWait = errors.New("not enough time left before the deadline to wait")

// Sleep waits d, or until ctx is done. It does not start a wait that would leave less than d
// before ctx's deadline for the work after it (it returns ErrNoTimeToWait at once): a
// handler that outlives its deadline fails its whole batch.
func Sleep(ctx context.Context, d time.Duration) error {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < 2*d {
		return ErrNoTimeToWait
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Handle processes a batch. It never returns an error: every failure is one message's and
// is reported in BatchItemFailures, so a bad message never makes its batch-mates retry. A
// body that is not an event is a failure too: retried, then dead-lettered, where it can be
// looked at, rather than dropped. Events whose record is not stored yet are tried again
// after a few short waits; orphan events are acknowledged with a warning.
func (h *Handler) Handle(ctx context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	evs := make([]inquiry.Event, len(e.Records))
	errs := make([]error, len(e.Records))
	var early []int // the messages whose record is not stored yet
	for i, m := range e.Records {
		evs[i], errs[i] = Decode(m.Body)
		if errs[i] == nil {
			errs[i] = h.p.Process(ctx, evs[i])
		}
		if errors.Is(errs[i], inquiry.ErrNotYetStored) {
			early = append(early, i)
		}
	}
	for _, d := range recheckDelays {
		if len(early) == 0 || h.sleep(ctx, d) != nil {
			break
		}
		still := early[:0]
		for _, i := range early {
			errs[i] = h.p.Process(ctx, evs[i])
			if errors.Is(errs[i], inquiry.ErrNotYetStored) {
				still = append(still, i)
			}
		}
		early = still
	}
	for i, m := range e.Records {
		err := errs[i]
		switch {
		case err == nil:
			continue
		case errors.Is(err, inquiry.ErrOrphanEvent):
			h.log.WarnContext(ctx, "orphan event dropped: its inquiry was never stored (the API failed after queueing it)",
				"messageId", m.MessageId, "inquiryId", evs[i].InquiryID, "occurredAt", evs[i].OccurredAt, "error", err)
			continue
		case errors.Is(err, inquiry.ErrNotYetStored):
			h.log.WarnContext(ctx, "message retried later: its inquiry is not stored yet",
				"messageId", m.MessageId, "inquiryId", evs[i].InquiryID,
				"receiveCount", m.Attributes["ApproximateReceiveCount"], "error", err)
		default:
			if evs[i].InquiryID != "" {
				err = fmt.Errorf("inquiry %s: %w", evs[i].InquiryID, err)
			}
			h.log.ErrorContext(ctx, "message failed",
				"messageId", m.MessageId,
				"receiveCount", m.Attributes["ApproximateReceiveCount"],
				"error", err)
		}
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
	}
	return resp, nil
}

// ErrMalformed is wrapped by Decode's errors.
var ErrMalformed = errors.New("malformed event")

// Decode parses a message body into an event. Unknown fields are allowed (a newer producer
// may add some). ErrMalformed is returned for a body that is not a JSON object, lacks a type
// or an inquiry id, or that encoding/json would read differently from what was sent: a
// member given twice (it keeps the last), a string that is not valid Unicode text (it
// stores U+FFFD), a member whose name differs from one of the event's only in case (it
// matches names case-insensitively, so "TYPE" would be read as the type).
func Decode(body string) (inquiry.Event, error) {
	members, err := strictjson.Members(nil, []byte(body))
	if err != nil {
		return inquiry.Event{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	for _, m := range members {
		name := string(m.Name)
		switch {
		case m.Repeated:
			return inquiry.Event{}, fmt.Errorf("%w: member %q is given more than once", ErrMalformed, name)
		case m.Invalid != nil:
			return inquiry.Event{}, fmt.Errorf("%w: member %q: %v", ErrMalformed, name, m.Invalid)
		}
		for _, f := range eventFields {
			if name != f && strings.EqualFold(name, f) {
				return inquiry.Event{}, fmt.Errorf("%w: member %q is not %q (names are case-sensitive)", ErrMalformed, name, f)
			}
		}
	}
	var ev inquiry.Event
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		return inquiry.Event{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if ev.Type == "" || ev.InquiryID == "" {
		return inquiry.Event{}, fmt.Errorf("%w: type and inquiryId are required", ErrMalformed)
	}
	return ev, nil
}

// eventFields are the JSON names of inquiry.Event's fields, from its struct tags, so that
// a field added to the event is covered too.
var eventFields = func() []string {
	var names []string
	t := reflect.TypeFor[inquiry.Event]()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		names = append(names, name)
	}
	return names
}()
