package queue

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/internal/grantops"
	"github.com/groundwork-dev/groundwork/components/internal/iampolicy"
	"github.com/groundwork-dev/groundwork/components/internal/metricalarm"
)

// Defaults for the zero values of Args, and the limits SQS and Lambda enforce.
const (
	DefaultMaxReceiveCount = 5
	DefaultRetention       = 4 * 24 * time.Hour
	// DeadLetterRetention is the dead-letter queue's retention, the longest SQS allows, so a
	// failed message stays for inspection and redrive as long as possible.
	DeadLetterRetention = 14 * 24 * time.Hour
	MinRetention        = time.Minute
	MaxRetention        = 14 * 24 * time.Hour
	// VisibilityTimeoutFactor is how many consumer timeouts the visibility timeout spans at
	// least, as AWS recommends for Lambda consumers: a message is not handed out again while
	// an invocation (and its retries within the batch) may still be working on it.
	VisibilityTimeoutFactor = 6
	// DefaultVisibilityTimeout is the visibility timeout of a queue without a consumer.
	DefaultVisibilityTimeout = 30 * time.Second
	MaxVisibilityTimeout     = 12 * time.Hour
	DefaultMaxMessageAge     = 15 * time.Minute
	DefaultBatchSize         = 10
	MaxBatchSize             = 10000
	MaxFIFOBatchSize         = 10
	MaxBatchingWindow        = 300 * time.Second

	// maxNameLen keeps the dead-letter queue's auto-name ("<name>-dlq" + Pulumi's 8-character
	// suffix + ".fifo") within SQS's 80 characters.
	maxNameLen = 80 - len("-dlq") - 8 - len(".fifo")
	// maxConsumerNameLen keeps "<name>-consumer" within what function.New accepts (51).
	maxConsumerNameLen = 51 - len(consumerSuffix)
	consumerSuffix     = "-consumer"
)

// Args configures a Queue.
type Args struct {
	// FIFO makes both the queue and its dead-letter queue FIFO queues (".fifo" names, exactly
	// once processing, ordering per message group). False means standard queues.
	FIFO bool
	// ContentBasedDeduplication makes a FIFO queue derive the deduplication id from the body.
	// It needs FIFO. False means producers send a MessageDeduplicationId.
	ContentBasedDeduplication bool
	// Retention is how long the queue keeps a message, whole seconds from 1 minute to 14 days.
	// Zero means 4 days. The dead-letter queue always keeps messages 14 days.
	Retention time.Duration
	// VisibilityTimeout is how long a received message stays hidden from other consumers,
	// whole seconds up to 12 hours. With a Consumer it must be at least 6x the consumer's
	// timeout. Zero means 6x the consumer's timeout (60 s for the default 10 s timeout), or
	// 30 s without a consumer.
	VisibilityTimeout time.Duration
	// KMSKeyARN encrypts both queues with this customer managed KMS key (an ARN: grants name
	// it). Nil means SSE-SQS, the key SQS owns. Encryption itself is always on.
	KMSKeyARN pulumi.StringInput

	// NoDeadLetterQueue leaves the queue without a dead-letter queue: a message that keeps
	// failing is retried until its retention ends and is then lost. False means a dead-letter
	// queue that only this queue may redrive into.
	NoDeadLetterQueue bool
	// MaxReceiveCount is how many times a message is received before it moves to the
	// dead-letter queue, 1 to 1000. Zero means 5. It must be zero with NoDeadLetterQueue.
	MaxReceiveCount int

	// Consumer is the function that processes the queue's messages, created as
	// "<name>-consumer" with a grant to consume this queue (and to decrypt with KMSKeyARN)
	// added to its Grants. Its AlarmTopic, when nil, is the queue's. Nil means no consumer.
	Consumer *function.Args
	// BatchSize is the most messages one invocation receives, 1 to 10,000 (10 on FIFO);
	// above 10 it needs a MaxBatchingWindow. Needs a Consumer. Zero means 10.
	BatchSize int
	// MaxBatchingWindow is how long Lambda gathers messages before it invokes the consumer
	// with less than a full batch, whole seconds up to 5 minutes. Not allowed on FIFO queues.
	// Needs a Consumer. Zero means no wait.
	MaxBatchingWindow time.Duration
	// MaxConcurrency caps the concurrent invocations the queue's event source mapping makes,
	// 2 to 1000. Needs a Consumer. Zero means no cap beyond the function's concurrency.
	MaxConcurrency int

	// MaxMessageAge is the age of the oldest message at which the age alarm fires, whole
	// seconds from 1 minute up to the Retention. Zero means 15 minutes, or the Retention when
	// that is shorter.
	MaxMessageAge time.Duration
	// AlarmTopic is the ARN of the SNS topic the queue's alarms (and, unless it names its
	// own, the consumer's) notify. Nil means the alarms exist without actions.
	AlarmTopic pulumi.StringInput

	// Senders are AWS services the queue's policy lets send messages on behalf of one
	// resource each (a bucket's event notifications). Nil means none.
	Senders []Sender
}

// Queue is an SQS queue with its dead-letter queue, TLS-only queue policies, alarms and an
// optional consumer function.
type Queue struct {
	pulumi.ResourceState

	// The children, for escape hatches. DeadLetterQueue and RedriveAllowPolicy are nil with
	// NoDeadLetterQueue; Consumer and EventSourceMapping are nil without a Consumer.
	Queue              *sqs.Queue
	DeadLetterQueue    *sqs.Queue
	RedriveAllowPolicy *sqs.RedriveAllowPolicy
	// Policies are the queue policies: the main queue's first, then the dead-letter queue's.
	Policies           []*sqs.QueuePolicy
	Consumer           *function.Function
	EventSourceMapping *lambda.EventSourceMapping
	// Alarms are the message-age alarm and, with a dead-letter queue, the dead-letter alarm.
	Alarms []*cloudwatch.MetricAlarm

	// URL, ARN and Name are the main queue's.
	URL  pulumi.StringOutput
	ARN  pulumi.StringOutput
	Name pulumi.StringOutput
	// DeadLetterURL, DeadLetterARN and DeadLetterName are the dead-letter queue's; empty
	// strings with NoDeadLetterQueue.
	DeadLetterURL  pulumi.StringOutput
	DeadLetterARN  pulumi.StringOutput
	DeadLetterName pulumi.StringOutput
	// VisibilityTimeout is the effective visibility timeout, known while the graph is built.
	VisibilityTimeout time.Duration

	name   string
	kmsKey pulumi.StringInput
}

var namePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// settings are Args with every default applied, checked.
type settings struct {
	Args
	consumerTimeout time.Duration
}

func wholeSeconds(d time.Duration) bool { return d%time.Second == 0 }

// dur prints a duration as SQS and Lambda count it, in seconds ("60s", not "1m0s"), unless it
// has a fraction of a second.
type dur time.Duration

func (d dur) String() string {
	if time.Duration(d)%time.Second != 0 {
		return time.Duration(d).String()
	}
	return fmt.Sprintf("%ds", time.Duration(d)/time.Second)
}

// resolve applies the defaults to a copy of args and returns the first invalid field's error.
// It is pure: the decisions New makes are tested here without the engine.
func resolve(name string, a Args) (settings, error) {
	s := settings{Args: a}
	if !namePattern.MatchString(name) || len(name) > maxNameLen {
		return s, fmt.Errorf("name must be 1-%d letters, digits, '-' or '_' so the queue names derived from it fit SQS's 80 characters", maxNameLen)
	}
	if err := checkSenders(a.Senders); err != nil {
		return s, err
	}
	if a.ContentBasedDeduplication && !a.FIFO {
		return s, fmt.Errorf("ContentBasedDeduplication needs FIFO")
	}

	if s.Retention == 0 {
		s.Retention = DefaultRetention
	}
	if s.Retention < MinRetention || s.Retention > MaxRetention || !wholeSeconds(s.Retention) {
		return s, fmt.Errorf("Retention %v must be whole seconds from %v to %v (14 days)", dur(s.Retention), dur(MinRetention), dur(MaxRetention))
	}

	if a.NoDeadLetterQueue && a.MaxReceiveCount != 0 {
		return s, fmt.Errorf("MaxReceiveCount %d is set but NoDeadLetterQueue leaves nothing to redrive to", a.MaxReceiveCount)
	}
	if !a.NoDeadLetterQueue {
		if s.MaxReceiveCount == 0 {
			s.MaxReceiveCount = DefaultMaxReceiveCount
		}
		if s.MaxReceiveCount < 1 || s.MaxReceiveCount > 1000 {
			return s, fmt.Errorf("MaxReceiveCount %d is outside 1-1000", s.MaxReceiveCount)
		}
	}

	if c := a.Consumer; c != nil {
		if len(name) > maxConsumerNameLen {
			return s, fmt.Errorf("name must be at most %d characters with a Consumer, so the function name %q fits Lambda's limits", maxConsumerNameLen, name+consumerSuffix)
		}
		s.consumerTimeout = c.Timeout
		if s.consumerTimeout == 0 {
			s.consumerTimeout = function.DefaultTimeout
		}
		if s.consumerTimeout > function.MaxTimeout {
			return s, fmt.Errorf("Consumer.Timeout %v is over Lambda's limit of %v", dur(s.consumerTimeout), dur(function.MaxTimeout))
		}
		if s.consumerTimeout < time.Second || !wholeSeconds(s.consumerTimeout) {
			return s, fmt.Errorf("Consumer.Timeout %v must be whole seconds from 1s to %v", dur(s.consumerTimeout), dur(function.MaxTimeout))
		}
		own := grantName(name, "consume")
		for _, g := range c.Grants {
			if g.Name == own {
				return s, fmt.Errorf("Consumer.Grants: %q is the name of the grant the queue adds itself", own)
			}
		}

		if s.BatchSize == 0 {
			s.BatchSize = DefaultBatchSize
		}
		maxBatch := MaxBatchSize
		if a.FIFO {
			maxBatch = MaxFIFOBatchSize
		}
		if s.BatchSize < 1 || s.BatchSize > maxBatch {
			kind := "a standard queue"
			if a.FIFO {
				kind = "a FIFO queue"
			}
			return s, fmt.Errorf("BatchSize %d is outside 1-%d, the range on %s", s.BatchSize, maxBatch, kind)
		}
		if a.FIFO && a.MaxBatchingWindow != 0 {
			return s, fmt.Errorf("MaxBatchingWindow %v is not allowed on a FIFO queue", dur(a.MaxBatchingWindow))
		}
		if a.MaxBatchingWindow < 0 || a.MaxBatchingWindow > MaxBatchingWindow || !wholeSeconds(a.MaxBatchingWindow) {
			return s, fmt.Errorf("MaxBatchingWindow %v must be whole seconds from 0s to %v", dur(a.MaxBatchingWindow), dur(MaxBatchingWindow))
		}
		if s.BatchSize > 10 && a.MaxBatchingWindow == 0 {
			return s, fmt.Errorf("BatchSize %d is over 10, which needs a MaxBatchingWindow of at least 1s", s.BatchSize)
		}
		if a.MaxConcurrency != 0 && (a.MaxConcurrency < 2 || a.MaxConcurrency > 1000) {
			return s, fmt.Errorf("MaxConcurrency %d is outside 2-1000", a.MaxConcurrency)
		}
	} else {
		switch {
		case a.BatchSize != 0:
			return s, fmt.Errorf("BatchSize is set but there is no Consumer")
		case a.MaxBatchingWindow != 0:
			return s, fmt.Errorf("MaxBatchingWindow is set but there is no Consumer")
		case a.MaxConcurrency != 0:
			return s, fmt.Errorf("MaxConcurrency is set but there is no Consumer")
		}
	}

	minVisibility := time.Duration(0)
	if a.Consumer != nil {
		minVisibility = VisibilityTimeoutFactor * s.consumerTimeout
	}
	if s.VisibilityTimeout == 0 {
		s.VisibilityTimeout = DefaultVisibilityTimeout
		if a.Consumer != nil {
			s.VisibilityTimeout = minVisibility
		}
	}
	if s.VisibilityTimeout < 0 || s.VisibilityTimeout > MaxVisibilityTimeout || !wholeSeconds(s.VisibilityTimeout) {
		return s, fmt.Errorf("VisibilityTimeout %v must be whole seconds up to %v (12 hours)", dur(s.VisibilityTimeout), dur(MaxVisibilityTimeout))
	}
	if s.VisibilityTimeout < minVisibility {
		return s, fmt.Errorf("VisibilityTimeout %v is below %dx the consumer timeout (%v)", dur(s.VisibilityTimeout), VisibilityTimeoutFactor, dur(minVisibility))
	}

	if s.MaxMessageAge == 0 {
		s.MaxMessageAge = min(DefaultMaxMessageAge, s.Retention)
	}
	if s.MaxMessageAge < time.Minute || s.MaxMessageAge > s.Retention || !wholeSeconds(s.MaxMessageAge) {
		return s, fmt.Errorf("MaxMessageAge %v must be whole seconds from 60s to the Retention (%v): an older message is already gone", dur(s.MaxMessageAge), dur(s.Retention))
	}
	return s, nil
}

// grantName names a grant of this queue; a function's grants must have distinct names, and
// one function may use several queues.
func grantName(queue, access string) string { return queue + "-" + access }

func seconds(d time.Duration) pulumi.Int { return pulumi.Int(int(d / time.Second)) }

// New validates args and registers the queue, its dead-letter queue, their policies, the
// consumer with its event source mapping, and the alarms. An invalid field is an error
// before anything is registered.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Queue, error) {
	if args == nil {
		args = &Args{}
	}
	s, err := resolve(name, *args)
	if err != nil {
		return nil, fmt.Errorf("queue %q: %w", name, err)
	}
	// The consumer's own fields (and its build) are checked before the queue exists, too.
	if s.Consumer != nil {
		if err := function.Check(ctx, name+consumerSuffix, s.Consumer); err != nil {
			return nil, fmt.Errorf("queue %q: Consumer: %w", name, err)
		}
	}

	q := &Queue{name: name, kmsKey: s.KMSKeyARN, VisibilityTimeout: s.VisibilityTimeout}
	if err := ctx.RegisterComponentResource("groundwork:queue:Queue", name, q, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(q)

	// common sets what both queues share: FIFO or not, and SSE (SSE-SQS or the KMS key).
	common := func(qa *sqs.QueueArgs) *sqs.QueueArgs {
		if s.FIFO {
			qa.FifoQueue = pulumi.Bool(true)
		}
		if s.KMSKeyARN != nil {
			qa.SqsManagedSseEnabled = pulumi.Bool(false)
			qa.KmsMasterKeyId = s.KMSKeyARN
		} else {
			qa.SqsManagedSseEnabled = pulumi.Bool(true)
		}
		return qa
	}
	// tlsOnly gives a queue its policy, which refuses every request made without TLS.
	tlsOnly := func(suffix string, target *sqs.Queue, allow ...iampolicy.Statement) error {
		doc, err := iampolicy.Document(append([]iampolicy.Statement{{
			Sid:       "DenyInsecureTransport",
			Effect:    "Deny",
			Principal: map[string]any{"AWS": "*"},
			Actions:   []string{"sqs:*"},
			Resources: []pulumi.StringInput{target.Arn},
			Condition: map[string]map[string]any{"Bool": {"aws:SecureTransport": "false"}},
		}}, allow...)...)
		if err != nil {
			return err
		}
		p, err := sqs.NewQueuePolicy(ctx, name+suffix, &sqs.QueuePolicyArgs{QueueUrl: target.Url, Policy: doc}, parent)
		if err != nil {
			return err
		}
		q.Policies = append(q.Policies, p)
		return nil
	}

	// The dead-letter queue comes first: the main queue's redrive policy names its ARN.
	main := common(&sqs.QueueArgs{
		MessageRetentionSeconds:  seconds(s.Retention),
		VisibilityTimeoutSeconds: seconds(s.VisibilityTimeout),
	})
	if s.ContentBasedDeduplication {
		main.ContentBasedDeduplication = pulumi.Bool(true)
	}
	if !s.NoDeadLetterQueue {
		q.DeadLetterQueue, err = sqs.NewQueue(ctx, name+"-dlq", common(&sqs.QueueArgs{
			MessageRetentionSeconds: seconds(DeadLetterRetention),
		}), parent)
		if err != nil {
			return nil, err
		}
		maxReceiveCount := s.MaxReceiveCount
		main.RedrivePolicy = q.DeadLetterQueue.Arn.ApplyT(func(arn string) (string, error) {
			b, err := json.Marshal(map[string]any{"deadLetterTargetArn": arn, "maxReceiveCount": maxReceiveCount})
			return string(b), err
		}).(pulumi.StringOutput)
	}
	q.Queue, err = sqs.NewQueue(ctx, name, main, parent)
	if err != nil {
		return nil, err
	}
	if err := tlsOnly("-policy", q.Queue, senderStatements(s.Senders, q.Queue.Arn)...); err != nil {
		return nil, err
	}

	q.URL, q.ARN, q.Name = q.Queue.Url, q.Queue.Arn, q.Queue.Name
	empty := pulumi.String("").ToStringOutput()
	q.DeadLetterURL, q.DeadLetterARN, q.DeadLetterName = empty, empty, empty
	if dlq := q.DeadLetterQueue; dlq != nil {
		if err := tlsOnly("-dlq-policy", dlq); err != nil {
			return nil, err
		}
		// The allow policy is its own resource, registered after the main queue: on the DLQ
		// it would need the main queue's ARN, which needs the DLQ's first.
		allow := q.Queue.Arn.ApplyT(func(arn string) (string, error) {
			b, err := json.Marshal(map[string]any{"redrivePermission": "byQueue", "sourceQueueArns": []string{arn}})
			return string(b), err
		}).(pulumi.StringOutput)
		q.RedriveAllowPolicy, err = sqs.NewRedriveAllowPolicy(ctx, name+"-dlq-redrive-allow", &sqs.RedriveAllowPolicyArgs{
			QueueUrl:           dlq.Url,
			RedriveAllowPolicy: allow,
		}, parent)
		if err != nil {
			return nil, err
		}
		q.DeadLetterURL, q.DeadLetterARN, q.DeadLetterName = dlq.Url, dlq.Arn, dlq.Name
	}

	if s.Consumer != nil {
		if err := q.consume(ctx, s, parent); err != nil {
			return nil, err
		}
	}

	specs := []metricalarm.Spec{{
		Suffix:      "message-age",
		Description: fmt.Sprintf("The oldest message in the %s queue is older than %v: its consumer is failing or falling behind.", name, dur(s.MaxMessageAge)),
		Namespace:   "AWS/SQS", Metric: "ApproximateAgeOfOldestMessage",
		Dimensions: pulumi.StringMap{"QueueName": q.Queue.Name},
		Statistic:  "Maximum", Threshold: float64(s.MaxMessageAge / time.Second),
	}}
	if q.DeadLetterQueue != nil {
		specs = append(specs, metricalarm.Spec{
			Suffix:      "dlq-messages",
			Description: fmt.Sprintf("The %s dead-letter queue holds messages that failed %d times: inspect them, fix the cause, redrive them.", name, s.MaxReceiveCount),
			Namespace:   "AWS/SQS", Metric: "ApproximateNumberOfMessagesVisible",
			Dimensions: pulumi.StringMap{"QueueName": q.DeadLetterQueue.Name},
			Statistic:  "Maximum", Threshold: 1,
		})
	}
	for _, spec := range specs {
		al, err := metricalarm.New(ctx, name, spec, s.AlarmTopic, nil, parent)
		if err != nil {
			return nil, err
		}
		q.Alarms = append(q.Alarms, al)
	}

	return q, ctx.RegisterResourceOutputs(q, pulumi.Map{
		"url":            q.URL,
		"arn":            q.ARN,
		"name":           q.Name,
		"deadLetterUrl":  q.DeadLetterURL,
		"deadLetterArn":  q.DeadLetterARN,
		"deadLetterName": q.DeadLetterName,
	})
}

// consume creates the consumer function with the grant to consume this queue, and the event
// source mapping that feeds it.
func (q *Queue) consume(ctx *pulumi.Context, s settings, parent pulumi.ResourceOption) error {
	own := q.Grant(Consume)
	fargs := *s.Consumer
	fargs.Grants = append(slices.Clone(fargs.Grants), own)
	if fargs.AlarmTopic == nil {
		fargs.AlarmTopic = s.AlarmTopic
	}
	var err error
	q.Consumer, err = function.New(ctx, q.name+consumerSuffix, &fargs, parent)
	if err != nil {
		return fmt.Errorf("queue %q: Consumer: %w", q.name, err)
	}
	esm := &lambda.EventSourceMappingArgs{
		EventSourceArn:        q.Queue.Arn,
		FunctionName:          q.Consumer.ARN,
		BatchSize:             pulumi.Int(s.BatchSize),
		FunctionResponseTypes: pulumi.StringArray{pulumi.String("ReportBatchItemFailures")},
	}
	// Set explicitly (0 included) on standard queues, so removing a window reverts it; FIFO
	// queues refuse the field altogether.
	if !s.FIFO {
		esm.MaximumBatchingWindowInSeconds = seconds(s.MaxBatchingWindow)
	}
	if s.MaxConcurrency > 0 {
		esm.ScalingConfig = &lambda.EventSourceMappingScalingConfigArgs{MaximumConcurrency: pulumi.Int(s.MaxConcurrency)}
	}
	// Lambda checks the role can receive from the queue when the mapping is created: wait for
	// the consume policy, which nothing in the data flow orders before the mapping.
	q.EventSourceMapping, err = lambda.NewEventSourceMapping(ctx, q.name+"-consumer-mapping", esm,
		parent, pulumi.DependsOn([]pulumi.Resource{q.Consumer.GrantPolicies[own.Name]}))
	return err
}

// Operation is what a function does with the queue's messages, for Queue.Grant. The zero
// value is no operation: Queue.Grant refuses it.
type Operation string

// The queue operations.
const (
	// Send sends messages (SendMessage, SendMessageBatch): sqs:SendMessage, and with a
	// customer managed key kms:GenerateDataKey and kms:Decrypt, which SQS uses to encrypt
	// the message with the producer's permissions ("Key management", Amazon SQS Developer
	// Guide, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
	Send Operation = "Send"
	// Consume is what a Lambda event source mapping polls the queue with, on the consumer
	// role's permissions: sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes
	// ("Lambda needs the following permissions to manage messages in your Amazon SQS
	// queue", https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html, the
	// actions of the AWSLambdaSQSQueueExecutionRole managed policy), and with a customer
	// managed key kms:Decrypt. A bundle, because the mapping needs all three and nothing else.
	Consume Operation = "Consume"
)

// queueSpecs is what each operation needs, in the order grant names list them.
var queueSpecs = []grantops.Spec[Operation]{
	{Op: Send, Slug: "send", Actions: map[string][]string{"queue": {"sqs:SendMessage"}}, KMS: []string{"kms:Decrypt", "kms:GenerateDataKey"}},
	{Op: Consume, Slug: "consume", Actions: map[string][]string{"queue": {"sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"}}, KMS: []string{"kms:Decrypt"}},
}

// Grant lets a function perform ops on the queue, and nothing else: the grant is named
// "<queue>-<ops>" (such as "events-send") and allows each operation's actions on the
// queue's ARN, and on its customer managed key, when it has one. Give Grant(Send) to a
// producer's Args.Grants, Grant(Consume) to a consumer that is not the queue's own (the
// queue's Consumer gets it already). No operation, an empty or unknown one, or one listed
// twice makes a grant that function.New refuses, naming it.
func (q *Queue) Grant(ops ...Operation) grant.Grant {
	return grantops.Build(fmt.Sprintf("queue %q Grant", q.name), q.name, ops, queueSpecs, []grantops.Target{
		{Key: "queue", Sid: "Queue", Resource: q.ARN},
	}, q.kmsKey, "QueueKey")
}
