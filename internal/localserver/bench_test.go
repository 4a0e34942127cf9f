package localserver

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkHealthz compares the local server with a bare net/http handler on GET /healthz:
// both over real HTTP on loopback, with the same client, transport and parallelism (16
// goroutines per GOMAXPROCS). bare answers the same body directly; local turns each request
// into an API Gateway event and runs it through the api Lambda's handler.
//
//   - bare, local: each on its own, one after the other; local also reports "local/bare",
//     its throughput over bare's just before it. On a quiet machine this is the figure.
//
//   - interleaved: both again, alternating every 256 requests, each timed on its own, so a
//     slow-varying load from other processes (compilers, other tests) hits both alike; it
//     reports both throughputs and "local/bare". On a busy machine this is the figure.
//
//     go test -run '^$' -bench BenchmarkHealthz -benchmem ./internal/localserver
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
	b.Run("interleaved", func(b *testing.B) { benchmarkInterleaved(b, bare, srv, "/healthz") })
}

const parallelism = 16 // client goroutines per GOMAXPROCS

func newClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: 1024, MaxIdleConns: 1024, DisableCompression: true,
	}}
}

// serveLoopback serves h on a free loopback port and returns its base URL.
func serveLoopback(b *testing.B, h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }() // ends with http.ErrServerClosed at the cleanup
	b.Cleanup(func() { hs.Close() })
	return "http://" + ln.Addr().String()
}

func get(client *http.Client, url string) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// benchmarkInterleaved sends b.N requests to each of bare and local, alternating in rounds
// of 256 requests spread over the same worker goroutines, and times each round on its own.
func benchmarkInterleaved(b *testing.B, bare, local http.Handler, path string) {
	urls := [2]string{serveLoopback(b, bare) + path, serveLoopback(b, local) + path}
	client := newClient()
	defer client.CloseIdleConnections()
	workers := parallelism * runtime.GOMAXPROCS(0)
	const round = 256
	var spent [2]time.Duration
	var failed atomic.Value
	burst := func(url string, n int) time.Duration {
		var next atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for range min(workers, n) {
			wg.Go(func() {
				for next.Add(1) <= int64(n) {
					if err := get(client, url); err != nil {
						failed.Store(err)
						return
					}
				}
			})
		}
		wg.Wait()
		return time.Since(start)
	}
	for _, u := range urls { // warm the connection pools
		burst(u, workers)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += round {
		n := min(round, b.N-done)
		for i, u := range urls {
			spent[i] += burst(u, n)
		}
	}
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	bareRate, localRate := float64(b.N)/spent[0].Seconds(), float64(b.N)/spent[1].Seconds()
	b.ReportMetric(bareRate, "bare-req/s")
	b.ReportMetric(localRate, "local-req/s")
	b.ReportMetric(localRate/bareRate, "local/bare")
}

// benchmarkGet serves h on a loopback port and GETs path from parallel clients. It returns
// the throughput in requests per second.
func benchmarkGet(b *testing.B, h http.Handler, path string) float64 {
	url := serveLoopback(b, h) + path
	client := newClient()
	defer client.CloseIdleConnections()
	b.SetParallelism(parallelism)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := get(client, url); err != nil {
				b.Error(err)
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
