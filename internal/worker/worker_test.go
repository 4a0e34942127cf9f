package worker

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

// processor records the events it gets and fails those whose id starts with "fail".
type processor struct{ got []inquiry.Event }

func (p *processor) Process(_ context.Context, e inquiry.Event) error {
	p.got = append(p.got, e)
	if strings.HasPrefix(e.InquiryID, "fail") {
		return errors.New("store unavailable")
	}
	return nil
}

func msg(id, body string) events.SQSMessage {
	return events.SQSMessage{MessageId: id, Body: body, Attributes: map[string]string{"ApproximateReceiveCount": "1"}}
}

func TestHandleReportsOnlyTheFailedMessages(t *testing.T) {
	cases := []struct {
		name       string
		records    []events.SQSMessage
		wantFailed []string
		wantCalls  int
	}{
		{"all succeed", []events.SQSMessage{
			msg("m1", `{"type":"inquiry.received","inquiryId":"A","occurredAt":"2026-11-26T09:00:00Z"}`),
			msg("m2", `{"type":"inquiry.received","inquiryId":"B","occurredAt":"2026-11-26T09:00:00Z"}`),
		}, []string{}, 2},
		{"a processing failure fails that message only", []events.SQSMessage{
			msg("m1", `{"type":"inquiry.received","inquiryId":"A"}`),
			msg("m2", `{"type":"inquiry.received","inquiryId":"fail-B"}`),
			msg("m3", `{"type":"inquiry.received","inquiryId":"C"}`),
		}, []string{"m2"}, 3},
		{"malformed bodies fail those messages only, unprocessed", []events.SQSMessage{
			msg("m1", `not json`),
			msg("m2", `{"type":"inquiry.received","inquiryId":"A"}`),
			msg("m3", `{"inquiryId":"B"}`),
			msg("m4", `{"type":"inquiry.received"}`),
			msg("m5", `[1,2]`),
			msg("m6", ``),
		}, []string{"m1", "m3", "m4", "m5", "m6"}, 1},
		{"empty batch", nil, []string{}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a handler over a processor that fails some inquiries, logging to a buffer
			var logs bytes.Buffer
			p := &processor{}
			h := New(p, slog.New(slog.NewJSONHandler(&logs, nil)))

			// When a batch is handled
			resp, err := h.Handle(context.Background(), events.SQSEvent{Records: tc.records})

			// Then exactly the failed messages are reported, each logged with its id
			require.NoError(t, err, "the handler never fails a whole batch")
			failed := []string{}
			for _, f := range resp.BatchItemFailures {
				failed = append(failed, f.ItemIdentifier)
			}
			require.Equal(t, tc.wantFailed, failed)
			require.Len(t, p.got, tc.wantCalls, "only well-formed events reach the processor")
			for _, id := range tc.wantFailed {
				require.Contains(t, logs.String(), `"messageId":"`+id+`"`, "failure of %s is logged", id)
			}
		})
	}
}

func TestHandlePassesTheEventThrough(t *testing.T) {
	p := &processor{}
	h := New(p, slog.New(slog.DiscardHandler))
	_, err := h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		msg("m1", `{"type":"inquiry.received","inquiryId":"01JDQ","occurredAt":"2026-11-26T09:30:15.123Z","extra":1}`),
	}})
	require.NoError(t, err)
	require.Len(t, p.got, 1)
	want := inquiry.Event{Type: inquiry.EventTypeReceived, InquiryID: "01JDQ", OccurredAt: time.Date(2026, 11, 26, 9, 30, 15, 123e6, time.UTC)}
	require.Equal(t, want.Type, p.got[0].Type)
	require.Equal(t, want.InquiryID, p.got[0].InquiryID)
	require.True(t, want.OccurredAt.Equal(p.got[0].OccurredAt), "occurredAt arrives unchanged")
}

func TestDecodeMarksMalformedBodies(t *testing.T) {
	for _, body := range []string{"", "null", "{}", `{"type":1}`, `"str"`} {
		_, err := Decode(body)
		require.ErrorIs(t, err, ErrMalformed, "body %q", body)
	}
}
