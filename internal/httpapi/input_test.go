package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/httpapi"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

func gzipped(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.String()
}

// post sends POST /v1/inquiries with the given body and header values (a name may repeat:
// each pair is added, as a client sending the header twice).
func (a *api) post(t *testing.T, target, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("POST", target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		if i == 0 || header[i] != header[i-2] {
			r.Header.Del(header[i])
		}
		r.Header.Add(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	a.h.ServeHTTP(w, r)
	return w
}

func TestPostInquiry_ContentEncoding(t *testing.T) {
	cases := []struct {
		name     string
		body     string
		encoding []string // Content-Encoding values, one header each
		accepted bool
		detail   string
	}{
		{name: "gzip: the compressed bytes would be parsed", body: gzipped(t, validBody), encoding: []string{"gzip"},
			detail: `Content-Encoding "gzip" is not supported: send the body uncompressed`},
		{name: "gzip, even when the body is not compressed", body: validBody, encoding: []string{"gzip"},
			detail: `Content-Encoding "gzip" is not supported: send the body uncompressed`},
		{name: "br", body: validBody, encoding: []string{"br"}, detail: `Content-Encoding "br" is not supported: send the body uncompressed`},
		{name: "an unknown coding", body: validBody, encoding: []string{"x-custom"}, detail: `Content-Encoding "x-custom" is not supported: send the body uncompressed`},
		{name: "a list with identity first", body: validBody, encoding: []string{"identity, deflate"}, detail: `Content-Encoding "deflate" is not supported: send the body uncompressed`},
		{name: "the header twice", body: validBody, encoding: []string{"identity", "gzip"}, detail: `Content-Encoding "gzip" is not supported: send the body uncompressed`},
		{name: "identity: no coding", body: validBody, encoding: []string{"identity"}, accepted: true},
		{name: "identity in capitals", body: validBody, encoding: []string{"IDENTITY"}, accepted: true},
		{name: "an empty value", body: validBody, encoding: []string{""}, accepted: true},
		{name: "no header", body: validBody, accepted: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given an empty API
			a := newAPI(t)
			var hdr []string
			for _, e := range tc.encoding {
				hdr = append(hdr, "Content-Encoding", e)
			}
			// When an inquiry is posted with that Content-Encoding
			w := a.post(t, "/v1/inquiries", tc.body, hdr...)
			if tc.accepted {
				// Then a body that is not encoded is accepted
				require.Equal(t, http.StatusAccepted, w.Code, "body: %s", w.Body)
				assert.Equal(t, 1, a.store.Len(), "stored")
				return
			}
			// Then any other coding is refused with 415, saying what is accepted; nothing is stored
			p := assertProblem(t, w, http.StatusUnsupportedMediaType, "about:blank", "Unsupported Media Type")
			assert.Equal(t, tc.detail, p.Detail, "the detail names the coding")
			assert.Equal(t, "identity", w.Header().Get("Accept-Encoding"), "Accept-Encoding says which coding is accepted (RFC 9110 §15.5.16)")
			assert.Zero(t, a.store.Len(), "nothing is stored")
			assert.Empty(t, a.pub.Events(), "nothing is published")
		})
	}
}

func TestPostInquiry_RepeatedIdempotencyKey(t *testing.T) {
	const msg = "must be given once: it holds more than one key (repeated headers arrive joined with commas); send a key that has a comma as a quoted string"
	cases := []struct {
		name   string
		header []string
	}{
		{"the header twice (net/http keeps both values)", []string{"Idempotency-Key", "a1", "Idempotency-Key", "b2"}},
		{"the header twice, joined by a proxy or API Gateway", []string{"Idempotency-Key", "a1,b2"}},
		{"the same key twice", []string{"Idempotency-Key", "k1", "Idempotency-Key", "k1"}},
		{"two quoted keys", []string{"Idempotency-Key", `"a1"`, "Idempotency-Key", `"b2"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given an empty API; when an inquiry is posted with two Idempotency-Keys
			a := newAPI(t)
			w := a.post(t, "/v1/inquiries", validBody, tc.header...)
			// Then it is refused naming the header, and nothing is stored
			p := assertProblem(t, w, http.StatusBadRequest, httpapi.TypeInvalidFields, "Invalid fields")
			assert.Equal(t, []inquiry.FieldError{{Field: "Idempotency-Key", Message: msg}}, p.Errors)
			assert.Zero(t, a.store.Len(), "nothing is stored")
		})
	}

	t.Run("one quoted key with a comma is one key", func(t *testing.T) {
		a := newAPI(t)
		first := a.post(t, "/v1/inquiries", validBody, "Idempotency-Key", `"a1,b2"`)
		require.Equal(t, http.StatusAccepted, first.Code, "body: %s", first.Body)
		again := a.post(t, "/v1/inquiries", validBody, "Idempotency-Key", `"a1,b2"`)
		require.Equal(t, http.StatusAccepted, again.Code)
		assert.Equal(t, "true", again.Header().Get("Idempotent-Replayed"), "the same key replays")
		assert.Equal(t, 1, a.store.Len(), "one record")
	})
}

func TestPostInquiry_QueryString(t *testing.T) {
	cases := []struct {
		name, target string
		want         []inquiry.FieldError
	}{
		{"a parameter the API might be thought to take", "/v1/inquiries?dryRun=true", []inquiry.FieldError{{Field: "?dryRun", Message: "is not a known query parameter"}}},
		{"fields in the query, sorted", "/v1/inquiries?name=Eve&email=e@example.com&name=x", []inquiry.FieldError{
			{Field: "?email", Message: "is not a known query parameter"}, {Field: "?name", Message: "is not a known query parameter"}}},
		{"a query without a parameter name", "/v1/inquiries?&", []inquiry.FieldError{{Field: "?", Message: "is not a known query parameter"}}},
		{"a query that does not parse", "/v1/inquiries?%zz", []inquiry.FieldError{{Field: "?", Message: "is not a known query parameter"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given an empty API; when a valid inquiry is posted with a query string
			a := newAPI(t)
			w := a.post(t, tc.target, validBody)
			// Then it is refused naming the parameters, and nothing is stored
			p := assertProblem(t, w, http.StatusBadRequest, httpapi.TypeInvalidFields, "Invalid fields")
			assert.Equal(t, tc.want, p.Errors)
			assert.Zero(t, a.store.Len(), "nothing is stored")
		})
	}

	t.Run("at most ten parameters are named", func(t *testing.T) {
		a := newAPI(t)
		w := a.post(t, "/v1/inquiries?a=1&b&c&d&e&f&g&h&i&j&k&l", validBody)
		p := assertProblem(t, w, http.StatusBadRequest, httpapi.TypeInvalidFields, "Invalid fields")
		assert.Len(t, p.Errors, 10)
	})
}

// Bodies that would be stored altered reach the client as problems naming the field.
func TestPostInquiry_TextThatWouldBeStoredAltered(t *testing.T) {
	cases := []struct {
		name, body, typ string
		want            []inquiry.FieldError
	}{
		{"not UTF-8", "{\"name\":\"\xff\",\"email\":\"a@example.com\",\"message\":\"m\"}", httpapi.TypeInvalidFields,
			[]inquiry.FieldError{{Field: "name", Message: "must be valid Unicode text: it holds byte 0xff (at byte 9), which is not UTF-8"}}},
		{"a lone surrogate", `{"name":"A","email":"a@example.com","message":"\ud800"}`, httpapi.TypeInvalidFields,
			[]inquiry.FieldError{{Field: "message", Message: `must be valid Unicode text: it holds \ud800 (at byte 47), half of a UTF-16 surrogate pair without the other half`}}},
		{"a field twice", `{"name":"A","email":"a@example.com","message":"m","message":"n"}`, httpapi.TypeInvalidFields,
			[]inquiry.FieldError{{Field: "message", Message: "is given more than once; a JSON object names each field once"}}},
		{"a right-to-left override", `{"name":"A\u202e","email":"a@example.com","message":"m"}`, httpapi.TypeInvalidFields,
			[]inquiry.FieldError{{Field: "name", Message: "must not contain bidirectional control characters (it holds U+202E)"}}},
		{"a zero-width name", `{"name":"\u200b","email":"a@example.com","message":"m"}`, httpapi.TypeInvalidFields,
			[]inquiry.FieldError{{Field: "name", Message: "is required: it holds only white space and invisible characters such as U+200B"}}},
		{"a field name not UTF-8", "{\"n\xffme\":\"A\"}", httpapi.TypeMalformedJSON, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := newAPI(t)
			w := a.post(t, "/v1/inquiries", tc.body)
			title := map[string]string{httpapi.TypeInvalidFields: "Invalid fields", httpapi.TypeMalformedJSON: "Malformed JSON"}[tc.typ]
			p := assertProblem(t, w, http.StatusBadRequest, tc.typ, title)
			assert.Equal(t, tc.want, p.Errors, "the fields at fault")
			assert.Zero(t, a.store.Len(), "nothing is stored")
		})
	}
}

func TestPostInquiry_ContentTypeTwice(t *testing.T) {
	// Given an empty API; when the Content-Type header is sent twice (joined by a proxy)
	a := newAPI(t)
	w := a.post(t, "/v1/inquiries", validBody, "Content-Type", "application/json, application/json")
	// Then the media type is not one and is refused
	assertProblem(t, w, http.StatusUnsupportedMediaType, "about:blank", "Unsupported Media Type")
	assert.Zero(t, a.store.Len(), "nothing is stored")
}
