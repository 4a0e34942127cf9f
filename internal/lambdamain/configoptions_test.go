package lambdamain

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/require"
)

func TestInitAppliesTheContextsConfigOptions(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	getenv := func(string) string { return "set" }

	// Given no options in the context, Init's configuration is the environment's alone
	_, plain, err := Init(context.Background(), getenv, "TABLE_NAME")
	require.NoError(t, err)
	require.Empty(t, plain.APIOptions, "no middleware unless asked")

	// When a test asks for a middleware on every client
	added := func(*middleware.Stack) error { return nil }
	ctx := WithConfigOptions(context.Background(), config.WithAPIOptions([]func(*middleware.Stack) error{added}))
	_, cfg, err := Init(ctx, getenv, "TABLE_NAME")

	// Then the configuration carries it, and the environment still decides the rest
	require.NoError(t, err)
	require.Len(t, cfg.APIOptions, 1, "the middleware is on the configuration clients are built from")
	require.Equal(t, "eu-west-1", cfg.Region, "the region still comes from the environment")
}
