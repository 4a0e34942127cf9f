package porttest_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/inquiry/porttest"
)

// mutantEnv names the defect the child process runs a suite against.
const mutantEnv = "PORTTEST_MUTANT"

// mutants are references with one defect each, and the subtests that must catch it. They show
// that the suites can fail, and fail on the property they are named for.
var mutants = []struct {
	suite, bug string
	caughtBy   []string
}{
	{"record", "overwriting create", []string{"Create of a taken id returns ErrExists and keeps the stored record"}},
	{"record", "key stored before the id check", []string{"Create of a taken id stores nothing for its idempotency key"}},
	{"record", "record stored before the key check", []string{"Create with an unexpired idempotency key returns ErrExists and creates no record"}},
	{"record", "keys never expire", []string{"GetIdempotency of an expired key returns ErrNotFound", "Create may reuse an expired idempotency key"}},
	{"record", "unconditional mark", []string{
		"MarkProcessed of a processed record returns false and changes nothing",
		"concurrent MarkProcessed on one record: exactly one returns true",
	}},
	{"record", "truncating times", []string{"Get returns what Create stored, times equal and in UTC"}},
	{"archive", "missing object is empty", []string{"Get of an unknown key returns ErrNotFound"}},
	{"archive", "prefix ignored", []string{"List returns exactly the keys under a prefix, sorted"}},
	{"archive", "reverse order", []string{"List returns exactly the keys under a prefix, sorted"}},
	{"publisher", "type dropped", []string{"a published event is received unchanged"}},
	{"publisher", "duplicate delivery", []string{"every published event is received once"}},
}

func TestSuitesCatchDefects(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the test binary once per mutant")
	}
	for _, m := range mutants {
		t.Run(m.bug, func(t *testing.T) {
			// Given a reference store with one defect
			// When the suite runs against it in a child process
			cmd := exec.Command(os.Args[0], "-test.run=^TestMutantChild$", "-test.v")
			cmd.Env = append(os.Environ(), mutantEnv+"="+m.suite+":"+m.bug)
			out, err := cmd.CombinedOutput()
			// Then the suite fails, in the subtests named for the broken property
			if err == nil {
				t.Fatalf("suite passed against %q, want it to fail\n%s", m.bug, out)
			}
			for _, name := range m.caughtBy {
				if !strings.Contains(string(out), "--- FAIL: TestMutantChild/"+strings.ReplaceAll(name, " ", "_")) {
					t.Errorf("subtest %q did not fail against %q\n%s", name, m.bug, out)
				}
			}
		})
	}
}

// TestMutantChild runs one suite against one mutant; it does nothing unless started by
// TestSuitesCatchDefects.
func TestMutantChild(t *testing.T) {
	spec, ok := os.LookupEnv(mutantEnv)
	if !ok {
		t.Skip("only runs as the child of TestSuitesCatchDefects")
	}
	suite, bug, _ := strings.Cut(spec, ":")
	switch suite {
	case "record":
		porttest.RecordStore(t, func(t *testing.T) inquiry.RecordStore { s := newMemStore(); s.bug = bug; return s })
	case "archive":
		porttest.ArchiveStore(t, func(t *testing.T) inquiry.ArchiveStore {
			return &memArchive{objects: map[string][]byte{}, bug: bug}
		})
	case "publisher":
		porttest.Publisher(t, newMemPublisher(bug))
	default:
		t.Fatalf("unknown suite %q", suite)
	}
}
