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
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/groundwork-dev/groundwork/internal/adapters/awsadapter"
	"github.com/groundwork-dev/groundwork/internal/apigw"
	"github.com/groundwork-dev/groundwork/internal/httpapi"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/lambdamain"
)

func main() {
	lambdamain.Run(newHandler, func(h *apigw.LambdaHandler) { lambda.Start(h) })
}

// newHandler builds the Lambda handler from the environment.
func newHandler(ctx context.Context, getenv func(string) string, log *slog.Logger) (*apigw.LambdaHandler, error) {
	env, cfg, err := lambdamain.Init(ctx, getenv, "TABLE_NAME", "QUEUE_URL")
	if err != nil {
		return nil, err
	}
	table, queue := env[0], env[1]
	svc := inquiry.NewService(
		awsadapter.NewRecordStore(dynamodb.NewFromConfig(cfg), table),
		nil, // no archive: the worker archives
		awsadapter.NewPublisher(sqs.NewFromConfig(cfg), queue),
		inquiry.WithLogger(log),
	)
	return apigw.Handler(httpapi.NewHandler(svc, httpapi.WithLogger(log))), nil
}
