package main

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNewHandlerNeedsTableAndBucket(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		wantErr bool
	}{
		{"both set", map[string]string{"TABLE_NAME": "t", "BUCKET_NAME": "b", "AWS_REGION": "eu-west-1"}, false},
		{"no table", map[string]string{"BUCKET_NAME": "b", "AWS_REGION": "eu-west-1"}, true},
		{"no bucket", map[string]string{"TABLE_NAME": "t", "AWS_REGION": "eu-west-1"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			h, err := newHandler(context.Background(), func(k string) string { return tc.env[k] }, slog.New(slog.DiscardHandler))
			if tc.wantErr {
				require.Error(t, err, "init fails without its configuration")
				return
			}
			require.NoError(t, err)
			require.NotNil(t, h)
		})
	}
}
