// Package strictjson reads the members of a JSON object and refuses what encoding/json
// accepts silently, following I-JSON (RFC 7493):
//
//   - bytes that are not UTF-8, anywhere in a string: encoding/json replaces each with U+FFFD;
//   - an escaped UTF-16 surrogate without its other half ("\ud800"): encoding/json replaces
//     it with U+FFFD too (RFC 7493 §2.1 forbids unpaired surrogates);
//   - a member name given twice in the top-level object: encoding/json keeps the last value
//     (RFC 7493 §2.3 forbids duplicate names).
//
// Syntax is checked by encoding/json itself (json.Valid), so what is a JSON text here is
// exactly what is one there. Strings are checked throughout the document, nested values
// included; repeated names only in the top-level object, the only one whose members the
// callers read.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind says what is wrong with a JSON text.
type Kind int

const (
	// Syntax: not a JSON text at all (encoding/json's syntax error is in Error.Err).
	Syntax Kind = iota + 1
	// NotObject: a JSON text, but not an object; Error.Detail names its kind ("array",
	// "string", "number", "bool", "null"), as encoding/json's UnmarshalTypeError does.
	NotObject
	// InvalidUTF8: a string holds a byte sequence that is not UTF-8.
	InvalidUTF8
	// LoneSurrogate: a string holds a \uXXXX escape of a UTF-16 surrogate without its
	// other half.
	LoneSurrogate
)

// Error is a JSON text that is refused, or a string in it that is.
type Error struct {
	Kind Kind
	// Offset is the byte offset in the text of the offending byte or escape (for Syntax,
	// encoding/json's offset; 0 for NotObject).
	Offset int64
	// Detail is the offending byte in hex ("0xff") for InvalidUTF8, the escape
	// ("\\ud800") for LoneSurrogate, the kind of value for NotObject.
	Detail string
	// Err is encoding/json's error for Syntax, nil otherwise.
	Err error
}

func (e *Error) Error() string {
	switch e.Kind {
	case Syntax:
		return e.Err.Error()
	case NotObject:
		return "json: the text is a JSON " + e.Detail + ", not an object"
	case InvalidUTF8:
		return fmt.Sprintf("json: byte %s at offset %d is not UTF-8", e.Detail, e.Offset)
	case LoneSurrogate:
		return fmt.Sprintf("json: %s at offset %d is half of a UTF-16 surrogate pair", e.Detail, e.Offset)
	}
	return "json: invalid text"
}

func (e *Error) Unwrap() error { return e.Err }

// Member is one member of the top-level object.
type Member struct {
	// Name is the member's name, unescaped. It shares memory with the text (or with a
	// buffer of the call) and must not be modified.
	Name []byte
	// Value is the member's value as it appears in the text (a JSON string keeps its
	// quotes and escapes; see String).
	Value []byte
	// Offset is the byte offset in the text of the member's name.
	Offset int
	// Repeated is set on every member after the first of the same (unescaped) name.
	Repeated bool
	// Invalid is the first string inside Value that is not valid text (InvalidUTF8 or
	// LoneSurrogate), or nil.
	Invalid *Error
}

// dupMapAt is the member count from which repeated names are found with a map instead of
// comparing each name with those before it: small objects (the usual case) allocate nothing.
const dupMapAt = 16

// Members checks data and appends the members of its top-level object to dst, in order.
//
// It returns an *Error of kind Syntax when data is not one JSON text, NotObject when that
// text is not an object, and InvalidUTF8 or LoneSurrogate when a member name holds bad text
// (a name that cannot be shown faithfully). Bad text in a value, and repeated names, do not
// stop it: they are reported on the member (Invalid, Repeated), so a caller can name every
// member at fault.
func Members(dst []Member, data []byte) ([]Member, error) {
	if !json.Valid(data) {
		return dst, syntaxError(data)
	}
	i := skipSpace(data, 0)
	switch data[i] { // a valid text is never empty or all white space
	case '{':
	case '[':
		return dst, &Error{Kind: NotObject, Detail: "array"}
	case '"':
		return dst, &Error{Kind: NotObject, Detail: "string"}
	case 't', 'f':
		return dst, &Error{Kind: NotObject, Detail: "bool"}
	case 'n':
		return dst, &Error{Kind: NotObject, Detail: "null"}
	default:
		return dst, &Error{Kind: NotObject, Detail: "number"}
	}
	first := len(dst)
	var seen map[string]struct{} // names so far, once the object has dupMapAt members
	var names []byte             // unescaped names that had escapes
	i = skipSpace(data, i+1)
	for data[i] != '}' {
		// A member: name, colon, value, then a comma or the closing brace.
		end, bad := scanString(data, i)
		if bad != nil {
			return dst, bad
		}
		m := Member{Offset: i, Name: data[i+1 : end-1]}
		if bytes.IndexByte(m.Name, '\\') >= 0 {
			start := len(names)
			names = appendUnquoted(names, data[i:end])
			m.Name = names[start:len(names):len(names)]
		}
		i = skipSpace(data, end)
		i = skipSpace(data, i+1) // the colon
		end, m.Invalid = scanValue(data, i)
		m.Value = data[i:end]
		m.Repeated = repeated(dst[first:], m.Name, &seen)
		dst = append(dst, m)
		i = skipSpace(data, end)
		if data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	return dst, nil
}

// repeated reports whether name is among those of ms, and keeps seen up to date once ms is
// long enough to need it.
func repeated(ms []Member, name []byte, seen *map[string]struct{}) bool {
	if len(ms) < dupMapAt {
		for _, m := range ms {
			if bytes.Equal(m.Name, name) {
				return true
			}
		}
		return false
	}
	if *seen == nil {
		*seen = make(map[string]struct{}, 2*len(ms))
		for _, m := range ms {
			(*seen)[string(m.Name)] = struct{}{}
		}
	}
	if _, ok := (*seen)[string(name)]; ok {
		return true
	}
	(*seen)[string(name)] = struct{}{}
	return false
}

// syntaxError returns encoding/json's own error for an invalid text, so its message and
// offset are those clients got before this package checked anything.
func syntaxError(data []byte) *Error {
	var v json.RawMessage
	err := json.Unmarshal(data, &v)
	e := &Error{Kind: Syntax, Err: err}
	if se := (*json.SyntaxError)(nil); errors.As(err, &se) {
		e.Offset = se.Offset
	}
	return e
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// scanValue returns the end of the valid JSON value starting at data[i], and the first
// string in it that is not valid text.
func scanValue(data []byte, i int) (end int, bad *Error) {
	switch data[i] {
	case '"':
		return scanString(data, i)
	case '{', '[':
		depth := 0
		for {
			switch data[i] {
			case '"':
				var b *Error
				i, b = scanString(data, i)
				if bad == nil {
					bad = b
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, bad
				}
			}
			i++
		}
	default: // a number or a literal: up to the next delimiter
		for i < len(data) {
			switch data[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i, nil
			}
			i++
		}
		return i, nil
	}
}

// scanString returns the end (after the closing quote) of the valid JSON string starting
// at data[i], and an error for its first byte sequence that is not UTF-8 or escape of an
// unpaired surrogate.
func scanString(data []byte, i int) (end int, bad *Error) {
	i++
	for {
		c := data[i]
		switch {
		case c == '"':
			return i + 1, bad
		case c == '\\':
			if data[i+1] != 'u' {
				i += 2
				continue
			}
			r := hex4(data[i+2 : i+6])
			switch {
			case utf16.IsSurrogate(r) && r < 0xdc00 && i+12 <= len(data) && data[i+6] == '\\' && data[i+7] == 'u' &&
				utf16.DecodeRune(r, hex4(data[i+8:i+12])) != utf8.RuneError:
				i += 12 // a high surrogate and its low half
			case utf16.IsSurrogate(r):
				if bad == nil {
					bad = &Error{Kind: LoneSurrogate, Offset: int64(i), Detail: string(data[i : i+6])}
				}
				i += 6
			default:
				i += 6
			}
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				if bad == nil {
					bad = &Error{Kind: InvalidUTF8, Offset: int64(i), Detail: fmt.Sprintf("%#02x", c)}
				}
			}
			i += size
		}
	}
}

// hex4 decodes the four hex digits of a \u escape (valid: json.Valid checked them).
func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		default:
			c = c - 'A' + 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// String returns the text of a member's value that is a JSON string, unescaped; ok is false
// when the value is not a string. value must be a member's Value from Members; when the
// member's Invalid is set, the text keeps its bytes that are not UTF-8 as they are and has
// U+FFFD for a lone surrogate.
func String(value []byte) (s string, ok bool) {
	if len(value) < 2 || value[0] != '"' {
		return "", false
	}
	inner := value[1 : len(value)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), true
	}
	return string(appendUnquoted(make([]byte, 0, len(inner)), value)), true
}

// appendUnquoted appends the unescaped text of the valid JSON string q (quotes included).
func appendUnquoted(dst, q []byte) []byte {
	q = q[1 : len(q)-1]
	for i := 0; i < len(q); {
		c := q[i]
		if c != '\\' {
			j := i + 1
			for j < len(q) && q[j] != '\\' {
				j++
			}
			dst = append(dst, q[i:j]...)
			i = j
			continue
		}
		switch q[i+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(q[i+2 : i+6])
			i += 6
			if utf16.IsSurrogate(r) {
				r2 := rune(utf8.RuneError)
				if i+6 <= len(q) && q[i] == '\\' && q[i+1] == 'u' {
					r2 = hex4(q[i+2 : i+6])
				}
				if p := utf16.DecodeRune(r, r2); p != utf8.RuneError {
					r = p
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default: // '"', '\\', '/'
			dst = append(dst, q[i+1])
		}
		i += 2
	}
	return dst
}
