// Package awsadapter implements the inquiry ports on AWS with the AWS SDK for Go v2:
// RecordStore on DynamoDB, ArchiveStore on S3 and Publisher on SQS. The SDK clients are passed
// in (the Lambda entry points build them once at init); nothing here reads the environment or
// keeps global state.
//
// DynamoDB layout (the stack program creates the table): one table with hash key pk (S) and no
// range key, TTL attribute ttl (epoch seconds, N). Inquiry records live at pk
// "inquiry#<id>", idempotency records at pk "idem#<key>". Every write is conditional.
package awsadapter
