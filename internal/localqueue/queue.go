package localqueue

import (
	"context"
	"crypto/md5" //nolint:gosec // G501: SQS defines MD5OfMessageBody, see md5Hex
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
	// Dir holds the queue's file, queue.db. It is created when missing. Required.
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
	// Logger receives what Open did to the queue's directory (a journal imported). Nil
	// means slog.Default().
	Logger *slog.Logger
}

// Queue is an SQS-like standard queue persisted under a directory. It is safe for
// concurrent use. Messages are received roughly in the order they were sent.
//
// The queue's state is in memory, where receives find visible messages without reading the
// file; every change is also written to the queue file (store.go), and the call that made
// it returns once it is durable.
type Queue struct {
	cfg    Config
	arn    string
	now    func() time.Time
	log    *slog.Logger
	st     *store
	ready  chan struct{} // gets a token when a message is sent
	closed chan struct{}

	mu       sync.Mutex
	msgs     map[string]*message // by message id
	order    []string            // ids in send order; may hold ids already deleted
	receipts map[string]string   // current receipt handle -> message id
	nextSeq  uint64              // seq of the next message stored here
	isClosed bool
}

// message is one message's state.
type message struct {
	seq          uint64 // its key in the queue file; rises in send order
	id           string
	body         string
	md5          string
	sentAt       time.Time
	receiveCount int
	firstRecv    time.Time // zero until received
	visibleAt    time.Time // zero or past: visible
	receipt      string    // current receipt handle; "" until received
}

func (m *message) stored() storedMessage {
	return storedMessage{seq: m.seq, id: m.id, body: m.body, sentAt: m.sentAt, receiveCount: m.receiveCount, firstRecv: m.firstRecv, visibleAt: m.visibleAt}
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

// Open opens, or creates, the queue kept under cfg.Dir. A queue file that is damaged is
// refused with a *DamageError and left as it is (see Repair); a journal of an earlier
// version is imported once (see journal.go).
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
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("localqueue: %w", err)
	}
	st, stored, err := openDir(cfg.Dir, log)
	if err != nil {
		return nil, err
	}
	q := &Queue{
		cfg:      cfg,
		arn:      "arn:aws:sqs:local:000000000000:" + cfg.Name,
		now:      now,
		log:      log,
		st:       st,
		ready:    make(chan struct{}, 1),
		closed:   make(chan struct{}),
		msgs:     make(map[string]*message, len(stored)),
		receipts: map[string]string{},
		nextSeq:  1,
	}
	for _, m := range stored {
		q.msgs[m.id] = &message{seq: m.seq, id: m.id, body: m.body, md5: md5Hex(m.body), sentAt: m.sentAt,
			receiveCount: m.receiveCount, firstRecv: m.firstRecv, visibleAt: m.visibleAt}
		q.order = append(q.order, m.id)
		q.nextSeq = max(q.nextSeq, m.seq+1)
	}
	if q.visibleLocked() > 0 {
		q.signal()
	}
	return q, nil
}

// openDir opens the queue file in dir, creating it, or importing an old journal, first
// when there is none, and returns the messages it holds in send order.
func openDir(dir string, log *slog.Logger) (*store, []storedMessage, error) {
	path, journal := filepath.Join(dir, fileName), filepath.Join(dir, journalName)
	// A queue file left under its temporary name was never complete (createFile).
	if err := os.Remove(path + tmpSuffix); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("localqueue: %w", err)
	}
	haveFile, err := exists(path)
	if err != nil {
		return nil, nil, fmt.Errorf("localqueue: %w", err)
	}
	haveJournal, err := exists(journal)
	if err != nil {
		return nil, nil, fmt.Errorf("localqueue: %w", err)
	}
	switch {
	case !haveFile && haveJournal:
		if err := importJournal(path, journal); err != nil {
			return nil, nil, err
		}
		log.Info("imported the queue's journal into its queue file", "journal", journal, "file", path)
	case !haveFile:
		if err := createFile(path, nil, ""); err != nil {
			return nil, nil, err
		}
	}
	st, err := openStore(path)
	if err != nil {
		return nil, nil, err
	}
	msgs, mark, err := st.load()
	if err == nil && haveFile && haveJournal {
		err = finishImport(path, journal, mark)
	}
	if err != nil {
		st.db.Close()
		return nil, nil, err
	}
	return st, msgs, nil
}

// ARN is the queue's ARN as it appears in EventSourceARN, in the local pseudo-region
// "local" and account 000000000000.
func (q *Queue) ARN() string { return q.arn }

// VisibilityTimeout is the queue's visibility timeout.
func (q *Queue) VisibilityTimeout() time.Duration { return q.cfg.VisibilityTimeout }

// Close stops the queue, once every change made so far is durable; later calls fail with
// ErrClosed. It does not close DeadLetter.
func (q *Queue) Close() error {
	q.mu.Lock()
	if q.isClosed {
		q.mu.Unlock()
		return nil
	}
	q.isClosed = true
	close(q.closed)
	q.mu.Unlock()
	return q.st.close()
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
	if err := q.insert(m); err != nil {
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

// lockForChange locks q for a change: it fails when q is closed or its file stopped
// accepting changes.
func (q *Queue) lockForChange() error {
	q.mu.Lock()
	if q.isClosed {
		q.mu.Unlock()
		return ErrClosed
	}
	if err := q.st.broken(); err != nil {
		q.mu.Unlock()
		return err
	}
	return nil
}

// insert adds m (a new message, or one moving in from another queue, which keeps its id and
// send time) unless a message with its id is already here, and returns once it is durable.
func (q *Queue) insert(m *message) error {
	if err := q.lockForChange(); err != nil {
		return err
	}
	if _, dup := q.msgs[m.id]; dup {
		q.mu.Unlock()
		return nil
	}
	m.md5 = md5Hex(m.body)
	m.seq = q.nextSeq
	q.nextSeq++
	q.msgs[m.id] = m
	q.order = append(q.order, m.id)
	t := q.st.enqueue(change{seq: m.seq, id: m.id, record: encodeMessage(m.stored()), index: true, count: uint64(len(q.msgs))})
	q.mu.Unlock()
	if err := q.st.wait(t); err != nil {
		return err
	}
	// Wake a consumer. (One polling meanwhile may already have received the message.)
	q.signal()
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
// instead of being returned. The receive counts are durable when Receive returns, so a
// message that crashes its consumer still reaches the dead-letter queue.
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
	if err := q.lockForChange(); err != nil {
		return nil, err
	}
	now := q.now()
	var (
		out     []events.SQSMessage
		changes []change
		picked  []*message
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
				q.mu.Unlock()
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
		changes = append(changes, change{seq: m.seq, id: m.id, record: encodeMessage(m.stored()), count: uint64(len(q.msgs))})
		out = append(out, q.toSQS(m))
	}
	var t uint64
	if len(changes) > 0 {
		t = q.st.enqueue(changes...)
	}
	q.pruneLocked()
	q.mu.Unlock()
	if t > 0 {
		if err := q.st.wait(t); err != nil {
			return nil, err
		}
		q.restartVisibility(picked, out)
	}
	if len(picked) == max {
		q.signal() // more may be visible: wake another idle consumer
	}
	return out, nil
}

// restartVisibility starts the visibility timeout of received messages again once they are
// returned, as SQS starts it when ReceiveMessage returns, so the time their receive took to
// be committed is not taken from the consumer. The file keeps the earlier deadline: after a
// restart such a message is visible at most that commit's duration sooner. A message that
// was received again meanwhile (its commit outlasted the timeout) is left as it is: the
// handle returned here is stale, as in SQS.
func (q *Queue) restartVisibility(picked []*message, out []events.SQSMessage) {
	q.mu.Lock()
	defer q.mu.Unlock()
	visible := q.now().Add(q.cfg.VisibilityTimeout)
	for i, m := range picked {
		if m.receipt == out[i].ReceiptHandle && visible.After(m.visibleAt) {
			m.visibleAt = visible
		}
	}
}

// redriveLocked moves m to the dead-letter queue: durably into it first, then out of q, so
// a crash in between leaves it in both (the dead-letter queue ignores the second move).
func (q *Queue) redriveLocked(m *message) error {
	moved := &message{id: m.id, body: m.body, sentAt: m.sentAt}
	if err := q.cfg.DeadLetter.insert(moved); err != nil {
		return fmt.Errorf("localqueue: move %s to %s: %w", m.id, q.cfg.DeadLetter.cfg.Name, err)
	}
	q.removeLocked(m)
	return nil
}

// removeLocked forgets m and enqueues its deletion; the caller waits for the ticket.
func (q *Queue) removeLocked(m *message) uint64 {
	delete(q.msgs, m.id)
	if m.receipt != "" {
		delete(q.receipts, m.receipt)
	}
	return q.st.enqueue(change{seq: m.seq, id: m.id, count: uint64(len(q.msgs))})
}

// pruneLocked drops the ids of deleted messages from q.order once they are most of it.
func (q *Queue) pruneLocked() {
	if len(q.order) <= 2*len(q.msgs)+64 {
		return
	}
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

// Delete deletes the message a receipt handle was issued for, durably before it returns.
// The handle must be the one of the message's latest receive: after its visibility timeout
// ran out and it was received again, the older handle is stale and Delete returns
// ErrInvalidReceipt. Handles do not survive a restart.
func (q *Queue) Delete(ctx context.Context, receiptHandle string) error {
	return q.deleteBatch(ctx, []string{receiptHandle})[0]
}

// deleteBatch deletes the messages of several receipt handles in one commit, and returns
// each one's error.
func (q *Queue) deleteBatch(ctx context.Context, handles []string) []error {
	errs := make([]error, len(handles))
	fail := func(err error) []error {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if err := q.lockForChange(); err != nil {
		return fail(err)
	}
	var t uint64
	for i, h := range handles {
		id, ok := q.receipts[h]
		if !ok {
			errs[i] = ErrInvalidReceipt
			continue
		}
		t = q.removeLocked(q.msgs[id])
	}
	q.pruneLocked()
	q.mu.Unlock()
	if t > 0 {
		if err := q.st.wait(t); err != nil {
			for i := range errs {
				if errs[i] == nil {
					errs[i] = err
				}
			}
		}
	}
	return errs
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

// md5Hex is SQS's MD5OfMessageBody: the protocol names the digest, for integrity, not secrecy.
func md5Hex(s string) string {
	sum := md5.Sum([]byte(s)) //nolint:gosec // G401: SQS's MD5OfMessageBody is an MD5 by definition
	return hex.EncodeToString(sum[:])
}
