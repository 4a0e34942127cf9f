package parity

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/groundwork-dev/groundwork/internal/apigw"
	"github.com/groundwork-dev/groundwork/internal/awsemu"
)

// BenchmarkInvoke runs the whole suite once per iteration on both sides and reports the
// invoke latency of each side over all iterations: the local server's in-process handler
// against the built bootstrap under the RIE (its round trip through the RIE, on the
// emulators), for the same cases. A first run, before the timer, takes the bootstraps'
// init out of the figures. Many iterations make the p99 mean something:
//
//	go test -run '^$' -bench Invoke -benchtime 20x ./internal/parity/
func BenchmarkInvoke(b *testing.B) {
	w := newWorld(b, breaks{})
	ctx := context.Background()
	once := func(run string) {
		w.run = run
		api, published, work := w.runAll(ctx)
		for _, r := range append(append(api, published), work...) {
			if r.problem != "" {
				b.Fatalf("run %s, case %q: %s", run, r.name, r.problem)
			}
		}
	}
	once("warm-up")
	for _, s := range []*side{w.local, w.remote} {
		s.apiTimes.reset()
		s.workerTimes.reset()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		once(fmt.Sprint(i))
	}
	b.StopTimer()
	for _, s := range []struct {
		prefix string
		side   *side
	}{{"local", w.local}, {"rie", w.remote}} {
		api, work := s.side.apiTimes.all(), s.side.workerTimes.all()
		b.ReportMetric(micros(percentile(api, 0.50)), s.prefix+"-api-p50-µs")
		b.ReportMetric(micros(percentile(api, 0.99)), s.prefix+"-api-p99-µs")
		b.ReportMetric(micros(percentile(work, 0.50)), s.prefix+"-worker-p50-µs")
		b.ReportMetric(micros(percentile(work, 0.99)), s.prefix+"-worker-p99-µs")
	}
	b.ReportMetric(0, "ns/op") // an iteration is a whole suite run: its time says little
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// BenchmarkInit starts each bootstrap under a fresh RIE per iteration and reports its first
// invoke (the bootstrap's process start and init, then the invoke: what Lambda reports as a
// cold start's init plus duration) and its second (warm). The api's invoke is GET /healthz,
// the worker's a batch of one malformed message: neither calls AWS, so init dominates.
func BenchmarkInit(b *testing.B) {
	emu := awsemu.Start(b)
	functions := []struct {
		name, pkg string
		env       []string
		payload   []byte
	}{
		{"api", "./cmd/api", functionEnv(b, emu, "api", "TABLE_NAME=inquiries", "QUEUE_URL="+emu.SQS+"/000000000000/events"), healthzEvent(b)},
		{"worker", "./cmd/worker", functionEnv(b, emu, "worker", "TABLE_NAME=inquiries", "BUCKET_NAME=archive"), malformedBatch(b)},
	}
	first := map[string][]time.Duration{}
	warm := map[string][]time.Duration{}
	for _, f := range functions {
		bootstrap(b, f.pkg) // built before the timer
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range functions {
			r := startRIE(b, f.name, bootstrap(b, f.pkg), f.env)
			for j := 0; j < 2; j++ {
				start := time.Now()
				if _, err := r.Invoke(context.Background(), f.payload); err != nil {
					b.Fatalf("%s: %v", f.name, err)
				}
				if j == 0 {
					first[f.name] = append(first[f.name], time.Since(start))
				} else {
					warm[f.name] = append(warm[f.name], time.Since(start))
				}
			}
			r.stop()
		}
	}
	b.StopTimer()
	for _, f := range functions {
		b.ReportMetric(micros(percentile(first[f.name], 0.50)), f.name+"-first-p50-µs")
		b.ReportMetric(micros(percentile(first[f.name], 1)), f.name+"-first-max-µs")
		b.ReportMetric(micros(percentile(warm[f.name], 0.50)), f.name+"-warm-p50-µs")
	}
}

// healthzEvent is the event API Gateway sends for GET /healthz.
func healthzEvent(tb testing.TB) []byte {
	r := httptest.NewRequest("GET", "http://api.example.test/healthz", nil)
	e := apigw.EventFromRequest(r, nil, "GET /healthz", nil)
	payload, err := apigw.AppendEventJSON(nil, &e)
	if err != nil {
		tb.Fatal(err)
	}
	return payload
}

// malformedBatch is a batch of one message that is not an event.
func malformedBatch(tb testing.TB) []byte {
	payload, err := json.Marshal(events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-1", Body: "not json", EventSource: "aws:sqs"}}})
	if err != nil {
		tb.Fatal(err)
	}
	return payload
}
