package lambdamain

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestInit(t *testing.T) {
	// The SDK configuration from the environment alone (credentials resolve lazily).
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	cases := []struct {
		name    string
		env     map[string]string
		want    []string
		wantErr string
	}{
		{"both set", map[string]string{"TABLE_NAME": "t", "QUEUE_URL": "q"}, []string{"t", "q"}, ""},
		{"none set", map[string]string{}, nil, `TABLE_NAME and QUEUE_URL must be set (got TABLE_NAME="", QUEUE_URL="")`},
		{"one empty", map[string]string{"QUEUE_URL": "q"}, nil, `TABLE_NAME and QUEUE_URL must be set (got TABLE_NAME="", QUEUE_URL="q")`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given an environment, when a function initializes from it
			got, cfg, err := Init(context.Background(), func(k string) string { return tc.env[k] }, "TABLE_NAME", "QUEUE_URL")
			// Then it gets the values in the order asked, with the AWS configuration, or an
			// error naming every variable
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got, "values in the order of the names")
			require.Equal(t, "eu-west-1", cfg.Region, "the AWS configuration comes from the environment")
		})
	}
}

func TestJoinAnd(t *testing.T) {
	cases := map[string][]string{"": nil, "A": {"A"}, "A and B": {"A", "B"}, "A, B and C": {"A", "B", "C"}}
	for want, names := range cases {
		require.Equal(t, want, joinAnd(names))
	}
}

func TestRun(t *testing.T) {
	t.Run("an init failure is logged as JSON and stops before start", func(t *testing.T) {
		var out bytes.Buffer
		started := false
		err := run(context.Background(), &out, func(string) string { return "" },
			func(context.Context, func(string) string, *slog.Logger) (int, error) {
				return 0, errors.New("no table")
			},
			func(int) { started = true })
		require.EqualError(t, err, "no table")
		require.False(t, started, "start is not called without a handler")
		var rec map[string]any
		require.NoError(t, json.Unmarshal(out.Bytes(), &rec), "one JSON log record: %s", out.String())
		require.Equal(t, "ERROR", rec["level"])
		require.Equal(t, "init failed", rec["msg"])
		require.Equal(t, "no table", rec["error"])
	})
	t.Run("the handler built from the environment is started", func(t *testing.T) {
		var out bytes.Buffer
		var started string
		err := run(context.Background(), &out, func(k string) string { return "v-" + k },
			func(_ context.Context, getenv func(string) string, log *slog.Logger) (string, error) {
				log.Info("built")
				return getenv("X"), nil
			},
			func(h string) { started = h })
		require.NoError(t, err)
		require.Equal(t, "v-X", started, "start gets the handler newHandler built from getenv")
		require.Contains(t, out.String(), `"msg":"built"`, "the handler logs through the JSON logger")
	})
}
