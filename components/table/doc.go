// Package table is a DynamoDB table as a Pulumi component, secure and durable by default: it
// is encrypted, has point-in-time recovery and deletion protection; only AllowDeletion turns
// the latter off.
//
// Protect a table in production by passing pulumi.Protect(true) to New: the option is
// inherited by every child.
package table
