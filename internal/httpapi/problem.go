package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

// Problem types of this API (RFC 9457 "type"). They are tag URIs (RFC 4151), as RFC 9457
// suggests for types that are identifiers, not documentation addresses. Problems that mean
// no more than their status code have type "about:blank" and the status text as title.
const (
	TypeInvalidFields        = "tag:groundwork.dev,2026:problem/invalid-fields"
	TypeMalformedJSON        = "tag:groundwork.dev,2026:problem/malformed-json"
	TypeIdempotencyKeyReused = "tag:groundwork.dev,2026:problem/idempotency-key-reused"
)

// ProblemContentType is the media type of every error response.
const ProblemContentType = "application/problem+json"

// problem is an RFC 9457 problem details object.
type problem struct {
	// Type identifies the kind of problem. Empty means "about:blank".
	Type string `json:"type"`
	// Title is a short summary of the kind. Empty means the status text.
	Title  string `json:"title"`
	Status int    `json:"status"`
	// Detail explains this occurrence to the client.
	Detail string `json:"detail,omitempty"`
	// Errors lists the fields at fault of a validation problem; nil for other problems.
	Errors []inquiry.FieldError `json:"errors,omitempty"`
}

func writeProblem(w http.ResponseWriter, p problem) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	b, err := json.Marshal(p)
	if err != nil { // strings, an int and a slice of string pairs: cannot fail
		panic(err)
	}
	h := w.Header()
	h["Content-Type"] = problemContentType
	h.Del("Content-Length")
	w.WriteHeader(p.Status)
	w.Write(append(b, '\n'))
}
