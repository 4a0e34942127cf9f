package localserver

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkHealthz compares the local server with a bare net/http handler on GET /healthz:
// both over real HTTP on loopback, with the same client, transport and parallelism (4
// goroutines per GOMAXPROCS). bare answers the same body directly; local turns each request
// into an API Gateway event and runs it through the api Lambda's handler. The "local"
// result carries the ratio of its throughput to bare's ("local/bare"), when both ran.
//
//	go test -run '^$' -bench BenchmarkHealthz -benchmem ./internal/localserver
func BenchmarkHealthz(b *testing.B) {
	body := []byte(`{"status":"ok"}` + "\n")
	bare := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["Content-Type"] = []string{"application/json"}
		w.Write(body)
	})
	srv, err := New(Config{DataDir: b.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(b, err)
	defer srv.Close()

	var bareRate float64
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"bare", bare}, {"local", srv}} {
		b.Run(bc.name, func(b *testing.B) {
			rate := benchmarkGet(b, bc.h, "/healthz")
			if bc.name == "bare" {
				bareRate = rate
			} else if bareRate > 0 {
				b.ReportMetric(rate/bareRate, "local/bare")
			}
		})
	}
}

// benchmarkGet serves h on a loopback port and GETs path from parallel clients. It returns
// the throughput in requests per second.
func benchmarkGet(b *testing.B, h http.Handler, path string) float64 {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	const parallelism = 16
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: 64, MaxIdleConns: 64, DisableCompression: true,
	}}
	defer client.CloseIdleConnections()
	url := "http://" + ln.Addr().String() + path

	b.SetParallelism(parallelism)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Get(url)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.StopTimer()
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "req/s")
	return rate
}

// BenchmarkServeHTTP measures what the local server adds to a request, without the network:
// event building, event JSON, the api handler's Invoke and the response JSON, on GET /healthz.
func BenchmarkServeHTTP(b *testing.B) {
	srv, err := New(Config{DataDir: b.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(b, err)
	defer srv.Close()
	req := httptest.NewRequest("GET", "http://127.0.0.1:8080/healthz", nil)
	req.Header.Set("User-Agent", "Go-http-client/1.1")
	req.Header.Set("Accept-Encoding", "gzip")
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}
