package queue

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/internal/check"
)

// The defaulting decisions, without the engine.
func TestResolveDefaults(t *testing.T) {
	consumer := &function.Args{Package: "./x", Timeout: 20 * time.Second}
	const days4 = 4 * 24 * time.Hour
	tests := []struct {
		name                                       string
		args                                       Args
		visibility, retention, maxAge, receiveWait time.Duration
		maxReceiveCount, batchSize                 int
	}{
		{"zero Args", Args{}, 30 * time.Second, days4, 15 * time.Minute, 20 * time.Second, 5, 0},
		{"consumer", Args{Consumer: consumer}, 120 * time.Second, days4, 15 * time.Minute, 20 * time.Second, 5, 10},
		{"consumer with default timeout", Args{Consumer: &function.Args{Package: "./x"}}, 60 * time.Second, days4, 15 * time.Minute, 20 * time.Second, 5, 10},
		{"short retention caps the age threshold", Args{Retention: 5 * time.Minute}, 30 * time.Second, 5 * time.Minute, 5 * time.Minute, 20 * time.Second, 5, 0},
		{"no DLQ has no receive count", Args{NoDeadLetterQueue: true}, 30 * time.Second, days4, 15 * time.Minute, 20 * time.Second, 0, 0},
		{"explicit values are kept", Args{Consumer: consumer, VisibilityTimeout: time.Hour, Retention: time.Hour, MaxMessageAge: 30 * time.Minute,
			ReceiveWait: 5 * time.Second, MaxReceiveCount: 3, BatchSize: 7}, time.Hour, time.Hour, 30 * time.Minute, 5 * time.Second, 3, 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := resolve("events", tc.args, nil)
			require.NoError(t, err)
			assert.Equal(t, tc.visibility, s.VisibilityTimeout, "VisibilityTimeout")
			assert.Equal(t, tc.retention, s.Retention, "Retention")
			assert.Equal(t, tc.maxAge, s.MaxMessageAge, "MaxMessageAge")
			assert.Equal(t, tc.receiveWait, s.ReceiveWait, "ReceiveWait")
			assert.Equal(t, time.Duration(0), s.Delay, "Delay stays zero: no delay")
			assert.Equal(t, tc.maxReceiveCount, s.MaxReceiveCount, "MaxReceiveCount")
			assert.Equal(t, tc.batchSize, s.BatchSize, "BatchSize")
		})
	}
}

// problems returns the invalid fields resolve reports, as "<Field> <message>" lines.
func problems(t *testing.T, err error) []string {
	t.Helper()
	var e *check.Error
	require.True(t, errors.As(err, &e), "resolve reports a *check.Error, got %v", err)
	assert.Equal(t, "queue", e.Kind, "the component kind")
	assert.Equal(t, "events", e.Name, "the component name")
	out := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p.String()
	}
	return out
}

// hello is a main package of this module, so New's check of a consumer builds.
const hello = "./components/function/testdata/hello"

func consumer(timeout time.Duration) *function.Args {
	return &function.Args{Package: hello, Timeout: timeout}
}

// invalidFields are Args with one invalid field each, and the problem reported.
var invalidFields = []struct {
	name string
	args Args
	want string // the one problem, exactly
}{
	{"visibility below 6x the consumer timeout", Args{Consumer: consumer(0), VisibilityTimeout: 30 * time.Second},
		"VisibilityTimeout 30s is below 6x the consumer timeout (60s)"},
	{"visibility below 6x a longer consumer timeout", Args{Consumer: consumer(100 * time.Second), VisibilityTimeout: 500 * time.Second},
		"VisibilityTimeout 500s is below 6x the consumer timeout (600s)"},
	{"visibility over 12 hours", Args{VisibilityTimeout: 12*time.Hour + time.Second},
		"VisibilityTimeout 43201s must be whole seconds from 0s to 43200s"},
	{"negative visibility", Args{VisibilityTimeout: -time.Second}, "VisibilityTimeout -1s must be whole seconds from 0s to 43200s"},
	{"delay over 15 minutes", Args{Delay: 901 * time.Second}, "Delay 901s must be whole seconds from 0s to 900s"},
	{"delay not whole seconds", Args{Delay: 1500 * time.Millisecond}, "Delay 1.5s must be whole seconds from 0s to 900s"},
	{"negative delay", Args{Delay: -time.Second}, "Delay -1s must be whole seconds from 0s to 900s"},
	{"receive wait over 20 s", Args{ReceiveWait: 21 * time.Second}, "ReceiveWait 21s must be whole seconds from 1s to 20s"},
	{"receive wait not whole seconds", Args{ReceiveWait: 500 * time.Millisecond}, "ReceiveWait 500ms must be whole seconds from 1s to 20s"},
	{"negative receive wait", Args{ReceiveWait: -time.Second}, "ReceiveWait -1s must be whole seconds from 1s to 20s"},
	{"batch size over 10,000", Args{Consumer: consumer(0), BatchSize: 10001, MaxBatchingWindow: time.Second},
		"BatchSize 10001 is outside 1-10000, the range on a standard queue"},
	{"batch size over 10 on FIFO", Args{FIFO: true, Consumer: consumer(0), BatchSize: 11}, "BatchSize 11 is outside 1-10, the range on a FIFO queue"},
	{"negative batch size", Args{Consumer: consumer(0), BatchSize: -1}, "BatchSize -1 is outside 1-10000, the range on a standard queue"},
	{"batch size over 10 without a window", Args{Consumer: consumer(0), BatchSize: 11},
		"BatchSize 11 is over 10, which needs a MaxBatchingWindow of at least 1s"},
	{"batching window on FIFO", Args{FIFO: true, Consumer: consumer(0), MaxBatchingWindow: time.Second},
		"MaxBatchingWindow 1s is not allowed on a FIFO queue"},
	{"batching window over 300 s", Args{Consumer: consumer(0), MaxBatchingWindow: 301 * time.Second},
		"MaxBatchingWindow 301s must be whole seconds from 0s to 300s"},
	{"max concurrency 1", Args{Consumer: consumer(0), MaxConcurrency: 1}, "MaxConcurrency 1 is outside 2-1000"},
	{"max concurrency over 1000", Args{Consumer: consumer(0), MaxConcurrency: 1001}, "MaxConcurrency 1001 is outside 2-1000"},
	{"maxReceiveCount over 1000", Args{MaxReceiveCount: 1001}, "MaxReceiveCount 1001 is outside 1-1000"},
	{"negative maxReceiveCount", Args{MaxReceiveCount: -1}, "MaxReceiveCount -1 is outside 1-1000"},
	{"maxReceiveCount without a DLQ", Args{NoDeadLetterQueue: true, MaxReceiveCount: 3},
		"MaxReceiveCount 3 is set but NoDeadLetterQueue leaves nothing to redrive to"},
	{"retention under a minute", Args{Retention: 59 * time.Second}, "Retention 59s must be whole seconds from 60s to 1209600s"},
	{"retention over 14 days", Args{Retention: 15 * 24 * time.Hour}, "Retention 1296000s must be whole seconds from 60s to 1209600s"},
	{"message age over the retention", Args{Retention: time.Hour, MaxMessageAge: 2 * time.Hour},
		"MaxMessageAge 7200s must be whole seconds from 60s to the Retention (3600s): an older message is already gone"},
	{"message age under a minute", Args{MaxMessageAge: 30 * time.Second},
		"MaxMessageAge 30s must be whole seconds from 60s to the Retention (345600s): an older message is already gone"},
	{"content-based deduplication on a standard queue", Args{ContentBasedDeduplication: true}, "ContentBasedDeduplication needs FIFO"},
	{"batch size without a consumer", Args{BatchSize: 5}, "BatchSize 5 is set but there is no Consumer"},
	{"batching window without a consumer", Args{MaxBatchingWindow: time.Second}, "MaxBatchingWindow 1s is set but there is no Consumer"},
	{"max concurrency without a consumer", Args{MaxConcurrency: 5}, "MaxConcurrency 5 is set but there is no Consumer"},
	{"consumer grant named like the queue's", Args{Consumer: &function.Args{Package: hello, Grants: []grant.Grant{{Name: "other"}, {Name: "events-consume"}}}},
		`Consumer.Grants[1] name "events-consume" is the name of the grant the queue adds to its consumer`},
}

func TestResolveRefusesEachInvalidField(t *testing.T) {
	for _, tc := range invalidFields {
		t.Run(tc.name, func(t *testing.T) {
			_, err := resolve("events", tc.args, nil)
			require.Error(t, err)
			assert.Equal(t, []string{tc.want}, problems(t, err), "the one invalid field")
			assert.Equal(t, `queue "events": `+tc.want, err.Error(), "one problem reads as one line naming the queue")
		})
	}
}

func TestNewRefusesEachInvalidFieldBeforeRegistering(t *testing.T) {
	for _, tc := range invalidFields {
		for _, mode := range componenttest.Modes {
			t.Run(tc.name+"/"+mode.Name, func(t *testing.T) {
				// Given the invalid Args, in update and in preview mode
				rec, err := componenttest.Run(componenttest.Component(New, "events", &tc.args), mode.Options...)
				// Then New fails naming the queue and the field, and registers nothing
				require.Error(t, err)
				assert.Contains(t, err.Error(), `queue "events": `+tc.want)
				assert.Empty(t, rec.Resources(), "nothing registered before the error")
			})
		}
	}
}

func TestResolveReportsEveryInvalidFieldAtOnce(t *testing.T) {
	// Given Args with five invalid fields, one of them inside the consumer
	args := Args{
		Consumer:        &function.Args{Package: "./x", MemoryMB: 64},
		Retention:       30 * time.Second,
		Delay:           time.Hour,
		MaxReceiveCount: 2000,
		MaxConcurrency:  1,
	}
	consumerCheck := check.New("function", "events-consumer")
	consumerCheck.IntRange("MemoryMB", 64, 128, 10240)

	// When the queue is resolved with the consumer function's own check
	_, err := resolve("events", args, consumerCheck.Err())

	// Then every one is reported, the consumer's under its field
	require.Error(t, err)
	assert.Equal(t, []string{
		"Retention 30s must be whole seconds from 60s to 1209600s",
		"Delay 3600s must be whole seconds from 0s to 900s",
		"MaxReceiveCount 2000 is outside 1-1000",
		"MaxConcurrency 1 is outside 2-1000",
		"Consumer.MemoryMB 64 is outside 128-10240",
	}, problems(t, err), "every invalid field, in Args order")
	assert.True(t, strings.HasPrefix(err.Error(), `queue "events": 5 invalid fields:`), "one error for all: %s", err)
}

func TestResolveLeavesAnInvalidConsumerTimeoutToTheFunction(t *testing.T) {
	// Given a consumer whose Timeout the function refuses (reported through its check)
	args := Args{Consumer: &function.Args{Package: "./x", Timeout: 901 * time.Second}, VisibilityTimeout: time.Minute}
	consumerCheck := check.New("function", "events-consumer")
	consumerCheck.Seconds("Timeout", 901*time.Second, time.Second, function.MaxTimeout)
	// When the queue is resolved
	_, err := resolve("events", args, consumerCheck.Err())
	// Then the timeout is reported once, as the consumer's, and the visibility timeout is not
	// compared with a timeout that cannot be
	assert.Equal(t, []string{"Consumer.Timeout 901s must be whole seconds from 1s to 900s"}, problems(t, err))
}

func TestResolveRefusesNamesWhoseChildrenDoNotFit(t *testing.T) {
	consumer := &function.Args{Package: "./x"}
	tests := []struct {
		name    string
		args    Args
		longest int    // the longest name that fits
		child   string // the child whose limit binds
		kind    string
	}{
		// SQS: 80 - "-dlq" - Pulumi's 8-character suffix
		{"standard queues", Args{}, 80 - len("-dlq") - 8, "-dlq", "SQS queue"},
		// and ".fifo" on FIFO queues
		{"FIFO queues", Args{FIFO: true}, 80 - len("-dlq") - 8 - len(".fifo"), "-dlq", "SQS queue"},
		// without a DLQ the main queue binds
		{"no dead-letter queue", Args{NoDeadLetterQueue: true}, 80 - 8, "", "SQS queue"},
		// the consumer's role: 64 - "-consumer-role" - 8
		{"a consumer", Args{Consumer: consumer}, 64 - len("-consumer-role") - 8, "-consumer-role", "IAM role"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Given the longest name that fits, it is accepted
			_, err := resolve(strings.Repeat("q", tc.longest), tc.args, nil)
			require.NoError(t, err, "a %d-character name fits", tc.longest)

			// And one character more is refused, naming the child, its kind and the limit
			name := strings.Repeat("q", tc.longest+1)
			_, err = resolve(name, tc.args, nil)
			var e *check.Error
			require.True(t, errors.As(err, &e), "a *check.Error: %v", err)
			require.Len(t, e.Problems, 1)
			assert.Equal(t, "name", e.Problems[0].Field)
			msg := e.Problems[0].Message
			assert.Contains(t, msg, `"`+name+tc.child+`"`, "names the child")
			assert.Contains(t, msg, tc.kind, "names the child's kind")
			assert.Contains(t, msg, "at most "+strconv.Itoa(tc.longest)+" characters fit", "gives the longest name that fits")
			assert.True(t, strings.HasPrefix(err.Error(), `queue "`+name+`": name "`+name+`" is `), "reads as one sentence: %s", err)
		})
	}
	// And characters SQS refuses are refused
	_, err := resolve("my.events", Args{}, nil)
	assert.ErrorContains(t, err, `name "my.events" has '.' at byte 2`)
}
