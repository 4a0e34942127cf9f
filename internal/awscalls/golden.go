package awscalls

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// GoldenFile is where an entry point's package keeps the calls its handler makes, relative
// to the package's directory.
const GoldenFile = "testdata/aws-calls.json"

// golden is a golden file's content.
type golden struct {
	// Note says where the file comes from, for a reader who finds it in a diff.
	Note  string `json:"note"`
	Calls []Call `json:"calls"`
}

const goldenNote = "The AWS calls this function's code makes, recorded against the emulators by this " +
	"package's tests (refresh: go test -run TestAWSCalls -update). stacks/grants_test.go holds the " +
	"function's role policies equal to their IAM actions (internal/awscalls)."

// CheckGolden compares calls (as ByEnvironment left them; repeats and order do not matter)
// with the golden file at path, and fails when they differ, listing the calls on each side.
// With update it writes the file instead. Either way every call must be one whose IAM
// actions Needs knows, so the file never holds a call the stack test cannot judge.
func CheckGolden(path string, calls []Call, update bool) error {
	calls = Distinct(calls)
	var errs []error
	for _, c := range calls {
		if _, err := Needs(c); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if update {
		b, err := json.MarshalIndent(golden{Note: goldenNote, Calls: calls}, "", "  ")
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		return os.WriteFile(path, append(b, '\n'), 0o644)
	}
	want, err := ReadGolden(path)
	if err != nil {
		return err
	}
	extra, missing := diff(calls, want), diff(want, calls)
	if len(extra) == 0 && len(missing) == 0 {
		return nil
	}
	var msg strings.Builder
	fmt.Fprintf(&msg, "awscalls: the code's AWS calls differ from %s (if the change is meant, run the test with -update, then make the stack grant exactly the new set: stacks/grants_test.go checks it)", path)
	for _, c := range extra {
		fmt.Fprintf(&msg, "\n  called, not in the file: %s", c)
	}
	for _, c := range missing {
		fmt.Fprintf(&msg, "\n  in the file, not called: %s", c)
	}
	return errors.New(msg.String())
}

// ReadGolden returns the calls of the golden file at path. A file that is not one (unknown
// fields, no calls, a call whose IAM actions Needs does not know) is an error naming it.
func ReadGolden(path string) ([]Call, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("awscalls: read golden file: %w (create it with the test's -update flag)", err)
	}
	var g golden
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return nil, fmt.Errorf("awscalls: %s: %w", path, err)
	}
	if len(g.Calls) == 0 {
		return nil, fmt.Errorf("awscalls: %s lists no calls", path)
	}
	for i, c := range g.Calls {
		if _, err := Needs(c); err != nil {
			return nil, fmt.Errorf("awscalls: %s: calls[%d]: %w", path, i, err)
		}
	}
	return g.Calls, nil
}

// diff returns the calls of a that are not in b.
func diff(a, b []Call) []Call {
	var out []Call
	for _, c := range a {
		if !slices.Contains(b, c) {
			out = append(out, c)
		}
	}
	return out
}
