package inquiry_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

// body is a valid submission with one field's JSON value replaced (raw: quotes included).
func body(field, rawValue string) string {
	fields := map[string]string{"name": `"Ada"`, "email": `"ada@example.com"`, "company": `"Engines"`, "message": `"Hello"`}
	fields[field] = rawValue
	return `{"name":` + fields["name"] + `,"email":` + fields["email"] + `,"company":` + fields["company"] + `,"message":` + fields["message"] + `}`
}

// Text that encoding/json would store altered (U+FFFD in place of what was sent), and
// repeated fields (encoding/json keeps the last), are refused, naming the field.
func TestDecodeSubmission_RefusesWhatWouldBeStoredAltered(t *testing.T) {
	cases := []struct {
		name string
		body string
		want []inquiry.FieldError
	}{
		{"a byte that is not UTF-8", body("name", "\"Ad\xffa\""), []inquiry.FieldError{
			{Field: "name", Message: "must be valid Unicode text: it holds byte 0xff (at byte 11), which is not UTF-8"}}},
		{"a truncated UTF-8 sequence", body("company", "\"\xe6\x97\""), []inquiry.FieldError{
			{Field: "company", Message: "must be valid Unicode text: it holds byte 0xe6 (at byte 51), which is not UTF-8"}}},
		{"a surrogate encoded as UTF-8 (CESU-8)", body("message", "\"\xed\xa0\xbd\xed\xb8\x80\""), []inquiry.FieldError{
			{Field: "message", Message: "must be valid Unicode text: it holds byte 0xed (at byte 71), which is not UTF-8"}}},
		{"a lone high surrogate escape", body("message", `"hi \ud800"`), []inquiry.FieldError{
			{Field: "message", Message: `must be valid Unicode text: it holds \ud800 (at byte 74), half of a UTF-16 surrogate pair without the other half`}}},
		{"a lone low surrogate escape", body("name", `"\uDC00"`), []inquiry.FieldError{
			{Field: "name", Message: `must be valid Unicode text: it holds \uDC00 (at byte 9), half of a UTF-16 surrogate pair without the other half`}}},
		{"a high surrogate followed by a letter", body("company", `"\ud83d\u0041"`), []inquiry.FieldError{
			{Field: "company", Message: `must be valid Unicode text: it holds \ud83d (at byte 51), half of a UTF-16 surrogate pair without the other half`}}},
		{"bad text in two fields", `{"name":"\ud800","email":"` + "\xc3" + `","message":"m"}`, []inquiry.FieldError{
			{Field: "name", Message: `must be valid Unicode text: it holds \ud800 (at byte 9), half of a UTF-16 surrogate pair without the other half`},
			{Field: "email", Message: "must be valid Unicode text: it holds byte 0xc3 (at byte 26), which is not UTF-8"}}},
		{"a field given twice (the last would win)", `{"name":"Ada","email":"ada@example.com","message":"m","name":"Eve"}`, []inquiry.FieldError{
			{Field: "name", Message: "is given more than once; a JSON object names each field once"}}},
		{"a field given twice, once escaped", `{"name":"Ada","email":"ada@example.com","message":"m","n\u0061me":"Eve"}`, []inquiry.FieldError{
			{Field: "name", Message: "is given more than once; a JSON object names each field once"}}},
		{"a field given twice, with the same value", `{"name":"Ada","email":"ada@example.com","email":"ada@example.com","message":"m"}`, []inquiry.FieldError{
			{Field: "email", Message: "is given more than once; a JSON object names each field once"}}},
		{"a field given twice, once null", `{"name":"Ada","email":"ada@example.com","company":null,"company":"Evil","message":"m"}`, []inquiry.FieldError{
			{Field: "company", Message: "is given more than once; a JSON object names each field once"}}},
		{"repetition outranks the other errors of the field", `{"name":1,"name":"\ud800","email":"ada@example.com","message":"m"}`, []inquiry.FieldError{
			{Field: "name", Message: "is given more than once; a JSON object names each field once"}}},
		{"an unknown field given twice is named once", `{"name":"Ada","email":"ada@example.com","message":"m","x":1,"x":2}`, []inquiry.FieldError{
			{Field: "x", Message: "is not a known field"}}},
		{"an unknown field with bad text is unknown", `{"name":"Ada","email":"ada@example.com","message":"m","x":"\udfff"}`, []inquiry.FieldError{
			{Field: "x", Message: "is not a known field"}}},
		{"unknown fields with escaped names are named unescaped", `{"name":"Ada","email":"ada@example.com","message":"m","ph\u006fne":"1","\u00e9":2}`, []inquiry.FieldError{
			{Field: "phone", Message: "is not a known field"}, {Field: "é", Message: "is not a known field"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a body that encoding/json alone would decode with something lost
			// When it is decoded
			_, err := inquiry.DecodeSubmission([]byte(tc.body))
			// Then it is refused, naming each field at fault and why
			var v *inquiry.ValidationError
			require.ErrorAs(t, err, &v, "a body that would be stored altered is invalid")
			assert.Equal(t, tc.want, v.Fields)
		})
	}
}

func TestDecodeSubmission_RefusesFieldNamesThatAreNotText(t *testing.T) {
	cases := []struct{ name, body, detail string }{
		{"not UTF-8", "{\"name\":\"Ada\",\"n\xe4me\":\"x\"}", "a field name holds byte 0xe4 (at byte 16), which is not UTF-8"},
		{"a lone surrogate", `{"\ud800":"x","name":"Ada"}`, `a field name holds \ud800 (at byte 2), half of a UTF-16 surrogate pair without the other half`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a body with a field name that cannot be shown as it was sent; when decoded
			_, err := inquiry.DecodeSubmission([]byte(tc.body))
			// Then the body is malformed, and the detail says where
			var m *inquiry.MalformedError
			require.ErrorAs(t, err, &m)
			assert.Equal(t, tc.detail, m.Detail)
		})
	}
}

// Bidirectional controls anywhere, and fields of nothing but invisible characters, are
// refused naming the field; invisible characters among visible ones are kept.
func TestDecodeSubmission_RefusesBidiControlsAndInvisibleOnlyFields(t *testing.T) {
	bidi := func(r string) string { return "must not contain bidirectional control characters (it holds " + r + ")" }
	cases := []struct {
		name string
		body string
		want []inquiry.FieldError
	}{
		{"right-to-left override in a name", body("name", `"Ada \u202egnp.exe"`), []inquiry.FieldError{{Field: "name", Message: bidi("U+202E")}}},
		{"left-to-right embedding in a company", body("company", `"\u202aX"`), []inquiry.FieldError{{Field: "company", Message: bidi("U+202A")}}},
		{"right-to-left isolate in a message", body("message", `"a\u2067b\u2069"`), []inquiry.FieldError{{Field: "message", Message: bidi("U+2067")}}},
		{"first strong isolate", body("message", `"\u2068x"`), []inquiry.FieldError{{Field: "message", Message: bidi("U+2068")}}},
		{"pop directional formatting", body("name", `"A\u202c"`), []inquiry.FieldError{{Field: "name", Message: bidi("U+202C")}}},
		{"left-to-right mark", body("name", `"A\u200e"`), []inquiry.FieldError{{Field: "name", Message: bidi("U+200E")}}},
		{"right-to-left mark", body("company", `"\u200fA"`), []inquiry.FieldError{{Field: "company", Message: bidi("U+200F")}}},
		{"arabic letter mark", body("message", `"x\u061c"`), []inquiry.FieldError{{Field: "message", Message: bidi("U+061C")}}},
		{"a bidi control in an email address", body("email", `"ada\u202e@example.com"`), []inquiry.FieldError{{Field: "email", Message: bidi("U+202E")}}},
		{"a bidi control sent as UTF-8, not escaped", body("name", "\"Ada \u202d\""), []inquiry.FieldError{{Field: "name", Message: bidi("U+202D")}}},
		{"a name of zero-width spaces", body("name", `"\u200b\u200b"`), []inquiry.FieldError{
			{Field: "name", Message: "is required: it holds only white space and invisible characters such as U+200B"}}},
		{"a name of a joiner between spaces (trimmed)", body("name", `"  \u200d  "`), []inquiry.FieldError{
			{Field: "name", Message: "is required: it holds only white space and invisible characters such as U+200D"}}},
		{"a message of a BOM, word joiner and line breaks", body("message", `"\ufeff\n\u2060\r\n"`), []inquiry.FieldError{
			{Field: "message", Message: "is required: it holds only white space and invisible characters such as U+FEFF"}}},
		{"a message of soft hyphens and ideographic spaces", body("message", `"\u00ad\u3000\u00ad"`), []inquiry.FieldError{
			{Field: "message", Message: "is required: it holds only white space and invisible characters such as U+00AD"}}},
		{"a company of a Mongolian vowel separator", body("company", `"\u180e"`), []inquiry.FieldError{
			{Field: "company", Message: "must have visible characters, or be left out: it holds only white space and invisible characters such as U+180E"}}},
		{"a name of variation selectors", body("name", `"\ufe0f\udb40\udd00"`), []inquiry.FieldError{
			{Field: "name", Message: "is required: it holds only white space and invisible characters such as U+FE0F"}}},
		{"a name of tag characters", body("name", `"\udb40\udc41\udb40\udc7f"`), []inquiry.FieldError{
			{Field: "name", Message: "is required: it holds only white space and invisible characters such as U+E0041"}}},
		{"a name of Hangul fillers", body("name", `"\u3164\u115f"`), []inquiry.FieldError{
			{Field: "name", Message: "is required: it holds only white space and invisible characters such as U+3164"}}},
		{"a zero-width space in an email address", body("email", `"ad\u200ba@example.com"`), []inquiry.FieldError{
			{Field: "email", Message: "must be a valid email address such as name@example.com"}}},
		{"a soft hyphen in an email domain", body("email", `"ada@exam\u00adple.com"`), []inquiry.FieldError{
			{Field: "email", Message: "must be a valid email address such as name@example.com"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a body with a bidi control or an invisible-only field; when it is decoded
			_, err := inquiry.DecodeSubmission([]byte(tc.body))
			// Then it is refused, naming the field and the character
			var v *inquiry.ValidationError
			require.ErrorAs(t, err, &v)
			assert.Equal(t, tc.want, v.Fields)
		})
	}
}

func TestDecodeSubmission_KeepsInvisibleCharactersAmongVisibleOnes(t *testing.T) {
	cases := []struct{ name, field, value string }{
		{"emoji joined by U+200D", "name", "👩\u200d💻 Ada"},
		{"a Persian name with U+200C", "name", "می\u200cخواهم"},
		{"a soft hyphen in a word", "company", "Analyti\u00adcal Engines"},
		{"an emoji variation selector", "message", "Thanks ❤\ufe0f"},
		{"a flag with tag characters", "message", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"},
		{"Arabic and Hebrew text (no controls needed)", "message", "مرحبا שלום"},
		{"U+FFFD sent as such", "message", "a \ufffd b"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a field with invisible characters among visible ones, sent as UTF-8
			s := inquiry.Submission{Name: "Ada", Email: "ada@example.com", Message: "Hello"}
			switch tc.field {
			case "name":
				s.Name = tc.value
			case "company":
				s.Company = tc.value
			case "message":
				s.Message = tc.value
			}
			// When it is validated; then it is accepted unchanged
			got, err := inquiry.Validate(s)
			require.NoError(t, err)
			assert.Equal(t, s, got, "the text is kept as sent")
		})
	}
}

func TestValidate_RefusesTextThatIsNotUTF8(t *testing.T) {
	// Given a submission built in Go (not decoded from JSON) with a string that is not UTF-8
	s := inquiry.Submission{Name: "Ada\xff", Email: "ada@example.com", Company: "\xc3", Message: "m\x80"}
	// When it is validated
	_, err := inquiry.Validate(s)
	// Then every such field is refused
	var v *inquiry.ValidationError
	require.ErrorAs(t, err, &v)
	assert.Equal(t, []inquiry.FieldError{
		{Field: "name", Message: "must be valid UTF-8 text"},
		{Field: "company", Message: "must be valid UTF-8 text"},
		{Field: "message", Message: "must be valid UTF-8 text"},
	}, v.Fields)
}

// BenchmarkDecodeSubmission decodes and validates a typical body.
func BenchmarkDecodeSubmission(b *testing.B) {
	cases := []struct{ name, body string }{
		{"ascii", `{"name":"Ada Lovelace","email":"ada@example.com","company":"Analytical Engines","message":"We would like a quote for 40 engines.\nThanks!"}`},
		{"non-ascii", `{"name":"Ада Лавлейс","email":"ada@example.com","company":"解析機関","message":"` + strings.Repeat("エンジンを40台お願いします。", 20) + `"}`},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			data := []byte(tc.body)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := inquiry.DecodeSubmission(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
