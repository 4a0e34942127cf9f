// Command api is the inquiries API's Lambda entry point (the bootstrap of a provided.al2023
// function behind an API Gateway HTTP API, payload format 2.0). It serves the same
// http.Handler as the local server, through the same event translation (internal/apigw).
//
// Environment:
//
//	TABLE_NAME  the DynamoDB table of inquiry records and idempotency keys (required)
//	QUEUE_URL   the SQS queue the inquiry.received events go to (required)
//
// BUCKET_NAME is not read: the API never touches the archive (the worker does), so this
// binary links no S3 client and its role needs no S3 access.
//
// Init work is limited to reading the environment and creating the SDK clients.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/groundwork-dev/groundwork/internal/adapters/awsadapter"
	"github.com/groundwork-dev/groundwork/internal/apigw"
	"github.com/groundwork-dev/groundwork/internal/httpapi"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	h, err := newHandler(context.Background(), os.Getenv, log)
	if err != nil {
		log.Error("init failed", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}

// newHandler builds the Lambda handler from the environment.
func newHandler(ctx context.Context, getenv func(string) string, log *slog.Logger) (*apigw.LambdaHandler, error) {
	table, queue := getenv("TABLE_NAME"), getenv("QUEUE_URL")
	if table == "" || queue == "" {
		return nil, fmt.Errorf("TABLE_NAME and QUEUE_URL must be set (got TABLE_NAME=%q, QUEUE_URL=%q)", table, queue)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	svc := inquiry.NewService(
		awsadapter.NewRecordStore(dynamodb.NewFromConfig(cfg), table),
		nil, // no archive: the worker archives
		awsadapter.NewPublisher(sqs.NewFromConfig(cfg), queue),
		inquiry.WithLogger(log),
	)
	return apigw.Handler(httpapi.NewHandler(svc, httpapi.WithLogger(log))), nil
}
