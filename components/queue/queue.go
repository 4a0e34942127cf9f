package queue

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/internal/check"
	"github.com/groundwork-dev/groundwork/components/internal/grantops"
	"github.com/groundwork-dev/groundwork/components/internal/iampolicy"
	"github.com/groundwork-dev/groundwork/components/internal/metricalarm"
	"github.com/groundwork-dev/groundwork/components/internal/naming"
	"github.com/groundwork-dev/groundwork/components/transform"
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
	// Delay is how long SQS hides every new message before a consumer can receive it (the
	// queue's DelaySeconds), whole seconds up to 15 minutes. Zero means no delay: a message
	// can be received as soon as it is sent.
	Delay time.Duration
	// ReceiveWait is how long a ReceiveMessage call that asks for no wait of its own waits
	// for a message before it answers empty (long polling; the queue's
	// ReceiveMessageWaitTimeSeconds), whole seconds from 1 s to 20 s. Zero means 20 s, as AWS
	// advises (see DefaultReceiveWait). The Consumer's event source mapping long-polls with
	// its own wait whatever this is; a receiver that wants short polling asks for a wait of 0
	// on its call.
	ReceiveWait time.Duration
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
	// added to its Grants. Its AlarmTopic, when nil, is the queue's; its own Transform
	// customizes its children. Nil means no consumer.
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

	// Transform customizes the queue's children before they are registered. The zero value
	// changes nothing.
	Transform Transform
}

// Transform holds one typed transform per child of a Queue (see package transform); each
// runs on the child's arguments, as the queue built them, just before the child is
// registered. The consumer function's children are customized by Consumer.Transform.
type Transform struct {
	// Queue customizes the main queue, "<name>".
	Queue transform.Func[sqs.QueueArgs]
	// DeadLetterQueue customizes the dead-letter queue, "<name>-dlq".
	DeadLetterQueue transform.Func[sqs.QueueArgs]
	// Policy customizes the main queue's policy, "<name>-policy".
	Policy transform.Func[sqs.QueuePolicyArgs]
	// DeadLetterPolicy customizes the dead-letter queue's policy, "<name>-dlq-policy".
	DeadLetterPolicy transform.Func[sqs.QueuePolicyArgs]
	// RedriveAllowPolicy customizes the dead-letter queue's redrive-allow policy,
	// "<name>-dlq-redrive-allow".
	RedriveAllowPolicy transform.Func[sqs.RedriveAllowPolicyArgs]
	// EventSourceMapping customizes the mapping that feeds the consumer,
	// "<name>-consumer-mapping".
	EventSourceMapping transform.Func[lambda.EventSourceMappingArgs]
	// Alarm customizes each of the queue's alarms, "<name>-message-age" and
	// "<name>-dlq-messages"; the name it is given tells them apart.
	Alarm transform.Func[cloudwatch.MetricAlarmArgs]
}

// Queue is an SQS queue with its dead-letter queue, TLS-only queue policies, alarms and an
// optional consumer function.
type Queue struct {
	pulumi.ResourceState

	// The children, for escape hatches. DeadLetterQueue, DeadLetterPolicy and
	// RedriveAllowPolicy are nil with NoDeadLetterQueue; Consumer and EventSourceMapping are
	// nil without a Consumer.
	Queue              *sqs.Queue
	Policy             *sqs.QueuePolicy
	DeadLetterQueue    *sqs.Queue
	DeadLetterPolicy   *sqs.QueuePolicy
	RedriveAllowPolicy *sqs.RedriveAllowPolicy
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

// grantName names a grant of this queue; a function's grants must have distinct names, and
// one function may use several queues.
func grantName(queue, access string) string { return queue + "-" + access }

func seconds(d time.Duration) pulumi.Int { return pulumi.Int(int(d / time.Second)) }

// New validates args and registers the queue, its dead-letter queue, their policies, the
// consumer with its event source mapping, and the alarms. Every invalid field, the
// consumer's included, is reported in one error before anything is registered.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Queue, error) {
	if args == nil {
		args = &Args{}
	}
	// The consumer's own fields (and its build) are checked before the queue exists, too;
	// not when the queue's name is already refused, which names the consumer's children.
	var consumer error
	if args.Consumer != nil && naming.Check(name, physical(*args)) == nil {
		consumer = function.Check(ctx, naming.Child(name, roleConsumer), args.Consumer)
	}
	s, err := resolve(name, *args, consumer)
	if err != nil {
		return nil, err
	}

	q := &Queue{name: name, kmsKey: s.KMSKeyARN, VisibilityTimeout: s.VisibilityTimeout}
	if err := ctx.RegisterComponentResource("groundwork:queue:Queue", name, q, opts...); err != nil {
		return nil, err
	}
	if err := q.children(ctx, s, pulumi.Parent(q)); err != nil {
		return nil, fmt.Errorf("queue %q: %w", name, err)
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

// children registers the queue's children, each after its transform.
func (q *Queue) children(ctx *pulumi.Context, s settings, parent pulumi.ResourceOption) error {
	tf := s.Transform
	// The dead-letter queue comes first: the main queue's redrive policy names its ARN.
	main := q.queueArgs(s, &sqs.QueueArgs{
		MessageRetentionSeconds:  seconds(s.Retention),
		VisibilityTimeoutSeconds: seconds(s.VisibilityTimeout),
		DelaySeconds:             seconds(s.Delay),
		ReceiveWaitTimeSeconds:   seconds(s.ReceiveWait),
	})
	if s.ContentBasedDeduplication {
		main.ContentBasedDeduplication = pulumi.Bool(true)
	}
	if !s.NoDeadLetterQueue {
		dlq := q.queueArgs(s, &sqs.QueueArgs{
			MessageRetentionSeconds: seconds(DeadLetterRetention),
			ReceiveWaitTimeSeconds:  seconds(s.ReceiveWait),
		})
		var err error
		if q.DeadLetterQueue, err = transform.Register(ctx, sqs.NewQueue, tf.DeadLetterQueue, naming.Child(q.name, roleDeadLetter), dlq, parent); err != nil {
			return err
		}
		maxReceiveCount := s.MaxReceiveCount
		main.RedrivePolicy = q.DeadLetterQueue.Arn.ApplyT(func(arn string) (string, error) {
			b, err := json.Marshal(map[string]any{"deadLetterTargetArn": arn, "maxReceiveCount": maxReceiveCount})
			return string(b), err
		}).(pulumi.StringOutput)
	}
	var err error
	if q.Queue, err = transform.Register(ctx, sqs.NewQueue, tf.Queue, q.name, main, parent); err != nil {
		return err
	}
	if q.Policy, err = q.tlsOnly(ctx, q.Queue, tf.Policy, rolePolicy, parent, senderStatements(s.Senders, q.Queue.Arn)...); err != nil {
		return err
	}

	q.URL, q.ARN, q.Name = q.Queue.Url, q.Queue.Arn, q.Queue.Name
	empty := pulumi.String("").ToStringOutput()
	q.DeadLetterURL, q.DeadLetterARN, q.DeadLetterName = empty, empty, empty
	if dlq := q.DeadLetterQueue; dlq != nil {
		if q.DeadLetterPolicy, err = q.tlsOnly(ctx, dlq, tf.DeadLetterPolicy, roleDeadLetterPolicy, parent); err != nil {
			return err
		}
		// The allow policy is its own resource, registered after the main queue: on the DLQ
		// it would need the main queue's ARN, which needs the DLQ's first.
		allow := q.Queue.Arn.ApplyT(func(arn string) (string, error) {
			b, err := json.Marshal(map[string]any{"redrivePermission": "byQueue", "sourceQueueArns": []string{arn}})
			return string(b), err
		}).(pulumi.StringOutput)
		q.RedriveAllowPolicy, err = transform.Register(ctx, sqs.NewRedriveAllowPolicy, tf.RedriveAllowPolicy, naming.Child(q.name, roleRedriveAllow),
			&sqs.RedriveAllowPolicyArgs{QueueUrl: dlq.Url, RedriveAllowPolicy: allow}, parent)
		if err != nil {
			return err
		}
		q.DeadLetterURL, q.DeadLetterARN, q.DeadLetterName = dlq.Url, dlq.Arn, dlq.Name
	}

	if s.Consumer != nil {
		if err := q.consume(ctx, s, parent); err != nil {
			return err
		}
	}
	return q.alarms(ctx, s, parent)
}

// queueArgs sets what both queues share: FIFO or not, and encryption at rest (SSE-SQS or the
// KMS key).
func (q *Queue) queueArgs(s settings, qa *sqs.QueueArgs) *sqs.QueueArgs {
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
// The statements in allow (the Senders', on the main queue) follow the deny.
func (q *Queue) tlsOnly(ctx *pulumi.Context, target *sqs.Queue, tf transform.Func[sqs.QueuePolicyArgs], role string, parent pulumi.ResourceOption, allow ...iampolicy.Statement) (*sqs.QueuePolicy, error) {
	doc, err := iampolicy.Document(append([]iampolicy.Statement{{
		Sid:       "DenyInsecureTransport",
		Effect:    "Deny",
		Principal: map[string]any{"AWS": "*"},
		Actions:   []string{"sqs:*"},
		Resources: []pulumi.StringInput{target.Arn},
		Condition: map[string]map[string]any{"Bool": {"aws:SecureTransport": "false"}},
	}}, allow...)...)
	if err != nil {
		return nil, err
	}
	return transform.Register(ctx, sqs.NewQueuePolicy, tf, naming.Child(q.name, role), &sqs.QueuePolicyArgs{QueueUrl: target.Url, Policy: doc}, parent)
}

// consume creates the consumer function with the grant to consume this queue, and the event
// source mapping that feeds it.
func (q *Queue) consume(ctx *pulumi.Context, s settings, parent pulumi.ResourceOption) error {
	own := q.Grant(Consume)
	fargs := *s.Consumer // its Transform travels with it
	fargs.Grants = append(slices.Clone(fargs.Grants), own)
	if fargs.AlarmTopic == nil {
		fargs.AlarmTopic = s.AlarmTopic
	}
	var err error
	q.Consumer, err = function.New(ctx, naming.Child(q.name, roleConsumer), &fargs, parent)
	if err != nil {
		return fmt.Errorf("Consumer: %w", err)
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
	q.EventSourceMapping, err = transform.Register(ctx, lambda.NewEventSourceMapping, s.Transform.EventSourceMapping, naming.Child(q.name, roleMapping), esm,
		parent, pulumi.DependsOn([]pulumi.Resource{q.Consumer.GrantPolicies[own.Name]}))
	return err
}

// alarms registers the message-age alarm and, with a dead-letter queue, the dead-letter alarm.
func (q *Queue) alarms(ctx *pulumi.Context, s settings, parent pulumi.ResourceOption) error {
	specs := []metricalarm.Spec{{
		Suffix:      roleMessageAgeAlarm,
		Description: fmt.Sprintf("The oldest message in the %s queue is older than %v: its consumer is failing or falling behind.", q.name, check.Dur(s.MaxMessageAge)),
		Namespace:   "AWS/SQS", Metric: "ApproximateAgeOfOldestMessage",
		Dimensions: pulumi.StringMap{"QueueName": q.Queue.Name},
		Statistic:  "Maximum", Threshold: float64(s.MaxMessageAge / time.Second),
	}}
	if q.DeadLetterQueue != nil {
		specs = append(specs, metricalarm.Spec{
			Suffix:      roleDeadLetterAlarm,
			Description: fmt.Sprintf("The %s dead-letter queue holds messages that failed %d times: inspect them, fix the cause, redrive them.", q.name, s.MaxReceiveCount),
			Namespace:   "AWS/SQS", Metric: "ApproximateNumberOfMessagesVisible",
			Dimensions: pulumi.StringMap{"QueueName": q.DeadLetterQueue.Name},
			Statistic:  "Maximum", Threshold: 1,
		})
	}
	for _, spec := range specs {
		al, err := metricalarm.New(ctx, q.name, spec, s.AlarmTopic, s.Transform.Alarm, parent)
		if err != nil {
			return err
		}
		q.Alarms = append(q.Alarms, al)
	}
	return nil
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
