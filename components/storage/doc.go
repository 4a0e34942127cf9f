// Package storage holds the stateful components: Bucket (S3) and Table (DynamoDB).
//
// Both are secure and durable by default, and every weakening is an explicit, named field:
// a Bucket is encrypted, private (all four public access block flags, ACLs disabled),
// versioned, reachable over TLS only and cleans up incomplete uploads and old versions; only
// ForceDestroy lets `pulumi destroy` delete its objects. A Table is encrypted, has
// point-in-time recovery and deletion protection; only AllowDeletion turns the latter off.
//
// Protect stateful resources in production by passing pulumi.Protect(true) to New: the
// option is inherited by every child.
package storage
