package parity

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/groundwork-dev/groundwork/internal/apigw"
	"github.com/groundwork-dev/groundwork/internal/localqueue"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

// runAll runs the whole suite on w: the API cases, the published events, the worker cases.
func (w *world) runAll(ctx context.Context) (api []result, published result, work []result) {
	api = w.runAPI(apiCases())
	published = w.comparePublished(ctx)
	work = w.runWorkerCases(ctx, workerCases())
	return api, published, work
}

func TestParity(t *testing.T) {
	// Given the local server on its file adapters, and the bootstraps of cmd/api and
	// cmd/worker built as deployed, under the RIE, on the emulators
	w := newWorld(t, breaks{})

	// When every case of the suite runs on both
	api, published, work := w.runAll(t.Context())

	// Then both answer alike, case for case, and as each case expects
	report := func(prefix string, results []result) {
		for _, r := range results {
			t.Run(prefix+r.name, func(t *testing.T) {
				if r.problem != "" {
					t.Error(r.problem)
				}
				if os.Getenv("PARITY_DUMP") != "" {
					t.Logf("%s", r.local)
				}
			})
		}
	}
	report("api/", api)
	report("", []result{published})
	report("worker/", work)
	if len(api) != len(apiCases()) || len(work) != len(workerCases()) {
		t.Errorf("ran %d API and %d worker cases of %d and %d", len(api), len(work), len(apiCases()), len(workerCases()))
	}

	// The figures of this run, for the record (the benchmarks take more samples).
	logFigures(t, w)
}

// logFigures logs each bootstrap's first invoke (process start and init included) and the
// invoke latencies of both sides.
func logFigures(t testing.TB, w *world) {
	for _, r := range []*rie{w.apiRIE, w.workerRIE} {
		if d, ok := r.FirstInvoke(); ok {
			t.Logf("%s bootstrap under the RIE: first invoke (start and init) %v", r.name, d.Round(10*time.Microsecond))
		}
	}
	for _, s := range []*side{w.local, w.remote} {
		t.Logf("%s: api invokes %s; worker invokes %s", s.name, summary(s.apiTimes.all()), summary(s.workerTimes.all()))
	}
}

// summary describes durations by count, p50 and p99.
func summary(d []time.Duration) string {
	if len(d) == 0 {
		return "none"
	}
	return fmt.Sprintf("n=%d p50=%v p99=%v", len(d), percentile(d, 0.50).Round(time.Microsecond), percentile(d, 0.99).Round(time.Microsecond))
}

// percentile is the nearest-rank q-quantile of d.
func percentile(d []time.Duration, q float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

// rewriteEvent is a broken event translation on its way to next: it decodes the event,
// changes it with edit, and encodes it again as the local server does.
func rewriteEvent(edit func(*events.APIGatewayV2HTTPRequest)) func(lambda.Handler) lambda.Handler {
	return func(next lambda.Handler) lambda.Handler {
		return invokeFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			var e events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(payload, &e); err != nil {
				return nil, err
			}
			edit(&e)
			out, err := apigw.AppendEventJSON(nil, &e)
			if err != nil {
				return nil, err
			}
			return next.Invoke(ctx, out)
		})
	}
}

func TestParityReportsABrokenTranslation(t *testing.T) {
	cases := []struct {
		name string
		brk  breaks
		// differs are cases that must be reported; same, cases the fault cannot reach, which
		// must not be (so the report points at the fault rather than at everything).
		differs, same []string
	}{
		{
			name: "the local side's events lose their query string",
			brk: breaks{api: rewriteEvent(func(e *events.APIGatewayV2HTTPRequest) {
				e.RawQueryString, e.QueryStringParameters = "", nil
			})},
			differs: []string{"api/POST with a query string: 400 naming the parameters"},
			same:    []string{"api/GET /healthz", "api/POST /v1/inquiries: 202 with Location"},
		},
		{
			name: "the local side's events lose the Idempotency-Key header",
			brk: breaks{api: rewriteEvent(func(e *events.APIGatewayV2HTTPRequest) {
				delete(e.Headers, "idempotency-key")
			})},
			differs: []string{
				"api/POST again, same key and body: the replay answers the first id",
				"api/POST again, same key and another body: 422",
				"api/POST an Idempotency-Key holding two keys: 400",
			},
			same: []string{"api/GET /healthz", "api/POST with a query string: 400 naming the parameters"},
		},
		{
			name: "the local side's events lose the body's base64 flag",
			brk: breaks{api: rewriteEvent(func(e *events.APIGatewayV2HTTPRequest) {
				e.IsBase64Encoded = false
			})},
			differs: []string{"api/POST JSON that is not UTF-8 (a binary event body): 400"},
			same:    []string{"api/POST /v1/inquiries: 202 with Location"},
		},
		{
			name: "the local side's events lose the authorizer's claims",
			brk: breaks{api: rewriteEvent(func(e *events.APIGatewayV2HTTPRequest) {
				e.RequestContext.Authorizer = nil
			})},
			differs: []string{
				"api/GET an inquiry, auth on: claims and scopes in requestContext.authorizer.jwt",
				"worker/one event of a stored inquiry: processed and archived",
			},
			same: []string{
				"api/GET an inquiry, auth off: no token, no claims",
				"api/GET an inquiry without a token: 401 with www-authenticate",
				"api/GET /healthz with cookies and a token (public route: no authorizer)",
			},
		},
		{
			name: "the local worker loses the last message of each batch",
			brk: breaks{worker: func(next localqueue.Handler) localqueue.Handler {
				return func(ctx context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
					if n := len(e.Records); n > 1 {
						e.Records = e.Records[:n-1]
					}
					return next(ctx, e)
				}
			}},
			differs: []string{"worker/a partial batch failure: each bad message fails alone"},
			same:    []string{"worker/one event of a stored inquiry: processed and archived"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given the suite's two sides, with a fault on the local side only
			w := newWorld(t, tc.brk)

			// When the suite runs
			api, published, work := w.runAll(t.Context())
			problems := map[string]string{}
			for _, r := range api {
				problems["api/"+r.name] = r.problem
			}
			problems[published.name] = published.problem
			for _, r := range work {
				problems["worker/"+r.name] = r.problem
			}

			// Then it reports a difference for the cases the fault reaches, and only there
			for _, name := range tc.differs {
				p, ran := problems[name]
				if !ran {
					t.Fatalf("no case %q in the suite", name)
				}
				if !strings.HasPrefix(p, "the sides answer differently") {
					t.Errorf("case %q: the suite reports no difference between the sides (problem: %q)", name, p)
				}
			}
			for _, name := range tc.same {
				p, ran := problems[name]
				if !ran {
					t.Fatalf("no case %q in the suite", name)
				}
				if p != "" {
					t.Errorf("case %q, which the fault cannot reach, is reported: %s", name, p)
				}
			}
		})
	}
}
