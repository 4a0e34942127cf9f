package localserver

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkServeHTTPPostInquiry is POST /v1/inquiries end to end through the local server,
// without the network: event building and JSON, the api handler, the record written as a
// file and the event sent to the queue (both fsynced, on tmpfs where there is one, so the
// figure is the server's work rather than the disk's), and the 202 written back. The worker
// is off, so it does not compete with the requests.
func BenchmarkServeHTTPPostInquiry(b *testing.B) {
	srv, err := New(Config{DataDir: tmpfsDir(b), NoWorker: true, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(b, err)
	defer srv.Close()
	const body = `{"name":"Ada Lovelace","email":"ada@example.com","company":"Analytical Engines","message":"We would like a quote for 40 engines."}`
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "http://127.0.0.1:8080/v1/inquiries", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if w.Code != http.StatusAccepted {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// tmpfsDir is fastTempDir for benchmarks as well as tests: a temporary directory on tmpfs
// (/dev/shm) where there is one, else tb.TempDir().
func tmpfsDir(tb testing.TB) string {
	tb.Helper()
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if dir, err := os.MkdirTemp("/dev/shm", "groundwork-test-"); err == nil {
			tb.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return tb.TempDir()
}
