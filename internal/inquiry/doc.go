// Package inquiry is the inquiries service's domain: the record, its validation, ids and
// idempotency, and the ports (record store, archive store, event publisher) that the HTTP
// handlers and the worker use. It imports neither net/http nor any AWS or Pulumi package, so
// the same code runs in the Lambdas, in the local server and in tests.
//
// # A record and its event
//
// Accepting an inquiry takes two writes to two services: the record (DynamoDB, or a file
// locally) and the inquiry.received event (SQS, or the local queue). Neither offers a
// transaction that spans both, so a failure or a crash between them must leave a state that
// heals by itself. The guarantee: every stored inquiry is eventually processed exactly once
// (MarkProcessed is conditional) or its event is dead-lettered; no record stays received
// with nothing left that will process it.
//
// Submit therefore publishes the event first and writes the record second. The event is
// durably queued before the record exists, so a stored record always has its event. What a
// failure leaves behind is at most an event without a record:
//
//   - the publish fails: nothing is stored, the client gets an error and may retry;
//   - the record's write fails, or the API dies between the writes: the event is an orphan;
//   - concurrent requests with one Idempotency-Key: each queues an event and one record
//     wins; the losers answer with the winner's receipt and leave orphan events;
//   - a taken id: the event goes to the record that has it (an extra, harmless delivery)
//     and Submit retries with a new id.
//
// The price is paid by the worker (Process, and the worker package's handler):
//
//   - it can receive an event before its record is written, locally and in AWS alike. For
//     an event younger than OrphanGrace, Process returns ErrNotYetStored; the worker reads
//     again a few times with a short, bounded backoff within its invocation (the write is
//     normally in flight and lands within milliseconds), then fails that message alone so
//     the queue retries it after its visibility timeout;
//   - an orphan never gets its record. Once the event is OrphanGrace old, Process returns
//     ErrOrphanEvent and the worker acknowledges the message with a warning, rather than
//     retrying it into the dead-letter queue. For this to be safe the record must be
//     written within OrphanGrace of the event, whatever the request's own time limit:
//     Submit starts the write only within StoreWindow of the event's time and gives it the
//     rest of the window as its deadline, and OrphanGrace adds a margin for a write on the
//     wire and for clock skew. A write that still returns after its window (a suspended
//     process) publishes the event again;
//   - an idempotent replay (same key, same body) of a record still received publishes its
//     event again, so an event that was dead-lettered gets another chance.
//
// Alternatives considered, and why not:
//
//   - A transactional outbox: the record carries its pending event, written in the same
//     item, and something else delivers it. With a DynamoDB stream, that is a stream, a
//     second consumer function with its own IAM, retries and alarms, in place of one
//     SendMessage; the local server would need a stream emulation too. With a sweeper
//     that re-enqueues records still received after a deadline, that is a scheduled
//     function, a Scan or an index on status (the API or the sweeper reading every
//     inquiry's personal data), and a record recovered only after the sweeper's deadline,
//     which must exceed the time processing normally takes. Both add infrastructure, IAM
//     and moving parts for a failure that publishing first rules out with none.
//   - Store first, then publish, with a republish on replay (what this package did): a
//     crash or a failed publish left records received forever unless the client retried
//     with the same Idempotency-Key; a retry without one created a second record.
//
// Publishing first costs no extra write, stream, sweeper or IAM: the API calls the same two
// AWS operations as before, in the other order.
package inquiry
