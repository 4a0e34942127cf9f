// Package localqueue is an in-process message queue with the semantics of an Amazon SQS
// standard queue, for the local server and for tests: messages are received in batches, a
// received message stays invisible for the visibility timeout and reappears unless it is
// deleted, every receive counts (ApproximateReceiveCount), and a message received more than
// MaxReceiveCount times moves to a dead-letter queue. A Consumer feeds batches to a handler
// with the signature of an SQS-triggered Lambda and deletes what the handler did not report
// as failed, as Lambda's event source mapping does with ReportBatchItemFailures.
//
// A queue persists in a journal under its directory, so a restart keeps every message not
// yet deleted, with its receive count. Sends are fsynced before Send returns; receives and
// deletes are written but not fsynced, so a power loss (not a process crash) can at worst
// deliver a message once more, which at-least-once consumers must tolerate anyway.
package localqueue

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/groundwork-dev/groundwork/internal/fsutil"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/randid"
)

// MaxBodySize is the largest message body Send accepts: 256 KiB, the SQS limit that every
// queue configuration accepts.
const MaxBodySize = 256 << 10

// Defaults for the zero values in Config.
const (
	DefaultVisibilityTimeout = 30 * time.Second
	DefaultBatchSize         = 10
)

// Errors of the queue.
var (
	// ErrClosed: the queue was closed.
	ErrClosed = errors.New("localqueue: queue closed")
	// ErrInvalidReceipt: the receipt handle is unknown, or its message was received again
	// since (the handle is stale), or deleted.
	ErrInvalidReceipt = errors.New("localqueue: receipt handle is invalid or stale")
)

// Config describes a queue.
type Config struct {
	// Dir holds the queue's journal. It is created when missing. Required.
	Dir string
	// Name is the queue's name, used in its ARN. Zero means the base name of Dir.
	Name string
	// VisibilityTimeout is how long a received message stays invisible to other receives.
	// Zero means 30 seconds (the SQS default).
	VisibilityTimeout time.Duration
	// MaxReceiveCount is how many times a message may be received: the receive after that
	// moves it to DeadLetter instead, as an SQS redrive policy does. Zero means messages
	// are received until deleted, with no dead-letter queue.
	MaxReceiveCount int
	// DeadLetter is the queue that messages move to after MaxReceiveCount receives. It must
	// be set when MaxReceiveCount is, and is not closed by this queue's Close.
	DeadLetter *Queue
	// Now is the queue's clock. Nil means time.Now. Tests set a fake one to expire
	// visibility timeouts without waiting.
	Now func() time.Time
	// Logger receives journal compactions that failed (the journal stays whole, and the
	// operation that triggered one succeeds). Nil means slog.Default().
	Logger *slog.Logger
}

// compactMinLines is how many records the journal holds at least before it is compacted.
const compactMinLines = 1024

// Queue is an SQS-like standard queue persisted under a directory. It is safe for
// concurrent use. Messages are received roughly in the order they were sent.
type Queue struct {
	cfg    Config
	arn    string
	now    func() time.Time
	log    *slog.Logger
	ready  chan struct{} // gets a token when a message is sent
	closed chan struct{}

	mu        sync.Mutex
	msgs      map[string]*message // by message id
	order     []string            // ids in send order; may hold ids already deleted
	receipts  map[string]string   // current receipt handle -> message id
	journal   *os.File
	lines     int   // records in the journal, to decide when to compact it
	compactAt int   // compact once lines is over this (and over 4 per live message)
	broken    error // set when the journal file was lost; every later write fails with it
	written   int64 // appends so far; append n is durable once synced >= n
	synced    int64 // appends known to be on disk
	isClosed  bool

	syncMu sync.Mutex // one fsync at a time; the others wait and usually find theirs done
}

// message is one message's state.
type message struct {
	id           string
	body         string
	md5          string
	sentAt       time.Time
	receiveCount int
	firstRecv    time.Time // zero until received
	visibleAt    time.Time // zero or past: visible
	receipt      string    // current receipt handle; "" until received
}

// Message is a snapshot of a message, for inspection (a dead-letter queue, tests).
type Message struct {
	ID           string
	Body         string
	SentAt       time.Time
	ReceiveCount int
	// VisibleAt is when the message can be received again; zero or past means now.
	VisibleAt time.Time
}

// Stats counts a queue's messages.
type Stats struct {
	Visible  int // can be received now
	InFlight int // received, not deleted, visibility timeout not over
}

// Open opens, or creates, the queue kept under cfg.Dir.
func Open(cfg Config) (*Queue, error) {
	if cfg.Dir == "" {
		return nil, errors.New("localqueue: Config.Dir is required")
	}
	if cfg.MaxReceiveCount < 0 || cfg.VisibilityTimeout < 0 {
		return nil, fmt.Errorf("localqueue: MaxReceiveCount %d and VisibilityTimeout %v must not be negative", cfg.MaxReceiveCount, cfg.VisibilityTimeout)
	}
	if cfg.MaxReceiveCount > 0 && cfg.DeadLetter == nil {
		return nil, fmt.Errorf("localqueue: MaxReceiveCount %d needs a DeadLetter queue", cfg.MaxReceiveCount)
	}
	if cfg.DeadLetter != nil && cfg.MaxReceiveCount == 0 {
		return nil, errors.New("localqueue: a DeadLetter queue needs MaxReceiveCount > 0")
	}
	if cfg.Name == "" {
		cfg.Name = filepath.Base(cfg.Dir)
	}
	if cfg.VisibilityTimeout == 0 {
		cfg.VisibilityTimeout = DefaultVisibilityTimeout
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	q := &Queue{
		cfg:      cfg,
		arn:      "arn:aws:sqs:local:000000000000:" + cfg.Name,
		now:      now,
		log:      log,
		ready:    make(chan struct{}, 1),
		closed:   make(chan struct{}),
		msgs:     map[string]*message{},
		receipts: map[string]string{},
	}
	if cfg.DeadLetter == q {
		return nil, errors.New("localqueue: a queue cannot be its own DeadLetter")
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("localqueue: %w", err)
	}
	if err := q.replay(); err != nil {
		return nil, fmt.Errorf("localqueue: replay %s: %w", q.journalPath(), err)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.compactLocked(); err != nil {
		return nil, fmt.Errorf("localqueue: %w", err)
	}
	if q.visibleLocked() > 0 {
		q.signal()
	}
	return q, nil
}

// ARN is the queue's ARN as it appears in EventSourceARN, in the local pseudo-region
// "local" and account 000000000000.
func (q *Queue) ARN() string { return q.arn }

// VisibilityTimeout is the queue's visibility timeout.
func (q *Queue) VisibilityTimeout() time.Duration { return q.cfg.VisibilityTimeout }

// Close stops the queue; later calls fail with ErrClosed. It does not close DeadLetter.
func (q *Queue) Close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.isClosed {
		return nil
	}
	err := q.journal.Sync()
	if err == nil {
		q.synced = q.written
	}
	q.isClosed = true
	close(q.closed)
	if cerr := q.journal.Close(); err == nil {
		err = cerr
	}
	return err
}

// Send stores a message and returns its id. The message is durable when Send returns.
func (q *Queue) Send(ctx context.Context, body string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := validBody(body); err != nil {
		return "", err
	}
	m := &message{id: randid.UUID(), body: body, sentAt: q.now()} // a UUID, as SQS message ids
	if err := q.insert(m, true); err != nil {
		return "", err
	}
	return m.id, nil
}

func validBody(body string) error {
	switch {
	case body == "":
		return errors.New("localqueue: empty message body")
	case len(body) > MaxBodySize:
		return fmt.Errorf("localqueue: message body of %d bytes is over %d", len(body), MaxBodySize)
	case !utf8.ValidString(body):
		return errors.New("localqueue: message body is not valid UTF-8")
	}
	return nil
}

// insert adds m (a new message, or one moving in from another queue, which keeps its id and
// send time) unless a message with its id is already here, and journals it; when durable is
// set it returns once the journal is on disk.
func (q *Queue) insert(m *message, durable bool) error {
	q.mu.Lock()
	if q.isClosed {
		q.mu.Unlock()
		return ErrClosed
	}
	if _, dup := q.msgs[m.id]; dup {
		q.mu.Unlock()
		return nil
	}
	if err := q.appendLocked(sendRecord(m)); err != nil {
		q.mu.Unlock()
		return err
	}
	m.md5 = md5Hex(m.body)
	q.msgs[m.id] = m
	q.order = append(q.order, m.id)
	seq := q.written
	q.tidyLocked() // after m is in memory: a compaction now writes it into the new journal
	q.mu.Unlock()
	if durable {
		if err := q.syncTo(seq); err != nil {
			return err
		}
	}
	// Wake a consumer. (One polling meanwhile may already have received the message.)
	q.signal()
	return nil
}

// syncTo returns once append seq is on disk. Concurrent callers share fsyncs (group
// commit): while one fsync runs the others wait, and the next fsync covers all of them.
// The lock is not held during the fsync, so receives and deletes go on meanwhile.
func (q *Queue) syncTo(seq int64) error {
	q.syncMu.Lock()
	defer q.syncMu.Unlock()
	q.mu.Lock()
	if q.synced >= seq {
		q.mu.Unlock()
		return nil
	}
	if q.isClosed {
		q.mu.Unlock()
		return ErrClosed // Close syncs before it sets isClosed; we cannot have missed it
	}
	f, target := q.journal, q.written
	q.mu.Unlock()
	err := f.Sync()
	q.mu.Lock()
	defer q.mu.Unlock()
	if err != nil {
		if q.synced >= seq {
			return nil // a compaction replaced (and synced) the journal under us
		}
		return fmt.Errorf("localqueue: sync journal: %w", err)
	}
	q.synced = max(q.synced, target)
	return nil
}

// Publish implements inquiry.Publisher: it sends e as JSON.
func (q *Queue) Publish(ctx context.Context, e inquiry.Event) error {
	body, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("localqueue: encode event: %w", err)
	}
	_, err = q.Send(ctx, string(body))
	return err
}

var _ inquiry.Publisher = (*Queue)(nil)

// Receive returns up to max visible messages (1 to 10, as SQS allows; 0 means 10) and
// makes them invisible for the visibility timeout, each with a new receipt handle and its
// receive count increased. It does not wait: with nothing visible it returns no messages.
// A visible message already received MaxReceiveCount times moves to the dead-letter queue
// instead of being returned.
func (q *Queue) Receive(ctx context.Context, max int) ([]events.SQSMessage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if max == 0 {
		max = DefaultBatchSize
	}
	if max < 1 || max > 10 {
		return nil, fmt.Errorf("localqueue: batch size %d is outside 1..10", max)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.isClosed {
		return nil, ErrClosed
	}
	now := q.now()
	var (
		out    []events.SQSMessage
		recs   []record
		picked []*message
	)
	for _, id := range q.order {
		if len(picked) == max {
			break
		}
		m, ok := q.msgs[id]
		if !ok || m.visibleAt.After(now) {
			continue
		}
		if q.cfg.MaxReceiveCount > 0 && m.receiveCount >= q.cfg.MaxReceiveCount {
			if err := q.redriveLocked(m); err != nil {
				return nil, err
			}
			continue
		}
		picked = append(picked, m)
	}
	for _, m := range picked {
		m.receiveCount++
		if m.firstRecv.IsZero() {
			m.firstRecv = now
		}
		m.visibleAt = now.Add(q.cfg.VisibilityTimeout)
		if m.receipt != "" {
			delete(q.receipts, m.receipt)
		}
		m.receipt = m.id + "#" + strconv.Itoa(m.receiveCount) + "#" + rand.Text()
		q.receipts[m.receipt] = m.id
		recs = append(recs, record{Op: opReceive, ID: m.id, Count: m.receiveCount, First: m.firstRecv.UnixNano(), Visible: m.visibleAt.UnixNano()})
		out = append(out, q.toSQS(m))
	}
	if len(recs) > 0 {
		if err := q.appendLocked(recs...); err != nil {
			return nil, err
		}
	}
	q.tidyLocked() // not within the loop above: it may rewrite q.order, which the loop ranges over
	if len(picked) == max {
		q.signal() // more may be visible: wake another idle consumer
	}
	return out, nil
}

// redriveLocked moves m to the dead-letter queue: durably into it first, then out of q, so
// a crash in between leaves it in both (the dead-letter queue ignores the second move).
func (q *Queue) redriveLocked(m *message) error {
	moved := &message{id: m.id, body: m.body, sentAt: m.sentAt}
	if err := q.cfg.DeadLetter.insert(moved, true); err != nil {
		return fmt.Errorf("localqueue: move %s to %s: %w", m.id, q.cfg.DeadLetter.cfg.Name, err)
	}
	return q.removeLocked(m)
}

// removeLocked journals m's deletion and forgets it. The caller runs tidyLocked once its
// operation is done.
func (q *Queue) removeLocked(m *message) error {
	if err := q.appendLocked(record{Op: opDelete, ID: m.id}); err != nil {
		return err
	}
	delete(q.msgs, m.id)
	if m.receipt != "" {
		delete(q.receipts, m.receipt)
	}
	return nil
}

// pruneOrderLocked drops the ids of deleted messages from q.order.
func (q *Queue) pruneOrderLocked() {
	live := q.order[:0]
	for _, id := range q.order {
		if _, ok := q.msgs[id]; ok {
			live = append(live, id)
		}
	}
	clear(q.order[len(live):])
	q.order = live
}

func (q *Queue) toSQS(m *message) events.SQSMessage {
	return events.SQSMessage{
		MessageId:     m.id,
		ReceiptHandle: m.receipt,
		Body:          m.body,
		Md5OfBody:     m.md5,
		Attributes: map[string]string{
			"ApproximateReceiveCount":          strconv.Itoa(m.receiveCount),
			"SentTimestamp":                    strconv.FormatInt(m.sentAt.UnixMilli(), 10),
			"SenderId":                         "000000000000",
			"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.firstRecv.UnixMilli(), 10),
		},
		MessageAttributes: map[string]events.SQSMessageAttribute{},
		EventSource:       "aws:sqs",
		EventSourceARN:    q.arn,
		AWSRegion:         "local",
	}
}

// Delete deletes the message a receipt handle was issued for. The handle must be the one
// of the message's latest receive: after its visibility timeout ran out and it was received
// again, the older handle is stale and Delete returns ErrInvalidReceipt. Handles do not
// survive a restart.
func (q *Queue) Delete(ctx context.Context, receiptHandle string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.isClosed {
		return ErrClosed
	}
	id, ok := q.receipts[receiptHandle]
	if !ok {
		return ErrInvalidReceipt
	}
	if err := q.removeLocked(q.msgs[id]); err != nil {
		return err
	}
	q.tidyLocked()
	return nil
}

// Stats counts the queue's messages at the queue's current time.
func (q *Queue) Stats() Stats {
	q.mu.Lock()
	defer q.mu.Unlock()
	v := q.visibleLocked()
	return Stats{Visible: v, InFlight: len(q.msgs) - v}
}

func (q *Queue) visibleLocked() int {
	now, n := q.now(), 0
	for _, m := range q.msgs {
		if !m.visibleAt.After(now) {
			n++
		}
	}
	return n
}

// Messages returns a snapshot of every message in the queue, in send order.
func (q *Queue) Messages() []Message {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]Message, 0, len(q.msgs))
	for _, id := range q.order {
		if m, ok := q.msgs[id]; ok {
			out = append(out, Message{ID: m.id, Body: m.body, SentAt: m.sentAt, ReceiveCount: m.receiveCount, VisibleAt: m.visibleAt})
		}
	}
	return out
}

// nextVisible is when the earliest in-flight message becomes visible again, or the zero
// time when no message is in flight.
func (q *Queue) nextVisible() time.Time {
	q.mu.Lock()
	defer q.mu.Unlock()
	var next time.Time
	now := q.now()
	for _, m := range q.msgs {
		if m.visibleAt.After(now) && (next.IsZero() || m.visibleAt.Before(next)) {
			next = m.visibleAt
		}
	}
	return next
}

// signal notes that messages may be visible, waking one idle consumer.
func (q *Queue) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// --- journal ---

const (
	opSend    = "send"
	opReceive = "recv"
	opDelete  = "del"
)

// record is one line of the journal (JSON). Times are Unix nanoseconds.
type record struct {
	Op      string `json:"op"`
	ID      string `json:"id"`
	Body    string `json:"body,omitempty"`
	Sent    int64  `json:"sent,omitempty"`
	Count   int    `json:"n,omitempty"`
	First   int64  `json:"first,omitempty"`
	Visible int64  `json:"vis,omitempty"`
}

func sendRecord(m *message) record {
	return record{Op: opSend, ID: m.id, Body: m.body, Sent: m.sentAt.UnixNano()}
}

func (q *Queue) journalPath() string { return filepath.Join(q.cfg.Dir, "journal.jsonl") }

// replay rebuilds the queue's state from its journal. A last line without its newline is
// the torn tail of a write a crash interrupted, and is ignored; any other bad line is an
// error, since the journal is not what this package wrote.
func (q *Queue) replay() error {
	data, err := os.ReadFile(q.journalPath())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if i := bytes.LastIndexByte(data, '\n'); i < len(data)-1 {
		data = data[:i+1] // torn tail
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 2*MaxBodySize+4096)
	for line := 1; sc.Scan(); line++ {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		switch r.Op {
		case opSend:
			if _, dup := q.msgs[r.ID]; !dup {
				q.msgs[r.ID] = &message{id: r.ID, body: r.Body, md5: md5Hex(r.Body), sentAt: time.Unix(0, r.Sent)}
				q.order = append(q.order, r.ID)
			}
		case opReceive:
			if m, ok := q.msgs[r.ID]; ok {
				m.receiveCount, m.firstRecv, m.visibleAt = r.Count, time.Unix(0, r.First), time.Unix(0, r.Visible)
			}
		case opDelete:
			delete(q.msgs, r.ID)
		default:
			return fmt.Errorf("line %d: unknown op %q", line, r.Op)
		}
	}
	return sc.Err()
}

// appendLocked writes records to the journal (without fsync: see syncTo). It does not
// compact: see tidyLocked.
func (q *Queue) appendLocked(recs ...record) error {
	if q.broken != nil {
		return q.broken
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("localqueue: encode journal record: %w", err)
		}
	}
	if _, err := q.journal.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("localqueue: write journal: %w", err)
	}
	q.written++
	q.lines += len(recs)
	return nil
}

// tidyLocked drops deleted ids from q.order and compacts the journal when most of it
// describes messages that are gone. An operation calls it last, once what it journaled is
// also in memory: a compaction writes the new journal from memory, so one run between an
// append and the change the append records would leave that change out of the journal (a
// sent message lost at the next restart, a deleted one back). A failed compaction is logged
// and retried after as many records again; the journal stays whole, and the operation that
// triggered it has succeeded.
func (q *Queue) tidyLocked() {
	if len(q.order) > 2*len(q.msgs)+64 {
		q.pruneOrderLocked()
	}
	if q.lines <= q.compactAt || q.lines <= 4*len(q.msgs) {
		return
	}
	if err := q.compactLocked(); err != nil {
		q.compactAt = max(compactMinLines, 2*q.lines)
		q.log.Warn("journal compaction failed; will retry", "queue", q.cfg.Name, "error", err)
	}
}

// compactLocked replaces the journal with one that holds only the live messages, as they
// are in memory: written to a temporary file, fsynced, renamed over the journal, directory
// fsynced.
func (q *Queue) compactLocked() error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	lines := 0
	for _, id := range q.order {
		m, ok := q.msgs[id]
		if !ok {
			continue
		}
		recs := []record{sendRecord(m)}
		if m.receiveCount > 0 {
			recs = append(recs, record{Op: opReceive, ID: m.id, Count: m.receiveCount, First: m.firstRecv.UnixNano(), Visible: m.visibleAt.UnixNano()})
		}
		for _, r := range recs {
			if err := enc.Encode(r); err != nil {
				return err
			}
			lines++
		}
	}
	f, err := fsutil.ReplaceOpen(q.journalPath()+".tmp", q.journalPath(), buf.Bytes())
	if err != nil {
		if q.journal != nil {
			q.reattachLocked(lines)
		}
		return fmt.Errorf("compact journal: %w", err)
	}
	// f now is the journal, opened for writing at its end.
	if q.journal != nil {
		_ = q.journal.Close()
	}
	q.journal = f
	q.lines = lines
	q.compactAt = compactMinLines
	q.synced = q.written // the new journal holds everything, and is on disk
	q.pruneOrderLocked()
	return nil
}

// reattachLocked runs after a failed compaction whose new journal holds lines records.
// Usually the old journal is still in place and stays in use; but when only the directory
// fsync failed, the new journal (complete and fsynced) was already renamed over it, and
// appends to the old file would go to an unlinked file, lost at the next restart. Then the
// new journal is opened for appending instead, or, if that fails, the queue refuses every
// later write rather than lose it.
func (q *Queue) reattachLocked(lines int) {
	open, err1 := q.journal.Stat()
	onDisk, err2 := os.Stat(q.journalPath())
	if err1 == nil && err2 == nil && os.SameFile(open, onDisk) {
		return
	}
	f, err := os.OpenFile(q.journalPath(), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		q.broken = fmt.Errorf("localqueue: journal %s lost after a failed compaction: %w", q.journalPath(), err)
		return
	}
	_ = q.journal.Close()
	q.journal = f
	q.lines = lines
	q.synced = q.written
}
