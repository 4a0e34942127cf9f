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
	svc *inquiry.Service
	log *slog.Logger
}

// NewHandler returns the API's handler: a ServeMux with one pattern per entry of Routes,
// and a catch-all that answers unknown routes (404) and wrong methods (405 with Allow) as
// problems, where ServeMux would answer in text/plain.
func NewHandler(svc *inquiry.Service, opts ...Option) http.Handler {
	h := &handler{svc: svc}
	for _, o := range opts {
		o(h)
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	funcs := map[string]http.HandlerFunc{
		"GET /healthz":           h.healthz,
		"POST /v1/inquiries":     h.submit,
		"GET /v1/inquiries/{id}": h.get,
	}
	mux := http.NewServeMux()
	for _, rt := range Routes {
		f, ok := funcs[rt.Key()]
		if !ok {
			panic("httpapi: no handler for route " + rt.Key())
		}
		mux.Handle(rt.Key(), f)
		if rt.Method == http.MethodGet && !rt.Public {
			// ServeMux would serve HEAD through the GET pattern. In AWS a HEAD reaches this
			// handler only through the public $default route, past the authorizer that
			// guards the GET route: refuse it, or it would tell who asks which ids exist.
			mux.HandleFunc(http.MethodHead+" "+rt.Path, h.noRoute)
		}
	}
	mux.HandleFunc("/", h.noRoute)
	return mux
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

// noRoute answers every request no route matches: 405 with Allow when the path is a
// route's with another method, else 404.
func (h *handler) noRoute(w http.ResponseWriter, r *http.Request) {
	var methods []string
	for _, rt := range Routes {
		if _, ok := matchPath(rt.Path, r.URL.EscapedPath()); ok {
			methods = append(methods, rt.Method)
			if rt.Method == http.MethodGet && rt.Public { // HEAD is served for public GETs only
				methods = append(methods, http.MethodHead)
			}
		}
	}
	if len(methods) == 0 {
		writeProblem(w, problem{Status: http.StatusNotFound, Detail: fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path)})
		return
	}
	allow := strings.Join(methods, ", ")
	w.Header().Set("Allow", allow)
	writeProblem(w, problem{Status: http.StatusMethodNotAllowed, Detail: fmt.Sprintf("%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, allow)})
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
