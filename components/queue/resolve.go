package queue

import (
	"fmt"
	"time"

	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/internal/check"
	"github.com/groundwork-dev/groundwork/components/internal/naming"
)

// Defaults for the zero values of Args, each with its reason.
const (
	// DefaultMaxReceiveCount: AWS advises a maxReceiveCount of at least 5 on a queue that
	// feeds Lambda, so that a message survives throttles and transient failures before it is
	// set aside ("Configuring an Amazon SQS queue to use with Lambda", AWS Lambda Developer
	// Guide).
	DefaultMaxReceiveCount = 5
	// DefaultRetention is SQS's own default, 4 days: a stopped consumer has a long weekend to
	// be noticed (the message-age alarm fires after DefaultMaxMessageAge) and fixed before a
	// message expires.
	DefaultRetention = 4 * 24 * time.Hour
	// DeadLetterRetention is the dead-letter queue's retention, the longest SQS allows. It
	// must outlast the main queue's: a message moved to a standard queue's dead-letter queue
	// keeps its original enqueue time, and expires by it ("Using dead-letter queues in Amazon
	// SQS", SQS Developer Guide). 14 days leaves a failed message the most time for
	// inspection and redrive.
	DeadLetterRetention = 14 * 24 * time.Hour
	// VisibilityTimeoutFactor is how many consumer timeouts the visibility timeout spans at
	// least: AWS advises 6x the function's timeout for a Lambda consumer, so a message is not
	// handed out again while an invocation, and Lambda's retries of a throttled batch, may
	// still be working on it ("Configuring an Amazon SQS queue to use with Lambda").
	VisibilityTimeoutFactor = 6
	// DefaultVisibilityTimeout is the visibility timeout of a queue without a consumer: SQS's
	// own default, 30 s.
	DefaultVisibilityTimeout = 30 * time.Second
	// DefaultMaxMessageAge is the message-age alarm's threshold. With the default consumer
	// (10 s timeout, so a 60 s visibility timeout) a message that keeps failing lives about 5
	// minutes (5 receives x 60 s) before it moves to the dead-letter queue, whose own alarm
	// reports it; an oldest message three times that old means a backlog: the consumer is
	// stopped, throttled or too slow.
	DefaultMaxMessageAge = 15 * time.Minute
	// DefaultBatchSize is Lambda's default for SQS and the largest batch that needs no
	// batching window (and the largest a FIFO queue allows): one invocation handles up to 10
	// messages without waiting for more.
	DefaultBatchSize = 10
	// DefaultReceiveWait is the queue's long-polling wait, the longest SQS allows: AWS
	// advises a 20 s ReceiveMessage wait in most cases, which removes empty and false-empty
	// receives, and their cost ("Setting-up long polling in Amazon SQS", SQS Developer
	// Guide). A Lambda consumer is not affected: its event source mapping long-polls with a
	// wait of its own on every ReceiveMessage call ("Lambda uses long polling to poll a
	// queue", AWS Lambda Developer Guide, "Using Lambda with Amazon SQS"), and a wait given
	// on a call overrides the queue's. The queue's wait is what every other receiver gets by
	// default: a worker given Grant(Consume), an operator's `aws sqs receive-message`.
	DefaultReceiveWait = 20 * time.Second
)

// The limits SQS and Lambda enforce.
const (
	MinRetention         = time.Minute
	MaxRetention         = 14 * 24 * time.Hour
	MaxVisibilityTimeout = 12 * time.Hour
	MaxDelay             = 15 * time.Minute
	MaxReceiveWait       = 20 * time.Second
	MaxBatchSize         = 10000
	MaxFIFOBatchSize     = 10
	MaxBatchingWindow    = 300 * time.Second
)

// The roles of the queue's children in their logical names (see the package doc).
const (
	roleDeadLetter       = "dlq"
	rolePolicy           = "policy"
	roleDeadLetterPolicy = "dlq-policy"
	roleRedriveAllow     = "dlq-redrive-allow"
	roleConsumer         = "consumer"
	roleMapping          = "consumer-mapping"
	roleMessageAgeAlarm  = "message-age"
	roleDeadLetterAlarm  = "dlq-messages"
)

// fifoSuffix ends a FIFO queue's name; the provider appends it to the auto-name.
const fifoSuffix = ".fifo"

// maxBatchWithoutWindow is the largest batch Lambda takes without a batching window.
const maxBatchWithoutWindow = 10

// settings are Args with every default applied, checked.
type settings struct {
	Args
	// consumerTimeout is the consumer's effective timeout; zero without a Consumer, or when
	// the consumer's Timeout is invalid (the function's check reports it).
	consumerTimeout time.Duration
}

// physical lists the queue's children whose physical names derive from its name: what
// naming.Check holds to AWS's limits.
func physical(a Args) []naming.Physical {
	suffix := ""
	if a.FIFO {
		suffix = fifoSuffix
	}
	out := []naming.Physical{
		{Kind: naming.SQSQueue, Suffix: suffix},
		{Role: roleMessageAgeAlarm, Kind: naming.MetricAlarm},
	}
	if !a.NoDeadLetterQueue {
		out = append(out,
			naming.Physical{Role: roleDeadLetter, Kind: naming.SQSQueue, Suffix: suffix},
			naming.Physical{Role: roleDeadLetterAlarm, Kind: naming.MetricAlarm})
	}
	if a.Consumer != nil {
		for _, p := range consumerPhysical(a.Consumer) {
			p.Role = naming.Child(roleConsumer, p.Role)
			out = append(out, p)
		}
	}
	return out
}

// consumerPhysical lists the consumer function's children with physical names, as the
// function component names them after its own name.
func consumerPhysical(*function.Args) []naming.Physical {
	return []naming.Physical{
		{Kind: naming.LambdaFunction},
		{Role: "role", Kind: naming.IAMRole},
	}
}

// resolve applies the defaults to a copy of a and reports every invalid field at once.
// consumer is the consumer function's own check (function.Check; nil without a Consumer),
// whose problems are reported under "Consumer". It is pure: the decisions New makes are
// tested here without the engine.
func resolve(name string, a Args, consumer error) (settings, error) {
	r := check.New("queue", name)
	s := settings{Args: a}
	r.Name(physical(a))
	checkSenders(r, a.Senders)
	if a.ContentBasedDeduplication && !a.FIFO {
		r.Addf("ContentBasedDeduplication", "needs FIFO")
	}

	if s.Retention == 0 {
		s.Retention = DefaultRetention
	}
	retentionOK := r.Seconds("Retention", s.Retention, MinRetention, MaxRetention)
	r.Seconds("Delay", s.Delay, 0, MaxDelay)
	if s.ReceiveWait == 0 {
		s.ReceiveWait = DefaultReceiveWait
	}
	r.Seconds("ReceiveWait", s.ReceiveWait, time.Second, MaxReceiveWait)

	if a.NoDeadLetterQueue {
		if a.MaxReceiveCount != 0 {
			r.Addf("MaxReceiveCount", "%d is set but NoDeadLetterQueue leaves nothing to redrive to", a.MaxReceiveCount)
		}
	} else {
		if s.MaxReceiveCount == 0 {
			s.MaxReceiveCount = DefaultMaxReceiveCount
		}
		r.IntRange("MaxReceiveCount", s.MaxReceiveCount, 1, 1000)
	}

	if a.Consumer != nil {
		resolveConsumer(r, name, &s)
		r.Add("Consumer", consumer)
	} else {
		for _, f := range []struct {
			field string
			set   bool
			value any
		}{
			{"BatchSize", a.BatchSize != 0, a.BatchSize},
			{"MaxBatchingWindow", a.MaxBatchingWindow != 0, check.Dur(a.MaxBatchingWindow)},
			{"MaxConcurrency", a.MaxConcurrency != 0, a.MaxConcurrency},
		} {
			if f.set {
				r.Addf(f.field, "%v is set but there is no Consumer", f.value)
			}
		}
	}

	minVisibility := VisibilityTimeoutFactor * s.consumerTimeout
	if s.VisibilityTimeout == 0 {
		s.VisibilityTimeout = DefaultVisibilityTimeout
		if a.Consumer != nil && s.consumerTimeout != 0 {
			s.VisibilityTimeout = minVisibility
		}
	}
	if r.Seconds("VisibilityTimeout", s.VisibilityTimeout, 0, MaxVisibilityTimeout) && s.VisibilityTimeout < minVisibility {
		r.Addf("VisibilityTimeout", "%v is below %dx the consumer timeout (%v)", check.Dur(s.VisibilityTimeout), VisibilityTimeoutFactor, check.Dur(minVisibility))
	}

	if s.MaxMessageAge == 0 {
		s.MaxMessageAge = min(DefaultMaxMessageAge, s.Retention)
	}
	if retentionOK && (s.MaxMessageAge < time.Minute || s.MaxMessageAge > s.Retention || s.MaxMessageAge%time.Second != 0) {
		r.Addf("MaxMessageAge", "%v must be whole seconds from 60s to the Retention (%v): an older message is already gone", check.Dur(s.MaxMessageAge), check.Dur(s.Retention))
	}
	return s, r.Err()
}

// resolveConsumer decides and checks the fields that configure the consumer's event source
// mapping. The consumer's own Args are the function's to check, except what the queue adds
// to them (its grant).
func resolveConsumer(r *check.Report, name string, s *settings) {
	c := s.Consumer
	timeout := c.Timeout
	if timeout == 0 {
		timeout = function.DefaultTimeout
	}
	// An invalid Timeout is the function's check's to report; the visibility timeout is
	// then not compared with it.
	if check.New("function", "").Seconds("Timeout", timeout, time.Second, function.MaxTimeout) {
		s.consumerTimeout = timeout
	}
	own := grantName(name, "consume")
	for i, g := range c.Grants {
		if g.Name == own {
			r.Addf(fmt.Sprintf("Consumer.Grants[%d]", i), "name %q is the name of the grant the queue adds to its consumer", own)
		}
	}

	if s.BatchSize == 0 {
		s.BatchSize = DefaultBatchSize
	}
	maxBatch, kind := MaxBatchSize, "a standard queue"
	if s.FIFO {
		maxBatch, kind = MaxFIFOBatchSize, "a FIFO queue"
	}
	batchOK := s.BatchSize >= 1 && s.BatchSize <= maxBatch
	if !batchOK {
		r.Addf("BatchSize", "%d is outside 1-%d, the range on %s", s.BatchSize, maxBatch, kind)
	}
	switch {
	case s.FIFO && s.MaxBatchingWindow != 0:
		r.Addf("MaxBatchingWindow", "%v is not allowed on a FIFO queue", check.Dur(s.MaxBatchingWindow))
	case !r.Seconds("MaxBatchingWindow", s.MaxBatchingWindow, 0, MaxBatchingWindow):
	case batchOK && s.BatchSize > maxBatchWithoutWindow && s.MaxBatchingWindow == 0:
		r.Addf("BatchSize", "%d is over %d, which needs a MaxBatchingWindow of at least 1s", s.BatchSize, maxBatchWithoutWindow)
	}
	if s.MaxConcurrency != 0 {
		r.IntRange("MaxConcurrency", s.MaxConcurrency, 2, 1000)
	}
}
