package policy

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/groundwork-dev/groundwork/components/componenttest"
)

// document is an IAM policy document (identity or resource policy) in any of the forms IAM
// accepts: Statement an object or a list, Action and Resource a string or a list, Principal
// "*" or an object.
type document struct {
	Statement []statement
}

type statement struct {
	Effect       string
	Principal    any
	NotPrincipal any
	Action       any
	NotAction    any
	Resource     any
	NotResource  any
	Condition    map[string]map[string]any
}

// parseDocument decodes a policy document. It refuses a document with a key twice in one
// object, in any case: encoding/json keeps the last and matches names case-insensitively,
// while IAM may read the first or refuse the document, so a rule could judge a statement
// other than the one that takes effect ({"Effect":"Deny","Effect":"Allow"}).
func parseDocument(s string) (document, error) {
	if !json.Valid([]byte(s)) {
		var v any
		return document{}, json.Unmarshal([]byte(s), &v) // the syntax error, with its offset
	}
	w := keyWalker{data: s}
	if err := w.value(inDocument, 0); err != nil {
		return document{}, err
	}
	var raw struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return document{}, err
	}
	var doc document
	switch t := strings.TrimSpace(string(raw.Statement)); {
	case t == "" || t == "null":
	case strings.HasPrefix(t, "{"):
		var st statement
		if err := json.Unmarshal(raw.Statement, &st); err != nil {
			return document{}, err
		}
		doc.Statement = []statement{st}
	default:
		if err := json.Unmarshal(raw.Statement, &doc.Statement); err != nil {
			return document{}, err
		}
	}
	for i, st := range doc.Statement {
		// "Valid values for Effect are Allow and Deny. The Effect value is case sensitive."
		// (IAM User Guide, "IAM JSON policy elements: Effect"). A rule that skipped any
		// other value would pass {"Effect":"allow","Action":"*","Resource":"*"} unread.
		if st.Effect != "Allow" && st.Effect != "Deny" {
			return document{}, fmt.Errorf("statement %d: Effect %q is neither Allow nor Deny", i, st.Effect)
		}
		// strs drops what is not a string; a value it dropped ("Resource":["arn:...",["*"]])
		// would go unjudged, so such a document is refused as IAM refuses it.
		for j, v := range []any{st.Action, st.NotAction, st.Resource, st.NotResource} {
			if !stringOrStrings(v) {
				return document{}, fmt.Errorf("statement %d: %s is neither a string nor a list of strings", i, []string{"Action", "NotAction", "Resource", "NotResource"}[j])
			}
		}
	}
	return doc, nil
}

// The element names of a policy document and of a statement, spelt as the IAM User Guide's
// "Grammar of the IAM JSON policy language" spells them. encoding/json would also read
// "statement" or "condition" into them, where IAM reads no such element; a misspelt one
// ("Resources") would be dropped unread.
var (
	documentElements  = []string{"Version", "Id", "Statement"}
	statementElements = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)

// stringOrStrings reports whether a decoded element is absent, a string, or a list of
// strings.
func stringOrStrings(v any) bool {
	switch x := v.(type) {
	case nil, string:
		return true
	case []any:
		for _, e := range x {
			if _, ok := e.(string); !ok {
				return false
			}
		}
		return true
	}
	return false
}

// Where keyWalker is in a policy document: the element names it knows at each place.
const (
	elsewhere   = iota
	inDocument  // the document's object
	inStatement // the Statement element: one statement or a list of them
	aStatement  // one statement's object
)

// keyWalker walks a valid JSON text (json.Valid) once, and returns an error naming the first
// key that appears twice in one object (compared case-insensitively, after unescaping) or,
// in the document and its statements, the first element the grammar does not name. It
// reads the bytes itself: encoding/json's Decoder.Token allocates for every token, and
// this runs on every policy document.
type keyWalker struct {
	data string
	pos  int
}

func (w *keyWalker) space() {
	for w.pos < len(w.data) && strings.IndexByte(" \t\r\n", w.data[w.pos]) >= 0 {
		w.pos++
	}
}

// str reads the string at pos and returns it unescaped.
func (w *keyWalker) str() string {
	start, escaped := w.pos, false
	for w.pos++; w.data[w.pos] != '"'; w.pos++ {
		if w.data[w.pos] == '\\' {
			escaped = true
			w.pos++
		}
	}
	w.pos++
	if !escaped {
		return w.data[start+1 : w.pos-1]
	}
	var s string
	_ = json.Unmarshal([]byte(w.data[start:w.pos]), &s) // valid JSON: a valid string
	return s
}

// value reads one value at place where (statement i, in a statement).
func (w *keyWalker) value(where, i int) error {
	w.space()
	switch w.data[w.pos] {
	case '{':
		if where == inStatement {
			where = aStatement
		}
		var seen []string
		for w.pos++; ; {
			w.space()
			switch w.data[w.pos] {
			case '}':
				w.pos++
				return nil
			case ',':
				w.pos++
				continue
			}
			key := w.str()
			if slices.ContainsFunc(seen, func(k string) bool { return strings.EqualFold(k, key) }) {
				return fmt.Errorf("key %q appears twice in one object", key)
			}
			seen = append(seen, key)
			next := elsewhere
			switch {
			case where == inDocument && !slices.Contains(documentElements, key):
				return fmt.Errorf("the document has element %q, which is none of %s", key, strings.Join(documentElements, ", "))
			case where == aStatement && !slices.Contains(statementElements, key):
				return fmt.Errorf("statement %d has element %q, which is none of %s", i, key, strings.Join(statementElements, ", "))
			case where == inDocument && key == "Statement":
				next = inStatement
			}
			w.space()
			w.pos++ // ':'
			if err := w.value(next, 0); err != nil {
				return err
			}
		}
	case '[':
		next := elsewhere
		if where == inStatement {
			next = aStatement
		}
		n := 0
		for w.pos++; ; {
			w.space()
			switch w.data[w.pos] {
			case ']':
				w.pos++
				return nil
			case ',':
				w.pos++
				n++
				continue
			}
			if err := w.value(next, n); err != nil {
				return err
			}
		}
	case '"':
		w.str()
	default: // a number, true, false or null
		for w.pos < len(w.data) && strings.IndexByte(",]} \t\r\n", w.data[w.pos]) < 0 {
			w.pos++
		}
	}
	return nil
}

// strs reads an IAM Action, Resource or condition value, which is a string or a list of
// strings.
func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case bool:
		return []string{fmt.Sprint(x)}
	}
	return nil
}

// publicPrincipal reports whether a statement's principal is everyone: "*", {"AWS": "*"} or a
// list that holds "*".
func publicPrincipal(p any) bool {
	switch x := p.(type) {
	case string:
		return x == "*"
	case map[string]any:
		for _, v := range x {
			for _, s := range strs(v) {
				if s == "*" {
					return true
				}
			}
		}
	}
	return false
}

// wildcardPrincipal reports whether any principal of a statement holds a wildcard: "*", or
// a pattern such as "arn:aws:iam::*:root" (every account). IAM refuses wildcards within a
// principal ARN in most places; where one is accepted it can only widen, so an Allow is
// judged as if it were "*". (A Deny counts only with publicPrincipal: a pattern does not
// cover the anonymous.)
func wildcardPrincipal(p any) bool {
	switch x := p.(type) {
	case string:
		return strings.ContainsAny(x, "*?")
	case map[string]any:
		for _, v := range x {
			if containsWildcard(strs(v)) {
				return true
			}
		}
	}
	return false
}

// narrowingKeys are the condition keys that limit a statement for everyone to one source,
// account, organization or network, so that it is not public. Compared in lower case, as
// IAM compares condition keys.
var narrowingKeys = map[string]bool{
	"aws:sourcearn": true, "aws:sourceaccount": true, "aws:sourceowner": true, "aws:sourceorgid": true,
	"aws:principalorgid": true, "aws:principalaccount": true, "aws:principalarn": true,
	"aws:sourcevpc": true, "aws:sourcevpce": true, "aws:sourceip": true,
	"kms:calleraccount": true,
}

// narrowingOperators are the condition operators that hold only when the key is in the
// request and matches one of the values. The others narrow nothing for everyone: a negated
// operator (StringNotEquals) admits every other account, Null only asks that the key be
// there, and an ...IfExists operator or ForAllValues holds when the key is absent, as it is
// for an anonymous caller (IAM User Guide, "IAM JSON policy elements: Condition operators"
// and "Set operators for multivalued context keys"). ForAnyValue over a single-valued key
// is the operator itself.
var narrowingOperators = []string{"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "IpAddress"}

// wideNetwork reports whether a value is a network wider than a /8 (IPv4) or a /16 (IPv6):
// "0.0.0.0/0", or the internet in two halves ("0.0.0.0/1", "128.0.0.0/1"), narrows nothing.
func wideNetwork(v string) bool {
	p, err := netip.ParsePrefix(v)
	if err != nil {
		return false // an address, or no network: not aws:SourceIp's wide form
	}
	return p.Addr().Is4() && p.Bits() < 8 || !p.Addr().Is4() && p.Bits() < 16
}

// narrowed reports whether a condition limits the statement by one of narrowingKeys, with
// one of narrowingOperators, to values without wildcards (a wildcard value, as AWS Config
// judges, narrows nothing) and to no network wider than a /8 (wideNetwork).
func narrowed(cond map[string]map[string]any) bool {
	for op, kv := range cond {
		if !slices.Contains(narrowingOperators, strings.TrimPrefix(op, "ForAnyValue:")) {
			continue
		}
		for k, v := range kv {
			if !narrowingKeys[strings.ToLower(k)] {
				continue
			}
			vals := strs(v)
			if len(vals) > 0 && !containsWildcard(vals) && !slices.ContainsFunc(vals, wideNetwork) {
				return true
			}
		}
	}
	return false
}

func containsWildcard(vals []string) bool {
	for _, v := range vals {
		if strings.ContainsAny(v, "*?") {
			return true
		}
	}
	return false
}

// publicAllows returns the indexes of the Allow statements of a resource policy that admit
// everyone without a narrowing condition. An Allow with NotPrincipal admits everyone but
// those it names.
func publicAllows(doc document) []int {
	var out []int
	for i, st := range doc.Statement {
		if st.Effect == "Allow" && (wildcardPrincipal(st.Principal) || st.NotPrincipal != nil) && !narrowed(st.Condition) {
			out = append(out, i)
		}
	}
	return out
}

// deniesInsecureTransport reports whether a resource policy has a Deny statement, for
// everyone and every action of service (or every action), on resources that cover each of
// arns, for requests whose aws:SecureTransport is false. A statement that merely mentions
// aws:SecureTransport, or allows, does not count.
func deniesInsecureTransport(doc document, service string, arns ...string) bool {
	for _, st := range doc.Statement {
		if st.Effect != "Deny" || !publicPrincipal(st.Principal) {
			continue
		}
		// The condition must be that one test and nothing more: conditions are ANDed, so any
		// other key or operator limits the Deny to some callers only.
		insecure := false
		if kv, ok := st.Condition["Bool"]; ok && len(st.Condition) == 1 && len(kv) == 1 {
			for k, v := range kv {
				if strings.EqualFold(k, "aws:SecureTransport") && len(strs(v)) == 1 && strings.EqualFold(strs(v)[0], "false") {
					insecure = true
				}
			}
		}
		if !insecure {
			continue
		}
		allActions := false
		for _, a := range strs(st.Action) {
			if a == "*" || strings.EqualFold(a, service+":*") {
				allActions = true
			}
		}
		if !allActions {
			continue
		}
		covered := true
		for _, arn := range arns {
			if !anyMatch(strs(st.Resource), arn) {
				covered = false
			}
		}
		if covered {
			return true
		}
	}
	return false
}

// everyResource reports whether a Resource pattern matches the ARNs of unrelated services
// alike ("*", "arn:*", "arn:aws:*:*:*:*"), and so every resource.
func everyResource(p string) bool {
	for _, arn := range []string{"arn:aws:iam::123456789012:role/r", "arn:aws:s3:::b/o", "arn:aws:dynamodb:us-east-1:123456789012:table/t"} {
		if !wildcardMatch(p, arn) {
			return false
		}
	}
	return true
}

// everyAction reports whether an Action pattern matches the actions of unrelated services
// alike ("*", "*:*", "**"), and so every action. IAM compares actions case-insensitively.
func everyAction(p string) bool {
	for _, a := range []string{"iam:createaccesskey", "s3:getobject", "ec2:runinstances"} {
		if !wildcardMatch(strings.ToLower(p), a) {
			return false
		}
	}
	return true
}

// wideARN reports whether an ARN names no one resource: it is empty or no ARN ("*"), has a
// wildcard in its partition, service, region or account, or its resource part begins with
// one ("arn:aws:s3:::*"). A wildcard after the resource's name ("<api>/*/*", "<bucket>/*")
// stays within that resource.
func wideARN(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return true
	}
	return containsWildcard(parts[1:5]) || strings.IndexAny(parts[5], "*?") == 0
}

// resourceType is the resource type that begins the resource part of many ARNs
// ("table/t", "log-group:/aws/lambda/f", "key/k"): the resource's name follows it.
var resourceType = regexp.MustCompile(`^(table|index|stream|key|alias|log-group|function|layer|secret|parameter|role|user|group|policy|instance|volume|network-interface|subnet|security-group|stateMachine|rule|event-bus)[/:]`)

// wideResource reports whether an identity policy's resource ARN names no one resource:
// wideARN, or a wildcard where the name follows the resource type ("table/*").
func wideResource(arn string) bool {
	if wideARN(arn) {
		return true
	}
	rest := resourceType.ReplaceAllString(strings.SplitN(arn, ":", 6)[5], "")
	return strings.IndexAny(rest, "*?") == 0
}

func anyMatch(patterns []string, s string) bool {
	for _, p := range patterns {
		if wildcardMatch(p, s) {
			return true
		}
	}
	return false
}

// wildcardMatch matches s against an IAM resource pattern, where * matches any run of
// characters and ? any one.
func wildcardMatch(p, s string) bool {
	for len(p) > 0 {
		switch p[0] {
		case '*':
			for i := len(s); i >= 0; i-- {
				if wildcardMatch(p[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
		default:
			if s == "" || s[0] != p[0] {
				return false
			}
		}
		p, s = p[1:], s[1:]
	}
	return s == ""
}

// output returns a string output of a recorded resource, or "".
func output(r componenttest.Resource, key string) string {
	v, _ := r.Output(key)
	s, _ := v.(string)
	return s
}

// policyDoc is one identity policy document held by a recorded resource.
type policyDoc struct {
	owner componenttest.Resource
	// where names the document within its owner ("policy", "inlinePolicies[0].policy").
	where string
	text  string
	// unknown is true for a document not known yet (a preview): built from unknown outputs.
	unknown bool
}

// Identity policy holders: the resource types whose inputs carry IAM identity policy
// documents, and where.
var identityDocTypes = []string{typeRolePolicy, typePolicy, typeUserPolicy, typeGroupPolicy, typeRole}

// identityDocs returns every identity policy document of the program: standalone policies,
// inline role, user and group policies, and a role's inlinePolicies.
func identityDocs(s *scope) []policyDoc {
	var out []policyDoc
	for _, typ := range []string{typeRolePolicy, typePolicy, typeUserPolicy, typeGroupPolicy} {
		for _, r := range s.of(typ) {
			out = append(out, policyDoc{owner: r, where: "policy", text: r.InputString("policy"), unknown: r.Unknown("policy")})
		}
	}
	for _, r := range s.of(typeRole) {
		if r.Unknown("inlinePolicies") {
			out = append(out, policyDoc{owner: r, where: "inlinePolicies", unknown: true})
			continue
		}
		v, _ := r.Input("inlinePolicies")
		list, _ := v.([]any)
		for i := range list {
			where := fmt.Sprintf("inlinePolicies[%d].policy", i)
			if r.Unknown(where) {
				out = append(out, policyDoc{owner: r, where: where, unknown: true})
			} else if text := r.InputString(where); text != "" {
				out = append(out, policyDoc{owner: r, where: where, text: text})
			}
		}
	}
	return out
}

// eachStatement runs fn over every statement of every identity policy document that parses
// (rule iam-policy-json reports those that don't); a document not known yet leaves the rule
// undecided on its owner.
func eachStatement(s *scope, fn func(d policyDoc, i int, st statement)) {
	for _, d := range identityDocs(s) {
		if d.unknown {
			s.undecided(d.owner, "%s of %s is unknown", d.where, d.owner.Name)
			continue
		}
		doc, err := s.parse(d.text)
		if err != nil {
			continue
		}
		for i, st := range doc.Statement {
			fn(d, i, st)
		}
	}
}
