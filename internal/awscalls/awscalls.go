// Package awscalls records the AWS API operations a program's SDK clients call, and says
// which IAM actions, on which resources, each of them needs: the half of the least-privilege
// proof that comes from running the code. The Lambda entry points' tests (cmd/api,
// cmd/worker) run their handlers against the emulators with a Recorder on the SDK config,
// through every branch that calls AWS, and keep what they saw in a golden file
// (testdata/aws-calls.json, see CheckGolden); stacks/grants_test.go holds the role policies
// the stack grants each function equal to the IAM actions of those calls (Needs), plus what
// the platform does on the function's behalf.
//
// The map from operation to IAM action is in this one place (operations). Most operations
// are authorized by the action of the same name; the exceptions are spelled out there, such
// as DynamoDB's TransactWriteItems, which IAM authorizes item by item.
package awscalls

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
)

// Call is one AWS API operation a client called, and the resource it named. A call that
// names several resources or items (a transaction, a batch) is recorded once per resource
// and item action.
type Call struct {
	// Service is the SDK's service id, such as "DynamoDB", "S3", "SQS".
	Service string `json:"service"`
	// Operation is the API operation, such as "GetItem" or "TransactWriteItems".
	Operation string `json:"operation"`
	// Item is the action of one item of a DynamoDB transaction: "Put", "Update", "Delete" or
	// "ConditionCheck" in TransactWriteItems, "Get" in TransactGetItems. Empty otherwise.
	Item string `json:"item,omitempty"`
	// Resource is what the call named: a table name, a bucket name, a queue URL. In a golden
	// file, "$NAME" stands for the value of the function's environment variable NAME.
	Resource string `json:"resource"`
	// Index is the index a Query or Scan read. Empty means the table itself.
	Index string `json:"index,omitempty"`
}

// String describes the call for failure messages: "DynamoDB TransactWriteItems (Put item) on
// $TABLE_NAME".
func (c Call) String() string {
	s := c.Service + " " + c.Operation
	if c.Item != "" {
		s += " (" + c.Item + " item)"
	}
	s += " on " + c.Resource
	if c.Index != "" {
		s += " index " + c.Index
	}
	return s
}

// Recorder is an AWS SDK middleware that records every operation the clients it is added
// to call, before the call is sent: an operation the service refuses needs its permission
// all the same. An operation whose input the SDK refuses before sending (a missing required
// field) is not recorded: it never reaches AWS. The zero value is ready to use; it is safe
// for concurrent use.
type Recorder struct {
	mu    sync.Mutex
	calls []Call
}

// APIOption adds the recorder to a client's middleware stack; give it to
// config.WithAPIOptions, or to a client's Options.APIOptions.
func (r *Recorder) APIOption(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("awscalls.Recorder",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			r.record(awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx), in.Parameters)
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// Calls returns the calls recorded since the last Reset, in order.
func (r *Recorder) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// Reset forgets the calls recorded so far.
func (r *Recorder) Reset() {
	r.mu.Lock()
	r.calls = nil
	r.mu.Unlock()
}

func (r *Recorder) record(service, op string, params any) {
	calls := split(Call{Service: service, Operation: op}, params)
	r.mu.Lock()
	r.calls = append(r.calls, calls...)
	r.mu.Unlock()
}

// split returns the call once per resource and item action its input names.
func split(c Call, params any) []Call {
	var out []Call
	with := func(item, resource, index string) {
		out = append(out, Call{Service: c.Service, Operation: c.Operation, Item: item, Resource: resource, Index: index})
	}
	switch in := params.(type) {
	case *dynamodb.TransactWriteItemsInput:
		for _, it := range in.TransactItems {
			switch {
			case it.Put != nil:
				with("Put", deref(it.Put.TableName), "")
			case it.Update != nil:
				with("Update", deref(it.Update.TableName), "")
			case it.Delete != nil:
				with("Delete", deref(it.Delete.TableName), "")
			case it.ConditionCheck != nil:
				with("ConditionCheck", deref(it.ConditionCheck.TableName), "")
			}
		}
	case *dynamodb.TransactGetItemsInput:
		for _, it := range in.TransactItems {
			if it.Get != nil {
				with("Get", deref(it.Get.TableName), "")
			}
		}
	case *dynamodb.BatchGetItemInput:
		for _, table := range sortedKeys(in.RequestItems) {
			with("", table, "")
		}
	case *dynamodb.BatchWriteItemInput:
		for _, table := range sortedKeys(in.RequestItems) {
			with("", table, "")
		}
	default:
		// Every other operation these services offer names its resource in one of these
		// fields of its input.
		with("", field(params, "TableName", "Bucket", "QueueUrl"), field(params, "IndexName"))
	}
	return out
}

// field returns the first of names that is a set *string field of the struct params points
// to, or "".
func field(params any, names ...string) string {
	v := reflect.ValueOf(params)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return ""
	}
	for _, n := range names {
		f := v.Elem().FieldByName(n)
		if f.IsValid() && f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.String {
			return f.Elem().String()
		}
	}
	return ""
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Distinct returns calls without repeats, sorted, as a golden file lists them.
func Distinct(calls []Call) []Call {
	out := slices.Clone(calls)
	slices.SortFunc(out, compare)
	return slices.Compact(out)
}

func compare(a, b Call) int {
	for _, p := range [][2]string{{a.Service, b.Service}, {a.Operation, b.Operation}, {a.Item, b.Item}, {a.Resource, b.Resource}, {a.Index, b.Index}} {
		if p[0] != p[1] {
			if p[0] < p[1] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// ByEnvironment returns calls with each resource that is the value of one of env's
// variables replaced by "$" and the variable's name, so a golden file says where the code
// took the resource from rather than what the test's emulators called it. A resource from
// nowhere in env stays as it is (and the stack test, which cannot resolve it, fails).
func ByEnvironment(calls []Call, env map[string]string) []Call {
	out := make([]Call, len(calls))
	for i, c := range calls {
		for name, value := range env {
			if value != "" && c.Resource == value {
				c.Resource = "$" + name
			}
		}
		out[i] = c
	}
	return out
}

// errUnknown names an operation the map does not know.
func errUnknown(c Call) error {
	return fmt.Errorf("awscalls: no IAM actions known for %s; add the operation to awscalls.operations with its AWS documentation", c)
}

// errNoResource names a call whose input named no resource the recorder could find.
func errNoResource(c Call) error {
	return fmt.Errorf("awscalls: %s named no table, bucket or queue", c)
}
