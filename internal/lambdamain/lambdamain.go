// Package lambdamain is the start-up the Lambda entry points (cmd/api, cmd/worker) share:
// a JSON logger, the environment a function needs, the AWS SDK configuration, and an init
// failure reported the way Lambda shows it. Init does no more than that and creating SDK
// clients: no network call, so cold starts stay short.
package lambdamain

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// NewHandler builds a function's handler from its environment (getenv is os.Getenv outside
// tests), logging to log.
type NewHandler[H any] func(ctx context.Context, getenv func(string) string, log *slog.Logger) (H, error)

// Run is a function's main: it builds the handler with newHandler from the process
// environment, with a JSON logger on stdout (Lambda sends it to CloudWatch Logs), and hands
// it to start (which calls lambda.Start and does not return). When the handler cannot be
// built, Run logs the error and exits with status 1, which Lambda reports as
// Runtime.ExitError with that line in the function's log.
func Run[H any](newHandler NewHandler[H], start func(H)) {
	if err := run(context.Background(), os.Stdout, os.Getenv, newHandler, start); err != nil {
		os.Exit(1)
	}
}

func run[H any](ctx context.Context, out io.Writer, getenv func(string) string, newHandler NewHandler[H], start func(H)) error {
	log := slog.New(slog.NewJSONHandler(out, nil))
	h, err := newHandler(ctx, getenv, log)
	if err != nil {
		log.Error("init failed", "error", err)
		return err
	}
	start(h)
	return nil
}

// Init returns the values of the named environment variables, in order, and the AWS SDK
// configuration (region and credentials from the environment Lambda sets). It fails, naming
// every variable and its value, when any of them is empty:
//
//	TABLE_NAME and QUEUE_URL must be set (got TABLE_NAME="t", QUEUE_URL="")
func Init(ctx context.Context, getenv func(string) string, names ...string) ([]string, aws.Config, error) {
	values := make([]string, len(names))
	got := make([]string, len(names))
	missing := false
	for i, n := range names {
		values[i] = getenv(n)
		got[i] = fmt.Sprintf("%s=%q", n, values[i])
		missing = missing || values[i] == ""
	}
	if missing {
		return nil, aws.Config{}, fmt.Errorf("%s must be set (got %s)", joinAnd(names), strings.Join(got, ", "))
	}
	opts, _ := ctx.Value(configOptionsKey{}).([]func(*config.LoadOptions) error)
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	return values, cfg, nil
}

// joinAnd lists names as "A", "A and B", "A, B and C".
func joinAnd(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

type configOptionsKey struct{}

// WithConfigOptions returns a context that makes Init load the AWS SDK configuration with
// opts too. Tests use it to put a middleware on every client a function builds (such as the
// recorder of internal/awscalls); a function's main never does, so Lambda's environment
// alone decides its configuration.
func WithConfigOptions(ctx context.Context, opts ...func(*config.LoadOptions) error) context.Context {
	return context.WithValue(ctx, configOptionsKey{}, opts)
}
