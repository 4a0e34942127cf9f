// Package bucket is an S3 bucket as a Pulumi component, secure and durable by default: it is
// encrypted, private (all four public access block flags, ACLs disabled), versioned,
// reachable over TLS only, and cleans up incomplete uploads and old versions. Every
// weakening is an explicit, named field; only ForceDestroy lets `pulumi destroy` delete its
// objects.
//
// Protect a bucket in production by passing pulumi.Protect(true) to New: the option is
// inherited by every child.
package bucket
