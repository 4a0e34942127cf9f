// Package localqueue is an in-process message queue with the semantics of an Amazon SQS
// standard queue, for the local server and for tests: messages are received in batches, a
// received message stays invisible for the visibility timeout and reappears unless it is
// deleted, every receive counts (ApproximateReceiveCount), and a message received more than
// MaxReceiveCount times moves to a dead-letter queue. A Consumer feeds batches to a handler
// with the signature of an SQS-triggered Lambda and deletes what the handler did not report
// as failed, as Lambda's event source mapping does with ReportBatchItemFailures.
//
// # Storage
//
// The semantics live in memory (queue.go); storage is one bbolt file per queue,
// Config.Dir/queue.db (store.go, format.go). One file per queue rather than one per data
// directory: each queue opens, locks, checks and repairs on its own (the dead-letter queue
// can be inspected alone, as the local server's tests do), and a damaged file costs one
// queue, not both. A redrive writes the dead-letter queue's file first and the source's
// second, so a crash in between leaves the message in both and the next redrive finds it
// already there: the one guarantee a shared file would add, an atomic move, is not needed.
//
// Every change is committed before the call that made it returns: a sent message, a receive
// count, a deletion, a redrive. bbolt fsyncs each commit; concurrent callers share commits,
// so throughput grows with the number of callers rather than being one fsync per call.
// If a commit fails, the queue refuses every later change (its memory is ahead of its file)
// until it is opened again, which reloads the last committed state.
//
// # Damage
//
// Open reads the whole file before bbolt does (verify.go explains why bbolt cannot be
// trusted with a damaged file) and refuses a damaged one with a *DamageError that names the
// file and each damaged place: a meta page, a page and its byte range, a message. It never
// rewrites or initializes a damaged file. Repair sets the damaged file aside (a new name
// beside it; nothing is deleted), writes a new queue file with every message that is intact,
// and reports what it could not keep: message ids where the file's id index names them, a
// count where it does not.
//
// # Migration
//
// A directory that holds the journal of earlier versions (journal.jsonl) and no queue file
// is imported once at Open, every message with its receive count; the journal is then set
// aside as journal.jsonl.imported-<time>. A damaged journal is refused like a damaged queue
// file, and Repair imports what is intact of it (journal.go).
package localqueue
