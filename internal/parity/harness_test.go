package parity

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/groundwork-dev/groundwork/internal/adapters/local"
	"github.com/groundwork-dev/groundwork/internal/apigw"
	"github.com/groundwork-dev/groundwork/internal/awsemu"
	"github.com/groundwork-dev/groundwork/internal/httpapi"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/localqueue"
	"github.com/groundwork-dev/groundwork/internal/localserver"
	"github.com/groundwork-dev/groundwork/internal/worker"
)

// side is one implementation under test, seen as its clients and its event source see it.
type side struct {
	name string
	// gateway is API Gateway's part: route choice, event, invoke, response (a local server).
	gateway *localserver.Server
	// worker is the worker function as an event source mapping invokes it.
	worker localqueue.Handler
	// drain returns the bodies of the events the API published since the last drain.
	drain func(ctx context.Context) ([]string, error)
	// archived returns the archived object at key.
	archived func(ctx context.Context, key string) ([]byte, error)

	apiTimes, workerTimes timings
	auth                  *authorizer // API Gateway's JWT authorizer, until the local server has its own
	norm                  normalizer
	saved                 map[string]string // inquiry ids saved by cases, by name
	published             map[string]string // the last published event body, by inquiry id
}

// invokeFunc makes a function a lambda.Handler.
type invokeFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f invokeFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// timings records how long invocations took.
type timings struct {
	mu sync.Mutex
	d  []time.Duration
}

func (t *timings) add(d time.Duration) {
	t.mu.Lock()
	t.d = append(t.d, d)
	t.mu.Unlock()
}

func (t *timings) all() []time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.d)
}

func (t *timings) reset() {
	t.mu.Lock()
	t.d = nil
	t.mu.Unlock()
}

// timeAPI wraps an api handler to record how long each invocation takes.
func (t *timings) timeAPI(next lambda.Handler) lambda.Handler {
	return invokeFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		start := time.Now()
		out, err := next.Invoke(ctx, payload)
		t.add(time.Since(start))
		return out, err
	})
}

// timeWorker wraps a worker handler to record how long each invocation takes.
func (t *timings) timeWorker(next localqueue.Handler) localqueue.Handler {
	return func(ctx context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
		start := time.Now()
		resp, err := next(ctx, e)
		t.add(time.Since(start))
		return resp, err
	}
}

// breaks are deliberate faults injected on the local side only, to show that the suite sees
// a difference there.
type breaks struct {
	// api wraps the local side's api handler (after the authorizer, so it sees the event the
	// handler would get).
	api func(lambda.Handler) lambda.Handler
	// worker wraps the local side's worker handler.
	worker func(localqueue.Handler) localqueue.Handler
}

// world is one run of the suite: the emulators, the two sides, and what they share.
type world struct {
	local, remote *side
	apiRIE        *rie
	workerRIE     *rie
	run           string // stands for {run} in cases, so that a case list can run again
}

// quiet is the logger of the local servers: the suite compares answers, not logs.
var quiet = slog.New(slog.DiscardHandler)

// newWorld starts the emulators (awsemu: so t may not be parallel), a table, a bucket and a
// queue on them, the two bootstraps under the RIE, and the two sides' local servers.
func newWorld(t testing.TB, brk breaks) *world {
	t.Helper()
	findRIE(t) // first: without it nothing else is worth starting
	emu := awsemu.Start(t)
	const table, bucket = "inquiries-parity", "archive-parity"
	emu.CreateTable(t, table)
	emu.CreateBucket(t, bucket)
	queueURL := createQueue(t, emu)

	w := &world{}
	w.local = &side{name: "local", norm: newNormalizer(), saved: map[string]string{}}
	w.remote = &side{name: "bootstrap under the RIE", norm: newNormalizer(), saved: map[string]string{}}

	// The local side: the local server, invoking its in-process handler on its own file
	// adapters and queue.
	localDir := t.TempDir()
	ls, err := localserver.New(w.local.gatewayConfig(localDir, func(h lambda.Handler) lambda.Handler {
		if brk.api != nil {
			h = brk.api(h)
		}
		return w.local.apiTimes.timeAPI(h)
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ls.Close() })
	w.local.gateway = ls
	wh := ls.WorkerHandler()
	if brk.worker != nil {
		wh = brk.worker(wh)
	}
	w.local.worker = w.local.workerTimes.timeWorker(withFunctionTimeout(wh))
	queue, _ := ls.Queues()
	w.local.drain = func(ctx context.Context) ([]string, error) { return drainLocal(ctx, queue) }
	archive, err := local.NewArchive(filepath.Join(localDir, "archive"))
	if err != nil {
		t.Fatal(err)
	}
	w.local.archived = archive.Get

	// The other side: the bootstraps under the RIE on the emulators, behind a local server
	// whose api handler is the api bootstrap's RIE (the server's own stores stay empty).
	w.apiRIE = startRIE(t, "api", bootstrap(t, "./cmd/api"), functionEnv(t, emu, "api",
		"TABLE_NAME="+table, "QUEUE_URL="+queueURL))
	w.workerRIE = startRIE(t, "worker", bootstrap(t, "./cmd/worker"), functionEnv(t, emu, "worker",
		"TABLE_NAME="+table, "BUCKET_NAME="+bucket))
	rs, err := localserver.New(w.remote.gatewayConfig(t.TempDir(), func(lambda.Handler) lambda.Handler {
		return w.remote.apiTimes.timeAPI(w.apiRIE)
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rs.Close() })
	w.remote.gateway = rs
	w.remote.worker = w.remote.workerTimes.timeWorker(invokeWorker(w.workerRIE))
	sqsClient := emu.SQSClient()
	w.remote.drain = func(ctx context.Context) ([]string, error) { return drainSQS(ctx, sqsClient, queueURL) }
	s3Client := emu.S3Client()
	w.remote.archived = func(ctx context.Context, key string) ([]byte, error) {
		out, err := s3Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			return nil, err
		}
		defer out.Body.Close()
		return io.ReadAll(out.Body)
	}
	return w
}

// gatewayConfig configures the local server of either side: the same API Gateway emulation
// (route choice, event, response), the same authorizer, in front of invoke (which gets the
// in-process handler, and returns what the side invokes in its place).
//
// The authorizer is the stand-in below until the local server verifies JWTs itself; then
// this is the one place to change: drop authorize (authorize := identity) and give both
// sides the server's own verification here, with readerToken minted by its token command.
func (s *side) gatewayConfig(dir string, invoke func(lambda.Handler) lambda.Handler) localserver.Config {
	s.auth = newAuthorizer()
	authorize := s.auth.wrap
	return localserver.Config{DataDir: dir, NoWorker: true, Logger: quiet,
		WrapAPI: func(h lambda.Handler) lambda.Handler { return authorize(invoke(h)) }}
}

// functionEnv is a bootstrap's whole environment under the RIE: what Lambda would give the
// function (its configured variables, region, credentials), the emulators' endpoints, and
// nothing of the test process's, so no shared AWS config or credentials file is read.
func functionEnv(t testing.TB, emu *awsemu.Emulators, name string, vars ...string) []string {
	none := filepath.Join(t.TempDir(), "none")
	return append([]string{
		"AWS_LAMBDA_FUNCTION_NAME=" + name,
		fmt.Sprintf("AWS_LAMBDA_FUNCTION_TIMEOUT=%d", int(functionTimeout.Seconds())),
		"AWS_REGION=" + awsemu.Region,
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY=secret",
		"AWS_CONFIG_FILE=" + none,
		"AWS_SHARED_CREDENTIALS_FILE=" + none,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_ENDPOINT_URL_DYNAMODB=" + emu.DynamoDB,
		"AWS_ENDPOINT_URL_SQS=" + emu.SQS,
		"AWS_ENDPOINT_URL_S3=" + emu.S3,
	}, vars...)
}

var queueSeq int

// createQueue creates the events queue on the SQS emulator, with SQS's default visibility
// timeout (goaws's own default is 0) and a name no other world of this process has used
// (goaws's queues are process-wide).
func createQueue(t testing.TB, emu *awsemu.Emulators) string {
	t.Helper()
	queueSeq++
	out, err := emu.SQSClient().CreateQueue(context.Background(), &sqs.CreateQueueInput{
		QueueName:  aws.String(fmt.Sprintf("parity-events-%d", queueSeq)),
		Attributes: map[string]string{"VisibilityTimeout": "30"},
	})
	if err != nil {
		t.Fatalf("create the events queue: %v", err)
	}
	return aws.ToString(out.QueueUrl)
}

// withFunctionTimeout gives each local worker invocation the deadline the RIE gives the
// worker bootstrap (its function timeout), as the local consumer gives it the queue's
// visibility timeout.
func withFunctionTimeout(h localqueue.Handler) localqueue.Handler {
	return func(ctx context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
		ctx, cancel := context.WithTimeout(ctx, functionTimeout)
		defer cancel()
		return h(ctx, e)
	}
}

// invokeWorker is the worker bootstrap under the RIE as a queue handler: the batch goes as
// the JSON an event source mapping sends, and its answer must be a SQSEventResponse and
// nothing else.
func invokeWorker(r *rie) localqueue.Handler {
	return func(ctx context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
		payload, err := json.Marshal(e)
		if err != nil {
			return events.SQSEventResponse{}, err
		}
		out, err := r.Invoke(ctx, payload)
		if err != nil {
			return events.SQSEventResponse{}, err
		}
		var resp events.SQSEventResponse
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&resp); err != nil {
			return events.SQSEventResponse{}, fmt.Errorf("the worker's answer %s is not a SQSEventResponse: %w", out, err)
		}
		return resp, nil
	}
}

// drainLocal receives and deletes every visible message of a local queue.
func drainLocal(ctx context.Context, q *localqueue.Queue) ([]string, error) {
	var bodies []string
	for {
		msgs, err := q.Receive(ctx, 10)
		if err != nil || len(msgs) == 0 {
			return bodies, err
		}
		for _, m := range msgs {
			bodies = append(bodies, m.Body)
			if err := q.Delete(ctx, m.ReceiptHandle); err != nil {
				return nil, err
			}
		}
	}
}

// drainSQS receives and deletes every visible message of a queue of the SQS emulator.
func drainSQS(ctx context.Context, c *sqs.Client, url string) ([]string, error) {
	var bodies []string
	for {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
		if err != nil || len(out.Messages) == 0 {
			return bodies, err
		}
		for _, m := range out.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
			if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				return nil, err
			}
		}
	}
}

// authorizer stands in for API Gateway's JWT authorizer, on both sides alike, until the local
// server verifies tokens itself: for an event on a protected route whose Authorization header
// carries one of its bearer tokens, it puts the token's claims and scopes in
// requestContext.authorizer.jwt, as API Gateway does after its authorizer accepted the token;
// every other event passes unchanged (as on a stack without an authorizer).
type authorizer struct {
	tokens     map[string]grant
	authorized atomic.Int64 // events given claims
}

// grant is what API Gateway's JWT authorizer puts in an event for a token: the token's
// claims, every value a string (API Gateway turns numbers into strings), and its scopes.
type grant struct {
	claims map[string]string
	scopes []string
}

// readerToken is a bearer token the authorizer accepts, with the scope reading an inquiry
// needs where a stack requires one (auth.readScope).
const readerToken = "parity-reader-token"

func newAuthorizer() *authorizer {
	return &authorizer{tokens: map[string]grant{
		readerToken: {
			claims: map[string]string{
				"iss":       "https://issuer.example.test/",
				"sub":       "user-1",
				"aud":       "groundwork-api",
				"client_id": "parity",
				"scope":     "inquiries:read",
				"iat":       "1767225600",
				"exp":       "4102444800",
				// Text that a JSON writer must escape, and a non-ASCII letter.
				"name": "Zoë \"Z\" <z@example.test>\\",
			},
			scopes: []string{"inquiries:read"},
		},
	}}
}

// protected reports whether routeKey is a route that needs the authorizer.
func protected(routeKey string) bool {
	for _, rt := range httpapi.Routes {
		if !rt.Public && rt.Key() == routeKey {
			return true
		}
	}
	return false
}

// wrap puts the authorizer in front of next.
func (a *authorizer) wrap(next lambda.Handler) lambda.Handler {
	return invokeFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		var e events.APIGatewayV2HTTPRequest
		if json.Unmarshal(payload, &e) != nil || !protected(e.RouteKey) {
			return next.Invoke(ctx, payload)
		}
		token, ok := strings.CutPrefix(e.Headers["authorization"], "Bearer ")
		g, known := a.tokens[token]
		if !ok || !known {
			return next.Invoke(ctx, payload)
		}
		e.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: g.claims, Scopes: g.scopes},
		}
		payload, err := apigw.AppendEventJSON(nil, &e)
		if err != nil {
			return nil, err
		}
		a.authorized.Add(1)
		return next.Invoke(ctx, payload)
	})
}

// Patterns of what legitimately differs between the sides (see the package doc).
var (
	idPattern          = regexp.MustCompile(`\b[0-7][0-9A-HJKMNP-TV-Z]{25}\b`)
	timePattern        = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})`)
	archiveDatePattern = regexp.MustCompile(`inquiries/\d{4}/\d{2}/\d{2}/`)
)

// normalizer replaces a side's generated ids, timestamps and archive dates (see the package
// doc). Ids are numbered in the order the side first shows them.
type normalizer struct{ ids map[string]int }

func newNormalizer() normalizer { return normalizer{ids: map[string]int{}} }

func (n *normalizer) text(s string) string {
	s = idPattern.ReplaceAllStringFunc(s, func(id string) string {
		if !inquiry.ValidID(id) {
			return id
		}
		k, ok := n.ids[id]
		if !ok {
			k = len(n.ids) + 1
			n.ids[id] = k
		}
		return fmt.Sprintf("<id-%d>", k)
	})
	s = timePattern.ReplaceAllString(s, "<time>")
	return archiveDatePattern.ReplaceAllString(s, "inquiries/<date>/")
}

// requestIDHeader is the response header the local server sets to the event's request id.
const requestIDHeader = "Apigw-Requestid"

// answer is one side's response to a case, normalized, as text: status, headers (sorted,
// one line per value), a blank line, the body.
type answer struct {
	status   int
	location string // the raw Location header, for saving ids
	body     []byte // the raw body
	text     string
}

// send sends a case's request to the side and normalizes the answer.
func (s *side) send(c apiCase, run string) (answer, error) {
	r, err := c.request(s, run)
	if err != nil {
		return answer{}, err
	}
	rec := httptest.NewRecorder()
	s.gateway.ServeHTTP(rec, r)
	var b strings.Builder
	fmt.Fprintf(&b, "%d\n", rec.Code)
	h := rec.Header()
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range h[k] {
			if k == requestIDHeader && v != "" {
				v = "<request-id>"
			}
			fmt.Fprintf(&b, "%s: %s\n", k, s.norm.text(v))
		}
	}
	b.WriteString("\n")
	b.WriteString(s.norm.text(rec.Body.String()))
	return answer{status: rec.Code, location: h.Get("Location"), body: rec.Body.Bytes(), text: b.String()}, nil
}

// clientAddr is the address the requests come from.
const clientAddr = "198.51.100.7:50123"

// request builds the case's request as a server reads it off the wire (http.ReadRequest),
// with the side's saved ids in place of {name} in the target and headers, and run in place
// of {run}.
func (c apiCase) request(s *side, run string) (*http.Request, error) {
	pairs := []string{"{run}", run}
	for name, id := range s.saved {
		pairs = append(pairs, "{"+name+"}", id)
	}
	expand := strings.NewReplacer(pairs...).Replace
	target := expand(c.target)
	if strings.Contains(target, "{") {
		return nil, fmt.Errorf("target %q names an id no earlier case saved", target)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: api.example.test\r\nUser-Agent: groundwork-parity/1\r\n", c.method, target)
	for _, h := range c.header {
		b.WriteString(expand(h))
		b.WriteString("\r\n")
	}
	if c.body != "" || c.method == http.MethodPost {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(c.body))
	}
	b.WriteString("\r\n")
	b.WriteString(c.body)
	r, err := http.ReadRequest(bufio.NewReader(&b))
	if err != nil {
		return nil, fmt.Errorf("case request does not parse: %w", err)
	}
	r.RemoteAddr = clientAddr
	return r, nil
}

// result is a case's outcome on both sides.
type result struct {
	name          string
	local, remote string
	// problem is what is wrong: a difference between the sides, or the local side's status
	// not the case's; empty when the case passed.
	problem string
}

func differ(local, remote string) string {
	return fmt.Sprintf("the sides answer differently\n--- local server:\n%s\n--- bootstrap under the RIE:\n%s", local, remote)
}

// runAPI sends each case to both sides, local first, and compares their answers.
func (w *world) runAPI(cases []apiCase) []result {
	var results []result
	for _, c := range cases {
		res := result{name: c.name}
		la, lerr := w.local.send(c, w.run)
		ra, rerr := w.remote.send(c, w.run)
		switch {
		case lerr != nil || rerr != nil:
			res.problem = fmt.Sprintf("the case could not be sent: local: %v; bootstrap: %v", lerr, rerr)
		case la.text != ra.text:
			res.problem = differ(la.text, ra.text)
		case la.status != c.status:
			res.problem = fmt.Sprintf("both sides answered %d; the case expects %d:\n%s", la.status, c.status, la.text)
		}
		res.local, res.remote = la.text, ra.text
		if c.save != "" {
			for _, sd := range []struct {
				s *side
				a answer
			}{{w.local, la}, {w.remote, ra}} {
				id, ok := strings.CutPrefix(sd.a.location, "/v1/inquiries/")
				if !ok || !inquiry.ValidID(id) {
					res.problem += fmt.Sprintf("\n%s: no inquiry id to save as %q in Location %q", sd.s.name, c.save, sd.a.location)
					continue
				}
				sd.s.saved[c.save] = id
			}
		}
		results = append(results, res)
	}
	return results
}

// comparePublished drains both sides' queues and compares the events their APIs published,
// as sets of normalized bodies (SQS does not keep order). It also records each side's last
// event per inquiry, for the worker cases.
func (w *world) comparePublished(ctx context.Context) result {
	res := result{name: "published events"}
	var texts [2]string
	for i, s := range []*side{w.local, w.remote} {
		bodies, err := s.drain(ctx)
		if err != nil {
			res.problem = fmt.Sprintf("%s: drain the events queue: %v", s.name, err)
			return res
		}
		s.published = map[string]string{}
		norm := make([]string, len(bodies))
		for j, body := range bodies {
			if ev, err := worker.Decode(body); err == nil {
				s.published[ev.InquiryID] = body
			}
			norm[j] = s.norm.text(body)
		}
		sort.Strings(norm)
		texts[i] = strings.Join(norm, "\n")
	}
	res.local, res.remote = texts[0], texts[1]
	if texts[0] != texts[1] {
		res.problem = differ(texts[0], texts[1])
	} else if texts[0] == "" {
		res.problem = "neither side published an event"
	}
	return res
}

// message is one record of a worker case's batch.
type message struct {
	id string
	// body returns the message body for a side.
	body func(s *side, now time.Time) (string, error)
}

// publishedEvent is the body of the event the side's API published for the inquiry saved as
// name.
func publishedEvent(name string) func(*side, time.Time) (string, error) {
	return func(s *side, _ time.Time) (string, error) {
		id, ok := s.saved[name]
		if !ok {
			return "", fmt.Errorf("no inquiry saved as %q", name)
		}
		body, ok := s.published[id]
		if !ok {
			return "", fmt.Errorf("%s published no event for %s (%s)", s.name, name, id)
		}
		return body, nil
	}
}

// literal is a fixed body.
func literal(body string) func(*side, time.Time) (string, error) {
	return func(*side, time.Time) (string, error) { return body, nil }
}

// eventOfUnknownInquiry is a well-formed inquiry.received event for an inquiry that was
// never stored, age old: younger than inquiry.OrphanGrace its record may still be on its way;
// older, it never will be.
func eventOfUnknownInquiry(age time.Duration) func(*side, time.Time) (string, error) {
	return func(_ *side, now time.Time) (string, error) {
		at := now.Add(-age).UTC()
		b, err := json.Marshal(inquiry.Event{Type: inquiry.EventTypeReceived, InquiryID: inquiry.NewID(at), OccurredAt: at})
		return string(b), err
	}
}

// Fixed parts of the SQS events: the same on both sides, as an event source mapping of the
// events queue would send them.
const (
	queueARN      = "arn:aws:sqs:eu-west-1:000000000000:inquiry-events"
	sentTimestamp = "1767225600000"
)

// sqsEvent is the batch an event source mapping would send for the case on the side.
func (c workerCase) sqsEvent(s *side, now time.Time) (events.SQSEvent, error) {
	var e events.SQSEvent
	for _, m := range c.records {
		body, err := m.body(s, now)
		if err != nil {
			return e, err
		}
		sum := md5.Sum([]byte(body))
		e.Records = append(e.Records, events.SQSMessage{
			MessageId:     m.id,
			ReceiptHandle: "AQEB" + m.id + "-receipt",
			Body:          body,
			Md5OfBody:     hex.EncodeToString(sum[:]),
			Attributes: map[string]string{
				"ApproximateReceiveCount":          "1",
				"SentTimestamp":                    sentTimestamp,
				"SenderId":                         "AROAEXAMPLE:api",
				"ApproximateFirstReceiveTimestamp": sentTimestamp,
			},
			MessageAttributes: map[string]events.SQSMessageAttribute{},
			EventSource:       "aws:sqs",
			EventSourceARN:    queueARN,
			AWSRegion:         awsemu.Region,
		})
	}
	return e, nil
}

// runWorker hands the case's batch to the side's worker and describes, normalized, what
// followed: the failures it reported (or its error), then for each inquiry the case touches
// the API's answer to a GET of it and its archived object.
func (s *side) runWorker(ctx context.Context, c workerCase, run string) (string, []string, error) {
	e, err := c.sqsEvent(s, time.Now())
	if err != nil {
		return "", nil, err
	}
	var b strings.Builder
	var failed []string
	resp, err := s.worker(ctx, e)
	if err != nil {
		msg := err.Error()
		var ferr *functionErr
		if errors.As(err, &ferr) {
			msg = ferr.Message
		}
		fmt.Fprintf(&b, "function error: %s\n", s.norm.text(msg))
	} else {
		for _, f := range resp.BatchItemFailures {
			failed = append(failed, f.ItemIdentifier)
		}
		fmt.Fprintf(&b, "batchItemFailures: %q\n", failed)
	}
	for _, name := range c.touches {
		get := apiCase{method: http.MethodGet, target: "/v1/inquiries/{" + name + "}",
			header: []string{"Authorization: Bearer " + readerToken}}
		a, err := s.send(get, run)
		if err != nil {
			return "", nil, err
		}
		fmt.Fprintf(&b, "\nGET %s:\n%s\n", name, a.text)
		// The archive key, before normalization, from the record the API answers.
		var doc struct {
			ArchiveKey string `json:"archiveKey"`
		}
		_ = json.Unmarshal(a.body, &doc)
		if doc.ArchiveKey == "" {
			fmt.Fprintf(&b, "archive: no archiveKey\n")
			continue
		}
		obj, err := s.archived(ctx, doc.ArchiveKey)
		if err != nil {
			// The record names an object that is not there: a fault, not an answer.
			return "", nil, fmt.Errorf("%s: archive %s of %s: %w", s.name, doc.ArchiveKey, name, err)
		}
		fmt.Fprintf(&b, "archive %s:\n%s\n", s.norm.text(doc.ArchiveKey), s.norm.text(string(obj)))
	}
	return b.String(), failed, nil
}

// runWorkerCases runs each worker case on both sides, local first, and compares.
func (w *world) runWorkerCases(ctx context.Context, cases []workerCase) []result {
	var results []result
	for _, c := range cases {
		res := result{name: c.name}
		lt, lfailed, lerr := w.local.runWorker(ctx, c, w.run)
		rt, _, rerr := w.remote.runWorker(ctx, c, w.run)
		res.local, res.remote = lt, rt
		switch {
		case lerr != nil || rerr != nil:
			res.problem = fmt.Sprintf("the case could not run: local: %v; bootstrap: %v", lerr, rerr)
		case lt != rt:
			res.problem = differ(lt, rt)
		case !slices.Equal(lfailed, c.failures) && !(len(lfailed) == 0 && len(c.failures) == 0):
			res.problem = fmt.Sprintf("both sides reported failures %q; the case expects %q", lfailed, c.failures)
		}
		results = append(results, res)
	}
	return results
}
