package inquiry

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNormalizeIdempotencyKey(t *testing.T) {
	const (
		bad   = "must be 1 to 255 visible ASCII characters"
		twice = "must be given once: it holds more than one key (repeated headers arrive joined with commas); send a key that has a comma as a quoted string"
	)
	cases := []struct {
		name, header, key, err string
	}{
		{name: "no header", header: "", key: ""},
		{name: "a bare key", header: "5f0c7a4e-1d2b-4c8e-9a7f-3b6d2e1f0a9c", key: "5f0c7a4e-1d2b-4c8e-9a7f-3b6d2e1f0a9c"},
		{name: "a structured-field string", header: `"abc"`, key: "abc"},
		{name: "surrounding white space ignored", header: " \t\"abc\" ", key: "abc"},
		{name: "escapes in a string", header: `"a\"b\\c"`, key: `a"b\c`},
		{name: "a comma inside a string", header: `"a,b"`, key: "a,b"},
		{name: "the longest key", header: strings.Repeat("k", 255), key: strings.Repeat("k", 255)},
		{name: "two bare keys joined (the header sent twice)", header: "a1,b2", err: twice},
		{name: "two keys joined with a space", header: "a1, b2", err: twice},
		{name: "two strings joined", header: `"a1","b2"`, err: twice},
		{name: "a string and a bare key joined", header: `"a1", b2`, err: twice},
		{name: "a bare key and a string joined", header: `a1,"b2"`, err: twice},
		{name: "the same key twice", header: "k1,k1", err: twice},
		{name: "an empty string", header: `""`, err: bad},
		{name: "only white space", header: "  ", err: bad},
		{name: "an unterminated string", header: `"abc`, err: bad},
		{name: "a single quote mark", header: `"`, err: bad},
		{name: "text after a string", header: `"abc"def`, err: bad},
		{name: "a backslash escaping a letter", header: `"a\bc"`, err: bad},
		{name: "a space inside a string", header: `"a b"`, err: bad},
		{name: "a space inside a bare key", header: "a b", err: bad},
		{name: "non-ASCII", header: "clé", err: bad},
		{name: "too long", header: strings.Repeat("k", 256), err: bad},
		{name: "too long once unquoted", header: `"` + strings.Repeat("k", 256) + `"`, err: bad},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given an Idempotency-Key header value; when it is read
			key, ferr := normalizeIdempotencyKey(tc.header)
			// Then it is the one key it holds, or refused naming the header
			if tc.err == "" {
				assert.Nil(t, ferr, "accepted")
				assert.Equal(t, tc.key, key, "the key")
				return
			}
			if assert.NotNil(t, ferr, "refused") {
				assert.Equal(t, FieldError{Field: "Idempotency-Key", Message: tc.err}, *ferr)
			}
			assert.Empty(t, key, "no key on error")
		})
	}
}
