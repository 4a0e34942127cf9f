// Command api is the inquiries API's Lambda entry point (API Gateway HTTP API, payload 2.0).
// For now it answers GET /healthz; the service's routes replace this.
package main

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if req.RequestContext.HTTP.Method == http.MethodGet && req.RawPath == "/healthz" {
		return events.APIGatewayV2HTTPResponse{
			StatusCode: http.StatusOK,
			Headers:    map[string]string{"Content-Type": "application/json"},
			Body:       `{"status":"ok"}`,
		}, nil
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: http.StatusNotFound,
		Headers:    map[string]string{"Content-Type": "application/problem+json"},
		Body:       `{"title":"Not Found","status":404}`,
	}, nil
}

func main() { lambda.Start(handle) }
