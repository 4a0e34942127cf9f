package httpapi

import (
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

// Checks of a submission's request other than its body (see submit).

var identityEncoding = []string{"identity"}

// identityCoded reports whether Content-Encoding values say the body is not encoded: no
// header, or only "identity" (RFC 9110 reserves it for Accept-Encoding, but it means no
// coding, so it is accepted rather than refused for a technicality) and empty list
// members. Otherwise it returns the first other coding.
func identityCoded(values []string) (coding string, ok bool) {
	for _, v := range values {
		for c := range strings.SplitSeq(v, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "identity") {
				return c, false
			}
		}
	}
	return "", true
}

// maxQueryErrors bounds the query parameters named in one problem.
const maxQueryErrors = 10

// queryErrors names the parameters of a query string that should have been empty, sorted,
// each as "?name"; a query with no parameter name in it is named "?".
func queryErrors(rawQuery string) []inquiry.FieldError {
	q, _ := url.ParseQuery(rawQuery) // pairs that do not parse are left out; see below
	names := slices.Sorted(maps.Keys(q))
	if len(names) == 0 {
		names = []string{""}
	}
	if len(names) > maxQueryErrors {
		names = names[:maxQueryErrors]
	}
	errs := make([]inquiry.FieldError, len(names))
	for i, n := range names {
		errs[i] = inquiry.FieldError{Field: "?" + n, Message: "is not a known query parameter"}
	}
	return errs
}
