// Package plan is the offline plan of a Pulumi program as data, without Pulumi: the resources
// a stack would have (what cmd/synth records under the mocks), its baseline result, the JSON
// document that carries them between commits, and the comparisons of two plans: which URNs
// are the same resource (URN goldens, stacks/urns_test.go) and what `pulumi preview` would
// show (cmd/synth -diff). Both comparisons are one implementation, Match.
//
// It imports nothing of Pulumi, as the rest of internal/ (see design.md): the recording is
// turned into a Plan by cmd/synth, which may import Pulumi.
package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Format is the version of the JSON document. A reader refuses any other: a plan written by
// an incompatible synth cannot be compared property by property.
const Format = "groundwork.plan/v1"

// Secret stands for a secret value wherever a plan shows one.
const Secret = "[secret]"

// Unknown stands for a value not known before deployment.
const Unknown = "[unknown]"

// Plan is the document `synth -json` writes: one or more stacks.
type Plan struct {
	// Format is always the constant Format.
	Format string `json:"format"`
	// Stacks are sorted by name.
	Stacks []Stack `json:"stacks"`
}

// Stack is one stack's plan.
type Stack struct {
	// Stack is the stack's name; Project the Pulumi project's; Tier the stack file's tier.
	Stack   string `json:"stack"`
	Project string `json:"project"`
	Tier    string `json:"tier"`
	// Resources are sorted by URN.
	Resources []Resource `json:"resources"`
	// Baseline is the policy result for the stack.
	Baseline Baseline `json:"baseline"`
}

// Resource is one resource the stack registers.
type Resource struct {
	// URN is the resource's URN; Type its type token; Name its logical name.
	URN  string `json:"urn"`
	Type string `json:"type"`
	Name string `json:"name"`
	// Custom is true for resources a provider manages, false for components.
	Custom bool `json:"custom"`
	// Parent is the parent's URN; empty for a resource at the top of the stack.
	Parent string `json:"parent,omitempty"`
	// Provider is the URN of the provider the resource uses; empty for components.
	Provider string `json:"provider,omitempty"`
	// Protect, DeleteBeforeReplace and RetainOnDelete are the resource options.
	Protect             bool `json:"protect,omitempty"`
	DeleteBeforeReplace bool `json:"deleteBeforeReplace,omitempty"`
	RetainOnDelete      bool `json:"retainOnDelete,omitempty"`
	// Dependencies are the URNs the resource depends on, explicitly or through its inputs,
	// sorted.
	Dependencies []string `json:"dependencies,omitempty"`
	// Aliases are the URNs the resource's Aliases option names, sorted.
	Aliases []string `json:"aliases,omitempty"`
	// PhysicalName is the name AWS would give it, where the type has one.
	PhysicalName string `json:"physicalName,omitempty"`
	// ID is the id the recording mocks gave it, which, like an auto-name's random part, they
	// derive from the URN. Pulumi keeps a renamed resource's id and auto-name, so a diff
	// reads the values that carry the new ones (ARNs, URLs) as the old (see Diff). Empty for
	// components and in plans written before it was recorded.
	ID string `json:"id,omitempty"`
	// Inputs are the inputs as JSON values (objects are map[string]any), secrets as Secret.
	Inputs map[string]any `json:"inputs,omitempty"`
}

// Baseline is the policy result of a stack.
type Baseline struct {
	// Violations are not suppressed; each fails the plan.
	Violations []Finding `json:"violations"`
	// Suppressed are accepted by a suppression, whose reason they carry.
	Suppressed []Finding `json:"suppressed"`
	// Unused are suppressions that accepted nothing.
	Unused []Suppression `json:"unused"`
}

// Finding is one violation of a rule on one resource.
type Finding struct {
	// Rule is the rule's id; Severity its severity; Resource the offending URN; Message what
	// is wrong, secrets masked.
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Resource string `json:"resource"`
	Message  string `json:"message"`
	// Reason is the suppression's reason; empty for a violation.
	Reason string `json:"reason,omitempty"`
}

// Suppression is a suppression that accepted no violation: its rule, the resource it names
// (a URN, or "type::name") and its reason.
type Suppression struct {
	Rule     string `json:"rule"`
	Resource string `json:"resource"`
	Reason   string `json:"reason"`
}

// Write writes p as indented JSON. encoding/json sorts map keys, so the same plan always
// gives the same bytes.
func Write(w io.Writer, p *Plan) error {
	p.Format = Format
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// ErrFormat is wrapped by Read's error for a document of another format version, or one that
// is not a plan at all.
var ErrFormat = errors.New("not a " + Format + " plan")

// MaxSize is the largest plan Read reads: some 350 times the plan of this project's three
// stacks, and small enough that a wrong file (a log, /dev/zero) is refused before it fills
// the memory.
const MaxSize = 64 << 20

// Read reads a plan Write wrote. A document of another format, or no plan at all, is an error
// wrapping ErrFormat that says what it is instead. So is a document Write could not have
// written, and whose meaning encoding/json would guess: invalid UTF-8 (read as U+FFFD) or a
// key given twice in one object (the last one would win, silently dropping the first, as a
// careless merge of two plans could leave). A document larger than MaxSize is refused unread.
func Read(r io.Reader) (*Plan, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%w: it is larger than %d MiB", ErrFormat, MaxSize>>20)
	}
	var head struct {
		Format *string `json:"format"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%w: it is not a JSON object (%v)", ErrFormat, err)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: it is not valid UTF-8 (at byte %d)", ErrFormat, invalidUTF8At(data))
	}
	if key, err := duplicateKey(data); err != nil || key != "" {
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		return nil, fmt.Errorf("%w: the key %q appears twice in one object", ErrFormat, key)
	}
	switch {
	case head.Format == nil:
		return nil, fmt.Errorf("%w: it has no \"format\" (write one with synth -json)", ErrFormat)
	case *head.Format != Format:
		return nil, fmt.Errorf("%w: its format is %q; write the base plan again with this synth (-json)", ErrFormat, *head.Format)
	}
	var p Plan
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	for i := range p.Stacks {
		for j := range p.Stacks[i].Resources {
			p.Stacks[i].Resources[j].Inputs = normalize(p.Stacks[i].Resources[j].Inputs).(map[string]any)
		}
	}
	return &p, nil
}

// normalize turns the json.Numbers the decoder kept into float64, as a plan made in memory has
// them, so that values read back compare equal to values recorded.
func normalize(v any) any {
	switch x := v.(type) {
	case nil:
		return map[string]any(nil)
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeValue(e)
		}
		return x
	}
	return v
}

func normalizeValue(v any) any {
	switch x := v.(type) {
	case json.Number:
		return normalize(x)
	case map[string]any:
		return normalize(x)
	case []any:
		for i, e := range x {
			x[i] = normalizeValue(e)
		}
		return x
	}
	return v
}

// Stack returns the stack of that name, and whether the plan has it.
func (p *Plan) Stack(name string) (*Stack, bool) {
	for i := range p.Stacks {
		if p.Stacks[i].Stack == name {
			return &p.Stacks[i], true
		}
	}
	return nil, false
}

// Names returns the stacks' names, in the plan's order.
func (p *Plan) Names() []string {
	out := make([]string, len(p.Stacks))
	for i, s := range p.Stacks {
		out[i] = s.Stack
	}
	return out
}

// Input returns the value at a dotted path of the inputs ("tracingConfig.mode"), and whether
// it is there.
func (r *Resource) Input(path string) (any, bool) {
	var v any = r.Inputs
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// InputString returns the string at a dotted path of the inputs, or "".
func (r *Resource) InputString(path string) string {
	v, _ := r.Input(path)
	s, _ := v.(string)
	return s
}

// invalidUTF8At is the offset of the first byte of data that is not valid UTF-8.
func invalidUTF8At(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(data)
}

// duplicateKey returns the path ("stacks[0].resources[3].inputs.name") of the first key that
// appears twice in one object of the JSON document data, or "".
func duplicateKey(data []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func(path string) (string, error)
	walk = func(path string) (string, error) {
		tok, err := dec.Token()
		if err != nil {
			return "", err
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return "", err
				}
				k, _ := kt.(string)
				p := join(path, k)
				if seen[k] {
					return p, nil
				}
				seen[k] = true
				if dup, err := walk(p); dup != "" || err != nil {
					return dup, err
				}
			}
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if dup, err := walk(path + "[" + strconv.Itoa(i) + "]"); dup != "" || err != nil {
					return dup, err
				}
			}
		default:
			return "", nil
		}
		_, err = dec.Token() // the closing delimiter
		return "", err
	}
	return walk("")
}
