package inquiry_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

const validBody = `{"name":"Ada Lovelace","email":"ada@example.com","company":"Analytical Engines","message":"Hello"}`

func TestDecodeSubmission_AcceptsValidBodies(t *testing.T) {
	cases := []struct {
		name string
		body string
		want inquiry.Submission
	}{
		{"all fields", validBody, inquiry.Submission{Name: "Ada Lovelace", Email: "ada@example.com", Company: "Analytical Engines", Message: "Hello"}},
		{"company omitted", `{"name":"Ada","email":"ada@example.com","message":"Hi"}`, inquiry.Submission{Name: "Ada", Email: "ada@example.com", Message: "Hi"}},
		{"company null", `{"name":"Ada","email":"ada@example.com","company":null,"message":"Hi"}`, inquiry.Submission{Name: "Ada", Email: "ada@example.com", Message: "Hi"}},
		{"surrounding spaces trimmed, message kept", ` {"name":"  Ada ","email":" ada@example.com ","company":" X ","message":"  Hi\n"} `, inquiry.Submission{Name: "Ada", Email: "ada@example.com", Company: "X", Message: "  Hi\n"}},
		{"limits exactly, counted in runes", `{"name":"` + strings.Repeat("é", 200) + `","email":"a@example.com","company":"` + strings.Repeat("日", 200) + `","message":"` + strings.Repeat("ü", 5000) + `"}`,
			inquiry.Submission{Name: strings.Repeat("é", 200), Email: "a@example.com", Company: strings.Repeat("日", 200), Message: strings.Repeat("ü", 5000)}},
		{"message with tabs and line breaks", `{"name":"A","email":"a@example.com","message":"line 1\r\n\tline 2"}`, inquiry.Submission{Name: "A", Email: "a@example.com", Message: "line 1\r\n\tline 2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a well-formed, valid body; when it is decoded
			got, err := inquiry.DecodeSubmission([]byte(tc.body))
			// Then it yields the normalized submission
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestDecodeSubmission_RejectsMalformedJSON(t *testing.T) {
	cases := []struct{ name, body, detail string }{
		{"empty body", ``, "unexpected end of JSON input"},
		{"truncated", `{"name":"Ada"`, "unexpected end of JSON input"},
		{"syntax error", `{"name":}`, "invalid character '}'"},
		{"trailing data", validBody + `{}`, "after top-level value"},
		{"array", `[1,2]`, "must be a JSON object, not array"},
		{"string", `"hello"`, "must be a JSON object, not string"},
		{"null", `null`, "must be a JSON object, not null"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := inquiry.DecodeSubmission([]byte(tc.body))
			var m *inquiry.MalformedError
			require.ErrorAs(t, err, &m, "a body that is not one JSON object is malformed")
			assert.Contains(t, m.Detail, tc.detail)
		})
	}
}

func TestDecodeSubmission_ReportsEveryBadField(t *testing.T) {
	long := func(r string, n int) string { return strings.Repeat(r, n) }
	cases := []struct {
		name string
		body string
		want []inquiry.FieldError
	}{
		{"everything missing", `{}`, []inquiry.FieldError{
			{Field: "name", Message: "is required"},
			{Field: "email", Message: "is required"},
			{Field: "message", Message: "is required"},
		}},
		{"blank values", `{"name":"   ","email":" ","message":" \n "}`, []inquiry.FieldError{
			{Field: "name", Message: "is required"},
			{Field: "email", Message: "is required"},
			{Field: "message", Message: "is required"},
		}},
		{"one rune over every limit", `{"name":"` + long("é", 201) + `","email":"` + long("a", 64) + "@" + long("b", 186) + `.com","company":"` + long("x", 201) + `","message":"` + long("ü", 5001) + `"}`, []inquiry.FieldError{
			{Field: "name", Message: "must be at most 200 characters (got 201)"},
			{Field: "email", Message: "must be at most 254 characters (got 255)"},
			{Field: "company", Message: "must be at most 200 characters (got 201)"},
			{Field: "message", Message: "must be at most 5000 characters (got 5001)"},
		}},
		{"wrong types", `{"name":1,"email":true,"company":{},"message":["x"]}`, []inquiry.FieldError{
			{Field: "name", Message: "must be a string"},
			{Field: "email", Message: "must be a string"},
			{Field: "company", Message: "must be a string"},
			{Field: "message", Message: "must be a string"},
		}},
		{"unknown fields sorted, case matters", `{"name":"A","email":"a@example.com","message":"m","zeta":1,"Name":"B","admin":true}`, []inquiry.FieldError{
			{Field: "Name", Message: "is not a known field"},
			{Field: "admin", Message: "is not a known field"},
			{Field: "zeta", Message: "is not a known field"},
		}},
		{"control characters", `{"name":"A\u0000B","email":"a@example.com","company":"X\u001bY","message":"bell\u0007"}`, []inquiry.FieldError{
			{Field: "name", Message: "must not contain control characters"},
			{Field: "company", Message: "must not contain control characters"},
			{Field: "message", Message: "must not contain control characters other than tab and line breaks"},
		}},
		{"type error and unknown field together", `{"name":"A","email":5,"message":"m","extra":""}`, []inquiry.FieldError{
			{Field: "email", Message: "must be a string"},
			{Field: "extra", Message: "is not a known field"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := inquiry.DecodeSubmission([]byte(tc.body))
			var v *inquiry.ValidationError
			require.ErrorAs(t, err, &v)
			assert.Equal(t, tc.want, v.Fields)
		})
	}
}

func TestValidate_Email(t *testing.T) {
	good := []string{
		"ada@example.com",
		"first.last+tag@sub.example.co.uk",
		"o'brien@example.ie",
		"x@xn--bcher-kva.example",
		"user@bücher.de",
		strings.Repeat("a", 64) + "@example.com",
	}
	bad := []string{
		"plainaddress",
		"@example.com",
		"ada@",
		"ada@localhost",
		"ada@example",
		"Ada <ada@example.com>",
		"<ada@example.com>",
		"ada@example.com (Ada)",
		"ada @example.com",
		"ada@exa mple.com",
		"ada@@example.com",
		"ada@example..com",
		"ada@-example.com",
		"ada@example-.com",
		"ada@[192.0.2.1]",
		"ada@192.0.2.1",
		"ada@exa_mple.com",
		"ada.@example.com",
		strings.Repeat("a", 65) + "@example.com",
		"ada\x00@example.com",
		"ada@" + strings.Repeat("a", 64) + ".com",
	}
	base := inquiry.Submission{Name: "A", Message: "m"}
	for _, e := range good {
		t.Run("valid "+e, func(t *testing.T) {
			s := base
			s.Email = e
			_, err := inquiry.Validate(s)
			assert.NoError(t, err, "%q is a valid address", e)
		})
	}
	for _, e := range bad {
		t.Run("invalid "+e, func(t *testing.T) {
			s := base
			s.Email = e
			_, err := inquiry.Validate(s)
			var v *inquiry.ValidationError
			require.ErrorAs(t, err, &v, "%q must be rejected", e)
			assert.Equal(t, []inquiry.FieldError{{Field: "email", Message: "must be a valid email address such as name@example.com"}}, v.Fields)
		})
	}
}

// FuzzDecodeInquiry checks the request body decoder: it never panics, and it either
// returns a submission that is valid, normalized and stable under re-encoding, or one of
// the two documented error types with details a client can act on.
func FuzzDecodeInquiry(f *testing.F) {
	for _, seed := range []string{
		validBody,
		`{}`,
		``,
		`null`,
		`[]`,
		`{"name":"A","email":"a@example.com","message":"m","x":1}`,
		`{"name":1}`,
		`{"name":"\u0000","email":"a@b.c","message":"\ud800"}`,
		`{"name":"A","email":"\"q u\"@example.com","message":"m"}`,
		`{"name":"A","email":"a@example.com","message":"m"} trailing`,
		"{\"name\":\"\xff\xfe\",\"email\":\"a@example.com\",\"message\":\"m\"}",
		`{"name":"A","name":"B","email":"a@example.com","message":"m"}`,
		// Issue 7: what encoding/json stores altered, bidi controls, invisible-only fields.
		`{"name":"A","email":"a@example.com","message":"\udc00"}`,
		`{"name":"A","email":"a@example.com","message":"\ud83d\ude00 \ud83d\u0041"}`,
		"{\"name\":\"A\",\"email\":\"a@example.com\",\"message\":\"\xed\xa0\x80\"}",
		"{\"n\xe4me\":\"A\",\"email\":\"a@example.com\",\"message\":\"m\"}",
		`{"name":"A","email":"a@example.com","message":"m","n\u0061me":"B"}`,
		`{"name":"A","email":"a@example.com","message":"m","x":1,"x":2}`,
		`{"name":"Ada \u202egnp.exe","email":"a@example.com","message":"m"}`,
		`{"name":"A","email":"a@example.com","message":"\u2067x\u2069 \u200e\u200f\u061c"}`,
		`{"name":"\u200b\u200d\ufeff","email":"a@example.com","company":"\u00ad","message":"\u2060\n\ufe0f"}`,
		`{"name":"\udb40\udc41","email":"ad\u200ba@example.com","message":"\u3164"}`,
		`{"name":"👩\u200d💻","email":"a@example.com","message":"ok \ufffd"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := inquiry.DecodeSubmission(body)
		if err != nil {
			var m *inquiry.MalformedError
			var v *inquiry.ValidationError
			switch {
			case errors.As(err, &m):
				if m.Detail == "" {
					t.Fatal("malformed error without detail")
				}
			case errors.As(err, &v):
				if len(v.Fields) == 0 {
					t.Fatal("validation error without fields")
				}
				for _, fe := range v.Fields {
					// An unknown field may be named "" (the client sent that key).
					if fe.Message == "" || (fe.Field == "" && fe.Message != "is not a known field") {
						t.Fatalf("field error without field or message: %+v", fe)
					}
				}
			default:
				t.Fatalf("undocumented error type %T: %v", err, err)
			}
			return
		}
		// Nothing accepted is stored altered: the body is UTF-8 throughout (so no byte was
		// replaced), any U+FFFD was sent as such (so no lone surrogate was replaced), and
		// encoding/json reads the same fields from it (so no repeated field was dropped).
		if !utf8.Valid(body) {
			t.Fatalf("accepted a body that is not UTF-8: %q", body)
		}
		var plain map[string]any
		if err := json.Unmarshal(body, &plain); err != nil {
			t.Fatalf("accepted a body encoding/json refuses: %v", err)
		}
		for field, got := range map[string]string{"name": s.Name, "email": s.Email, "company": s.Company, "message": s.Message} {
			sent, _ := plain[field].(string)
			if field != "message" {
				sent = strings.TrimSpace(sent)
			}
			if sent != got {
				t.Fatalf("%s: decoded %q, encoding/json reads %q", field, got, sent)
			}
			if strings.ContainsRune(got, utf8.RuneError) && !bytes.Contains(body, []byte("\uFFFD")) && !bytes.Contains(bytes.ToLower(body), []byte(`\ufffd`)) {
				t.Fatalf("%s: %q holds U+FFFD that was not sent", field, got)
			}
			if strings.ContainsFunc(got, func(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) }) {
				t.Fatalf("%s: %q holds a bidirectional control", field, got)
			}
		}
		if again, err := inquiry.Validate(s); err != nil || again != s {
			t.Fatalf("decoded submission is not valid and normalized: %+v, %v", s, err)
		}
		for _, v := range []string{s.Name, s.Email, s.Company, s.Message} {
			if !utf8.ValidString(v) {
				t.Fatalf("decoded value is not valid UTF-8: %q", v)
			}
		}
		enc, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		back, err := inquiry.DecodeSubmission(enc)
		if err != nil || back != s {
			t.Fatalf("re-encoded submission does not decode to itself: %+v, %v", back, err)
		}
	})
}
