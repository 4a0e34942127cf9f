package api

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Methods are the route methods API Gateway HTTP APIs accept, in the order errors list them.
// ANY matches every method that has no route of its own on the same path.
var Methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}

var (
	// A literal segment: the characters API Gateway accepts in a resource path part.
	literalSegment = regexp.MustCompile(`^[A-Za-z0-9._:-]+$`)
	// A path parameter: {name}, or {name+} for a greedy one.
	paramSegment = regexp.MustCompile(`^\{([A-Za-z0-9._-]+)(\+?)\}$`)
)

// CheckMethod returns an error unless method is one of [Methods] (upper case, as route keys
// spell it).
func CheckMethod(method string) error {
	if slices.Contains(Methods, method) {
		return nil
	}
	return fmt.Errorf("%q is not one of %s", method, strings.Join(Methods, ", "))
}

// CheckPath returns why API Gateway would reject path as an HTTP API route path, or nil. A path
// starts with "/" and is "/" itself or one or more non-empty segments without a trailing
// slash; a segment is either literal (letters, digits, '.', '_', ':', '-'; not "." or "..") or
// a whole-segment path parameter "{name}"; a greedy parameter "{name+}" may only be the last
// segment; a parameter name appears once. It is the same form as internal/httpapi's route
// table, such as "/v1/inquiries/{id}". The error reads after the field it checks:
// `Path "/v1//x" has an empty segment`.
func CheckPath(path string) error {
	switch {
	case path == "":
		return fmt.Errorf("is empty")
	case !strings.HasPrefix(path, "/"):
		return fmt.Errorf("%q must start with \"/\"", path)
	case path == "/":
		return nil
	case strings.HasSuffix(path, "/"):
		return fmt.Errorf("%q must not end with \"/\"", path)
	}
	segments := strings.Split(path[1:], "/")
	params := map[string]bool{}
	for i, seg := range segments {
		if seg == "" {
			return fmt.Errorf("%q has an empty segment", path)
		}
		if m := paramSegment.FindStringSubmatch(seg); m != nil {
			name, greedy := m[1], m[2] == "+"
			if greedy && i != len(segments)-1 {
				return fmt.Errorf("%q: greedy parameter %q must be the last segment", path, seg)
			}
			if params[name] {
				return fmt.Errorf("%q: parameter %q appears twice", path, name)
			}
			params[name] = true
			continue
		}
		if strings.ContainsAny(seg, "{}") {
			return fmt.Errorf("%q: segment %q must be a whole {name} or {name+} parameter, or hold no braces", path, seg)
		}
		if seg == "." || seg == ".." {
			return fmt.Errorf("%q: segment %q is a dot segment clients remove", path, seg)
		}
		if !literalSegment.MatchString(seg) {
			return fmt.Errorf("%q: segment %q may hold only letters, digits, '.', '_', ':' and '-'", path, seg)
		}
	}
	return nil
}

// shape is a path with its parameter names erased ("/v1/x/{id}" and "/v1/x/{key}" have the
// same shape): API Gateway matches by position, so two such routes with one method collide.
func shape(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if m := paramSegment.FindStringSubmatch(s); m != nil {
			segs[i] = "{" + m[2] + "}"
		}
	}
	return strings.Join(segs, "/")
}

// CheckScope returns an error unless scope is an OAuth 2.0 scope-token (RFC 6749 section
// 3.3): one or more printable ASCII characters other than space, '"' and '\\', such as
// "inquiries:read" or Cognito's "groundwork-api/inquiries.read". Tokens carry their scopes
// space-separated, so a scope with a space could never match. The error reads after the
// field it checks: `ReadScope "read all" holds ' '; ...`.
func CheckScope(scope string) error {
	if scope == "" {
		return fmt.Errorf("is empty")
	}
	for i := 0; i < len(scope); i++ {
		if c := scope[i]; c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return fmt.Errorf("%q holds %q; a scope is printable ASCII without spaces, '\"' or '\\'", scope, c)
		}
	}
	return nil
}
