package localserver

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hangGuard bounds each read of a raw connection in these tests, so that a server that never
// answers fails the test instead of hanging it. It is far above the timeouts under test and
// no test asserts how long anything took.
const hangGuard = 20 * time.Second

// short are timeouts small enough for a test to wait them out.
var short = timeouts{readHeader: 200 * time.Millisecond, read: 200 * time.Millisecond, write: 10 * time.Second, idle: 200 * time.Millisecond}

// rawConn dials the server and returns the connection and a reader of its responses.
func rawConn(t *testing.T, s *running) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(hangGuard)))
	return c, bufio.NewReader(c)
}

// readResponse reads one response from the connection. A "Connection: close" header,
// which net/http moves to Response.Close, is put back in the header.
func readResponse(t *testing.T, r *bufio.Reader) response {
	t.Helper()
	resp, err := http.ReadResponse(r, nil)
	require.NoError(t, err, "the server answers")
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if resp.Close {
		resp.Header.Set("Connection", "close")
	}
	return response{resp.StatusCode, resp.Header, b}
}

// assertClosed checks that the server closed the connection (and sent nothing more).
func assertClosed(t *testing.T, r *bufio.Reader) {
	t.Helper()
	n, err := r.Read(make([]byte, 1))
	assert.Zero(t, n, "nothing more is sent")
	assert.ErrorIs(t, err, io.EOF, "the server closed the connection (a timeout here means it kept it open)")
}

func storedRecords(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "table", "records"))
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	require.NoError(t, err)
	return len(entries)
}

const postHead = "POST /v1/inquiries HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"

func TestBodyShorterThanContentLengthIsAnswered408(t *testing.T) {
	// Given a server whose read timeout is short
	dir := t.TempDir()
	s := start(t, Config{DataDir: dir, NoWorker: true, hooks: hooks{timeouts: &short}})
	c, r := rawConn(t, s)

	// When a request announces 100 bytes of body and sends 10, then waits
	_, err := io.WriteString(c, postHead+"Content-Length: 100\r\n\r\n"+validBody[:10])
	require.NoError(t, err)

	// Then the server answers 408 as the gateway would, closes the connection, stores nothing
	resp := readResponse(t, r)
	assert.Equal(t, http.StatusRequestTimeout, resp.status, "body: %s", resp.body)
	assert.JSONEq(t, `{"message":"Request Timeout"}`, string(resp.body), "API Gateway's own answer form")
	assert.Equal(t, "application/json", resp.header.Get("Content-Type"))
	assert.Equal(t, "close", resp.header.Get("Connection"), "the rest of the body cannot be told from a next request")
	assertClosed(t, r)
	assert.Zero(t, storedRecords(t, dir), "nothing is stored")
}

func TestBodyEndedEarlyIsAnswered400(t *testing.T) {
	// Given a server
	dir := t.TempDir()
	s := start(t, Config{DataDir: dir, NoWorker: true, hooks: hooks{timeouts: &short}})
	c, r := rawConn(t, s)

	// When a request announces 100 bytes, sends 10 and ends its side of the connection
	_, err := io.WriteString(c, postHead+"Content-Length: 100\r\n\r\n"+validBody[:10])
	require.NoError(t, err)
	require.NoError(t, c.(*net.TCPConn).CloseWrite())

	// Then the server answers 400 (not an empty 200), and stores nothing
	resp := readResponse(t, r)
	assert.Equal(t, http.StatusBadRequest, resp.status, "body: %s", resp.body)
	assert.JSONEq(t, `{"message":"Bad Request"}`, string(resp.body))
	assert.Equal(t, "close", resp.header.Get("Connection"))
	assertClosed(t, r)
	assert.Zero(t, storedRecords(t, dir), "nothing is stored")
}

func TestIdleConnectionsAreClosed(t *testing.T) {
	// Given a server whose idle timeout is short, and a keep-alive connection that has
	// served one request
	s := start(t, Config{DataDir: t.TempDir(), NoWorker: true, hooks: hooks{timeouts: &short}})
	c, r := rawConn(t, s)
	_, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	require.NoError(t, err)
	resp := readResponse(t, r)
	require.Equal(t, http.StatusOK, resp.status)
	require.Empty(t, resp.header.Get("Connection"), "the connection is kept alive")

	// When the client sends nothing more
	// Then the server closes the connection
	assertClosed(t, r)
}

func TestUnfinishedHeadersAreCutOff(t *testing.T) {
	// Given a server whose header timeout is short
	s := start(t, Config{DataDir: t.TempDir(), NoWorker: true, hooks: hooks{timeouts: &short}})
	c, r := rawConn(t, s)

	// When a client sends part of its headers and stops
	_, err := io.WriteString(c, postHead)
	require.NoError(t, err)

	// Then the server closes the connection (net/http answers nothing to a read timeout)
	assertClosed(t, r)
}

func TestServerTimeoutsAreSet(t *testing.T) {
	// Given a server with no test timeouts; when its HTTP server is built
	srv, err := New(Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	h := srv.httpServer()

	// Then every connection bound is set, to the documented constants
	assert.Equal(t, readHeaderTimeout, h.ReadHeaderTimeout, "ReadHeaderTimeout")
	assert.Equal(t, readTimeout, h.ReadTimeout, "ReadTimeout")
	assert.Equal(t, writeTimeout, h.WriteTimeout, "WriteTimeout")
	assert.Equal(t, idleTimeout, h.IdleTimeout, "IdleTimeout")
	for name, d := range map[string]time.Duration{"ReadHeaderTimeout": h.ReadHeaderTimeout, "ReadTimeout": h.ReadTimeout, "WriteTimeout": h.WriteTimeout, "IdleTimeout": h.IdleTimeout} {
		assert.Positive(t, d, "%s bounds connections (zero means no bound)", name)
	}
	assert.Greater(t, h.WriteTimeout, h.ReadTimeout, "a response can still be written after the whole body was read")
}

// Bad input reaches the handler through the gateway's translation (the Lambda path) and
// is refused there, as in AWS.
func TestBadInputThroughTheGateway(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(validBody))
	require.NoError(t, zw.Close())

	cases := []struct {
		name   string
		raw    string // the request after the POST line, Host and Content-Type
		status int
		field  string // the field the problem names, if any
	}{
		{"two Idempotency-Key headers", "Idempotency-Key: a1\r\nIdempotency-Key: b2\r\n", 400, "Idempotency-Key"},
		{"a gzip body", "Content-Encoding: gzip\r\n", 415, ""},
		{"a body that is not UTF-8 (sent base64-encoded)", "", 400, "name"},
		{"a lone surrogate", "", 400, "message"},
		{"a field twice", "", 400, "email"},
	}
	bodies := map[string]string{
		"a gzip body": gz.String(),
		"a body that is not UTF-8 (sent base64-encoded)": "{\"name\":\"Ad\xe9\",\"email\":\"a@example.com\",\"message\":\"m\"}",
		"a lone surrogate": `{"name":"A","email":"a@example.com","message":"\udbff"}`,
		"a field twice":    `{"name":"A","email":"a@example.com","message":"m","email":"b@example.com"}`,
	}
	dir := t.TempDir()
	s := start(t, Config{DataDir: dir, NoWorker: true})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body, ok := bodies[tc.name]
			if !ok {
				body = validBody
			}
			// Given a running server; when the bad request is sent on a connection
			c, r := rawConn(t, s)
			_, err := io.WriteString(c, postHead+tc.raw+"Content-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body)
			require.NoError(t, err)
			// Then the handler's problem comes back, naming the field, and nothing is stored
			resp := readResponse(t, r)
			require.Equal(t, tc.status, resp.status, "body: %s", resp.body)
			assert.Equal(t, "application/problem+json", resp.header.Get("Content-Type"))
			if tc.field != "" {
				errs, _ := resp.json(t)["errors"].([]any)
				require.Len(t, errs, 1, "one field at fault: %s", resp.body)
				assert.Equal(t, tc.field, errs[0].(map[string]any)["field"])
			}
			assert.Zero(t, storedRecords(t, dir), "nothing is stored")
		})
	}
}
