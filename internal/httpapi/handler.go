package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/groundwork-dev/groundwork/internal/apigw"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

// MaxBodyBytes is the largest request body accepted (64 KiB); a larger one is a 413.
const MaxBodyBytes = 64 << 10

// Option configures the handler.
type Option func(*handler)

// WithLogger sets where server errors (5xx) are logged with their cause. Nil (the default)
// means slog.Default(). Successful requests are not logged: API Gateway's access log and
// the local server's own log cover them.
func WithLogger(l *slog.Logger) Option { return func(h *handler) { h.log = l } }

type handler struct {
	svc    *inquiry.Service
	log    *slog.Logger
	routes table
}

// NewHandler returns the API's handler. It serves each entry of Routes as the package doc
// says (a protected route only for an event of its own route key; everything else on the
// exact path, public routes only), and answers every other request with a 404 problem, or a
// 405 problem with Allow when the path is a reachable route's with another method.
func NewHandler(svc *inquiry.Service, opts ...Option) http.Handler {
	h := &handler{svc: svc}
	for _, o := range opts {
		o(h)
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.routes = newTable(Routes, map[string]http.HandlerFunc{
		"GET /healthz":           h.healthz,
		"POST /v1/inquiries":     h.submit,
		"GET /v1/inquiries/{id}": h.get,
	})
	return h
}

// ServeHTTP dispatches on the route the request's event names (through apigw) and on its
// exact path; see table.resolve.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	routeKey, eventParams, _ := apigw.RouteFromContext(r.Context())
	e, params, allowed := h.routes.resolve(r.Method, r.URL.Path, routeKey, eventParams)
	if e == nil {
		h.noRoute(w, r, allowed)
		return
	}
	for _, n := range e.params {
		r.SetPathValue(n, params[n])
	}
	e.serve(w, r)
}

// Shared header values. net/http stores header values as slices; handing out these
// (never written to) saves an allocation per response on the hot path.
var (
	jsonContentType    = []string{"application/json"}
	problemContentType = []string{"application/problem+json"}
	noStore            = []string{"no-store"}
)

var healthBody = []byte(`{"status":"ok"}` + "\n")

func (h *handler) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(http.StatusOK)
	w.Write(healthBody)
}

// submit serves POST /v1/inquiries. Anything it cannot take as sent is refused rather than
// read otherwise: a media type other than JSON or a Content-Encoding (415), a query string,
// a body that is not one JSON object of valid text with each field once, or an
// Idempotency-Key holding more than one key (400, naming what is at fault).
func (h *handler) submit(w http.ResponseWriter, r *http.Request) {
	if !isJSON(r.Header.Get("Content-Type")) {
		writeProblem(w, problem{Status: http.StatusUnsupportedMediaType,
			Detail: fmt.Sprintf("Content-Type must be application/json (UTF-8), not %q", r.Header.Get("Content-Type"))})
		return
	}
	if coding, ok := identityCoded(r.Header["Content-Encoding"]); !ok {
		// The body would be parsed as it is, compressed bytes and all: refuse it, saying
		// which codings are accepted, as RFC 9110 §15.5.16 suggests.
		w.Header()["Accept-Encoding"] = identityEncoding
		writeProblem(w, problem{Status: http.StatusUnsupportedMediaType,
			Detail: fmt.Sprintf("Content-Encoding %q is not supported: send the body uncompressed", coding)})
		return
	}
	if r.URL.RawQuery != "" {
		writeProblem(w, problem{Type: TypeInvalidFields, Title: "Invalid fields", Status: http.StatusBadRequest,
			Detail: "POST /v1/inquiries takes no query parameters; the inquiry goes in the JSON body", Errors: queryErrors(r.URL.RawQuery)})
		return
	}
	if r.ContentLength > MaxBodyBytes {
		writeProblem(w, tooLarge())
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeProblem(w, tooLarge())
			return
		}
		writeProblem(w, problem{Status: http.StatusBadRequest, Detail: "the request body could not be read"})
		return
	}
	sub, err := inquiry.DecodeSubmission(body)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	// A header sent twice arrives joined with commas from API Gateway; from a net/http
	// server it arrives as two values: join them alike, so the service refuses both.
	var idemKey string
	switch vs := r.Header["Idempotency-Key"]; len(vs) {
	case 0:
	case 1:
		idemKey = vs[0]
	default:
		idemKey = strings.Join(vs, ",")
	}
	rc, err := h.svc.Submit(r.Context(), sub, idemKey)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	hdr := w.Header()
	hdr.Set("Location", "/v1/inquiries/"+rc.ID)
	if rc.Replayed {
		hdr.Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, http.StatusAccepted, rc)
}

func (h *handler) get(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	rec, err := h.svc.Get(r.Context(), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header()["Cache-Control"] = noStore // personal data: no shared caches
	writeJSON(w, http.StatusOK, rec)
}

// noRoute answers a request no route serves: 405 with Allow when allowed lists the methods
// of the reachable routes with its path, else 404.
func (h *handler) noRoute(w http.ResponseWriter, r *http.Request, allowed []string) {
	if len(allowed) == 0 {
		writeProblem(w, problem{Status: http.StatusNotFound, Detail: fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path)})
		return
	}
	allow := strings.Join(allowed, ", ")
	w.Header().Set("Allow", allow)
	writeProblem(w, problem{Status: http.StatusMethodNotAllowed, Detail: fmt.Sprintf("%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, allow)})
}

// WriteProblem writes an RFC 9457 problem (type about:blank, the status text as title) with
// detail: for a server in front of the handler that answers a request itself, such as the
// local server for a request target that is not a path.
func WriteProblem(w http.ResponseWriter, status int, detail string) {
	writeProblem(w, problem{Status: status, Detail: detail})
}

// writeError maps an error from the domain to its problem.
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var verr *inquiry.ValidationError
	var merr *inquiry.MalformedError
	switch {
	case errors.As(err, &verr):
		writeProblem(w, problem{Type: TypeInvalidFields, Title: "Invalid fields", Status: http.StatusBadRequest,
			Detail: "one or more fields are invalid; see errors", Errors: verr.Fields})
	case errors.As(err, &merr):
		writeProblem(w, problem{Type: TypeMalformedJSON, Title: "Malformed JSON", Status: http.StatusBadRequest,
			Detail: merr.Detail})
	case errors.Is(err, inquiry.ErrIdempotencyMismatch):
		writeProblem(w, problem{Type: TypeIdempotencyKeyReused, Title: "Idempotency key reused", Status: http.StatusUnprocessableEntity,
			Detail: "this Idempotency-Key was used with a different request body in the last 24 hours; use a new key for a new request"})
	case errors.Is(err, inquiry.ErrNotFound):
		writeProblem(w, problem{Status: http.StatusNotFound, Detail: fmt.Sprintf("no inquiry %q", r.PathValue("id"))})
	default:
		h.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		writeProblem(w, problem{Status: http.StatusInternalServerError, Detail: "the request could not be completed; retry later"})
	}
}

// isJSON accepts application/json, with no charset or charset=utf-8 (JSON is UTF-8).
func isJSON(ct string) bool {
	if ct == "application/json" {
		return true
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return false
	}
	cs, ok := params["charset"]
	return !ok || strings.EqualFold(cs, "utf-8")
}

func tooLarge() problem {
	return problem{Status: http.StatusRequestEntityTooLarge, Title: "Content Too Large",
		Detail: fmt.Sprintf("the request body must be at most %d bytes", MaxBodyBytes)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // only the types of this package and inquiry reach here: cannot fail
		panic(err)
	}
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
