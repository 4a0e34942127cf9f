package apigw

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// Placeholders for the request context fields that only exist in AWS.
const (
	// LocalAccountID is the requestContext.accountId of events made by EventFromRequest.
	LocalAccountID = "000000000000"
	// LocalAPIID is their requestContext.apiId.
	LocalAPIID = "local"
	// DefaultStage is the stage of every event EventFromRequest makes.
	DefaultStage = "$default"
)

// IsText reports whether a body of this content type travels as text in events and
// responses: text/*, application/json and any +json, application/xml and any +xml,
// JavaScript, and application/x-www-form-urlencoded. Anything else is base64-encoded with
// isBase64Encoded set. Parameters (charset) are ignored; an empty type is not text. A body
// that is not valid UTF-8 is always base64-encoded, whatever its type.
func IsText(contentType string) bool {
	mt := contentType
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = mt[:i]
	}
	mt = strings.TrimSpace(mt)
	if len(mt) > 5 && strings.EqualFold(mt[:5], "text/") {
		return true
	}
	typ, sub, ok := strings.Cut(mt, "/")
	if !ok || !strings.EqualFold(typ, "application") {
		return false
	}
	switch strings.ToLower(sub) {
	case "json", "xml", "javascript", "x-javascript", "ecmascript", "x-www-form-urlencoded":
		return true
	}
	return hasSuffixFold(sub, "+json") || hasSuffixFold(sub, "+xml")
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// EventFromRequest returns the event API Gateway would send for r, whose body has already
// been read into body, on the route routeKey ("GET /v1/inquiries/{id}", or "$default") with
// the given path parameters (already unescaped):
//
//   - rawPath is r.URL.Path (decoded, as API Gateway sends it), rawQueryString is
//     r.URL.RawQuery, and queryStringParameters holds the decoded query, repeated
//     parameters joined with commas;
//   - headers are lower-cased, repeated headers joined with commas; host is r.Host;
//     content-length is len(body); x-forwarded-for gains the client address and
//     x-forwarded-proto and x-forwarded-port are set, as API Gateway sets them; an
//     x-amzn-trace-id is made up;
//   - the Cookie headers are split into cookies and left out of headers;
//   - requestContext carries the route key, stage "$default", a random request id, the
//     time (API Gateway's format, and epoch milliseconds), and http: method, decoded path,
//     protocol, source IP (from r.RemoteAddr) and user agent; accountId and apiId are the
//     Local placeholders, domainName is the host without port;
//   - body is the body as text when IsText(Content-Type) and it is valid UTF-8, otherwise
//     base64 with isBase64Encoded set.
func EventFromRequest(r *http.Request, body []byte, routeKey string, pathParams map[string]string) events.APIGatewayV2HTTPRequest {
	now := time.Now().UTC()
	sourceIP := r.RemoteAddr
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		sourceIP = host
	}

	headers := make(map[string]string, len(r.Header)+6)
	var cookies []string
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if lk == "cookie" {
			for _, v := range vs {
				for c := range strings.SplitSeq(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		if old, ok := headers[lk]; ok { // "X-A" and "x-a" both in the map
			headers[lk] = old + "," + strings.Join(vs, ",")
			continue
		}
		headers[lk] = strings.Join(vs, ",")
	}
	if r.Host != "" {
		headers["host"] = r.Host
	}
	headers["content-length"] = strconv.Itoa(len(body))
	if xff := headers["x-forwarded-for"]; xff != "" {
		headers["x-forwarded-for"] = xff + ", " + sourceIP
	} else {
		headers["x-forwarded-for"] = sourceIP
	}
	proto, port := "http", "80"
	if r.TLS != nil {
		proto, port = "https", "443"
	}
	if _, p, err := net.SplitHostPort(r.Host); err == nil && p != "" {
		port = p
	}
	headers["x-forwarded-proto"] = proto
	headers["x-forwarded-port"] = port
	headers["x-amzn-trace-id"] = traceID(now)

	var query map[string]string
	if r.URL.RawQuery != "" {
		q, _ := url.ParseQuery(r.URL.RawQuery) // keeps what parses, as API Gateway does
		if len(q) > 0 {
			query = make(map[string]string, len(q))
			for k, vs := range q {
				query[k] = strings.Join(vs, ",")
			}
		}
	}

	domain := r.Host
	if h, _, err := net.SplitHostPort(domain); err == nil {
		domain = h
	}
	prefix, _, _ := strings.Cut(domain, ".")

	e := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              routeKey,
		RawPath:               r.URL.Path,
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		PathParameters:        pathParams,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     routeKey,
			AccountID:    LocalAccountID,
			Stage:        DefaultStage,
			RequestID:    requestID(),
			APIID:        LocalAPIID,
			DomainName:   domain,
			DomainPrefix: prefix,
			Time:         now.Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if len(body) > 0 {
		if IsText(r.Header.Get("Content-Type")) && utf8.Valid(body) {
			e.Body = string(body)
		} else {
			e.Body = base64.StdEncoding.EncodeToString(body)
			e.IsBase64Encoded = true
		}
	}
	return e
}

// requestID looks like API Gateway's: 16 characters of base64.
func requestID() string {
	var b [12]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])[:15] + "="
}

// traceID is an X-Ray trace header: Root=1-<epoch seconds, hex>-<96 random bits, hex>.
func traceID(now time.Time) string {
	var b [12]byte
	rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s", now.Unix(), hex.EncodeToString(b[:]))
}

// WriteResponse writes a Lambda's response JSON to w the way API Gateway does: the status,
// the headers, one Set-Cookie per cookie, and the body (base64-decoded when
// isBase64Encoded). A JSON object without statusCode, or any other JSON value, is the body
// of a 200 application/json response (API Gateway's format inference for payload 2.0).
//
// A well-formed response is decoded once; anything else (format inference, errors) takes
// a second look, to tell a payload without a statusCode from a malformed response.
func WriteResponse(w http.ResponseWriter, payload []byte) error {
	var resp response
	if err := json.Unmarshal(payload, &resp); err != nil || resp.StatusCode == nil {
		return writeTwoStep(w, payload)
	}
	return resp.write(w)
}

// response is a payload 2.0 response as WriteResponse decodes it: the fields of
// events.APIGatewayV2HTTPResponse, but StatusCode is nil when the statusCode is missing or
// null (the last one, when it is given twice), which is when API Gateway infers the format.
// (Embedding the events type would cost encoding/json an allocation per decode.)
type response struct {
	StatusCode        *int                `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
	Cookies           []string            `json:"cookies"`
}

// writeTwoStep writes any payload as API Gateway's rules read most directly: JSON with no
// numeric statusCode is the body of a 200 application/json response; otherwise the payload
// is decoded again, whole, as an events.APIGatewayV2HTTPResponse. WriteResponse leaves to it
// what its single decode does not settle; tests hold WriteResponse to it on every payload.
func writeTwoStep(w http.ResponseWriter, payload []byte) error {
	var probe struct {
		StatusCode *int `json:"statusCode"`
	}
	if err := json.Unmarshal(payload, &probe); err != nil || probe.StatusCode == nil {
		if !json.Valid(payload) {
			return fmt.Errorf("apigw: response is not JSON")
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, err := w.Write(payload)
		return err
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(payload, &resp); err != nil {
		return fmt.Errorf("apigw: decode response: %w", err)
	}
	// From WriteResponse, a payload that got this far failed its single decode on a field
	// other than statusCode, and fails the decoding above too: only tests reach this.
	r := response{
		StatusCode: &resp.StatusCode, Headers: resp.Headers, MultiValueHeaders: resp.MultiValueHeaders,
		Body: resp.Body, IsBase64Encoded: resp.IsBase64Encoded, Cookies: resp.Cookies,
	}
	return r.write(w)
}

// write writes a decoded response: status, headers, cookies, body.
func (resp *response) write(w http.ResponseWriter) error {
	status := *resp.StatusCode
	if status < 100 || status > 599 {
		return fmt.Errorf("apigw: response status %d out of range", status)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			return fmt.Errorf("apigw: response body is not valid base64: %w", err)
		}
		body = b
	}
	h := w.Header()
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}
