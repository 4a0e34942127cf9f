package worker

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/inquiry/memory"
)

func TestHandleRunsTheServiceAndToleratesRedelivery(t *testing.T) {
	// Given a submitted inquiry and the event it published
	ctx := context.Background()
	records, archive, pub := memory.NewStore(), memory.NewArchive(), &memory.Publisher{}
	svc := inquiry.NewService(records, archive, pub)
	r, err := svc.Submit(ctx, inquiry.Submission{Name: "Ada", Email: "ada@example.com", Message: "hello"}, "")
	require.NoError(t, err)
	require.Len(t, pub.Events(), 1)
	body, err := json.Marshal(pub.Events()[0])
	require.NoError(t, err)
	h := New(svc, slog.New(slog.DiscardHandler))
	batch := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: string(body)}}}

	// When the batch is delivered twice, as SQS may do
	resp1, err1 := h.Handle(ctx, batch)
	resp2, err2 := h.Handle(ctx, batch)

	// Then both succeed, the record is processed and archived once at its key
	require.NoError(t, err1)
	require.NoError(t, err2)
	require.Empty(t, resp1.BatchItemFailures)
	require.Empty(t, resp2.BatchItemFailures, "a redelivered event is not a failure")
	got, err := svc.Get(ctx, r.ID)
	require.NoError(t, err)
	require.Equal(t, inquiry.StatusProcessed, got.Status)
	keys, err := archive.List(ctx, "inquiries/")
	require.NoError(t, err)
	require.Equal(t, []string{got.ArchiveKey}, keys, "one archive object, at the record's archive key")
	require.Equal(t, 1, archive.Puts(), "a redelivery of a processed record writes nothing")
}

func TestHandleFailsAnEventForAMissingRecord(t *testing.T) {
	svc := inquiry.NewService(memory.NewStore(), memory.NewArchive(), &memory.Publisher{})
	h := New(svc, slog.New(slog.DiscardHandler))
	resp, err := h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: `{"type":"inquiry.received","inquiryId":"01JDQZZZZZZZZZZZZZZZZZZZZZ"}`},
	}})
	require.NoError(t, err)
	require.Equal(t, []events.SQSBatchItemFailure{{ItemIdentifier: "m1"}}, resp.BatchItemFailures,
		"an event whose record is missing is retried (and then dead-lettered), not dropped")
}
