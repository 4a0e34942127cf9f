package worker

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

func TestDecode_RefusesWhatEncodingJSONWouldReadOtherwise(t *testing.T) {
	cases := []struct{ name, body, why string }{
		{"type given twice (the last would win)", `{"type":"inquiry.received","inquiryId":"A","type":"other"}`, `member "type" is given more than once`},
		{"inquiryId given twice", `{"type":"inquiry.received","inquiryId":"A","inquiryId":"B"}`, `member "inquiryId" is given more than once`},
		{"a name differing in case (would be read as the type)", `{"TYPE":"inquiry.received","inquiryId":"A"}`, `member "TYPE" is not "type" (names are case-sensitive)`},
		{"a case variant beside the real name (the last would win)", `{"type":"inquiry.received","inquiryId":"A","InquiryID":"B"}`, `member "InquiryID" is not "inquiryId" (names are case-sensitive)`},
		{"an id that is not UTF-8", "{\"type\":\"inquiry.received\",\"inquiryId\":\"A\xff\"}", `member "inquiryId": json: byte 0xff at offset 41 is not UTF-8`},
		{"a lone surrogate", `{"type":"inquiry.received\ud800","inquiryId":"A"}`, `member "type": json: \ud800 at offset 25 is half of a UTF-16 surrogate pair`},
		{"bad text in an unknown member", `{"type":"inquiry.received","inquiryId":"A","note":"\udc00"}`, `member "note": json: \udc00 at offset 51 is half of a UTF-16 surrogate pair`},
		{"not an object", `"inquiry.received"`, "json: the text is a JSON string, not an object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a message body that encoding/json alone would read as some event
			// When it is decoded
			_, err := Decode(tc.body)
			// Then it is malformed (retried, then dead-lettered where it can be looked at), saying why
			require.ErrorIs(t, err, ErrMalformed)
			assert.Equal(t, "malformed event: "+tc.why, err.Error())
		})
	}
}

func TestDecode_AcceptsEvents(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	cases := []struct{ name, body string }{
		{"the event", `{"type":"inquiry.received","inquiryId":"A","occurredAt":"2026-11-26T09:00:00Z"}`},
		{"unknown members from a newer producer", `{"type":"inquiry.received","inquiryId":"A","occurredAt":"2026-11-26T09:00:00Z","trace":{"id":"x","id":"y"},"v":2}`},
		{"escaped text", `{"type":"inquiry.\u0072eceived","inquiryId":"A","occurredAt":"2026-11-26T09:00:00Z"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := Decode(tc.body)
			require.NoError(t, err)
			assert.Equal(t, inquiry.Event{Type: inquiry.EventTypeReceived, InquiryID: "A", OccurredAt: at}, ev)
		})
	}
}

func TestEventFieldsAreTheEventsJSONNames(t *testing.T) {
	// The case check covers every field of the event: its names come from the struct tags.
	assert.Equal(t, []string{"type", "inquiryId", "occurredAt"}, eventFields)
}
