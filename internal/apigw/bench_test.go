package apigw_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/groundwork-dev/groundwork/internal/apigw"
	"github.com/groundwork-dev/groundwork/internal/httpapi"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/inquiry/memory"
)

// curlEvent is the event API Gateway sends for a curl request: the headers curl sends plus
// the ones API Gateway adds, the full request context.
func curlEvent(tb testing.TB, method, path, body string, extra map[string]string) []byte {
	tb.Helper()
	r := httptest.NewRequest(method, "https://abc123def4.execute-api.eu-west-1.amazonaws.com"+path, strings.NewReader(body))
	r.RemoteAddr = "203.0.113.7:53422"
	r.Header.Set("User-Agent", "curl/8.5.0")
	r.Header.Set("Accept", "*/*")
	for k, v := range extra {
		r.Header.Set(k, v)
	}
	key, params := "$default", map[string]string(nil)
	if rt, p, ok := httpapi.Match(method, r.URL.EscapedPath()); ok {
		key, params = rt.Key(), p
	}
	e := apigw.EventFromRequest(r, []byte(body), key, params)
	e.RequestContext.AccountID = "123456789012"
	e.RequestContext.APIID = "abc123def4"
	b, err := json.Marshal(e)
	if err != nil {
		tb.Fatal(err)
	}
	// events' struct always marshals an empty requestContext.authentication, which API
	// Gateway only sends with mutual TLS: drop it.
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatal(err)
	}
	delete(m["requestContext"].(map[string]any), "authentication")
	if b, err = json.Marshal(m); err != nil {
		tb.Fatal(err)
	}
	return b
}

func newLambda() (*apigw.LambdaHandler, *memory.Publisher) {
	pub := &memory.Publisher{}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := inquiry.NewService(memory.NewStore(), memory.NewArchive(), pub, inquiry.WithLogger(quiet))
	return apigw.Handler(httpapi.NewHandler(svc, httpapi.WithLogger(quiet))), pub
}

// BenchmarkLambdaHealthz is the full Lambda path for GET /healthz: event JSON in, response
// JSON out, through the real handler.
func BenchmarkLambdaHealthz(b *testing.B) {
	l, _ := newLambda()
	payload := curlEvent(b, "GET", "/healthz", "", nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		out, err := l.Invoke(ctx, payload)
		if err != nil || len(out) == 0 {
			b.Fatal(err)
		}
	}
}

// BenchmarkLambdaPostInquiry is the full Lambda path for a valid POST /v1/inquiries with
// in-memory ports: decode, validate, store, publish, answer 202.
func BenchmarkLambdaPostInquiry(b *testing.B) {
	l, pub := newLambda()
	payload := curlEvent(b, "POST", "/v1/inquiries",
		`{"name":"Ada Lovelace","email":"ada@example.com","company":"Analytical Engines","message":"We would like a quote for 40 engines."}`,
		map[string]string{"Content-Type": "application/json"})
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		out, err := l.Invoke(ctx, payload)
		if err != nil || !strings.Contains(string(out), `"statusCode":202`) {
			b.Fatalf("%v %s", err, out)
		}
		if i++; i%4096 == 0 {
			pub.Reset() // bound memory; the store grows like a real table
		}
	}
}
