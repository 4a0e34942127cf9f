package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/lambdamain/lambdamaintest"
)

func TestNewHandler_RequiresTableAndQueue(t *testing.T) {
	lambdamaintest.OfflineAWS(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, env := range []map[string]string{
		{},
		{"TABLE_NAME": "t"},
		{"QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/q"},
	} {
		_, err := newHandler(context.Background(), func(k string) string { return env[k] }, quiet)
		assert.ErrorContains(t, err, "TABLE_NAME and QUEUE_URL must be set", "env %v", env)
	}
}

func TestNewHandler_ServesTheAPIWithoutCallingAWS(t *testing.T) {
	// Given the handler built from a complete environment (no AWS reachable)
	lambdamaintest.OfflineAWS(t)
	env := map[string]string{"TABLE_NAME": "inquiries", "QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/q"}
	h, err := newHandler(context.Background(), func(k string) string { return env[k] }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)

	cases := []struct {
		method, path string
		status       int
	}{
		{"GET", "/healthz", 200},
		{"GET", "/v1/inquiries/not-an-id", 404}, // refused before any store call
		{"DELETE", "/healthz", 405},
	}
	for _, tc := range cases {
		// When API Gateway invokes it
		payload := `{"version":"2.0","rawPath":"` + tc.path + `","requestContext":{"http":{"method":"` + tc.method + `"}}}`
		out, err := h.Invoke(context.Background(), []byte(payload))
		require.NoError(t, err)
		// Then it answers as the service does
		var resp events.APIGatewayV2HTTPResponse
		require.NoError(t, json.Unmarshal(out, &resp))
		assert.Equal(t, tc.status, resp.StatusCode, "%s %s", tc.method, tc.path)
	}
}
