package inquiry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on a submission, counted in runes (Unicode code points), not bytes.
const (
	MaxNameLen    = 200
	MaxEmailLen   = 254
	MaxCompanyLen = 200
	MaxMessageLen = 5000
)

// Submission is what a client posts: the body of POST /v1/inquiries.
type Submission struct {
	// Name is the sender's name: 1 to MaxNameLen runes, no control characters.
	Name string `json:"name"`
	// Email is the sender's address: a bare addr-spec (no display name) of at most
	// MaxEmailLen runes.
	Email string `json:"email"`
	// Company is optional: empty means none given; at most MaxCompanyLen runes.
	Company string `json:"company"`
	// Message is the inquiry's text: 1 to MaxMessageLen runes; tabs and line breaks are
	// allowed, other control characters are not.
	Message string `json:"message"`
}

// FieldError says what is wrong with one field of a submission (or with a header such as
// Idempotency-Key).
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists every field that is wrong, in a stable order: name, email, company,
// message, then unknown fields sorted by name.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("invalid inquiry: ")
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.Field)
		b.WriteString(" ")
		b.WriteString(f.Message)
	}
	return b.String()
}

// MalformedError means a body is not a JSON object at all: a syntax error, an empty body,
// trailing data, or a JSON value of another kind. Detail is safe to show to a client.
type MalformedError struct {
	Detail string
}

func (e *MalformedError) Error() string { return "malformed JSON: " + e.Detail }

// submissionFields are the JSON names of the fields of Submission, in reporting order.
var submissionFields = [...]string{"name", "email", "company", "message"}

// DecodeSubmission parses a JSON request body. It returns a *MalformedError when data is not
// one JSON object, and a *ValidationError listing every unknown field (names match exactly,
// case included), every field that is not a string (null counts as absent) and every value
// Validate rejects. On success the submission is normalized (see Validate).
func DecodeSubmission(data []byte) (Submission, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return Submission{}, &MalformedError{Detail: fmt.Sprintf("%s (at byte %d)", strings.TrimPrefix(syn.Error(), "json: "), syn.Offset)}
		case errors.As(err, &typ):
			return Submission{}, &MalformedError{Detail: "the body must be a JSON object, not " + typ.Value}
		default:
			return Submission{}, &MalformedError{Detail: strings.TrimPrefix(err.Error(), "json: ")}
		}
	}
	if raw == nil { // the literal null
		return Submission{}, &MalformedError{Detail: "the body must be a JSON object, not null"}
	}

	var s Submission
	targets := [...]*string{&s.Name, &s.Email, &s.Company, &s.Message}
	var typeErrs []FieldError
	for i, name := range submissionFields {
		v, ok := raw[name]
		if !ok || bytes.Equal(v, []byte("null")) {
			continue
		}
		if err := json.Unmarshal(v, targets[i]); err != nil {
			typeErrs = append(typeErrs, FieldError{Field: name, Message: "must be a string"})
		}
	}
	var unknown []string
	for k := range raw {
		if !slices.Contains(submissionFields[:], k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)

	s, verr := Validate(s)
	var fields []FieldError
	if verr != nil {
		fields = verr.(*ValidationError).Fields
	}
	fields = mergeFieldErrors(fields, typeErrs)
	for _, k := range unknown {
		fields = append(fields, FieldError{Field: k, Message: "is not a known field"})
	}
	if len(fields) > 0 {
		return Submission{}, &ValidationError{Fields: fields}
	}
	return s, nil
}

// mergeFieldErrors puts type errors in place of the content errors of the same field (a
// field that is not a string reads as empty, so "is required" would mislead) and keeps the
// order of submissionFields.
func mergeFieldErrors(content, typ []FieldError) []FieldError {
	if len(typ) == 0 {
		return content
	}
	var out []FieldError
	for _, name := range submissionFields {
		if i := slices.IndexFunc(typ, func(f FieldError) bool { return f.Field == name }); i >= 0 {
			out = append(out, typ[i])
			continue
		}
		for _, f := range content {
			if f.Field == name {
				out = append(out, f)
			}
		}
	}
	return out
}

// Validate checks a submission and returns it normalized: surrounding white space is
// trimmed from name, email and company (the message is kept as written). The error, when not
// nil, is a *ValidationError with one entry per wrong field.
func Validate(s Submission) (Submission, error) {
	s.Name = strings.TrimSpace(s.Name)
	s.Email = strings.TrimSpace(s.Email)
	s.Company = strings.TrimSpace(s.Company)

	var fields []FieldError
	add := func(field, msg string) { fields = append(fields, FieldError{Field: field, Message: msg}) }

	switch n := utf8.RuneCountInString(s.Name); {
	case n == 0:
		add("name", "is required")
	case n > MaxNameLen:
		add("name", fmt.Sprintf("must be at most %d characters (got %d)", MaxNameLen, n))
	case hasControl(s.Name, false):
		add("name", "must not contain control characters")
	}

	switch n := utf8.RuneCountInString(s.Email); {
	case n == 0:
		add("email", "is required")
	case n > MaxEmailLen:
		add("email", fmt.Sprintf("must be at most %d characters (got %d)", MaxEmailLen, n))
	case !validEmail(s.Email):
		add("email", "must be a valid email address such as name@example.com")
	}

	switch n := utf8.RuneCountInString(s.Company); {
	case n > MaxCompanyLen:
		add("company", fmt.Sprintf("must be at most %d characters (got %d)", MaxCompanyLen, n))
	case hasControl(s.Company, false):
		add("company", "must not contain control characters")
	}

	switch n := utf8.RuneCountInString(s.Message); {
	case strings.TrimSpace(s.Message) == "":
		add("message", "is required")
	case n > MaxMessageLen:
		add("message", fmt.Sprintf("must be at most %d characters (got %d)", MaxMessageLen, n))
	case hasControl(s.Message, true):
		add("message", "must not contain control characters other than tab and line breaks")
	}

	if len(fields) > 0 {
		return s, &ValidationError{Fields: fields}
	}
	return s, nil
}

// hasControl reports whether s holds a control character (Unicode category Cc, plus the
// line and paragraph separators). With lineBreaks, tab, LF and CR are allowed.
func hasControl(s string, lineBreaks bool) bool {
	for _, r := range s {
		if lineBreaks && (r == '\t' || r == '\n' || r == '\r') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return true
		}
	}
	return false
}

// validEmail accepts what net/mail parses as a bare address (no display name, no comments,
// no angle brackets) whose local part is at most 64 bytes and whose domain is a host name
// with at least two labels (IP literals and single-label hosts such as localhost are
// refused: nobody reaches a sales team from there).
func validEmail(s string) bool {
	if hasControl(s, false) || strings.ContainsAny(s, " \t") {
		return false
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if len(local) == 0 || len(local) > 64 || len(domain) > 253 {
		return false
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !validLabel(l) {
			return false
		}
	}
	// The top-level domain is never all digits (that would be an IP address).
	return strings.TrimFunc(labels[len(labels)-1], unicode.IsDigit) != ""
}

// validLabel: 1 to 63 bytes of letters (any script, for internationalized domains), digits
// and hyphens, not starting or ending with a hyphen.
func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for _, r := range l {
		if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}
