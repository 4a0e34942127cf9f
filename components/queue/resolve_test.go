package queue

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/function"
)

// The defaulting decisions, without the engine.
func TestResolveDefaults(t *testing.T) {
	consumer := &function.Args{Package: "./x", Timeout: 20 * time.Second}
	tests := []struct {
		name                          string
		args                          Args
		visibility, retention, maxAge time.Duration
		maxReceiveCount, batchSize    int
	}{
		{"zero Args", Args{}, 30 * time.Second, 4 * 24 * time.Hour, 15 * time.Minute, 5, 0},
		{"consumer", Args{Consumer: consumer}, 120 * time.Second, 4 * 24 * time.Hour, 15 * time.Minute, 5, 10},
		{"consumer with default timeout", Args{Consumer: &function.Args{Package: "./x"}}, 60 * time.Second, 4 * 24 * time.Hour, 15 * time.Minute, 5, 10},
		{"short retention caps the age threshold", Args{Retention: 5 * time.Minute}, 30 * time.Second, 5 * time.Minute, 5 * time.Minute, 5, 0},
		{"no DLQ has no receive count", Args{NoDeadLetterQueue: true}, 30 * time.Second, 4 * 24 * time.Hour, 15 * time.Minute, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := resolve("events", tc.args)
			require.NoError(t, err)
			assert.Equal(t, tc.visibility, s.VisibilityTimeout, "VisibilityTimeout")
			assert.Equal(t, tc.retention, s.Retention, "Retention")
			assert.Equal(t, tc.maxAge, s.MaxMessageAge, "MaxMessageAge")
			assert.Equal(t, tc.maxReceiveCount, s.MaxReceiveCount, "MaxReceiveCount")
			assert.Equal(t, tc.batchSize, s.BatchSize, "BatchSize")
		})
	}
}

func TestDurPrintsSeconds(t *testing.T) {
	assert.Equal(t, "60s", dur(time.Minute).String())
	assert.Equal(t, "1209600s", dur(14*24*time.Hour).String())
	assert.Equal(t, "1.5s", dur(1500*time.Millisecond).String(), "fractions keep Go's form")
}
