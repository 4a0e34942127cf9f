package componenttest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// PolicyDocument is an IAM policy document (identity or resource policy, trust policy) decoded
// from its JSON by ParsePolicy.
type PolicyDocument struct {
	// Version is the policy language's version, "2012-10-17" for every document the
	// components write (the only one with policy variables).
	Version string
	// ID is the document's "Id".
	ID        string `json:"Id"`
	Statement []PolicyStatement
}

// PolicyStatement is one statement of a PolicyDocument. A key the JSON leaves out is the
// field's zero value.
//
// Action and NotAction must be JSON arrays, as components/internal/iampolicy writes them; a
// bare string fails ParsePolicy, so a test notices the change of form. Principal, NotPrincipal,
// Resource and NotResource hold the JSON value as written, since IAM and iampolicy use more than
// one form ("*" as a string, a list as []any, a principal object as map[string]any), and an
// assertion on them keeps telling the forms apart. Condition values likewise: a string or a
// []any.
type PolicyStatement struct {
	// Sid is the statement's id, which names it in IAM's messages; often empty.
	Sid string
	// Effect is "Allow" or "Deny", as written.
	Effect string
	// Principal and NotPrincipal are whom a resource policy's statement is about; nil in an
	// identity policy.
	Principal    any
	NotPrincipal any
	// Action and NotAction are the IAM actions, such as "sqs:SendMessage".
	Action    []string
	NotAction []string
	// Resource and NotResource are the ARNs (or "*") the statement covers.
	Resource    any
	NotResource any
	// Condition maps an operator ("StringEquals") to condition keys and their values.
	Condition map[string]map[string]any
}

// ParsePolicy decodes an IAM policy document. It is strict: the JSON must be one object, and a
// key IAM does not define for a document (Version, Id, Statement) or a statement (Sid, Effect,
// Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition) is an error,
// so no part of the policy is silently left out of the decoded view. Keys match
// case-insensitively, as encoding/json matches them.
func ParsePolicy(s string) (PolicyDocument, error) {
	var doc PolicyDocument
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return PolicyDocument{}, fmt.Errorf("not an IAM policy document: %w: %s", err, s)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return PolicyDocument{}, fmt.Errorf("not an IAM policy document: more than one JSON value: %s", s)
	}
	return doc, nil
}
