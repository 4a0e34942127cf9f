// Package components is the index of Groundwork's reusable Pulumi components for serverless
// AWS backends. Each lives in a package of its own:
//
//   - [github.com/groundwork-dev/groundwork/components/function]: a Go Lambda, built
//     reproducibly from a package path, with its role, log group and alarms.
//   - [github.com/groundwork-dev/groundwork/components/api]: an API Gateway HTTP API whose
//     routes call functions, with a JWT authorizer, access logs, throttling and alarms.
//   - [github.com/groundwork-dev/groundwork/components/queue]: an SQS queue with its
//     dead-letter queue, an optional consumer function, and alarms.
//   - [github.com/groundwork-dev/groundwork/components/storage]: an S3 Bucket and a DynamoDB
//     Table, secure and durable by default.
//   - [github.com/groundwork-dev/groundwork/components/grant]: typed least-privilege grants
//     between them, declared by operation (Table.Grant(storage.ItemGet),
//     Bucket.Grant(storage.ObjectPut), Queue.Grant(queue.Send), ...).
//   - [github.com/groundwork-dev/groundwork/components/alarm]: the alarm topic and metric
//     alarms.
//   - [github.com/groundwork-dev/groundwork/components/policy]: the security baseline,
//     checkable against any program's resources.
//   - [github.com/groundwork-dev/groundwork/components/componenttest]: recording mocks to
//     test a program without a cloud account.
//
// Every component takes pulumi.ResourceOptions (Provider, Protect, Transforms, ...) and
// exposes its children for escape hatches. The example shows a whole service.
package components
