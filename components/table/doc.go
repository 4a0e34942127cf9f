// Package table is a DynamoDB table as a Pulumi component, secure and durable by default: it
// is encrypted with a KMS key (the AWS managed aws/dynamodb key, or Args.KMSKeyARN), has
// point-in-time recovery and deletion protection, and bills on demand. Only AllowDeletion
// turns deletion protection off; nothing turns recovery or encryption off.
//
// Beyond its keys, a table has global and local secondary indexes (with their projections
// and, on provisioned tables, their capacity), a table class, a TTL attribute and a stream;
// every invalid field is an error from New that names it, before anything is registered.
//
// # Children
//
// A table named "orders" registers one child, the DynamoDB table "orders" (auto-named
// "orders-" and seven random characters, so a name may be up to 247 characters). Its indexes
// are parts of it, not resources of their own. Args.Transform.Table customizes it before it is
// registered.
//
// # Access
//
// Functions get access through typed grants: pass Table.Grant(table.ItemGet, table.ItemPut)
// to function.Args.Grants. Query and Scan reach the indexes too; StreamRead reads the
// table's stream, for a consumer of its own making (it needs Args.Stream).
//
// Protect a table in production by passing pulumi.Protect(true) to New: the option is
// inherited by the child.
package table
