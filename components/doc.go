// Package components is the index of Groundwork's reusable Pulumi components for serverless
// AWS backends. Each lives in a package of its own:
//
//   - [github.com/groundwork-dev/groundwork/components/function]: a Go Lambda, built
//     reproducibly from a package path, with its role, log group and alarms.
//   - [github.com/groundwork-dev/groundwork/components/api]: an API Gateway HTTP API whose
//     routes call functions, with JWT and Lambda authorizers, access logs, throttling and
//     alarms.
//   - [github.com/groundwork-dev/groundwork/components/queue]: an SQS queue with its
//     dead-letter queue, an optional consumer function, and alarms.
//   - [github.com/groundwork-dev/groundwork/components/bucket]: an S3 bucket, secure and
//     durable by default.
//   - [github.com/groundwork-dev/groundwork/components/table]: a DynamoDB table, secure and
//     durable by default.
//   - [github.com/groundwork-dev/groundwork/components/alarm]: the alarm topic the other
//     components' alarms notify.
//   - [github.com/groundwork-dev/groundwork/components/grant]: typed least-privilege grants
//     between them, declared by operation (table.ItemGet, bucket.ObjectPut, queue.Send, ...).
//   - [github.com/groundwork-dev/groundwork/components/transform]: typed per-child
//     customization that tests see.
//   - [github.com/groundwork-dev/groundwork/components/policy]: the security baseline,
//     checkable against any program's resources.
//   - [github.com/groundwork-dev/groundwork/components/componenttest]: recording mocks to
//     test a program without a cloud account.
//
// # One shape for every component
//
// Every component follows the same conventions, so that learning one is learning all:
//
//   - Package and constructor. A component lives in a package named for it and is made by
//     New(ctx, name, *Args, ...pulumi.ResourceOption) (*T, error), T named for the package
//     (function.Function, api.API, queue.Queue, bucket.Bucket, table.Table, alarm.Topic). A
//     nil *Args means every default, where the component has no required field. The type
//     token is "groundwork:<package>:<T>".
//   - Args. Fields that change the graph's shape (a dead-letter queue or not, the route
//     list, alarms) are plain Go values; values that may come from other resources are
//     pulumi.Inputs. Every field's doc says what its zero value means, as net/http's do.
//     Secure defaults are never a zero value to remember: an opt-out is a named field
//     (AllowDeletion, NoDeadLetterQueue, ForceDestroy), off by default.
//   - Units. Every duration is a time.Duration (Timeout, Retention, LogRetention,
//     VisibilityTimeout, Delay, ...), validated to what AWS accepts (whole seconds; whole
//     days of CloudWatch's list for log retention) and printed as AWS counts it. A size has
//     its unit in its name (MemoryMB, EphemeralStorageMB). Counts are plain ints.
//   - Outputs. Exported outputs and children use Go's initialisms: URL, ARN, ID, Name,
//     InvokeARN, ExecutionARN, DeadLetterURL; a child field is named for what it is
//     (Function, Role, LogGroup, HTTPAPI, Stage, DeadLetterQueue). Outputs are
//     pulumi.StringOutput; values decided while the graph is built (a timeout, a visibility
//     timeout) are plain Go values.
//   - Validation. New decides everything in one pure step, resolve(name, Args) -> settings,
//     table-tested without the engine, and reports every invalid field at once, before any
//     resource is registered, in one shape: `queue "events": VisibilityTimeout 30s is below 6x
//     the consumer timeout (60s)`, or a list of such lines. Nested Args (a queue's Consumer)
//     are reported under their field ("Consumer.MemoryMB").
//   - Defaults. Each default is a constant named DefaultX whose comment gives its reason: a
//     cost, an AWS recommendation with its figure, or the control it satisfies.
//   - Names. Children are named "<name>" (the main resource) and "<name>-<role>"
//     ("events-dlq", "api-role"); each package doc lists every child's logical name and how
//     the children refer to each other. Physical names are left to Pulumi's auto-naming (the
//     logical name plus 8 characters); New refuses a name for which any child's physical name
//     would break AWS's limits for its type, naming the child and the limit. The limits live
//     in one place (components/internal/naming).
//   - Customization. Args.Transform holds one typed transform per child (the child's own Args
//     type, see package transform); the component runs it just before it registers that child,
//     so the recording mocks, policy.Check and the deployment all see the same resource.
//     pulumi.Transforms on a component is refused by componenttest: under mocks it would
//     silently not run.
//   - Access. A component that others use hands out grants by operation
//     (Table.Grant(table.ItemGet, table.ItemPut)); a function's Args.Grants turns each into
//     one inline role policy with exactly the IAM actions those operations need on exact
//     ARNs.
//   - Escape hatches. Every child is an exported field; every component takes the usual
//     resource options (Provider, Protect, DependsOn, ...), which its children inherit.
//
// The example shows a whole service; each package has examples of its Args, a transform and
// a test.
package components
