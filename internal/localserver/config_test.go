package localserver

import (
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewRefusesOutOfRangeConfigNamingTheField(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want []string // in the error
	}{
		{"negative visibility timeout", Config{VisibilityTimeout: -time.Second}, []string{"Config.VisibilityTimeout -1s", "at most 12h"}},
		{"visibility timeout over SQS's 12h", Config{VisibilityTimeout: 12*time.Hour + time.Second}, []string{"Config.VisibilityTimeout 12h0m1s", "at most 12h"}},
		{"negative max receive count", Config{MaxReceiveCount: -1}, []string{"Config.MaxReceiveCount -1", "1 to 1000"}},
		{"max receive count over SQS's 1000", Config{MaxReceiveCount: 1001}, []string{"Config.MaxReceiveCount 1001", "1 to 1000"}},
		{"negative batch size", Config{BatchSize: -1}, []string{"Config.BatchSize -1", "1 to 10"}},
		{"batch size over 10", Config{BatchSize: 11}, []string{"Config.BatchSize 11", "1 to 10"}},
		{"negative concurrency", Config{Concurrency: -1}, []string{"Config.Concurrency -1", "1 to 1000"}},
		{"concurrency over 1000", Config{Concurrency: 1001}, []string{"Config.Concurrency 1001", "1 to 1000"}},
		{"negative shutdown timeout", Config{ShutdownTimeout: -time.Second}, []string{"Config.ShutdownTimeout -1s"}},
		{"two fields at once", Config{BatchSize: 11, MaxReceiveCount: -1}, []string{"Config.BatchSize 11", "Config.MaxReceiveCount -1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a data directory that does not exist yet
			dir := filepath.Join(t.TempDir(), "data")
			tc.cfg.DataDir = dir

			// When a server is built with an out-of-range field
			_, err := New(tc.cfg)

			// Then it is refused, naming the field, its value and its range
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w, "the error names the field, value and range")
			}
			// And the data directory was not touched
			assert.NoDirExists(t, dir, "nothing is created before the config is valid")
		})
	}

	t.Run("no data directory", func(t *testing.T) {
		_, err := New(Config{})
		require.ErrorContains(t, err, "Config.DataDir is required")
	})
}

func TestConfigReportsTheValuesInEffect(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want Config // the fields compared
	}{
		{"zero values mean the defaults", Config{},
			Config{VisibilityTimeout: 30 * time.Second, MaxReceiveCount: 5, BatchSize: 10, Concurrency: 1, ShutdownTimeout: 10 * time.Second}},
		{"upper bounds are accepted", Config{VisibilityTimeout: 12 * time.Hour, MaxReceiveCount: 1000, BatchSize: 10, Concurrency: 1000, ShutdownTimeout: time.Hour},
			Config{VisibilityTimeout: 12 * time.Hour, MaxReceiveCount: 1000, BatchSize: 10, Concurrency: 1000, ShutdownTimeout: time.Hour}},
		{"lower bounds are accepted", Config{VisibilityTimeout: time.Millisecond, MaxReceiveCount: 1, BatchSize: 1, Concurrency: 1, ShutdownTimeout: time.Millisecond},
			Config{VisibilityTimeout: time.Millisecond, MaxReceiveCount: 1, BatchSize: 1, Concurrency: 1, ShutdownTimeout: time.Millisecond}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a server built from cfg
			tc.cfg.DataDir = t.TempDir()
			tc.cfg.Logger = slog.New(slog.DiscardHandler)
			srv, err := New(tc.cfg)
			require.NoError(t, err)
			defer srv.Close()

			// Then Config reports the values in effect, and the queue runs with them
			got := srv.Config()
			assert.Equal(t, tc.want.VisibilityTimeout, got.VisibilityTimeout, "visibility timeout in effect")
			assert.Equal(t, tc.want.MaxReceiveCount, got.MaxReceiveCount, "max receive count in effect")
			assert.Equal(t, tc.want.BatchSize, got.BatchSize, "batch size in effect")
			assert.Equal(t, tc.want.Concurrency, got.Concurrency, "concurrency in effect")
			assert.Equal(t, tc.want.ShutdownTimeout, got.ShutdownTimeout, "shutdown timeout in effect")
			q, _ := srv.Queues()
			assert.Equal(t, tc.want.VisibilityTimeout, q.VisibilityTimeout(), "the queue's visibility timeout is the one reported")
			assert.Equal(t, tc.want.BatchSize, srv.consumer.BatchSize, "the worker's batch size is the one reported")
			assert.Equal(t, tc.want.Concurrency, srv.consumer.Concurrency, "the worker's concurrency is the one reported")
		})
	}
}
