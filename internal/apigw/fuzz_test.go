package apigw

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// curlHealthz is an event as API Gateway sends it for `curl https://…/healthz`.
const curlHealthz = `{"version":"2.0","routeKey":"GET /healthz","rawPath":"/healthz","rawQueryString":"",` +
	`"headers":{"accept":"*/*","content-length":"0","host":"abc123def4.execute-api.eu-west-1.amazonaws.com",` +
	`"user-agent":"curl/8.5.0","x-amzn-trace-id":"Root=1-6b08ab02-992db747f461d185ff2ca04b","x-forwarded-for":"203.0.113.7",` +
	`"x-forwarded-port":"443","x-forwarded-proto":"https"},"requestContext":{"accountId":"123456789012","apiId":"abc123def4",` +
	`"domainName":"abc123def4.execute-api.eu-west-1.amazonaws.com","domainPrefix":"abc123def4","http":{"method":"GET",` +
	`"path":"/healthz","protocol":"HTTP/1.1","sourceIp":"203.0.113.7","userAgent":"curl/8.5.0"},"requestId":"qMhwLYrGukB4x3w=",` +
	`"routeKey":"GET /healthz","stage":"$default","time":"26/Nov/2026:21:56:18 +0000","timeEpoch":1795730178870},"isBase64Encoded":false}`

var eventSeeds = []string{
	curlHealthz,
	// a browser: quotes escaped in sec-ch-ua, cookies, a JWT authorizer, a JSON body
	`{"version":"2.0","rawPath":"/v1/inquiries","rawQueryString":"a=1&b=%20","cookies":["s=1","t=2"],` +
		`"headers":{"sec-ch-ua":"\"Chromium\";v=\"120\"","content-type":"application/json","cookie":"ignored=1"},` +
		`"requestContext":{"authorizer":{"jwt":{"claims":{"sub":"u"},"scopes":["a"]}},"http":{"method":"POST",` +
		`"protocol":"HTTP/2.0","sourceIp":"2001:db8::1"},"timeEpoch":-1.5e3},"body":"{\"name\":\"Ada \\u00e9\"}","isBase64Encoded":false}`,
	`{"rawPath":"/b","requestContext":{"http":{"method":"PUT"}},"body":"AAH/","isBase64Encoded":true}`,
	`{"rawPath":"/a\u00e9\ud83d\ude00\ud800x","requestContext":{"http":{"method":"GET"}}}`,
	"{\"rawPath\":\"/\xff\xfe\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
	`{"rawPath":"/","RAWPATH":"/x","requestContext":{"http":{"method":"GET"}}}`,
	`{"rawPath":"/","rawPath":"/x","requestContext":{"http":{"method":"GET"}}}`,
	`{"rawPath":"/","requestContext":{"http":{"method":"GET"}},"headers":{"X-A":"1","x-a":"2"}}`,
	`{"rawPath":"/","requestContext":{"http":{"method":"GET"}},"headers":{"a b":"1"}}`,
	`{"rawPath":"/","requestContext":{"http":{"method":"GET"}},"headers":null,"cookies":null,"body":null}`,
	`{"rawPath":"/","requestContext":{"http":{"method":"GET"}},"x":[1,{"y":[true,false,null,-0.5e+2,"\\"]}]}`,
	`{"rawPath":"/","requestContext":{"http":{"method":"GET"}},"x":01}`,
	`{"rawPath":"/","requestContext":{"http":{"method":"GET"}}} x`,
	`{"iſBase64Encoded":true,"rawPath":"/","requestContext":{"http":{"method":"GET"}},"coo\u212Aies":["k=1"]}`,
	`{"rawPath":"/?q#f","rawQueryString":"a#b","requestContext":{"http":{"method":"GET"},"domainName":"d"}}`,
	// route keys and path parameters: agreeing, one-sided, conflicting, repeated, null, folded
	`{"routeKey":"GET /v1/x/{id}","rawPath":"/v1/x/a","pathParameters":{"id":"a","\u0069d2":"b"},"requestContext":{"routeKey":"GET /v1/x/{id}","http":{"method":"GET"}}}`,
	`{"routeKey":"$default","rawPath":"/","requestContext":{"http":{"method":"GET"}}}`,
	`{"rawPath":"/","requestContext":{"routeKey":"GET /","http":{"method":"GET"}}}`,
	`{"routeKey":"GET /v1/x/{id}","rawPath":"/","requestContext":{"routeKey":"$default","http":{"method":"GET"}}}`,
	`{"rawPath":"/","pathParameters":{"id":"a","id":"b"},"requestContext":{"http":{"method":"GET"}}}`,
	`{"rawPath":"/","pathParameters":{"id":null},"requestContext":{"http":{"method":"GET"}}}`,
	`{"rawPath":"/","pathParameters":null,"ROUTEKEY":"x","requestContext":{"http":{"method":"GET"},"RouteKey":"y"}}`,
	`null`,
	`[]`,
	``,
}

// FuzzNewRequest checks the event translation: the fast decoder and encoding/json (the
// reference) give the same request or both fail; the request keeps the event's method,
// path, query, headers, cookies and body; Invoke never panics and fails exactly when the
// payload is no usable event.
func FuzzNewRequest(f *testing.F) {
	for _, s := range eventSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		ctx := context.Background()
		var slow wire
		slowErr := decodeSlow(payload, &slow)
		var d fastDecoder
		var fast wire
		_, fastOK := d.decode(payload, &fast)
		if fastOK && slowErr != nil {
			t.Fatalf("fast decoder accepted a payload encoding/json refuses: %v", slowErr)
		}

		var rs *http.Request
		var errS error
		if slowErr == nil {
			rs, errS = newRequest(ctx, &slow, &requestAlloc{}, nil)
			if fastOK {
				rf, errF := newRequest(ctx, &fast, &requestAlloc{}, nil)
				if (errS == nil) != (errF == nil) {
					t.Fatalf("fast and reference disagree: %v vs %v", errF, errS)
				}
				if errS == nil {
					assertSameRequest(t, rs, rf)
					assertSameRoute(t, rs, rf)
				}
			}
			if errS == nil {
				checkInvariants(t, &slow, rs)
			}
		}

		_, err := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // the body is drained, not checked
			w.Write([]byte(r.URL.Path))
		})).Invoke(ctx, payload)
		if wantErr := slowErr != nil || errS != nil; (err != nil) != wantErr {
			t.Fatalf("Invoke error = %v, want error: %v", err, wantErr)
		}
	})
}

func assertSameRequest(t *testing.T, want, got *http.Request) {
	t.Helper()
	type view struct {
		Method, Path, RawPath, RawQuery, RequestURI, Proto, Host, RemoteAddr string
		Major, Minor                                                         int
		Header                                                               http.Header
		Length                                                               int64
		Body                                                                 string
	}
	v := func(r *http.Request) view {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		return view{r.Method, r.URL.Path, r.URL.RawPath, r.URL.RawQuery, r.RequestURI, r.Proto, r.Host, r.RemoteAddr,
			r.ProtoMajor, r.ProtoMinor, r.Header, r.ContentLength, string(b)}
	}
	w, g := v(want), v(got)
	if !equalView(w.Header, g.Header) || w.Method != g.Method || w.Path != g.Path || w.RawPath != g.RawPath ||
		w.RawQuery != g.RawQuery || w.RequestURI != g.RequestURI || w.Proto != g.Proto || w.Host != g.Host ||
		w.RemoteAddr != g.RemoteAddr || w.Major != g.Major || w.Minor != g.Minor || w.Length != g.Length || w.Body != g.Body {
		t.Fatalf("fast decoder's request differs from the reference:\nfast %+v\nref  %+v", g, w)
	}
}

// assertSameRoute checks that the fast decoder and the reference give the handler the same
// route key and path parameters.
func assertSameRoute(t *testing.T, want, got *http.Request) {
	t.Helper()
	wk, wp, wok := RouteFromContext(want.Context())
	gk, gp, gok := RouteFromContext(got.Context())
	if wk != gk || wok != gok || !maps.Equal(wp, gp) || (wp == nil) != (gp == nil) {
		t.Fatalf("route differs: fast %q %v %v, reference %q %v %v", gk, gp, gok, wk, wp, wok)
	}
}

func equalView(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		if !slices.Equal(va, b[k]) {
			return false
		}
	}
	return true
}

func checkInvariants(t *testing.T, w *wire, r *http.Request) {
	t.Helper()
	if r.Method != w.method || r.URL.Path != w.rawPath || r.URL.RawQuery != w.rawQuery {
		t.Fatalf("method/path/query changed: %q %q %q from %q %q %q", r.Method, r.URL.Path, r.URL.RawQuery, w.method, w.rawPath, w.rawQuery)
	}
	if u, err := url.ParseRequestURI(r.RequestURI); err != nil || u.Path != r.URL.Path || u.RawQuery != r.URL.RawQuery {
		t.Fatalf("RequestURI %q does not parse back to path %q and query %q (%v)", r.RequestURI, r.URL.Path, r.URL.RawQuery, err)
	}
	for _, h := range w.headers {
		switch {
		case h.name == "Host":
			if r.Host != h.value && !slices.ContainsFunc(w.headers, func(o header) bool { return o.name == "Host" && o.value == r.Host }) {
				t.Fatalf("Host = %q, want %q", r.Host, h.value)
			}
			if _, ok := r.Header["Host"]; ok {
				t.Fatal("Host left in the header map")
			}
		case h.name == "Cookie" && len(w.cookies) > 0:
		default:
			if !slices.Contains(r.Header[h.name], h.value) {
				t.Fatalf("header %s = %q, want it to hold %q", h.name, r.Header[h.name], h.value)
			}
			for k := range r.Header {
				if k != http.CanonicalHeaderKey(k) {
					t.Fatalf("header name %q is not canonical", k)
				}
			}
		}
	}
	if len(w.cookies) > 0 && r.Header.Get("Cookie") != strings.Join(w.cookies, "; ") {
		t.Fatalf("Cookie = %q, want the cookies joined", r.Header.Get("Cookie"))
	}
	body, _ := io.ReadAll(r.Body)
	want := []byte(w.body)
	if w.isBase64 {
		want, _ = base64.StdEncoding.DecodeString(w.body)
	}
	if !bytes.Equal(body, want) || r.ContentLength != int64(len(want)) {
		t.Fatalf("body %q (length %d), want %q", body, r.ContentLength, want)
	}
}

func TestFastDecoderTakesTheUsualEvents(t *testing.T) {
	// The hot path only helps if API Gateway's events take it: the curl event and a
	// browser's event (escaped quotes, cookies, authorizer) must not fall back.
	for _, s := range eventSeeds[:4] {
		var d fastDecoder
		var w wire
		_, ok := d.decode([]byte(s), &w)
		if !ok {
			t.Errorf("fast decoder gave up on %s", s)
		}
	}
}

func TestFastDecoderGivesUpOnDoubtfulShapes(t *testing.T) {
	for _, s := range append(eventSeeds[5:10], eventSeeds[13]) {
		var d fastDecoder
		var w wire
		if _, ok := d.decode([]byte(s), &w); ok {
			t.Errorf("fast decoder took %s; encoding/json must decide", s)
		}
	}
}

// FuzzResponseJSON checks the response encoder: whatever a handler writes, the response is
// valid JSON that encoding/json decodes to the same status, headers, cookies and body.
func FuzzResponseJSON(f *testing.F) {
	f.Add(200, "application/json", "v", "a=1", []byte(`{"x":"\u2028"}`))
	f.Add(404, "text/plain", "a\xffb", "", []byte("a\x00\"\\\n"))
	f.Add(201, "image/png", "\"q\"", "c=\"d\"", []byte{0x89, 0, 0xff})
	f.Add(204, "", "", "", []byte(nil))
	f.Fuzz(func(t *testing.T, status int, ct, hv, cookie string, body []byte) {
		if status < 200 || status > 599 {
			status = 200
		}
		out, err := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if ct != "" {
				w.Header().Set("Content-Type", ct)
			}
			w.Header().Set("X-Value", hv)
			if cookie != "" {
				w.Header().Add("Set-Cookie", cookie)
			}
			w.WriteHeader(status)
			w.Write(body)
		})).Invoke(context.Background(), []byte(`{"rawPath":"/","requestContext":{"http":{"method":"GET"}}}`))
		if err != nil {
			t.Fatal(err)
		}
		var resp events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatalf("response is not valid JSON: %v\n%s", err, out)
		}
		asJSON := func(s string) string { // what encoding/json makes of s
			b, err := json.Marshal(s)
			var back string
			if err == nil {
				err = json.Unmarshal(b, &back)
			}
			if err != nil {
				t.Fatalf("encoding/json does not round-trip %q: %v", s, err)
			}
			return back
		}
		if resp.StatusCode != status || resp.Headers["X-Value"] != asJSON(hv) {
			t.Fatalf("status %d header %q, want %d %q", resp.StatusCode, resp.Headers["X-Value"], status, asJSON(hv))
		}
		if cookie != "" && (len(resp.Cookies) != 1 || resp.Cookies[0] != asJSON(cookie)) {
			t.Fatalf("cookies %q, want [%q]", resp.Cookies, cookie)
		}
		got := []byte(resp.Body)
		if resp.IsBase64Encoded {
			got, _ = base64.StdEncoding.DecodeString(resp.Body)
		}
		if bodyAllowed(status) && !bytes.Equal(got, body) {
			t.Fatalf("body %q, want %q", got, body)
		}
	})
}
