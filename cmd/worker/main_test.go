package main

import (
	"context"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/lambdamain/lambdamaintest"
)

func TestNewHandlerNeedsTableAndBucket(t *testing.T) {
	lambdamaintest.OfflineAWS(t)
	quiet := slog.New(slog.DiscardHandler)
	for _, env := range []map[string]string{{}, {"BUCKET_NAME": "b"}, {"TABLE_NAME": "t"}} {
		_, err := newHandler(context.Background(), func(k string) string { return env[k] }, quiet)
		assert.ErrorContains(t, err, "TABLE_NAME and BUCKET_NAME must be set", "env %v: init names what is missing", env)
	}
}

func TestNewHandlerReportsAMalformedMessageAsItsOwnFailure(t *testing.T) {
	// Given a handler built from a complete environment (no AWS reachable)
	lambdamaintest.OfflineAWS(t)
	env := map[string]string{"TABLE_NAME": "inquiries", "BUCKET_NAME": "archive"}
	h, err := newHandler(context.Background(), func(k string) string { return env[k] }, slog.New(slog.DiscardHandler))
	require.NoError(t, err)

	// When a batch holds a message that is not an event
	resp, err := h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: "not json"}}})

	// Then that message alone is reported failed, without calling AWS
	require.NoError(t, err)
	assert.Equal(t, []events.SQSBatchItemFailure{{ItemIdentifier: "m1"}}, resp.BatchItemFailures)
}
