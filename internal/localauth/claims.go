package localauth

import (
	"encoding/json"
	"strings"
)

// renderClaims turns a token's claims into requestContext.authorizer.jwt.claims as API
// Gateway's payload 2.0 renders them: every value a string. Strings stay as they are;
// numbers keep their JSON text ("exp": "1787996002"); true and false are "true" and
// "false"; a list is its items between brackets, separated by spaces, strings unquoted
// ("[admin poweruser]", not JSON); a null claim is left out; an object is its JSON text.
//
// Sources: the string form of numbers is in every captured event (an HTTP API with a
// Cognito JWT authorizer in DefinitelyTyped/DefinitelyTyped#75458: "exp": "1787996002");
// the list form was measured by floci (github.com/floci-io/floci,
// ApiGatewayExecuteController.java, renderClaimValue: "measured against real HTTP APIs,
// 2026-08") and reported from AWS by aws-solutions-library-samples/
// guidance-for-claude-code-with-amazon-bedrock#803 ("API Gateway HTTP API JWT authorizer
// serializes array claims as bracketed space-separated strings"). The object form is
// floci's fallback, not a measurement.
func renderClaims(claims map[string]any) map[string]string {
	out := make(map[string]string, len(claims))
	for k, v := range claims {
		if s, ok := renderClaim(v); ok {
			out[k] = s
		}
	}
	return out
}

func renderClaim(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		if x {
			return "true", true
		}
		return "false", true
	case []any:
		var b strings.Builder
		b.WriteByte('[')
		for i, item := range x {
			if i > 0 {
				b.WriteByte(' ')
			}
			if s, ok := item.(string); ok {
				b.WriteString(s)
				continue
			}
			j, _ := json.Marshal(item) // a value decoded from JSON: cannot fail
			b.Write(j)
		}
		b.WriteByte(']')
		return b.String(), true
	default:
		j, _ := json.Marshal(x)
		return string(j), true
	}
}
