package check

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOneProblemReadsAsOneLine(t *testing.T) {
	r := New("queue", "events")
	r.Addf("VisibilityTimeout", "%v is below 6x the consumer timeout (%v)", Dur(30*time.Second), Dur(60*time.Second))
	assert.EqualError(t, r.Err(), `queue "events": VisibilityTimeout 30s is below 6x the consumer timeout (60s)`)
}

func TestEveryProblemIsReported(t *testing.T) {
	// Given Args with three invalid fields
	r := New("function", "api")
	r.IntRange("MemoryMB", 64, 128, 10240)
	r.Seconds("Timeout", 1500*time.Millisecond, time.Second, 900*time.Second)
	r.LogRetention("LogRetention", 10*Day)
	r.IntRange("ReservedConcurrency", 5, 0, 1000) // valid: not reported
	// Then the error lists all three, in order, each naming its field and value
	err := r.Err()
	require.Error(t, err)
	assert.Equal(t, `function "api": 3 invalid fields:
  - MemoryMB 64 is outside 128-10240
  - Timeout 1.5s must be whole seconds from 1s to 900s
  - LogRetention 10 days is not a retention CloudWatch Logs accepts (days: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)`, err.Error())
	var e *Error
	require.True(t, errors.As(err, &e))
	assert.Len(t, e.Problems, 3)
}

func TestNestedReportsKeepTheirFields(t *testing.T) {
	inner := New("function", "events-consumer")
	inner.IntRange("MemoryMB", 1, 128, 10240)
	outer := New("queue", "events")
	outer.Add("Consumer", inner.Err())
	outer.Add("Retention", nil) // nil is no problem
	assert.EqualError(t, outer.Err(), `queue "events": Consumer.MemoryMB 1 is outside 128-10240`)
}

func TestValidArgsGiveNoError(t *testing.T) {
	r := New("table", "orders")
	assert.True(t, r.LogRetention("LogRetention", 365*Day))
	assert.True(t, r.OneOf("Class", "STANDARD", []string{"STANDARD", "STANDARD_INFREQUENT_ACCESS"}))
	assert.True(t, r.OK())
	assert.NoError(t, r.Err())
}

func TestDur(t *testing.T) {
	assert.Equal(t, "60s", Dur(time.Minute).String(), "whole seconds as AWS counts them")
	assert.Equal(t, "1.5s", Dur(1500*time.Millisecond).String())
}
