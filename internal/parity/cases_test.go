package parity

import (
	"bytes"
	"compress/gzip"
	"strings"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

// apiCase is one request of the suite, as a client sends it, and the status it must get.
type apiCase struct {
	name   string
	method string
	// target is the request target as sent on the wire, escapes as written; {NAME} stands
	// for the id of the inquiry an earlier case saved as NAME on the side at hand, {run} for
	// the run's own prefix (so that idempotency keys are new on each run of the list).
	target string
	// header lines, "Name: value", in order; a name may repeat. {NAME} and {run} as in target.
	header []string
	body   string
	// status is the status the case must get (checked on the local side; the other side must
	// answer the same).
	status int
	// save names the inquiry a 202 answer's Location gives, for later cases.
	save string
	// publicReads sends the case to each side's gateway without an authorizer, as on a stack
	// with auth.publicReads (dev): auth off. Otherwise the gateway checks tokens on the
	// protected route as the stack's JWT authorizer does: auth on.
	publicReads bool
	// gets is what the function must be given (checked on the local side; the other side's
	// answer, which says what its function got, must be the same). Zero: not checked.
	gets delivery
	// has are lines the answer must hold ("Www-Authenticate: Bearer").
	has []string
}

// delivery is what reaches the function for a request.
type delivery int

const (
	anyDelivery  delivery = iota // not checked
	notInvoked                   // nothing: the gateway answered itself (a refused token)
	noClaims                     // an event without requestContext.authorizer
	readerClaims                 // an event with the reader token's claims and scopes in requestContext.authorizer.jwt
)

// Request parts the cases share.
const (
	jsonType    = "Content-Type: application/json"
	bearer      = "Authorization: Bearer {reader-token}" // a token the authorizer accepts, with readScope
	cookies     = "Cookie: session=abc123; theme=dark"
	validBody   = `{"name":"Ada Lovelace","email":"ada@example.com","company":"Analytical Engines","message":"Hello"}`
	otherBody   = `{"name":"Ada Lovelace","email":"ada@example.com","message":"Another question"}`
	unicodeBody = `{"name":"Zoë Ødegård","email":"zoe@example.com","message":"Grüße 👋\n\tzweite Zeile \u00e9"}`
	// unknownID is a well-formed id no inquiry has.
	unknownID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
)

// apiCases is the suite's list of requests: every route, every error class, auth on (the
// gateway with the stack's JWT authorizer: each kind of bad token, a token without the
// scope, a valid one) and off (publicReads), binary bodies, query strings, cookies, and the
// $default spellings of the protected route (issue 7). Tokens are named {NAME-token} (see
// newAuth). Cases run in order: a GET of an id follows the POST that saved it.
func apiCases() []apiCase {
	return []apiCase{
		// GET /healthz, the public route without a body.
		{name: "GET /healthz", method: "GET", target: "/healthz", status: 200},
		{name: "HEAD /healthz: headers without a body", method: "HEAD", target: "/healthz", status: 200},
		{name: "GET /healthz with a query string (repeated and escaped parameters)", method: "GET",
			target: "/healthz?probe=1&probe=2&q=a%20b%26c", status: 200},
		{name: "GET /healthz with cookies and a token (public route: no authorizer)", method: "GET", target: "/healthz",
			header: []string{cookies, bearer}, status: 200, gets: noClaims},
		{name: "POST /healthz: 405 with Allow", method: "POST", target: "/healthz", status: 405},
		{name: "a lower-case method: 405 with Allow", method: "get", target: "/healthz", status: 405},
		{name: "a path no route has: 404", method: "GET", target: "/v1/nothing", status: 404},
		{name: "DELETE /v1/inquiries: 405 with Allow", method: "DELETE", target: "/v1/inquiries", status: 405},
		{name: "OPTIONS /v1/inquiries: 405 with Allow", method: "OPTIONS", target: "/v1/inquiries", status: 405},

		// POST /v1/inquiries, accepted.
		{name: "POST /v1/inquiries: 202 with Location", method: "POST", target: "/v1/inquiries",
			header: []string{jsonType}, body: validBody, status: 202, save: "a"},
		{name: "POST with charset, cookies and a token (public route: no claims)", method: "POST", target: "/v1/inquiries",
			header: []string{"Content-Type: application/json; charset=utf-8", cookies, bearer}, body: otherBody, status: 202, save: "b", gets: noClaims},
		{name: "POST non-ASCII text, escapes and line breaks", method: "POST", target: "/v1/inquiries",
			header: []string{jsonType, "X-Forwarded-For: 203.0.113.9"}, body: unicodeBody, status: 202, save: "u"},

		// GET /v1/inquiries/{id}, the protected route, auth on: the gateway refuses a missing
		// or bad token itself, as API Gateway does, and the function gets the claims of a
		// valid one.
		{name: "GET an inquiry, auth on: claims and scopes in requestContext.authorizer.jwt", method: "GET",
			target: "/v1/inquiries/{a}", header: []string{bearer}, status: 200, gets: readerClaims},
		{name: "GET an inquiry with a query string and cookies, auth on", method: "GET",
			target: "/v1/inquiries/{u}?fields=all&x=%E2%9C%93", header: []string{bearer, cookies}, status: 200, gets: readerClaims},
		{name: "GET an inquiry without a token: 401 with www-authenticate", method: "GET", target: "/v1/inquiries/{a}",
			status: 401, gets: notInvoked, has: []string{"Www-Authenticate: Bearer", `{"message":"Unauthorized"}`}},
		{name: "GET an inquiry with a token that is not a JWT: 401", method: "GET", target: "/v1/inquiries/{a}",
			header: []string{"Authorization: Bearer not-a-token"}, status: 401, gets: notInvoked},
		{name: "GET an inquiry with an expired token: 401", method: "GET", target: "/v1/inquiries/{a}",
			header: []string{"Authorization: Bearer {expired-token}"}, status: 401, gets: notInvoked},
		{name: "GET an inquiry with a token for another audience: 401", method: "GET", target: "/v1/inquiries/{a}",
			header: []string{"Authorization: Bearer {wrong-audience-token}"}, status: 401, gets: notInvoked},
		{name: "GET an inquiry with a token signed by a key the issuer does not publish: 401", method: "GET", target: "/v1/inquiries/{a}",
			header: []string{"Authorization: Bearer {unknown-key-token}"}, status: 401, gets: notInvoked},
		{name: "GET an inquiry with a forged token (the issuer's kid, another key's signature): 401", method: "GET", target: "/v1/inquiries/{a}",
			header: []string{"Authorization: Bearer {forged-token}"}, status: 401, gets: notInvoked},
		{name: "GET an inquiry with a token without the read scope: 403", method: "GET", target: "/v1/inquiries/{a}",
			header: []string{"Authorization: Bearer {no-scope-token}"}, status: 403, gets: notInvoked, has: []string{`{"message":"Forbidden"}`}},

		// The same route, auth off (a stack with auth.publicReads): served without a token, and
		// a token is neither checked nor turned into claims.
		{name: "GET an inquiry, auth off: no token, no claims", method: "GET", target: "/v1/inquiries/{a}",
			publicReads: true, status: 200, gets: noClaims},
		{name: "GET an inquiry, auth off, an expired token: not checked, no claims", method: "GET", target: "/v1/inquiries/{u}",
			header: []string{"Authorization: Bearer {expired-token}"}, publicReads: true, status: 200, gets: noClaims},
		{name: "GET an unknown inquiry: 404", method: "GET", target: "/v1/inquiries/" + unknownID, header: []string{bearer}, status: 404, gets: readerClaims},
		{name: "GET a malformed id: 404", method: "GET", target: "/v1/inquiries/not-an-id", header: []string{bearer}, status: 404, gets: readerClaims},
		{name: "POST to the protected route's path: 404 (a protected route is invisible from $default)", method: "POST", target: "/v1/inquiries/{a}",
			header: []string{jsonType}, body: validBody, status: 404},

		// Spellings of the protected path that the local route choice sends to $default, where
		// the handler refuses a protected route (issue 7 §1), token or not.
		{name: "$default: GET /v1/inquiries%2F<id>", method: "GET", target: "/v1/inquiries%2F{a}", header: []string{bearer}, status: 404, gets: noClaims},
		{name: "$default: GET /v1/inquiries//<id>", method: "GET", target: "/v1/inquiries//{a}", header: []string{bearer}, status: 404, gets: noClaims},
		{name: "$default: GET /v1/inquiries/<id>/ (trailing slash)", method: "GET", target: "/v1/inquiries/{a}/", status: 404},
		{name: "$default: GET /v1/%69nquiries/<id>", method: "GET", target: "/v1/%69nquiries/{a}", header: []string{bearer}, status: 404, gets: noClaims},
		{name: "$default: GET /v1/inquiries/./<id>", method: "GET", target: "/v1/inquiries/./{a}", status: 404},
		{name: "$default: GET /v1/inquiries/%CE%BB", method: "GET", target: "/v1/inquiries/%CE%BB", status: 404},
		{name: "GET //healthz: the route's key, an empty segment ignored as API Gateway does", method: "GET", target: "//healthz", status: 200},

		// POST /v1/inquiries, refused.
		{name: "POST with a query string: 400 naming the parameters", method: "POST",
			target: "/v1/inquiries?utm_source=mail&ref=a%26b", header: []string{jsonType}, body: validBody, status: 400},
		{name: "POST malformed JSON: 400", method: "POST", target: "/v1/inquiries",
			header: []string{jsonType}, body: `{"name":"Ada",`, status: 400},
		{name: "POST a JSON array: 400", method: "POST", target: "/v1/inquiries",
			header: []string{jsonType}, body: `[1,2]`, status: 400},
		{name: "POST a field given twice (duplicate key): 400", method: "POST", target: "/v1/inquiries",
			header: []string{jsonType}, body: `{"name":"Ada","name":"Bob","email":"ada@example.com","message":"Hi"}`, status: 400},
		{name: "POST invalid fields: 400 listing each", method: "POST", target: "/v1/inquiries",
			header: []string{jsonType}, body: `{"name":"","email":"not-an-address","message":7,"extra":true}`, status: 400},
		{name: "POST JSON that is not UTF-8 (a binary event body): 400", method: "POST", target: "/v1/inquiries",
			header: []string{jsonType}, body: "{\"name\":\"Ad\xffa\",\"email\":\"ada@example.com\",\"message\":\"Hi\"}", status: 400},
		{name: "POST an empty body: 400", method: "POST", target: "/v1/inquiries", header: []string{jsonType}, status: 400},
		{name: "POST a body over 64 KiB: 413", method: "POST", target: "/v1/inquiries",
			header: []string{jsonType}, body: `{"name":"Ada","email":"ada@example.com","message":"` + strings.Repeat("x", 70<<10) + `"}`, status: 413},
		{name: "POST text/plain: 415", method: "POST", target: "/v1/inquiries",
			header: []string{"Content-Type: text/plain"}, body: validBody, status: 415},
		{name: "POST without Content-Type: 415", method: "POST", target: "/v1/inquiries", body: validBody, status: 415},
		{name: "POST a binary body (application/octet-stream): 415", method: "POST", target: "/v1/inquiries",
			header: []string{"Content-Type: application/octet-stream"}, body: "\x00\x01\x02\xfe\xff binary \x80", status: 415},
		{name: "POST gzip-encoded JSON (a binary body): 415 with Accept-Encoding", method: "POST", target: "/v1/inquiries",
			header: []string{jsonType, "Content-Encoding: gzip"}, body: gzipped(validBody), status: 415},

		// Idempotency.
		{name: "POST with an Idempotency-Key: 202", method: "POST", target: "/v1/inquiries",
			header: []string{jsonType, "Idempotency-Key: {run}-key-1"}, body: validBody, status: 202, save: "k"},
		{name: "POST again, same key and body: the replay answers the first id", method: "POST", target: "/v1/inquiries",
			header: []string{jsonType, "Idempotency-Key: {run}-key-1"}, body: validBody, status: 202},
		{name: "POST again, same key and another body: 422", method: "POST", target: "/v1/inquiries",
			header: []string{jsonType, "Idempotency-Key: {run}-key-1"}, body: otherBody, status: 422},
		{name: "POST two Idempotency-Key headers: 400", method: "POST", target: "/v1/inquiries",
			header: []string{jsonType, "Idempotency-Key: {run}-key-2", "Idempotency-Key: {run}-key-3"}, body: validBody, status: 400},
		{name: "POST an Idempotency-Key holding two keys: 400", method: "POST", target: "/v1/inquiries",
			header: []string{jsonType, "Idempotency-Key: {run}-key-4, {run}-key-5"}, body: validBody, status: 400},
		{name: "GET the idempotently created inquiry", method: "GET", target: "/v1/inquiries/{k}", header: []string{bearer}, status: 200, gets: readerClaims},
	}
}

// gzipped is s compressed with gzip.
func gzipped(s string) string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write([]byte(s)) // into a bytes.Buffer: cannot fail
	zw.Close()
	return b.String()
}

// workerCase is one batch of the suite, as the events queue's event source mapping sends it.
type workerCase struct {
	name    string
	records []message
	// failures are the message ids the batch must report failed, in order (checked on the
	// local side; the other side must report the same).
	failures []string
	// touches names the inquiries whose record (GET) and archive are compared after the batch.
	touches []string
}

// workerCases is the suite's list of batches. They follow the API cases, whose events they
// carry: each side's own, as its API published them.
func workerCases() []workerCase {
	return []workerCase{
		{name: "one event of a stored inquiry: processed and archived",
			records: []message{{id: "m-a", body: publishedEvent("a")}},
			touches: []string{"a"}},
		{name: "a partial batch failure: each bad message fails alone",
			records: []message{
				{id: "m-b", body: publishedEvent("b")},
				{id: "m-not-json", body: literal("not json")},
				{id: "m-twice", body: literal(`{"type":"inquiry.received","inquiryId":"` + unknownID + `","inquiryId":"` + unknownID + `"}`)},
				{id: "m-no-id", body: literal(`{"type":"inquiry.received"}`)},
				{id: "m-other-type", body: literal(`{"type":"inquiry.deleted","inquiryId":"` + unknownID + `"}`)},
				{id: "m-missing-record", body: eventOfUnknownInquiry(0)},
				{id: "m-missing-no-time", body: literal(`{"type":"inquiry.received","inquiryId":"` + unknownID + `"}`)},
				{id: "m-orphan", body: eventOfUnknownInquiry(2 * inquiry.OrphanGrace)},
				{id: "m-u", body: publishedEvent("u")},
			},
			failures: []string{"m-not-json", "m-twice", "m-no-id", "m-other-type", "m-missing-record", "m-missing-no-time"},
			touches:  []string{"b", "u"}},
		{name: "a redelivered event of a processed inquiry: acknowledged, nothing changes",
			records: []message{{id: "m-a-again", body: publishedEvent("a")}},
			touches: []string{"a"}},
		{name: "the event of the idempotently created inquiry",
			records: []message{{id: "m-k", body: publishedEvent("k")}},
			touches: []string{"k"}},
	}
}
