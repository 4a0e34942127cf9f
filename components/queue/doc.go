// Package queue is an SQS queue as a Pulumi component: the queue, a dead-letter queue that
// only it may redrive into, encryption at rest (SSE-SQS, or a customer managed KMS key),
// queue policies that refuse any request made without TLS, long polling, CloudWatch alarms
// (a message in the dead-letter queue; the oldest message older than a threshold), and
// optionally a consumer: a function (components/function) fed by an event source mapping that
// reports partial batch failures.
//
// The visibility timeout follows the consumer: by default 6x its timeout, as AWS advises for
// Lambda consumers, and an explicit value below that is an error. Every weakening is a named
// field (NoDeadLetterQueue); every invalid field, the consumer's included, is reported at
// once by New, naming the queue and the field, before anything is registered.
//
// # Children
//
// A queue named "events" registers, under the component "events" (type
// groundwork:queue:Queue), these children, each customized by the Transform field of the
// same name:
//
//	events                    aws:sqs/queue:Queue                    Transform.Queue
//	events-dlq                aws:sqs/queue:Queue                    Transform.DeadLetterQueue
//	events-policy             aws:sqs/queuePolicy:QueuePolicy        Transform.Policy
//	events-dlq-policy         aws:sqs/queuePolicy:QueuePolicy        Transform.DeadLetterPolicy
//	events-dlq-redrive-allow  aws:sqs/redriveAllowPolicy:...         Transform.RedriveAllowPolicy
//	events-consumer           groundwork:function:Function           Consumer.Transform
//	events-consumer-mapping   aws:lambda/eventSourceMapping:...      Transform.EventSourceMapping
//	events-message-age        aws:cloudwatch/metricAlarm:MetricAlarm Transform.Alarm
//	events-dlq-messages       aws:cloudwatch/metricAlarm:MetricAlarm Transform.Alarm
//
// The dead-letter children are absent with NoDeadLetterQueue, the consumer and its mapping
// without a Consumer. The consumer function's own children ("events-consumer-role",
// "events-consumer-logs", "events-consumer-events-consume", ...) are listed in package
// function.
//
// How they refer to each other: the queue's redrive policy names the dead-letter queue's
// ARN (so the dead-letter queue is registered first); the redrive-allow policy is on the
// dead-letter queue's URL and names the queue's ARN; each queue policy is on its queue's URL
// and names its ARN; the consumer's role gets the grant "events-consume" (Queue.Grant(Consume)
// on the queue's ARN), as the role policy "events-consumer-events-consume"; the mapping names
// the queue's ARN and the consumer's function ARN, and depends on that role policy, which
// Lambda checks when it creates the mapping; the alarms watch each queue by name.
//
// Every physical name is Pulumi's auto-name (the logical name and 8 characters, ".fifo" for
// FIFO queues), so New refuses a name with which any of them would exceed AWS's limits:
// 80 characters for a queue, 64 for the consumer's function and role. The longest name is 68
// characters for standard queues, 63 for FIFO queues, 42 with a consumer.
//
// # Access
//
// Other functions get access through typed grants: pass Queue.Grant(queue.Send) to a
// producer's function.Args.Grants, Queue.Grant(queue.Consume) to a consumer that is not the
// queue's own.
package queue
