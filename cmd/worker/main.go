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
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/groundwork-dev/groundwork/internal/adapters/awsadapter"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/worker"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	h, err := newHandler(context.Background(), os.Getenv, log)
	if err != nil {
		// Failing init is what Lambda reports as Runtime.ExitError, with this line in the log.
		log.Error("init", "error", err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}

// newHandler builds the handler from the environment. Init does no more than create the SDK
// clients: no network call, so cold starts stay short.
func newHandler(ctx context.Context, getenv func(string) string, log *slog.Logger) (*worker.Handler, error) {
	table, bucket := getenv("TABLE_NAME"), getenv("BUCKET_NAME")
	if table == "" || bucket == "" {
		return nil, fmt.Errorf("TABLE_NAME (%q) and BUCKET_NAME (%q) must be set", table, bucket)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	records := awsadapter.NewRecordStore(dynamodb.NewFromConfig(cfg), table)
	archive := awsadapter.NewArchiveStore(s3.NewFromConfig(cfg), bucket)
	// The worker never submits, so it needs no publisher.
	svc := inquiry.NewService(records, archive, nil, inquiry.WithLogger(log))
	return worker.New(svc, log), nil
}
