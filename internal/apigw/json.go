package apigw

import "unicode/utf8"

// The JSON string encoders of the response (handler.go) and of the event (eventjson.go):
// they write what encoding/json decodes back to the same strings, without reflection.

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as encoding/json
// does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendStringContent(b, s)
	return append(b, '"')
}

// appendStrings appends ss as a JSON array of strings.
func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

// appendStringContent appends s escaped for a JSON string, without the quotes.
func appendStringContent(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if plainASCII[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			b = appendEscaped(b, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			start = i + 1
		}
		i += size
	}
	return append(b, s[start:]...)
}

// plainASCII holds the bytes that stand for themselves in a JSON string: ASCII but control
// characters, '"' and '\\'. (A table is faster than the comparisons on the hot path.)
var plainASCII = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendBytes appends p, which must be valid UTF-8, as a JSON string.
func appendBytes(b []byte, p []byte) []byte {
	b = append(b, '"')
	start := 0
	for i, c := range p {
		if c < 0x20 || c == '"' || c == '\\' {
			b = append(b, p[start:i]...)
			b = appendEscaped(b, c)
			start = i + 1
		}
	}
	b = append(b, p[start:]...)
	return append(b, '"')
}

// appendEscaped appends the JSON escape of an ASCII byte that needs one.
func appendEscaped(b []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}
