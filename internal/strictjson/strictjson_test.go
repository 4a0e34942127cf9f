package strictjson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/strictjson"
)

// member is what a test expects of one Member.
type member struct {
	name, value string
	repeated    bool
	invalid     *strictjson.Error
}

func members(t *testing.T, text string) []member {
	t.Helper()
	ms, err := strictjson.Members(nil, []byte(text))
	require.NoError(t, err)
	out := make([]member, len(ms))
	for i, m := range ms {
		out[i] = member{string(m.Name), string(m.Value), m.Repeated, m.Invalid}
	}
	return out
}

func TestMembers_ReadsTheTopLevelObject(t *testing.T) {
	cases := []struct {
		name, text string
		want       []member
	}{
		{"empty object", ` { } `, []member{}},
		{"values of every kind, raw", `{"s":"a\"b","n":-1.5e3,"t":true,"f":false,"z":null,"o":{"k":[1,"}"]},"a":[{},[]]}`, []member{
			{name: "s", value: `"a\"b"`}, {name: "n", value: `-1.5e3`}, {name: "t", value: `true`}, {name: "f", value: `false`},
			{name: "z", value: `null`}, {name: "o", value: `{"k":[1,"}"]}`}, {name: "a", value: `[{},[]]`},
		}},
		{"white space everywhere", "\t{\r\n\"a\" :\n1 ,\"b\"\t:\"x\" }\n", []member{{name: "a", value: `1`}, {name: "b", value: `"x"`}}},
		{"escaped names are unescaped", `{"n\u0061me":1,"\ud83d\ude00":2,"a\/b":3}`, []member{
			{name: "name", value: `1`}, {name: "😀", value: `2`}, {name: "a/b", value: `3`},
		}},
		{"a repeated name is flagged on every later member", `{"a":1,"b":2,"a":3,"a":4}`, []member{
			{name: "a", value: `1`}, {name: "b", value: `2`}, {name: "a", value: `3`, repeated: true}, {name: "a", value: `4`, repeated: true},
		}},
		{"repetition is of the unescaped name", `{"name":1,"n\u0061me":2}`, []member{
			{name: "name", value: `1`}, {name: "name", value: `2`, repeated: true},
		}},
		{"names differing in case are different", `{"type":1,"Type":2}`, []member{{name: "type", value: `1`}, {name: "Type", value: `2`}}},
		{"repeated names in nested objects are not the top level's", `{"o":{"a":1,"a":2},"a":3}`, []member{
			{name: "o", value: `{"a":1,"a":2}`}, {name: "a", value: `3`},
		}},
		{"a surrogate pair and U+FFFD itself are valid text", `{"a":"\ud83d\ude00 \uFFFD ` + "\uFFFD" + `"}`, []member{
			{name: "a", value: `"\ud83d\ude00 \uFFFD ` + "\uFFFD" + `"`},
		}},
		{"bad text in a value is reported on its member", "{\"a\":\"x\xffy\",\"b\":\"\\ud800\",\"c\":[\"\\udc00\"],\"d\":\"\\ud83d\\u0041\",\"e\":\"ok\"}", []member{
			{name: "a", value: "\"x\xffy\"", invalid: &strictjson.Error{Kind: strictjson.InvalidUTF8, Offset: 7, Detail: "0xff"}},
			{name: "b", value: `"\ud800"`, invalid: &strictjson.Error{Kind: strictjson.LoneSurrogate, Offset: 16, Detail: `\ud800`}},
			{name: "c", value: `["\udc00"]`, invalid: &strictjson.Error{Kind: strictjson.LoneSurrogate, Offset: 30, Detail: `\udc00`}},
			{name: "d", value: `"\ud83d\u0041"`, invalid: &strictjson.Error{Kind: strictjson.LoneSurrogate, Offset: 44, Detail: `\ud83d`}},
			{name: "e", value: `"ok"`},
		}},
		{"UTF-8 encoded surrogates and overlong forms are not UTF-8", "{\"a\":\"\xed\xa0\x80\",\"b\":\"\xc0\xaf\"}", []member{
			{name: "a", value: "\"\xed\xa0\x80\"", invalid: &strictjson.Error{Kind: strictjson.InvalidUTF8, Offset: 6, Detail: "0xed"}},
			{name: "b", value: "\"\xc0\xaf\"", invalid: &strictjson.Error{Kind: strictjson.InvalidUTF8, Offset: 16, Detail: "0xc0"}},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a JSON object; when its members are read; then they are these
			assert.Equal(t, tc.want, members(t, tc.text))
		})
	}
}

func TestMembers_RefusesTexts(t *testing.T) {
	cases := []struct {
		name, text string
		want       strictjson.Error
	}{
		{"not JSON", `{"a":}`, strictjson.Error{Kind: strictjson.Syntax, Offset: 6}},
		{"empty", ``, strictjson.Error{Kind: strictjson.Syntax}},
		{"two texts", `{}{}`, strictjson.Error{Kind: strictjson.Syntax, Offset: 3}},
		{"array", ` [1]`, strictjson.Error{Kind: strictjson.NotObject, Detail: "array"}},
		{"string", `"a"`, strictjson.Error{Kind: strictjson.NotObject, Detail: "string"}},
		{"number", `-1`, strictjson.Error{Kind: strictjson.NotObject, Detail: "number"}},
		{"bool", `false`, strictjson.Error{Kind: strictjson.NotObject, Detail: "bool"}},
		{"null", `null`, strictjson.Error{Kind: strictjson.NotObject, Detail: "null"}},
		{"a name not UTF-8", "{\"ok\":1,\"n\xfe\":1}", strictjson.Error{Kind: strictjson.InvalidUTF8, Offset: 10, Detail: "0xfe"}},
		{"a name with a lone surrogate", `{"\udfff":1}`, strictjson.Error{Kind: strictjson.LoneSurrogate, Offset: 2, Detail: `\udfff`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given a text that is not an object of valid text; when its members are read
			_, err := strictjson.Members(nil, []byte(tc.text))
			// Then it is refused with what is wrong and where
			var e *strictjson.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.want.Kind, e.Kind, "kind")
			assert.Equal(t, tc.want.Offset, e.Offset, "offset")
			assert.Equal(t, tc.want.Detail, e.Detail, "detail")
			if tc.want.Kind == strictjson.Syntax {
				var se *json.SyntaxError
				assert.True(t, errors.As(err, &se), "a syntax error is encoding/json's: %v", err)
			}
			assert.NotEmpty(t, e.Error(), "message")
		})
	}
}

func TestString(t *testing.T) {
	cases := []struct {
		value, want string
		ok          bool
	}{
		{`"plain"`, "plain", true},
		{`""`, "", true},
		{`"tab\there \"q\" \\ \/ \b\f\n\r"`, "tab\there \"q\" \\ / \b\f\n\r", true},
		{`"\u00e9\u65E5\ud83d\ude00"`, "é日😀", true},
		{`"\u0000"`, "\x00", true},
		{`1`, "", false},
		{`null`, "", false},
		{`{"a":"b"}`, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.value, func(t *testing.T) {
			got, ok := strictjson.String([]byte(tc.value))
			assert.Equal(t, tc.ok, ok, "is a string")
			assert.Equal(t, tc.want, got, "unescaped text")
		})
	}
}

// BenchmarkMembers reads a typical inquiry body.
func BenchmarkMembers(b *testing.B) {
	body := []byte(`{"name":"Ada Lovelace","email":"ada@example.com","company":"Analytical Engines","message":"We would like a quote for 40 engines.\nThanks!"}`)
	var buf [8]strictjson.Member
	b.ReportAllocs()
	for b.Loop() {
		if _, err := strictjson.Members(buf[:0], body); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzMembers holds Members to encoding/json: it accepts exactly the objects encoding/json
// decodes without replacing anything and without losing a member, and reads the same
// values from them.
func FuzzMembers(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"a":1,"b":"x","c":[{"d":null}]}`, `{"a":1,"a":2}`, `{"n\u0061me":"\ud83d\ude00"}`,
		`{"a":"\ud800"}`, "{\"a\":\"\xff\"}", `{"\udc00":1}`, `[1]`, `"s"`, `{"a":"\ud83d\u0041"}`, `{"a":"b",}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, err := strictjson.Members(nil, data)
		generic, jsonErr := decode(data)
		if err != nil {
			var e *strictjson.Error
			if !errors.As(err, &e) {
				t.Fatalf("error of type %T", err)
			}
			if (e.Kind == strictjson.Syntax) != (jsonErr != nil) {
				t.Fatalf("syntax: strictjson %v, encoding/json %v", err, jsonErr)
			}
			return
		}
		if jsonErr != nil {
			t.Fatalf("encoding/json refuses what strictjson accepts: %v", jsonErr)
		}
		obj, ok := generic.(map[string]any)
		if !ok {
			t.Fatalf("accepted a %T", generic)
		}
		names := map[string]bool{}
		count := map[string]int{}
		for _, m := range ms {
			count[string(m.Name)]++
		}
		for _, m := range ms {
			name := string(m.Name)
			if !utf8.ValidString(name) {
				t.Fatalf("name %q is not UTF-8", name)
			}
			if m.Repeated != names[name] {
				t.Fatalf("member %q: Repeated %v, seen before %v", name, m.Repeated, names[name])
			}
			names[name] = true
			v, err := decode(m.Value)
			if err != nil {
				t.Fatalf("member %q: value %q is not one JSON value: %v", name, m.Value, err)
			}
			if want, ok := v.(string); ok {
				// encoding/json puts U+FFFD for bad text: there is some exactly when it
				// had to, unless the text holds U+FFFD itself.
				replaced := strings.ContainsRune(want, utf8.RuneError) &&
					!bytes.Contains(m.Value, []byte("\uFFFD")) && !bytes.Contains(bytes.ToLower(m.Value), []byte(`ufffd`))
				if replaced != (m.Invalid != nil) {
					t.Fatalf("member %q: %q decodes as %q; Invalid %v", name, m.Value, want, m.Invalid)
				}
				if m.Invalid == nil && !utf8.Valid(m.Value) {
					t.Fatalf("member %q: %q is not UTF-8, not flagged", name, m.Value)
				}
			}
			if s, ok := strictjson.String(m.Value); ok && m.Invalid == nil {
				var want string
				if err := json.Unmarshal(m.Value, &want); err != nil || s != want {
					t.Fatalf("member %q: String %q, encoding/json %q", name, s, want)
				}
				if !utf8.ValidString(s) {
					t.Fatalf("member %q: valid text %q is not UTF-8", name, s)
				}
			}
			if m.Invalid == nil && count[name] == 1 {
				if got, err := json.Marshal(v); err != nil || string(got) != mustMarshal(t, obj[name]) {
					t.Fatalf("member %q: value differs from encoding/json's", name)
				}
			}
		}
		if len(names) != len(obj) {
			t.Fatalf("%d names, encoding/json has %d", len(names), len(obj))
		}
	})
}

// decode is encoding/json's reading of a JSON text, numbers kept as written (a float64
// would refuse large ones).
func decode(data []byte) (any, error) {
	if !json.Valid(data) {
		return nil, errors.New("not a JSON text")
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

func mustMarshal(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
