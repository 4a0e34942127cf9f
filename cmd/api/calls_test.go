package main

import (
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/awscalls"
	"github.com/groundwork-dev/groundwork/internal/awsemu"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/lambdamain"
)

var update = flag.Bool("update", false, "rewrite "+awscalls.GoldenFile+" from the AWS calls the handler makes")

// TestAWSCalls runs the handler this binary builds against the emulators, through every
// branch that calls AWS, records each AWS operation its clients call, and holds the set
// equal to testdata/aws-calls.json; stacks/grants_test.go holds the api function's role
// policies equal to the IAM actions of that file's calls. Run with -update after a change
// to the calls that is meant.
func TestAWSCalls(t *testing.T) {
	// Given the emulators, a table and a queue, and the handler built as in Lambda, its
	// clients carrying the recorder
	emu := awsemu.Start(t)
	env := map[string]string{"TABLE_NAME": "inquiries-api-calls", "QUEUE_URL": emu.CreateQueue(t, "api-calls")}
	emu.CreateTable(t, env["TABLE_NAME"])
	rec := &awscalls.Recorder{}
	ctx := lambdamain.WithConfigOptions(t.Context(), config.WithAPIOptions([]func(*middleware.Stack) error{rec.APIOption}))
	h, err := newHandler(ctx, func(k string) string { return env[k] }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)

	invoke := func(t *testing.T, e events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
		t.Helper()
		e.Version = "2.0"
		e.RequestContext.HTTP.Path = e.RawPath
		payload, err := json.Marshal(e)
		require.NoError(t, err)
		out, err := h.Invoke(t.Context(), payload)
		require.NoError(t, err)
		var resp events.APIGatewayV2HTTPResponse
		require.NoError(t, json.Unmarshal(out, &resp))
		return resp
	}
	post := func(key, body string) events.APIGatewayV2HTTPRequest {
		e := events.APIGatewayV2HTTPRequest{RouteKey: "POST /v1/inquiries", RawPath: "/v1/inquiries", Body: body,
			Headers: map[string]string{"content-type": "application/json"}}
		e.RequestContext.HTTP.Method = "POST"
		if key != "" {
			e.Headers["idempotency-key"] = key
		}
		return e
	}
	get := func(id string) events.APIGatewayV2HTTPRequest {
		e := events.APIGatewayV2HTTPRequest{RouteKey: "GET /v1/inquiries/{id}", RawPath: "/v1/inquiries/" + id,
			PathParameters: map[string]string{"id": id}}
		e.RequestContext.HTTP.Method = "GET"
		return e
	}
	const (
		bodyA = `{"name":"Ada","email":"ada@example.com","message":"Hello"}`
		bodyB = `{"name":"Ada","email":"ada@example.com","message":"Another"}`
	)
	var firstID string
	scenarios := []struct {
		name   string
		event  func() events.APIGatewayV2HTTPRequest
		status int
		// then checks what the scenario's calls show about the branch it took.
		then func(t *testing.T, resp events.APIGatewayV2HTTPResponse, calls []awscalls.Call)
	}{
		{"new submission without a key", func() events.APIGatewayV2HTTPRequest { return post("", bodyA) }, 202,
			func(t *testing.T, resp events.APIGatewayV2HTTPResponse, calls []awscalls.Call) {
				var r inquiry.Receipt
				require.NoError(t, json.Unmarshal([]byte(resp.Body), &r))
				firstID = r.ID
				assert.True(t, sent(calls), "the event is published")
			}},
		{"new submission with a key", func() events.APIGatewayV2HTTPRequest { return post("k-1", bodyA) }, 202,
			func(t *testing.T, _ events.APIGatewayV2HTTPResponse, calls []awscalls.Call) {
				assert.True(t, sent(calls), "the event is published")
			}},
		{"idempotent replay of a record still received republishes", func() events.APIGatewayV2HTTPRequest { return post("k-1", bodyA) }, 202,
			func(t *testing.T, resp events.APIGatewayV2HTTPResponse, calls []awscalls.Call) {
				assert.Equal(t, "true", resp.Headers["Idempotent-Replayed"], "answered as a replay")
				assert.True(t, sent(calls), "the replay took the branch that publishes again")
			}},
		{"key reused with another body", func() events.APIGatewayV2HTTPRequest { return post("k-1", bodyB) }, 422,
			func(t *testing.T, _ events.APIGatewayV2HTTPResponse, calls []awscalls.Call) {
				assert.False(t, sent(calls), "nothing published")
			}},
		{"get of a stored inquiry", func() events.APIGatewayV2HTTPRequest { return get(firstID) }, 200, nil},
		{"get of an unknown inquiry", func() events.APIGatewayV2HTTPRequest { return get(inquiry.NewID(time.Now())) }, 404, nil},
	}

	var all []awscalls.Call
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			// When API Gateway invokes the function with the scenario's event
			rec.Reset()
			resp := invoke(t, sc.event())
			calls := rec.Calls()
			all = append(all, calls...)
			// Then it answers as the branch does, having called AWS
			require.Equal(t, sc.status, resp.StatusCode, "status; body %s", resp.Body)
			assert.NotEmpty(t, calls, "the branch calls AWS")
			if sc.then != nil {
				sc.then(t, resp, calls)
			}
		})
	}

	// And the set of calls, with resources named by the variable they came from, is the
	// golden file's (or becomes it, with -update)
	require.NoError(t, awscalls.CheckGolden(awscalls.GoldenFile, awscalls.ByEnvironment(all, env), *update))
}

// sent reports whether calls include an SQS SendMessage.
func sent(calls []awscalls.Call) bool {
	return slices.ContainsFunc(calls, func(c awscalls.Call) bool { return c.Service == "SQS" && c.Operation == "SendMessage" })
}
