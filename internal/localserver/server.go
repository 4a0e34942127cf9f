// Package localserver is the local test server behind `go run ./cmd/local`: the inquiries
// API and its worker on a laptop, with no Docker, no AWS account and no network.
//
// It runs the code the Lambdas run, on the same payloads. Each HTTP request is turned into
// the API Gateway HTTP API (payload 2.0) event that API Gateway would send, the route key
// and path parameters found by matching httpapi.Routes as API Gateway matches routes (see
// "How API Gateway HTTP APIs treat request paths" in internal/apigw for what is known of
// that, with sources). Two differences are deliberate: a protected route is chosen only for
// the plain spelling of its path (no percent-escape, no double or trailing slash), because
// locally no authorizer guards it, so the other spellings go to $default and get the
// handler's 404; and the path is decoded once, where AWS was seen to decode %25xx a second
// time and to cut the path at an encoded "?". A request target that is not a path (CONNECT
// host:port) is answered with a 400 problem. With Config.Authorizer (cmd/local -stack), a
// request to a protected route must carry a token the stack's JWT authorizer would accept,
// checked as API Gateway checks it (internal/localauth, auth.go), and its claims go into the
// event. The event's JSON
// (apigw.AppendEventJSON) goes through apigw.Handler's Invoke, as in the api Lambda, and
// the response JSON comes back out as an HTTP response (apigw.WriteResponse). Events go to an in-process queue with SQS semantics (localqueue), whose
// consumer hands batches to the worker handler through aws-lambda-go's own JSON handler
// wrapper, as the worker Lambda gets them. Records and archive objects are files under the
// data directory (internal/adapters/local), so a restart keeps every record and every
// message not yet processed.
//
// Layout of the data directory:
//
//	table/records/               inquiry records (the DynamoDB table), one JSON file each
//	table/idem/                  idempotency keys, one JSON file each
//	table/pending/               Creates committed but not yet applied (finished at start)
//	archive/objects/             the archive bucket: inquiries/YYYY/MM/DD/<id>.json
//	queues/events/queue.db       the events queue: a bbolt file (internal/localqueue)
//	queues/events-dlq/queue.db   its dead-letter queue
//	token-signing-key.json       the development token key (cmd/local token, and -stack
//	                             with the local issuer)
//	LOCK                         held by the running server
//
// Records and archive objects stay plain JSON, to read and edit by hand. The server checks
// every record, key and queue file as it starts and refuses to start on a damaged one,
// naming the file, where it is damaged, and the command that repairs it:
// `go run ./cmd/local repair -data DIR` sets damaged files aside (table/damaged/<time>/...,
// queues/<name>/queue.db.damaged-<time>; nothing is deleted), keeps everything intact and
// reports what it could not keep. A queue directory that still holds the journal of earlier
// versions (journal.jsonl) is imported into its queue file once, and the journal kept as
// journal.jsonl.imported-<time>.
package localserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/groundwork-dev/groundwork/internal/adapters/local"
	"github.com/groundwork-dev/groundwork/internal/apigw"
	"github.com/groundwork-dev/groundwork/internal/httpapi"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/localauth"
	"github.com/groundwork-dev/groundwork/internal/localqueue"
	"github.com/groundwork-dev/groundwork/internal/randid"
	"github.com/groundwork-dev/groundwork/internal/worker"
)

// MaxRequestBytes is the largest request body the server passes on, 10 MiB, API Gateway
// HTTP APIs' payload limit; a larger body is answered 413 before the handler runs, as API
// Gateway does. (The handler itself refuses bodies over httpapi.MaxBodyBytes.)
const MaxRequestBytes = 10 << 20

// Bounds on each client connection, so that a client that stops sending (headers never
// finished, a body shorter than its Content-Length) or leaves a keep-alive connection open
// does not hold a connection and its goroutine until the client gives up.
const (
	// readHeaderTimeout bounds reading a request line and its headers (a slow-headers
	// client). 10s: a local client sends them at once; a person typing into nc is not one.
	readHeaderTimeout = 10 * time.Second
	// readTimeout bounds reading a whole request, body included; a body not complete by then
	// is answered 408 and the connection closed. 30s: on loopback the largest body passed on
	// (MaxRequestBytes) takes milliseconds; 30s is also API Gateway HTTP APIs' integration
	// timeout, the longest a request lives in AWS. net/http cancels a request's context once
	// this has passed, so it bounds the handler too, as that timeout does.
	readTimeout = 30 * time.Second
	// writeTimeout bounds a request from the end of its headers to the end of its response:
	// reading the body (readTimeout) and then running the handler (the 30s integration
	// timeout) fit in it.
	writeTimeout = readTimeout + 30*time.Second
	// idleTimeout bounds how long a keep-alive connection waits for its next request. 60s,
	// the default idle timeout of AWS's Application Load Balancer: long enough for a client
	// that reuses connections between requests, short enough that abandoned ones go.
	idleTimeout = 60 * time.Second
)

// timeouts are an http.Server's bounds on its connections.
type timeouts struct{ readHeader, read, write, idle time.Duration }

var defaultTimeouts = timeouts{readHeader: readHeaderTimeout, read: readTimeout, write: writeTimeout, idle: idleTimeout}

// Defaults for the zero values in Config.
const (
	DefaultMaxReceiveCount = 5
	DefaultShutdownTimeout = 10 * time.Second
)

// Config configures a Server.
type Config struct {
	// DataDir holds the records, the archive and the queues; it is created when missing.
	// Required.
	DataDir string
	// VisibilityTimeout is the events queue's visibility timeout: how long a failed message
	// waits before it is retried, and the worker's time limit per batch; more than 0 and at
	// most 12h (SQS's limit). Zero means 30s.
	VisibilityTimeout time.Duration
	// MaxReceiveCount is how many times an event is tried before it moves to the
	// dead-letter queue, 1 to 1000 (SQS's limit). Zero means 5.
	MaxReceiveCount int
	// BatchSize is the most events per worker invocation, 1 to 10. Zero means 10.
	BatchSize int
	// Concurrency is how many worker invocations may run at once, 1 to 1000 (the event source
	// mapping's limit). Zero means 1.
	Concurrency int
	// NoWorker leaves events in the queue, unconsumed, for inspection: a later run with
	// the worker processes them. False (the zero value) runs the worker.
	NoWorker bool
	// ShutdownTimeout bounds how long Serve waits for in-flight requests once its context
	// is done; requests still running then are cut off. It must not be negative. Zero means
	// 10s.
	ShutdownTimeout time.Duration
	// Logger receives one Info record per request and the worker's and service's records.
	// Nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock of the service and the queues. Nil means time.Now.
	Now func() time.Time
	// WrapAPI, when set, wraps the api Lambda's handler h: each request's event JSON goes to
	// WrapAPI(h) instead of h. Nil means h itself. The parity suite (internal/parity) uses it
	// to put the built bootstrap, under the Lambda Runtime Interface Emulator, behind this
	// server's API Gateway emulation in h's place, and to alter events on their way to h.
	WrapAPI func(h lambda.Handler) lambda.Handler
	// Authorizer checks the token of each request to a protected route before the handler
	// runs, as the stack's JWT authorizer does in AWS, and its claims go into the event
	// (see auth.go). Nil means no check: protected routes serve anyone.
	Authorizer *localauth.Authorizer
	// Lock is the data directory's lock, already held (LockDir, InheritLock): the server
	// uses it and Close leaves it held, for the next server on the directory. Nil means New
	// takes the lock and Close releases it.
	Lock *DirLock

	hooks hooks // test seams, set by this package's tests only
}

// hooks lets tests observe and perturb the server's parts.
type hooks struct {
	records   func(inquiry.RecordStore) inquiry.RecordStore
	archive   func(inquiry.ArchiveStore) inquiry.ArchiveStore
	publisher func(inquiry.Publisher) inquiry.Publisher
	processor func(worker.Processor) worker.Processor
	timeouts  *timeouts // nil means defaultTimeouts
	connState func(net.Conn, http.ConnState)
	grace     time.Duration // zero means silentGrace
}

// Server is the local server: the API, the events queue and the worker. Use New, then
// Serve; Close releases the data directory.
type Server struct {
	cfg      Config
	log      *slog.Logger
	records  *local.Store
	archive  *local.Archive
	queue    *localqueue.Queue
	dlq      *localqueue.Queue
	svc      *inquiry.Service
	api      lambda.Handler // the api Lambda's handler: event JSON in, response JSON out
	consumer *localqueue.Consumer

	lock      *dirLock // held on the data directory until Close
	closeOnce sync.Once
	closeErr  error
}

// New opens the data directory and builds the server. It neither listens nor consumes until
// Serve.
//
// A field out of its range is an error naming the field and the range, before the data
// directory is touched; a zero value means the field's default.
func New(cfg Config) (*Server, error) {
	cfg, err := withDefaults(cfg)
	if err != nil {
		return nil, err
	}
	now := cfg.Now
	s := &Server{cfg: cfg, log: cfg.Logger}
	if s.lock, err = lockFor(cfg); err != nil {
		return nil, fmt.Errorf("localserver: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			_ = s.release() // New already returns the error that stopped it
		}
	}()
	if s.records, err = local.Open(filepath.Join(cfg.DataDir, "table"), local.WithClock(now)); err != nil {
		return nil, err
	}
	if s.archive, err = local.NewArchive(filepath.Join(cfg.DataDir, "archive")); err != nil {
		return nil, err
	}
	if s.dlq, err = localqueue.Open(localqueue.Config{
		Dir: filepath.Join(cfg.DataDir, "queues", "events-dlq"), Name: "events-dlq", Now: now, Logger: s.log,
	}); err != nil {
		return nil, err
	}
	if s.queue, err = localqueue.Open(localqueue.Config{
		Dir: filepath.Join(cfg.DataDir, "queues", "events"), Name: "events", Now: now,
		VisibilityTimeout: cfg.VisibilityTimeout, MaxReceiveCount: cfg.MaxReceiveCount, DeadLetter: s.dlq,
		Logger: s.log,
	}); err != nil {
		return nil, err
	}

	var (
		records inquiry.RecordStore  = s.records
		archive inquiry.ArchiveStore = s.archive
		pub     inquiry.Publisher    = s.queue
	)
	if cfg.hooks.records != nil {
		records = cfg.hooks.records(records)
	}
	if cfg.hooks.archive != nil {
		archive = cfg.hooks.archive(archive)
	}
	if cfg.hooks.publisher != nil {
		pub = cfg.hooks.publisher(pub)
	}
	s.svc = inquiry.NewService(records, archive, pub, inquiry.WithClock(now), inquiry.WithLogger(s.log))
	s.api = apigw.Handler(httpapi.NewHandler(s.svc, httpapi.WithLogger(s.log)))
	if cfg.WrapAPI != nil {
		s.api = cfg.WrapAPI(s.api)
	}

	var proc worker.Processor = s.svc
	if cfg.hooks.processor != nil {
		proc = cfg.hooks.processor(proc)
	}
	s.consumer = &localqueue.Consumer{
		Queue:       s.queue,
		Handler:     viaLambda(func() lambda.Handler { return lambda.NewHandler(worker.New(proc, s.log).Handle) }),
		BatchSize:   cfg.BatchSize,
		Concurrency: cfg.Concurrency,
		Logger:      s.log,
	}
	ok = true
	return s, nil
}

// viaLambda turns the worker's Lambda handler back into a queue handler, with the event
// and the response passing through aws-lambda-go's JSON handling as they do between Lambda
// and the function. Like a Lambda execution environment, a handler from newHandler serves
// one invocation at a time (aws-lambda-go reuses its encoding buffer), so concurrent
// batches each get their own, from a pool.
func viaLambda(newHandler func() lambda.Handler) localqueue.Handler {
	environments := sync.Pool{New: func() any { return newHandler() }}
	return func(ctx context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
		payload, err := json.Marshal(e)
		if err != nil {
			return events.SQSEventResponse{}, err
		}
		h := environments.Get().(lambda.Handler)
		defer environments.Put(h)
		ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: randid.UUID()})
		out, err := h.Invoke(ctx, payload)
		if err != nil {
			return events.SQSEventResponse{}, err
		}
		var resp events.SQSEventResponse
		if err := json.Unmarshal(out, &resp); err != nil { // before h (and out's buffer) is reused
			return events.SQSEventResponse{}, fmt.Errorf("decode worker response: %w", err)
		}
		return resp, nil
	}
}

// WorkerHandler returns the handler the consumer gives each batch to: the worker Lambda's
// handler behind aws-lambda-go's JSON handling (viaLambda). Tests hand it batches of their
// own, as an event source mapping would (the parity suite, internal/parity).
func (s *Server) WorkerHandler() localqueue.Handler { return s.consumer.Handler }

// Queues returns the events queue and its dead-letter queue, for inspection.
func (s *Server) Queues() (events, deadLetter *localqueue.Queue) { return s.queue, s.dlq }

// Serve answers HTTP requests on ln and, unless Config.NoWorker is set, runs the worker on
// the events queue, until ctx is done. It then shuts down in order: the listener closes and
// in-flight requests finish (at most Config.ShutdownTimeout), every connection accepted
// answered (see drain), so every accepted inquiry's event is in the queue; then the worker
// finishes the batch it is in; then Serve returns.
// Serve does not close the data directory: call Close for that.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := s.httpServer()
	conns := trackConns(srv, s.cfg.hooks.connState)
	workerCtx, stopWorker := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWorker()
	var workerDone sync.WaitGroup
	if !s.cfg.NoWorker {
		workerDone.Go(func() {
			if err := s.consumer.Run(workerCtx); err != nil {
				s.log.Error("worker stopped", "error", err)
			}
		})
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var err error
	select {
	case err = <-served: // the listener failed
	case <-ctx.Done():
		err = s.drain(ctx, srv, conns, ln, served)
	}
	stopWorker()
	workerDone.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// httpServer returns the server Serve runs: this Server as its handler, connections bounded
// by the timeouts above.
func (s *Server) httpServer() *http.Server {
	t := defaultTimeouts
	if s.cfg.hooks.timeouts != nil {
		t = *s.cfg.hooks.timeouts
	}
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: t.readHeader,
		ReadTimeout:       t.read,
		WriteTimeout:      t.write,
		IdleTimeout:       t.idle,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Close closes the queues and releases the data directory. The records and the archive
// hold no open files. Close after Serve has returned.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.release() })
	return s.closeErr
}

// release closes what New opened, in reverse order.
func (s *Server) release() error {
	var errs []error
	if s.queue != nil {
		errs = append(errs, s.queue.Close())
	}
	if s.dlq != nil {
		errs = append(errs, s.dlq.Close())
	}
	if s.cfg.Lock == nil {
		errs = append(errs, s.lock.unlock())
	}
	return errors.Join(errs...)
}

// ServeHTTP does what API Gateway does for a request: it builds the payload 2.0 event,
// invokes the api handler with its JSON, and writes the response JSON back as HTTP.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	status := s.serve(w, r)
	if s.log.Enabled(r.Context(), slog.LevelInfo) {
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.RequestURI()),
			slog.Int("status", status), slog.Duration("duration", time.Since(start)))
	}
}

// Bodies of the answers API Gateway gives itself, without invoking the function.
var (
	gatewayTooLarge = []byte(`{"message":"Request Entity Too Large"}`)
	gatewayError    = []byte(`{"message":"Internal Server Error"}`)
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) int {
	var body []byte
	var err error
	if r.Body != nil && r.Body != http.NoBody {
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	}
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return writeGateway(w, http.StatusRequestEntityTooLarge, gatewayTooLarge)
		}
		return bodyReadFailed(w, err)
	}
	if !strings.HasPrefix(r.URL.Path, "/") {
		// CONNECT host:port, OPTIONS *: no path, so no route and no event API Gateway could
		// send. Answered here, as a client error, before the handler.
		httpapi.WriteProblem(w, http.StatusBadRequest, fmt.Sprintf(
			"%s %s: the request target must be a path; this server is not a proxy", r.Method, r.RequestURI))
		return http.StatusBadRequest
	}
	routeKey, params := chooseRoute(r.Method, r.URL.EscapedPath())
	ev := apigw.EventFromRequest(r, body, routeKey, params)
	if status := s.authorize(w, r, &ev); status != 0 {
		return status
	}
	buf := buffers.Get().(*[]byte)
	defer putBuffer(buf)
	payload, err := apigw.AppendEventJSON((*buf)[:0], &ev)
	*buf = payload
	if err != nil {
		s.log.Error("encode API Gateway event", "error", err)
		return writeGateway(w, http.StatusInternalServerError, gatewayError)
	}
	ctx := lambdacontext.NewContext(r.Context(), &lambdacontext.LambdaContext{AwsRequestID: ev.RequestContext.RequestID})
	out, err := s.api.Invoke(ctx, payload)
	if err != nil {
		s.log.Error("api handler failed", "error", err)
		return writeGateway(w, http.StatusInternalServerError, gatewayError)
	}
	w.Header()["Apigw-Requestid"] = []string{ev.RequestContext.RequestID}
	sw := &statusWriter{ResponseWriter: w}
	if err := apigw.WriteResponse(sw, out); err != nil {
		s.log.Error("api handler response", "error", err)
		delete(w.Header(), "Apigw-Requestid")
		return writeGateway(w, http.StatusBadGateway, gatewayError)
	}
	return sw.status
}

// chooseRoute picks the route key and path parameters of the event for a request, from its
// method and escaped path: the route API Gateway would choose (httpapi.Match), with one
// deliberate difference. Locally no JWT authorizer guards the protected routes, so a
// protected route is chosen only for the one spelling of its path, escapedPath written
// plainly (no percent-escape, no empty segment); every other spelling API Gateway would also
// send to it (%2F for a slash, %69 for an "i", a double or trailing slash) goes to $default
// here, and the handler refuses a protected path to $default with 404. In AWS the same
// requests meet the route's authorizer.
func chooseRoute(method, escapedPath string) (routeKey string, params map[string]string) {
	rt, p, ok := httpapi.Match(method, escapedPath)
	if !ok || (!rt.Public && !plainPath(escapedPath)) {
		return defaultRoute, nil
	}
	return rt.Key(), p
}

// defaultRoute is the route key of API Gateway's catch-all route.
const defaultRoute = "$default"

// plainPath reports whether a path is spelled the way route paths are written: no
// percent-escape, no empty segment (double or trailing slash).
func plainPath(escapedPath string) bool {
	return !strings.Contains(escapedPath, "%") && !strings.Contains(escapedPath, "//") &&
		(escapedPath == "/" || !strings.HasSuffix(escapedPath, "/"))
}

// statusWriter remembers the status written, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// buffers holds event encoding buffers between requests.
var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// maxPooledBytes bounds the buffers kept in buffers for the next request, as in
// internal/apigw: the buffer of a multi-MiB request (up to MaxRequestBytes, base64 included)
// is left to the garbage collector rather than held by the pool for a small request.
const maxPooledBytes = 256 << 10

// putBuffer returns buf to buffers unless it grew over maxPooledBytes.
func putBuffer(buf *[]byte) {
	if cap(*buf) > maxPooledBytes {
		return
	}
	*buf = (*buf)[:0]
	buffers.Put(buf)
}

// bodyReadFailed answers a request whose body could not be read in full, as the gateway
// would, without invoking the handler: 408 when the body did not arrive within readTimeout
// (a body shorter than its Content-Length), else 400 (the client ended the body early). Not
// answering would let net/http answer 200 with an empty body to a client still reading.
// The connection is closed after: what is left of the request on it cannot be told apart
// from a next request.
func bodyReadFailed(w http.ResponseWriter, err error) int {
	var (
		gatewayTimeout    = []byte(`{"message":"Request Timeout"}`)
		gatewayBadRequest = []byte(`{"message":"Bad Request"}`)
	)
	w.Header()["Connection"] = []string{"close"}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return writeGateway(w, http.StatusRequestTimeout, gatewayTimeout)
	}
	return writeGateway(w, http.StatusBadRequest, gatewayBadRequest)
}

func writeGateway(w http.ResponseWriter, status int, body []byte) int {
	w.Header()["Content-Type"] = []string{"application/json"}
	w.WriteHeader(status)
	_, _ = w.Write(body) //nolint:gosec // G705: body is one of this file's constant JSON answers
	return status
}
