// Command worker is the events queue's consumer Lambda (runtime provided.al2023, executable
// bootstrap): it archives each received inquiry to the S3 bucket and marks its DynamoDB
// record processed. Its event source mapping must report batch item failures
// (FunctionResponseTypes ReportBatchItemFailures), so that only failed messages are retried.
//
// Environment: TABLE_NAME (the DynamoDB table), BUCKET_NAME (the archive bucket).
//
// Build (linux/arm64):
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -trimpath -buildvcs=false \
//	  -tags lambda.norpc -ldflags "-s -w -buildid=" -o bootstrap ./cmd/worker
package main

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/groundwork-dev/groundwork/internal/adapters/awsadapter"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/lambdamain"
	"github.com/groundwork-dev/groundwork/internal/worker"
)

func main() {
	lambdamain.Run(newHandler, func(h *worker.Handler) { lambda.Start(h.Handle) })
}

// newHandler builds the handler from the environment.
func newHandler(ctx context.Context, getenv func(string) string, log *slog.Logger) (*worker.Handler, error) {
	env, cfg, err := lambdamain.Init(ctx, getenv, "TABLE_NAME", "BUCKET_NAME")
	if err != nil {
		return nil, err
	}
	table, bucket := env[0], env[1]
	records := awsadapter.NewRecordStore(dynamodb.NewFromConfig(cfg), table)
	archive := awsadapter.NewArchiveStore(s3.NewFromConfig(cfg), bucket)
	// The worker never submits, so it needs no publisher.
	svc := inquiry.NewService(records, archive, nil, inquiry.WithLogger(log))
	return worker.New(svc, log), nil
}
