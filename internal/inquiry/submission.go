package inquiry

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/groundwork-dev/groundwork/internal/strictjson"
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

// FieldError says what is wrong with one field of a submission, or with another part of the
// request: a header such as Idempotency-Key (named as the header), a query parameter (named
// "?" and its name).
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
// trailing data, a JSON value of another kind, or a field name that is not valid text.
// Detail is safe to show to a client.
type MalformedError struct {
	Detail string
}

func (e *MalformedError) Error() string { return "malformed JSON: " + e.Detail }

// submissionFields are the JSON names of the fields of Submission, in reporting order.
var submissionFields = [...]string{"name", "email", "company", "message"}

// fieldIndex is the index in submissionFields of a member name (exact match, case
// included), or -1.
func fieldIndex(name []byte) int {
	switch string(name) { // compiled to comparisons: no allocation
	case "name":
		return 0
	case "email":
		return 1
	case "company":
		return 2
	case "message":
		return 3
	}
	return -1
}

// Messages of the errors DecodeSubmission adds to Validate's.
const (
	msgRepeated = "is given more than once; a JSON object names each field once"
	msgNotText  = "must be a string"
	msgUnknown  = "is not a known field"
)

// DecodeSubmission parses a JSON request body. It returns a *MalformedError when data is not
// one JSON object, or a field name in it is not valid Unicode text, and otherwise a
// *ValidationError listing every field at fault: a field given more than once (encoding/json
// would keep the last), a value that is not valid Unicode text (bytes that are not UTF-8, or
// an escaped lone UTF-16 surrogate such as "\ud800": encoding/json would store U+FFFD in
// their place), a value that is not a string (null counts as absent), every value Validate
// rejects, and every unknown field (names match exactly, case included). On success the
// submission is normalized (see Validate).
func DecodeSubmission(data []byte) (Submission, error) {
	var buf [8]strictjson.Member // room for a valid body's members, without allocating
	members, err := strictjson.Members(buf[:0], data)
	if err != nil {
		return Submission{}, malformed(err)
	}

	var s Submission
	targets := [...]*string{&s.Name, &s.Email, &s.Company, &s.Message}
	var decodeErrs [len(submissionFields)]string // per field: why its value was not read
	var unknown []string
	for _, m := range members {
		i := fieldIndex(m.Name)
		switch {
		case i < 0:
			if !m.Repeated {
				unknown = append(unknown, string(m.Name))
			}
		case m.Repeated:
			decodeErrs[i] = msgRepeated
		case decodeErrs[i] != "":
			// already wrong
		case m.Invalid != nil:
			decodeErrs[i] = notTextMessage(m.Invalid)
		case string(m.Value) == "null":
		default:
			v, ok := strictjson.String(m.Value)
			if !ok {
				decodeErrs[i] = msgNotText
				continue
			}
			*targets[i] = v
		}
	}
	slices.Sort(unknown)

	s, err = Validate(s)
	var verr *ValidationError
	errors.As(err, &verr) // Validate's only error; nil when s is valid
	var fields []FieldError
	for i, name := range submissionFields {
		// A value that could not be read reads as empty: its own error replaces Validate's
		// ("is required" would mislead).
		if decodeErrs[i] != "" {
			fields = append(fields, FieldError{Field: name, Message: decodeErrs[i]})
			continue
		}
		if verr != nil {
			for _, f := range verr.Fields {
				if f.Field == name {
					fields = append(fields, f)
				}
			}
		}
	}
	for _, k := range unknown {
		fields = append(fields, FieldError{Field: k, Message: msgUnknown})
	}
	if len(fields) > 0 {
		return Submission{}, &ValidationError{Fields: fields}
	}
	return s, nil
}

// malformed turns strictjson's refusal of a whole body into the client's detail.
func malformed(err error) *MalformedError {
	e := err.(*strictjson.Error) //nolint:errorlint // Members returns this type, unwrapped, and no other
	switch e.Kind {
	case strictjson.Syntax:
		var syn *json.SyntaxError
		if errors.As(e.Err, &syn) {
			return &MalformedError{Detail: fmt.Sprintf("%s (at byte %d)", strings.TrimPrefix(syn.Error(), "json: "), syn.Offset)}
		}
		return &MalformedError{Detail: strings.TrimPrefix(e.Err.Error(), "json: ")}
	case strictjson.NotObject:
		return &MalformedError{Detail: "the body must be a JSON object, not " + e.Detail}
	default: // bad text in a field name, which cannot be named faithfully
		return &MalformedError{Detail: "a field name " + textFault(e)}
	}
}

// notTextMessage is the message for a field whose value is not valid text.
func notTextMessage(e *strictjson.Error) string {
	return "must be valid Unicode text: it " + textFault(e)
}

func textFault(e *strictjson.Error) string {
	if e.Kind == strictjson.LoneSurrogate {
		return fmt.Sprintf("holds %s (at byte %d), half of a UTF-16 surrogate pair without the other half", e.Detail, e.Offset)
	}
	return fmt.Sprintf("holds byte %s (at byte %d), which is not UTF-8", e.Detail, e.Offset)
}

// Validate checks a submission and returns it normalized: surrounding white space is
// trimmed from name, email and company (the message is kept as written). The error, when not
// nil, is a *ValidationError with one entry per wrong field.
//
// Every field must be valid UTF-8 and free of bidirectional controls (Unicode's
// Bidi_Control property: U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069), which can
// make stored text read differently from what it holds ("Trojan Source", CVE-2021-42574).
// Name and company admit no control characters, the message tabs and line breaks only. A
// required field made only of white space and default-ignorable code points (zero-width
// spaces and joiners, U+2060, U+FEFF, soft hyphens, variation selectors, tag characters:
// characters that render as nothing) is missing; so is a given company. Such characters
// are allowed among visible ones, where they have uses (U+200D joins emoji, U+200C is needed
// in Persian words).
func Validate(s Submission) (Submission, error) {
	s.Name = strings.TrimSpace(s.Name)
	s.Email = strings.TrimSpace(s.Email)
	s.Company = strings.TrimSpace(s.Company)

	var fields []FieldError
	add := func(field, msg string) { fields = append(fields, FieldError{Field: field, Message: msg}) }

	switch t := scanText(s.Name, false); {
	case t.runes == 0:
		add("name", "is required")
	case t.invalid:
		add("name", msgNotUTF8)
	case t.runes > MaxNameLen:
		add("name", fmt.Sprintf("must be at most %d characters (got %d)", MaxNameLen, t.runes))
	case t.control:
		add("name", "must not contain control characters")
	case t.bidi != 0:
		add("name", bidiMessage(t.bidi))
	case !t.visible:
		add("name", invisibleMessage("is required", t.invisible))
	}

	switch t := scanText(s.Email, false); {
	case t.runes == 0:
		add("email", "is required")
	case t.invalid:
		add("email", msgNotUTF8)
	case t.runes > MaxEmailLen:
		add("email", fmt.Sprintf("must be at most %d characters (got %d)", MaxEmailLen, t.runes))
	case t.bidi != 0:
		add("email", bidiMessage(t.bidi))
	case !validEmail(s.Email):
		add("email", "must be a valid email address such as name@example.com")
	}

	switch t := scanText(s.Company, false); {
	case t.runes == 0: // optional
	case t.invalid:
		add("company", msgNotUTF8)
	case t.runes > MaxCompanyLen:
		add("company", fmt.Sprintf("must be at most %d characters (got %d)", MaxCompanyLen, t.runes))
	case t.control:
		add("company", "must not contain control characters")
	case t.bidi != 0:
		add("company", bidiMessage(t.bidi))
	case !t.visible:
		add("company", invisibleMessage("must have visible characters, or be left out", t.invisible))
	}

	switch t := scanText(s.Message, true); {
	case strings.TrimSpace(s.Message) == "":
		add("message", "is required")
	case t.invalid:
		add("message", msgNotUTF8)
	case t.runes > MaxMessageLen:
		add("message", fmt.Sprintf("must be at most %d characters (got %d)", MaxMessageLen, t.runes))
	case t.control:
		add("message", "must not contain control characters other than tab and line breaks")
	case t.bidi != 0:
		add("message", bidiMessage(t.bidi))
	case !t.visible:
		add("message", invisibleMessage("is required", t.invisible))
	}

	if len(fields) > 0 {
		return s, &ValidationError{Fields: fields}
	}
	return s, nil
}

const msgNotUTF8 = "must be valid UTF-8 text"

func bidiMessage(r rune) string {
	return fmt.Sprintf("must not contain bidirectional control characters (it holds %U)", r)
}

func invisibleMessage(what string, r rune) string {
	return fmt.Sprintf("%s: it holds only white space and invisible characters such as %U", what, r)
}

// hasControl reports whether s holds a control character: Cc, U+2028 or U+2029.
func hasControl(s string) bool { return scanText(s, false).control }

// text is what Validate needs to know of a field's text, found in one pass.
type text struct {
	runes     int  // length in runes (a byte that is not UTF-8 counts as one)
	invalid   bool // not UTF-8
	control   bool // a control character: Cc, U+2028, U+2029 (tab, LF, CR allowed with lineBreaks)
	bidi      rune // the first Bidi_Control character, or 0
	visible   bool // some character is neither white space nor default ignorable
	invisible rune // the first default-ignorable character, or 0
}

func scanText(s string, lineBreaks bool) text {
	var t text
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf { // ASCII: the common case, no tables
			t.runes++
			i++
			switch {
			case c > ' ' && c < 0x7f:
				t.visible = true
			case c == ' ':
			case lineBreaks && (c == '\t' || c == '\n' || c == '\r'):
			default:
				t.control = true
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		t.runes++
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			t.invalid = true
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			t.control = true
		case r >= 0x61c && r <= 0x2069 && unicode.Is(unicode.Bidi_Control, r): // all of them lie in that range
			if t.bidi == 0 {
				t.bidi = r
			}
		}
		if !t.visible {
			switch {
			case defaultIgnorable(r):
				if t.invisible == 0 {
					t.invisible = r
				}
			case !unicode.Is(unicode.White_Space, r):
				t.visible = true
			}
		}
	}
	return t
}

// defaultIgnorable reports Unicode's Default_Ignorable_Code_Point property: code points
// that render as nothing when not supported specially. The standard library has no table
// for it, so it is derived as DerivedCoreProperties.txt defines it, from properties it has:
//
//	Other_Default_Ignorable_Code_Point + Cf + Variation_Selector
//	- White_Space - FFF9..FFFB (interlinear annotation format characters)
//	- 13430..1343F (Egyptian hieroglyph format characters)
//	- Prepended_Concatenation_Mark (format characters that should be visible)
//
// A test compares the result with the published list, over every code point.
func defaultIgnorable(r rune) bool {
	if !unicode.Is(unicode.Cf, r) && !unicode.Is(unicode.Variation_Selector, r) &&
		!unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) {
		return false
	}
	return !unicode.Is(unicode.White_Space, r) && !(r >= 0xfff9 && r <= 0xfffb) &&
		!(r >= 0x13430 && r <= 0x1343f) && !unicode.Is(unicode.Prepended_Concatenation_Mark, r)
}

// validEmail accepts what net/mail parses as a bare address (no display name, no comments,
// no angle brackets) whose local part is at most 64 bytes and whose domain is a host name
// with at least two labels (IP literals and single-label hosts such as localhost are
// refused: nobody reaches a sales team from there).
func validEmail(s string) bool {
	if hasControl(s) || strings.ContainsAny(s, " \t") {
		return false
	}
	for _, r := range s {
		if r >= utf8.RuneSelf && defaultIgnorable(r) {
			return false // an invisible character makes a look-alike of another address
		}
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
