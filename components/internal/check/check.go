// Package check is how every component validates its Args: a Report collects every invalid
// field (not only the first) with messages of one shape, "<Field> <value> <what is wrong>",
// and turns them into one error that names the component:
//
//	queue "events": VisibilityTimeout 30s is below 6x the consumer timeout (60s)
//
// or, for several fields,
//
//	queue "events": 2 invalid fields:
//	  - Retention 30s is outside 60s-1209600s (1 minute to 14 days)
//	  - MaxReceiveCount 0 is outside 1-1000
//
// The helpers cover the shapes that recur (ranges of whole numbers, durations in whole
// seconds or days, one-of sets, names); anything else goes through Addf.
package check

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/groundwork-dev/groundwork/components/internal/naming"
)

// Report collects the invalid fields of one component's Args. The zero value is not usable;
// use New.
type Report struct {
	kind, name string
	problems   []Problem
}

// Problem is one invalid field.
type Problem struct {
	// Field is the field's path in Args, such as "Consumer.Timeout" or "Routes[2].Path".
	Field string
	// Message says what is wrong with it, starting with its value where that helps.
	Message string
}

// String is the problem as a line of an error: the field, then what is wrong with it.
func (p Problem) String() string { return p.Field + " " + p.Message }

// New starts the report of a component of kind ("queue") named name ("events").
func New(kind, name string) *Report { return &Report{kind: kind, name: name} }

// Addf records that field is invalid; the message is formatted as fmt.Sprintf does and
// follows the field's name.
func (r *Report) Addf(field, format string, args ...any) {
	r.problems = append(r.problems, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Add records err (when not nil) as field's problem. An *Error from a nested component's
// check (such as a queue's consumer function) keeps its fields, prefixed with field.
func (r *Report) Add(field string, err error) {
	if err == nil {
		return
	}
	var nested *Error
	if errors.As(err, &nested) {
		for _, p := range nested.Problems {
			r.problems = append(r.problems, Problem{Field: field + "." + p.Field, Message: p.Message})
		}
		return
	}
	r.problems = append(r.problems, Problem{Field: field, Message: err.Error()})
}

// OK reports whether nothing is invalid so far.
func (r *Report) OK() bool { return len(r.problems) == 0 }

// Err returns nil when every field is valid, or an *Error listing every invalid one.
func (r *Report) Err() error {
	if len(r.problems) == 0 {
		return nil
	}
	return &Error{Kind: r.kind, Name: r.name, Problems: slices.Clone(r.problems)}
}

// Name checks the component's own name against the limits of the children it names after
// it (see naming.Check) and reports a problem under the field "name".
func (r *Report) Name(children []naming.Physical) bool {
	if p := naming.Problem(r.name, children); p != "" {
		r.Addf("name", "%s", p)
		return false
	}
	return true
}

// IntRange checks lo <= v <= hi: "MemoryMB 64 is outside 128-10240".
func (r *Report) IntRange(field string, v, lo, hi int) bool {
	if v < lo || v > hi {
		r.Addf(field, "%d is outside %d-%d", v, lo, hi)
		return false
	}
	return true
}

// Seconds checks that d is whole seconds from lo to hi, printed as AWS counts them:
// "Timeout 1.5s must be whole seconds from 1s to 900s".
func (r *Report) Seconds(field string, d, lo, hi time.Duration) bool {
	if d < lo || d > hi || d%time.Second != 0 {
		r.Addf(field, "%v must be whole seconds from %v to %v", Dur(d), Dur(lo), Dur(hi))
		return false
	}
	return true
}

// OneOf checks that v is one of allowed: "Method FETCH is not one of GET, POST".
func (r *Report) OneOf(field string, v string, allowed []string) bool {
	if !slices.Contains(allowed, v) {
		r.Addf(field, "%q is not one of %s", v, strings.Join(allowed, ", "))
		return false
	}
	return true
}

// Error is every invalid field of one component's Args.
type Error struct {
	// Kind and Name are the component's ("queue", "events").
	Kind, Name string
	// Problems are the invalid fields, in the order they were found.
	Problems []Problem
}

// Error names the component, then its one problem, or a list of them one a line.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %q: ", e.Kind, e.Name)
	if len(e.Problems) == 1 {
		b.WriteString(e.Problems[0].String())
		return b.String()
	}
	fmt.Fprintf(&b, "%d invalid fields:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Dur prints a duration as AWS counts it, in whole seconds ("60s", not "1m0s"), unless it has
// a fraction of a second.
type Dur time.Duration

// String is d in whole seconds ("60s") where it has no fraction of a second.
func (d Dur) String() string {
	if time.Duration(d)%time.Second != 0 {
		return time.Duration(d).String()
	}
	return strconv.FormatInt(int64(time.Duration(d)/time.Second), 10) + "s"
}

// LogRetentionDays are the retention periods, in days, that CloudWatch Logs accepts.
var LogRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// Day is the unit of log retention.
const Day = 24 * time.Hour

// LogRetention checks that d is a whole number of days that CloudWatch Logs accepts:
// "LogRetention 10 days is not a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, ...)".
func (r *Report) LogRetention(field string, d time.Duration) bool {
	if err := CheckLogRetention(d); err != nil {
		r.Add(field, err)
		return false
	}
	return true
}

// CheckLogRetention returns an error when d is not a whole number of days that CloudWatch
// Logs accepts.
func CheckLogRetention(d time.Duration) error {
	if d%Day == 0 && slices.Contains(LogRetentionDays, int(d/Day)) {
		return nil
	}
	days := d.String()
	if d%Day == 0 {
		days = strconv.Itoa(int(d/Day)) + " days"
	}
	return fmt.Errorf("%s is not a retention CloudWatch Logs accepts (days: %s)", days, joinInts(LogRetentionDays))
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
