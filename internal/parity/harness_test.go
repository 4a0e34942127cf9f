package parity

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
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
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/go-jose/go-jose/v4"

	"github.com/groundwork-dev/groundwork/internal/adapters/local"
	"github.com/groundwork-dev/groundwork/internal/awsemu"
	"github.com/groundwork-dev/groundwork/internal/httpapi"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/localauth"
	"github.com/groundwork-dev/groundwork/internal/localqueue"
	"github.com/groundwork-dev/groundwork/internal/localserver"
	"github.com/groundwork-dev/groundwork/internal/worker"
)

// side is one implementation under test, seen as its clients and its event source see it.
type side struct {
	name string
	// gateway is API Gateway's part: route choice, the stack's JWT authorizer, event, invoke,
	// response (a local server with Config.Authorizer).
	gateway *localserver.Server
	// open is the same in front of the same function, without an authorizer: a stack with
	// auth.publicReads (dev), where the protected route serves anyone.
	open *localserver.Server
	// worker is the worker function as an event source mapping invokes it.
	worker localqueue.Handler
	// drain returns the bodies of the events the API published since the last drain.
	drain func(ctx context.Context) ([]string, error)
	// archived returns the archived object at key.
	archived func(ctx context.Context, key string) ([]byte, error)

	apiTimes, workerTimes timings
	got                   deliveries        // what reached the api function during the current request
	tokens                map[string]string // the suite's tokens, by name: the same on both sides
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
	// api wraps the local side's api handler (after the server's authorizer, so it sees the
	// event the handler would get).
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
	reader        grant  // what the authorizer must put in the event for the reader token
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

	authz, tokens, reader := newAuth(t)
	w := &world{reader: reader}
	w.local = &side{name: "local", tokens: tokens, norm: newNormalizer(), saved: map[string]string{}}
	w.remote = &side{name: "bootstrap under the RIE", tokens: tokens, norm: newNormalizer(), saved: map[string]string{}}

	// The local side: the local server, invoking its in-process handler on its own file
	// adapters and queue.
	localDir := t.TempDir()
	ls := w.local.startGateways(t, localDir, authz, func(h lambda.Handler) lambda.Handler {
		h = w.local.record(w.local.apiTimes.timeAPI(h))
		if brk.api != nil {
			h = brk.api(h)
		}
		return h
	})
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

	// The other side: the bootstraps under the RIE on the emulators, behind local servers
	// whose api handler is the api bootstrap's RIE (the servers' own stores stay empty).
	w.apiRIE = startRIE(t, "api", bootstrap(t, "./cmd/api"), functionEnv(t, emu, "api",
		"TABLE_NAME="+table, "QUEUE_URL="+queueURL))
	w.workerRIE = startRIE(t, "worker", bootstrap(t, "./cmd/worker"), functionEnv(t, emu, "worker",
		"TABLE_NAME="+table, "BUCKET_NAME="+bucket))
	w.remote.startGateways(t, t.TempDir(), authz, func(lambda.Handler) lambda.Handler {
		return w.remote.record(w.remote.apiTimes.timeAPI(w.apiRIE))
	})
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

// startGateways starts the side's two local servers: the same API Gateway emulation (route
// choice, event, response) in front of the same function, one with the stack's JWT
// authorizer (gateway) and one without (open). function gets the first server's in-process
// handler and returns what both servers invoke in its place; the second server's own
// handler, on its own empty data directory, is never invoked. It returns the first server,
// whose worker and queue are the side's.
func (s *side) startGateways(t testing.TB, dir string, authz *localauth.Authorizer, function func(lambda.Handler) lambda.Handler) *localserver.Server {
	t.Helper()
	var fn lambda.Handler
	gw, err := localserver.New(localserver.Config{DataDir: dir, NoWorker: true, Logger: quiet, Authorizer: authz,
		WrapAPI: func(h lambda.Handler) lambda.Handler { fn = function(h); return fn }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close() })
	open, err := localserver.New(localserver.Config{DataDir: t.TempDir(), NoWorker: true, Logger: quiet,
		WrapAPI: func(lambda.Handler) lambda.Handler { return fn }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { open.Close() })
	s.gateway, s.open = gw, open
	return gw
}

// readScope is the scope the protected route needs, as in the staging and prod stacks
// (auth.readScope).
const readScope = "groundwork-api/inquiries.read"

// grant is what API Gateway's JWT authorizer puts in requestContext.authorizer.jwt for a
// token: its claims, each value rendered as a string, and its scopes.
type grant struct {
	claims map[string]string
	scopes []string
}

// otherKey is an RSA key the authorizer does not trust, made once: it signs the forged
// tokens.
var otherKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// newAuth builds the JWT authorizer both sides' gateways share, as cmd/local builds it from
// a stack file whose issuer is the local one: a local key made in a temporary directory,
// issuer localauth.LocalIssuer, audience localauth.LocalAudience, and each protected route of
// httpapi.Routes needing readScope. It mints the cases' tokens, by the name cases give them
// ({reader-token} and so on), and says what the reader token must put in the event.
func newAuth(t testing.TB) (*localauth.Authorizer, map[string]string, grant) {
	t.Helper()
	key, err := localauth.LoadOrCreateKey(filepath.Join(t.TempDir(), localauth.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string][]string{}
	for _, rt := range httpapi.Routes {
		if !rt.Public {
			routes[rt.Key()] = []string{readScope}
		}
	}
	authz, err := localauth.New(localauth.Config{Issuer: localauth.LocalIssuer, Audiences: []string{localauth.LocalAudience},
		Routes: routes, Keys: key.Keys()})
	if err != nil {
		t.Fatal(err)
	}

	// The reader token's claims: numbers, a list, a boolean, and text that a JSON writer
	// must escape, with a non-ASCII letter; and what API Gateway makes of each (strings
	// all: numbers as written, a list between brackets, its items unquoted).
	now := time.Now().Unix()
	iat, exp := now-60, now+3600
	const name = "Zoë \"Z\" <z@example.test>\\ \u2028"
	readerClaims := map[string]any{
		"iss": localauth.LocalIssuer, "aud": localauth.LocalAudience, "sub": "user-1", "client_id": "parity",
		"scope": "openid " + readScope, "iat": iat, "nbf": iat, "exp": exp,
		"name": name, "groups": []string{"readers", "reviewers"}, "email_verified": true,
	}
	reader := grant{
		claims: map[string]string{
			"iss": localauth.LocalIssuer, "aud": localauth.LocalAudience, "sub": "user-1", "client_id": "parity",
			"scope": "openid " + readScope, "iat": fmt.Sprint(iat), "nbf": fmt.Sprint(iat), "exp": fmt.Sprint(exp),
			"name": name, "groups": "[readers reviewers]", "email_verified": "true",
		},
		scopes: []string{"openid", readScope},
	}
	other, err := otherKey()
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	mint := func(name string, sign func() (string, error)) {
		tok, err := sign()
		if err != nil {
			t.Fatalf("mint the %s: %v", name, err)
		}
		tokens[name] = tok
	}
	mint("reader-token", func() (string, error) { return key.Sign(readerClaims) })
	mint("no-scope-token", func() (string, error) { return key.Mint(localauth.Token{Scopes: []string{"openid"}}) })
	mint("expired-token", func() (string, error) {
		return key.Mint(localauth.Token{Scopes: []string{readScope}, IssuedAt: time.Now().Add(-2 * time.Hour), TTL: time.Hour})
	})
	mint("wrong-audience-token", func() (string, error) {
		return key.Mint(localauth.Token{Audience: "another-api", Scopes: []string{readScope}})
	})
	// Signed by a key the issuer does not publish: under that key's own kid, and under the
	// trusted key's kid (a forgery only the signature check catches).
	mint("unknown-key-token", func() (string, error) { return signRS256(other, "not-the-issuers-key", readerClaims) })
	mint("forged-token", func() (string, error) { return signRS256(other, key.KeyID(), readerClaims) })
	return authz, tokens, reader
}

// signRS256 signs claims with priv, naming kid in the token's header.
func signRS256(priv *rsa.PrivateKey, kid string, claims map[string]any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: priv, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// deliveries records what reached a side's api function: for each invocation, its event's
// requestContext.authorizer as JSON, or "" for an event without one.
type deliveries struct {
	mu         sync.Mutex
	authorizer []string
}

// take returns what was recorded since the last take, and forgets it.
func (d *deliveries) take() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	got := d.authorizer
	d.authorizer = nil
	return got
}

// record wraps the side's api function to record what each event gives it in
// requestContext.authorizer, exactly as it reaches the function.
func (s *side) record(next lambda.Handler) lambda.Handler {
	return invokeFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		var e struct {
			RequestContext struct {
				Authorizer json.RawMessage `json:"authorizer"`
			} `json:"requestContext"`
		}
		if err := json.Unmarshal(payload, &e); err != nil {
			return nil, fmt.Errorf("parity: the event is not JSON: %w", err)
		}
		s.got.mu.Lock()
		s.got.authorizer = append(s.got.authorizer, string(e.RequestContext.Authorizer))
		s.got.mu.Unlock()
		return next.Invoke(ctx, payload)
	})
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
// one line per value), a blank line, the body; then what reached the function.
type answer struct {
	status   int
	location string   // the raw Location header, for saving ids
	body     []byte   // the raw body
	got      []string // requestContext.authorizer of each event the function got ("" for none)
	text     string
}

// send sends a case's request to the side (to its gateway without an authorizer for a
// publicReads case) and normalizes the answer.
func (s *side) send(c apiCase, run string) (answer, error) {
	r, err := c.request(s, run)
	if err != nil {
		return answer{}, err
	}
	gw := s.gateway
	if c.publicReads {
		gw = s.open
	}
	rec := httptest.NewRecorder()
	s.got.take()
	gw.ServeHTTP(rec, r)
	got := s.got.take()
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
	// The claims are the same token's on both sides, so they are compared as they are.
	b.WriteString("\n--- the function got: ")
	if len(got) == 0 {
		b.WriteString("nothing (the gateway answered itself)")
	}
	for _, a := range got {
		if a == "" {
			b.WriteString("an event without requestContext.authorizer")
		} else {
			b.WriteString("requestContext.authorizer " + a)
		}
	}
	b.WriteString("\n")
	return answer{status: rec.Code, location: h.Get("Location"), body: rec.Body.Bytes(), got: got, text: b.String()}, nil
}

// clientAddr is the address the requests come from.
const clientAddr = "198.51.100.7:50123"

// request builds the case's request as a server reads it off the wire (http.ReadRequest),
// with the side's saved ids in place of {name} in the target and headers, its tokens in
// place of {name-token}, and run in place of {run}.
func (c apiCase) request(s *side, run string) (*http.Request, error) {
	pairs := []string{"{run}", run}
	for name, id := range s.saved {
		pairs = append(pairs, "{"+name+"}", id)
	}
	for name, tok := range s.tokens {
		pairs = append(pairs, "{"+name+"}", tok)
	}
	expand := strings.NewReplacer(pairs...).Replace
	target := expand(c.target)
	if strings.Contains(target, "{") {
		return nil, fmt.Errorf("target %q names an id no earlier case saved", target)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: api.example.test\r\nUser-Agent: groundwork-parity/1\r\n", c.method, target)
	for _, h := range c.header {
		h = expand(h)
		if strings.Contains(h, "{") {
			return nil, fmt.Errorf("header %q names an id or token the suite does not have", h)
		}
		b.WriteString(h)
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
		default:
			res.problem = w.expectations(c, la)
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

// expectations checks the local side's answer against what the case expects beyond its
// status (the other side answered the same): the lines it must hold, and what the function
// must have been given. It returns what is wrong, or "".
func (w *world) expectations(c apiCase, a answer) string {
	var problems []string
	for _, line := range c.has {
		if !strings.Contains(a.text, "\n"+line+"\n") {
			problems = append(problems, fmt.Sprintf("the answer has no line %q", line))
		}
	}
	switch c.gets {
	case notInvoked:
		if len(a.got) != 0 {
			problems = append(problems, fmt.Sprintf("the function was invoked %d times; the case expects the gateway to answer itself", len(a.got)))
		}
	case noClaims:
		if len(a.got) != 1 || a.got[0] != "" {
			problems = append(problems, fmt.Sprintf("the function got requestContext.authorizer %q; the case expects one event without it", a.got))
		}
	case readerClaims:
		if p := w.reader.check(a.got); p != "" {
			problems = append(problems, p)
		}
	}
	if len(problems) == 0 {
		return ""
	}
	return strings.Join(problems, "; ") + ":\n" + a.text
}

// check says what is wrong with what the function got, for one event carrying the grant in
// requestContext.authorizer.jwt as API Gateway puts it there; "" if nothing.
func (g grant) check(got []string) string {
	if len(got) != 1 || got[0] == "" {
		return fmt.Sprintf("the function got requestContext.authorizer %q; the case expects one event with the token's claims", got)
	}
	var a events.APIGatewayV2HTTPRequestContextAuthorizerDescription
	if err := json.Unmarshal([]byte(got[0]), &a); err != nil || a.JWT == nil {
		return fmt.Sprintf("requestContext.authorizer %s has no jwt (%v)", got[0], err)
	}
	var diffs []string
	for k, want := range g.claims {
		if v, ok := a.JWT.Claims[k]; !ok || v != want {
			diffs = append(diffs, fmt.Sprintf("claim %q is %q, want %q", k, v, want))
		}
	}
	for k, v := range a.JWT.Claims {
		if _, ok := g.claims[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("claim %q (%q) is not the token's", k, v))
		}
	}
	if !slices.Equal(a.JWT.Scopes, g.scopes) {
		diffs = append(diffs, fmt.Sprintf("scopes %q, want %q", a.JWT.Scopes, g.scopes))
	}
	sort.Strings(diffs)
	return strings.Join(diffs, "; ")
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
			header: []string{bearer}}
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
