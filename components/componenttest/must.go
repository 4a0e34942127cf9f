package componenttest

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TB is the part of testing.TB the Must helpers use. *testing.T, *testing.B, *testing.F and
// testing.TB satisfy it; the package itself does not import testing.
//
// Each Must helper calls Helper, so a failure is reported at the caller's line, and on failure
// calls Fatalf once with a message that starts with "componenttest: " and names what was
// missing. With testing's TB, Fatalf stops the test; a TB whose Fatalf returns gets the zero
// value back (the Recorder, for MustRun).
type TB interface {
	// Helper marks the calling function as a helper, so a failure names the test's line.
	Helper()
	// Fatalf reports a failure; testing's TB also stops the test.
	Fatalf(format string, args ...any)
}

// Component adapts a component constructor of the house shape, New(ctx, name, args, opts...),
// to a program that makes that one component, for Run and MustRun:
//
//	rec := componenttest.MustRun(t, componenttest.Component(queue.New, "events", &queue.Args{}))
//
// The component itself is dropped; a test that needs its outputs writes its own program.
func Component[A, C any](newFn func(*pulumi.Context, string, A, ...pulumi.ResourceOption) (C, error),
	name string, args A, opts ...pulumi.ResourceOption) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		_, err := newFn(ctx, name, args, opts...)
		return err
	}
}

// MustRun is Run for a program that must succeed: when the program returns an error, it fails t
// with "componenttest: the program failed: <error>". It returns the Recorder either way.
func MustRun(t TB, program pulumi.RunFunc, opts ...Option) *Recorder {
	t.Helper()
	rec, err := Run(program, opts...)
	if err != nil {
		t.Fatalf("componenttest: the program failed: %v", err)
	}
	return rec
}

// Must returns the resource of a type with a logical name, as Get does. When there is none it
// fails t with a message naming the type and the name and listing the names recorded for that
// type, and returns the zero Resource.
func (r *Recorder) Must(t TB, typ, name string) Resource {
	t.Helper()
	res, ok := r.Get(typ, name)
	if !ok {
		t.Fatalf("componenttest: no %s %q registered; %s", typ, name, r.namesOf(typ))
	}
	return res
}

// One returns the only resource of a type. When there are none or several it fails t with a
// message naming the type and listing the names recorded for it, and returns the zero Resource.
func (r *Recorder) One(t TB, typ string) Resource {
	t.Helper()
	rs := r.ByType(typ)
	if len(rs) != 1 {
		t.Fatalf("componenttest: want exactly one %s, got %d; %s", typ, len(rs), r.namesOf(typ))
		return Resource{}
	}
	return rs[0]
}

// namesOf describes the logical names recorded for a type, for failure messages.
func (r *Recorder) namesOf(typ string) string {
	var names []string
	for _, res := range r.ByType(typ) {
		names = append(names, res.Name)
	}
	if len(names) == 0 {
		return "none of that type is registered"
	}
	return fmt.Sprintf("registered of that type: %q", names)
}

// MustNumber returns the number at an input path. When the path is missing, unknown (preview)
// or not a number, it fails t with a message naming the resource and the path, and returns 0.
func (r Resource) MustNumber(t TB, path string) float64 {
	t.Helper()
	v, err := r.input(path)
	if err != nil {
		t.Fatalf("componenttest: %v", err)
		return 0
	}
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("componenttest: %s: input %q is %T %#v, not a number", r.label(), path, v, v)
		return 0
	}
	return f
}

// InputJSON decodes the JSON string at an input path, such as a queue's "redrivePolicy", into
// into, as json.Unmarshal does. The error names the resource and the path when the input is
// missing, unknown (preview), not a string, or not JSON.
func (r Resource) InputJSON(path string, into any) error {
	s, err := r.inputJSONString(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(s), into); err != nil {
		return fmt.Errorf("%s: input %q is not JSON of that shape: %w: %s", r.label(), path, err, s)
	}
	return nil
}

// MustJSON is InputJSON for a test: on an error it fails t with that error.
func (r Resource) MustJSON(t TB, path string, into any) {
	t.Helper()
	if err := r.InputJSON(path, into); err != nil {
		t.Fatalf("componenttest: %v", err)
	}
}

// InputPolicy decodes the IAM policy document at an input path, such as a role policy's
// "policy" or a role's "assumeRolePolicy", with ParsePolicy. The error names the resource and
// the path as InputJSON's does.
func (r Resource) InputPolicy(path string) (PolicyDocument, error) {
	s, err := r.inputJSONString(path)
	if err != nil {
		return PolicyDocument{}, err
	}
	doc, err := ParsePolicy(s)
	if err != nil {
		return PolicyDocument{}, fmt.Errorf("%s: input %q: %w", r.label(), path, err)
	}
	return doc, nil
}

// MustPolicy is InputPolicy for a test: on an error it fails t with that error and returns the
// zero PolicyDocument.
func (r Resource) MustPolicy(t TB, path string) PolicyDocument {
	t.Helper()
	doc, err := r.InputPolicy(path)
	if err != nil {
		t.Fatalf("componenttest: %v", err)
	}
	return doc
}

// label names a resource in errors: its type and logical name.
func (r Resource) label() string { return fmt.Sprintf("%s %q", r.Type, r.Name) }

// input is Input with an error that says why there is no value.
func (r Resource) input(path string) (any, error) {
	v, ok := r.Input(path)
	if !ok && r.Unknown(path) {
		return nil, fmt.Errorf("%s: input %q is unknown (preview)", r.label(), path)
	}
	if !ok {
		return nil, fmt.Errorf("%s: input %q is not set", r.label(), path)
	}
	if _, unknown := v.(Unknown); unknown {
		return nil, fmt.Errorf("%s: input %q is unknown (preview)", r.label(), path)
	}
	return v, nil
}

func (r Resource) inputJSONString(path string) (string, error) {
	v, err := r.input(path)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s: input %q is %T, not a JSON string", r.label(), path, v)
	}
	return s, nil
}
