// Package queue is an SQS queue as a Pulumi component: the queue, a dead-letter queue that
// only it may redrive into, encryption at rest (SSE-SQS, or a customer managed KMS key),
// queue policies that refuse any request made without TLS, CloudWatch alarms (a message in
// the dead-letter queue; the oldest message older than a threshold), and optionally a
// consumer: a function (components/function) fed by an event source mapping that reports
// partial batch failures.
//
// The visibility timeout follows the consumer: by default 6x its timeout, as AWS advises for
// Lambda consumers, and an explicit value below that is an error. Every weakening is a named
// field (NoDeadLetterQueue); every invalid field is an error from New, naming the queue and
// the field, before anything is registered.
//
// Other functions get access through typed grants: pass Queue.Grant(queue.Send) to a
// producer's function.Args.Grants, Queue.Grant(queue.Consume) to a consumer that is not the
// queue's own.
package queue
