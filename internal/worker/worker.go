// Package worker is the events queue's consumer: the handler the worker Lambda runs on
// batches from SQS, and the local server runs on batches from its in-process queue. Each
// message carries one inquiry.Event; the handler processes the messages of a batch one by
// one and reports those that failed in BatchItemFailures, so that only they are retried
// (the event source mapping must have ReportBatchItemFailures on).
package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/strictjson"
)

// Processor is the step run for each event; *inquiry.Service implements it. It must be
// idempotent: SQS delivers at least once.
type Processor interface {
	Process(ctx context.Context, e inquiry.Event) error
}

// Handler is the worker's Lambda handler. Its zero value is not usable; use New.
type Handler struct {
	p   Processor
	log *slog.Logger
}

// New returns the handler that runs p on every message. log receives one record per failed
// message; nil means slog.Default().
func New(p Processor, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.Default()
	}
	return &Handler{p: p, log: log}
}

// Handle processes a batch. It never returns an error: every failure is one message's and
// is reported in BatchItemFailures, so a bad message never makes its batch-mates retry. A
// body that is not an event is a failure too: retried, then dead-lettered, where it can be
// looked at, rather than dropped.
func (h *Handler) Handle(ctx context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for _, m := range e.Records {
		if err := h.handle(ctx, m); err != nil {
			h.log.ErrorContext(ctx, "message failed",
				"messageId", m.MessageId,
				"receiveCount", m.Attributes["ApproximateReceiveCount"],
				"error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return resp, nil
}

func (h *Handler) handle(ctx context.Context, m events.SQSMessage) error {
	ev, err := Decode(m.Body)
	if err != nil {
		return err
	}
	if err := h.p.Process(ctx, ev); err != nil {
		return fmt.Errorf("inquiry %s: %w", ev.InquiryID, err)
	}
	return nil
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
