package apigw

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

// LambdaHandler runs an http.Handler on API Gateway HTTP API events. It implements
// aws-lambda-go's lambda.Handler.
type LambdaHandler struct {
	h http.Handler
}

// Handler returns a lambda.Handler that serves h: lambda.Start(apigw.Handler(h)).
func Handler(h http.Handler) *LambdaHandler { return &LambdaHandler{h: h} }

// Invoke decodes an API Gateway HTTP API event (payload format 2.0), serves the request it
// describes with the handler, and returns the response as API Gateway expects it:
// statusCode, headers (repeated headers joined with commas), cookies (every Set-Cookie),
// body, and isBase64Encoded for a binary body (see IsText). It fails on a payload that is
// not such an event; a handler's error status is a response, not an error.
//
// The handler sees the request as net/http's server would show it (see NewRequest), and
// writes to a ResponseWriter with net/http's semantics: header changes after WriteHeader
// are ignored, the status defaults to 200, 1xx statuses are skipped, a missing Content-Type
// is sniffed from the body, no body is kept for HEAD requests or for 204 and 304.
func (l *LambdaHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	inv := invocations.Get().(*invocation)
	defer inv.release()

	a := &requestAlloc{}
	if p, ok := inv.dec.decode(payload, &inv.wire); ok {
		a.lazy.payload = p
	} else {
		if err := decodeSlow(payload, &inv.wire); err != nil {
			return nil, fmt.Errorf("apigw: decode event: %w", err)
		}
		a.lazy.payload = string(payload)
	}
	r, err := newRequest(ctx, &inv.wire, a, nil)
	if err != nil {
		return nil, err
	}
	w := &inv.rec
	w.reset(r.Method == http.MethodHead)
	l.h.ServeHTTP(w, r)
	return w.encode(), nil
}

// invocation is the scratch space of one Invoke, kept between invocations.
type invocation struct {
	dec  fastDecoder
	wire wire
	rec  recorder
}

// maxPooledBytes bounds the buffers an invocation keeps for the next one.
const maxPooledBytes = 256 << 10

func (inv *invocation) release() {
	if cap(inv.dec.arena) > maxPooledBytes || cap(inv.rec.body) > maxPooledBytes || cap(inv.rec.out) > maxPooledBytes {
		return // let a large event's buffers go
	}
	// Drop every reference into this invocation's strings, so a pooled invocation keeps
	// no request or response alive.
	clear(inv.wire.headers[:cap(inv.wire.headers)])
	clear(inv.wire.cookies[:cap(inv.wire.cookies)])
	inv.wire = wire{headers: inv.wire.headers[:0], cookies: inv.wire.cookies[:0]}
	rec := &inv.rec
	clear(rec.header)
	clear(rec.sent)
	clear(rec.keys[:cap(rec.keys)])
	clear(rec.cookies[:cap(rec.cookies)])
	invocations.Put(inv)
}

var invocations = sync.Pool{New: func() any {
	return &invocation{rec: recorder{header: make(http.Header, 8), sent: make(http.Header, 8)}}
}}

// recorder is a lean http.ResponseWriter that keeps one response in memory.
type recorder struct {
	header  http.Header // what the handler sees and changes
	sent    http.Header // header as of WriteHeader
	status  int         // zero until WriteHeader
	head    bool        // a HEAD request: the body is discarded
	body    []byte
	keys    []string // scratch for sorting header names
	out     []byte   // scratch for the response JSON
	cookies []string // scratch: Set-Cookie values
}

func (w *recorder) reset(head bool) {
	clear(w.header)
	clear(w.sent)
	w.status = 0
	w.head = head
	w.body = w.body[:0]
}

func (w *recorder) Header() http.Header { return w.header }

func (w *recorder) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code)) // as net/http does
	}
	if code < 200 { // informational: API Gateway cannot pass it on
		return
	}
	w.status = code
	for k, v := range w.header {
		w.sent[k] = v
	}
}

func (w *recorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if !w.head {
		w.body = append(w.body, p...)
	}
	return len(p), nil
}

// Flush implements http.Flusher; the whole response is sent when the handler returns.
func (w *recorder) Flush() {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
}

func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified
}

// encode returns the response JSON: {"statusCode":…,"headers":{…},"body":"…"} plus
// "isBase64Encoded":true and "cookies":[…] when needed. Header names are sorted.
func (w *recorder) encode() []byte {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	h := w.sent
	ct, hasCT := h["Content-Type"]
	contentType := ""
	if len(ct) > 0 {
		contentType = ct[0]
	}
	if !hasCT && len(w.body) > 0 {
		contentType = http.DetectContentType(w.body)
	}

	w.keys = w.keys[:0]
	w.cookies = w.cookies[:0]
	for k, v := range h {
		if k == "Set-Cookie" {
			w.cookies = append(w.cookies, v...)
			continue
		}
		if len(v) > 0 {
			w.keys = append(w.keys, k)
		}
	}
	slices.Sort(w.keys)

	b := w.out[:0]
	b = append(b, `{"statusCode":`...)
	b = strconv.AppendInt(b, int64(w.status), 10)
	b = append(b, `,"headers":{`...)
	first := true
	if !hasCT && contentType != "" {
		b = appendString(b, "Content-Type")
		b = append(b, ':')
		b = appendString(b, contentType)
		first = false
	}
	for _, k := range w.keys {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, k)
		b = append(b, ':')
		b = appendJoined(b, h[k])
	}
	b = append(b, `},"body":`...)
	if len(w.body) > 0 && IsText(contentType) && utf8.Valid(w.body) {
		b = appendBytes(b, w.body)
	} else if len(w.body) > 0 {
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, w.body)
		b = append(b, `","isBase64Encoded":true`...)
	} else {
		b = append(b, `""`...)
	}
	if len(w.cookies) > 0 {
		b = append(b, `,"cookies":`...)
		b = appendStrings(b, w.cookies)
	}
	b = append(b, '}')
	w.out = b
	return slices.Clone(b)
}

// appendJoined appends values joined with "," as one JSON string.
func appendJoined(b []byte, vs []string) []byte {
	if len(vs) == 1 {
		return appendString(b, vs[0])
	}
	b = append(b, '"')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendStringContent(b, v)
	}
	return append(b, '"')
}
