// Package bucket is an S3 bucket as a Pulumi component, secure and durable by default: it is
// encrypted, private (all four public access block flags, ACLs disabled), versioned,
// reachable over TLS only, and cleans up incomplete uploads and old versions. Every
// weakening is an explicit, named field; only ForceDestroy lets `pulumi destroy` delete its
// objects.
//
// Beyond that, a bucket takes lifecycle rules of its own (expire or move objects by prefix
// and tags), CORS rules for browsers on other origins, and notifications of created objects
// to a function or to a queue it creates. Every invalid field is an error from New that
// names it, before anything is registered.
//
// # Children
//
// A bucket named "archive" registers these children, each customizable through the
// Args.Transform field of the same name:
//
//   - "archive": the S3 bucket (Bucket), auto-named "archive-" and seven random characters,
//     so a name may be up to 55 lower-case letters, digits and '-'.
//   - "archive-sse": its default encryption (Encryption), SSE-S3 or the KMS key.
//   - "archive-public-access": its public access block (PublicAccessBlock).
//   - "archive-ownership": its object ownership controls (OwnershipControls).
//   - "archive-versioning": its versioning configuration (Versioning).
//   - "archive-policy": its bucket policy (Policy), which denies requests without TLS; it
//     waits for the public access block and the ownership controls.
//   - "archive-lifecycle": its lifecycle configuration (Lifecycle), the built-in rules and
//     LifecycleRules; it waits for versioning.
//   - "archive-logging": its access logging (Logging), with AccessLogBucket.
//   - "archive-cors": its CORS configuration (CORS), with CORS rules.
//   - "archive-notifications": its one notification configuration (Notification), with
//     Notifications; it waits for every notification's target.
//   - "archive-<notification>-invoke": for a notification to a function, the Lambda
//     permission (Permission) that lets s3.amazonaws.com invoke the function for this
//     bucket (aws:SourceArn) of this account (aws:SourceAccount) only.
//   - "archive-<notification>": for a notification to a queue, a queue component (see
//     package queue: its dead-letter queue, policies, alarms and consumer), whose policy
//     lets s3.amazonaws.com send for this bucket of this account only (queue.Args.Senders);
//     customize it through its own queue.Args.Transform.
//
// Every configuration child refers to the bucket by its name (the bucket's ID); the
// notification configuration names each function's ARN and each queue's ARN.
//
// # Access
//
// Functions get access through typed grants: pass Bucket.Grant(bucket.ObjectPut) to a
// function's Args.Grants. A notification queue's consumer gets its grant from the queue;
// another function reads the queue with Bucket.Queues[name].Grant(queue.Consume).
//
// Protect a bucket in production by passing pulumi.Protect(true) to New: the option is
// inherited by every child, notification queues and their consumers included.
package bucket
