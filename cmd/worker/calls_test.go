package main

import (
	"encoding/json"
	"flag"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/adapters/awsadapter"
	"github.com/groundwork-dev/groundwork/internal/awscalls"
	"github.com/groundwork-dev/groundwork/internal/awsemu"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/lambdamain"
)

var update = flag.Bool("update", false, "rewrite "+awscalls.GoldenFile+" from the AWS calls the handler makes")

// TestAWSCalls runs the handler this binary builds against the emulators, through every
// branch that calls AWS, records each AWS operation its clients call, and holds the set
// equal to testdata/aws-calls.json; stacks/grants_test.go holds the worker function's role
// policies equal to the IAM actions of that file's calls (plus what its event source mapping
// does). Run with -update after a change to the calls that is meant.
func TestAWSCalls(t *testing.T) {
	// Given the emulators, a table holding a received inquiry, a bucket, and the handler
	// built as in Lambda, its clients carrying the recorder
	emu := awsemu.Start(t)
	env := map[string]string{"TABLE_NAME": "inquiries-worker-calls", "BUCKET_NAME": "archive-worker-calls"}
	emu.CreateTable(t, env["TABLE_NAME"])
	emu.CreateBucket(t, env["BUCKET_NAME"])
	now := time.Now().UTC().Truncate(time.Millisecond)
	stored := inquiry.Inquiry{ID: inquiry.NewID(now), Name: "Ada", Email: "ada@example.com", Message: "Hello",
		Status: inquiry.StatusReceived, ReceivedAt: now}
	records := awsadapter.NewRecordStore(emu.DynamoDBClient(), env["TABLE_NAME"]) // not recorded: setup
	require.NoError(t, records.Create(t.Context(), stored, nil))

	rec := &awscalls.Recorder{}
	ctx := lambdamain.WithConfigOptions(t.Context(), config.WithAPIOptions([]func(*middleware.Stack) error{rec.APIOption}))
	h, err := newHandler(ctx, func(k string) string { return env[k] }, slog.New(slog.DiscardHandler))
	require.NoError(t, err)

	message := func(id string) events.SQSEvent {
		body, err := json.Marshal(inquiry.Event{Type: inquiry.EventTypeReceived, InquiryID: id, OccurredAt: now})
		require.NoError(t, err)
		return events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-" + id, Body: string(body)}}}
	}
	scenarios := []struct {
		name   string
		event  events.SQSEvent
		failed bool
		then   func(t *testing.T, calls []awscalls.Call)
	}{
		{"first delivery archives and marks processed", message(stored.ID), false,
			func(t *testing.T, calls []awscalls.Call) {
				got, err := records.Get(t.Context(), stored.ID)
				require.NoError(t, err)
				assert.Equal(t, inquiry.StatusProcessed, got.Status, "the record is processed")
				assert.True(t, called(calls, "S3", "PutObject"), "the archive is written")
			}},
		{"redelivery of a processed record does nothing more", message(stored.ID), false,
			func(t *testing.T, calls []awscalls.Call) {
				assert.False(t, called(calls, "S3", "PutObject"), "no second archive write")
			}},
		{"a message for a missing record fails alone", message(inquiry.NewID(now)), true, nil},
	}

	var all []awscalls.Call
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			// When the event source mapping invokes the function with the scenario's batch
			rec.Reset()
			resp, err := h.Handle(t.Context(), sc.event)
			require.NoError(t, err)
			calls := rec.Calls()
			all = append(all, calls...)
			// Then the message succeeds or is reported failed as the branch does, having
			// called AWS
			assert.Equal(t, sc.failed, len(resp.BatchItemFailures) == 1, "message reported failed: %v", resp.BatchItemFailures)
			assert.NotEmpty(t, calls, "the branch calls AWS")
			if sc.then != nil {
				sc.then(t, calls)
			}
		})
	}

	// And the set of calls, with resources named by the variable they came from, is the
	// golden file's (or becomes it, with -update)
	require.NoError(t, awscalls.CheckGolden(awscalls.GoldenFile, awscalls.ByEnvironment(all, env), *update))
}

// called reports whether calls include the operation of the service.
func called(calls []awscalls.Call, service, op string) bool {
	return slices.ContainsFunc(calls, func(c awscalls.Call) bool { return c.Service == service && c.Operation == op })
}
