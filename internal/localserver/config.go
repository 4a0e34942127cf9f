package localserver

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Defaults and ranges of the Config fields. The ranges are the AWS limits of what each field
// stands for, so that a setting that works locally also deploys.
const (
	// DefaultVisibilityTimeout is the default of SQS queues.
	DefaultVisibilityTimeout = 30 * time.Second
	// MaxVisibilityTimeout is SQS's limit (43,200 s).
	MaxVisibilityTimeout = 12 * time.Hour
	// MaxReceiveCountLimit is the largest maxReceiveCount an SQS redrive policy takes.
	MaxReceiveCountLimit = 1000
	// DefaultBatchSize and MaxBatchSize are the Lambda event source mapping's default and
	// SQS ReceiveMessage's limit: the mapping takes bigger batches only with a batching
	// window, which the local consumer does not emulate.
	DefaultBatchSize = 10
	MaxBatchSize     = 10
	// MaxConcurrency is the largest maximum concurrency of a Lambda event source mapping
	// for SQS.
	MaxConcurrency = 1000
)

// withDefaults returns cfg with its zero values replaced by their defaults, or an error
// naming every field that is out of range.
func withDefaults(cfg Config) (Config, error) {
	var errs []error
	bad := func(field string, value any, rng string) {
		errs = append(errs, fmt.Errorf("localserver: Config.%s %v is out of range: %s", field, value, rng))
	}
	if cfg.DataDir == "" {
		errs = append(errs, errors.New("localserver: Config.DataDir is required"))
	}
	if cfg.VisibilityTimeout == 0 {
		cfg.VisibilityTimeout = DefaultVisibilityTimeout
	}
	if cfg.VisibilityTimeout < 0 || cfg.VisibilityTimeout > MaxVisibilityTimeout {
		bad("VisibilityTimeout", cfg.VisibilityTimeout, fmt.Sprintf("more than 0 and at most 12h (zero means %v)", DefaultVisibilityTimeout))
	}
	if cfg.MaxReceiveCount == 0 {
		cfg.MaxReceiveCount = DefaultMaxReceiveCount
	}
	if cfg.MaxReceiveCount < 1 || cfg.MaxReceiveCount > MaxReceiveCountLimit {
		bad("MaxReceiveCount", cfg.MaxReceiveCount, fmt.Sprintf("1 to %d (zero means %d)", MaxReceiveCountLimit, DefaultMaxReceiveCount))
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.BatchSize < 1 || cfg.BatchSize > MaxBatchSize {
		bad("BatchSize", cfg.BatchSize, fmt.Sprintf("1 to %d (zero means %d)", MaxBatchSize, DefaultBatchSize))
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 1
	}
	if cfg.Concurrency < 1 || cfg.Concurrency > MaxConcurrency {
		bad("Concurrency", cfg.Concurrency, fmt.Sprintf("1 to %d (zero means 1)", MaxConcurrency))
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	if cfg.ShutdownTimeout < 0 {
		bad("ShutdownTimeout", cfg.ShutdownTimeout, fmt.Sprintf("more than 0 (zero means %v)", DefaultShutdownTimeout))
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg, errors.Join(errs...)
}

// Config returns the configuration in effect: the one New was given, with each zero value
// replaced by its default.
func (s *Server) Config() Config { return s.cfg }
