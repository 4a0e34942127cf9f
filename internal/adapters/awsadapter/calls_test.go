package awsadapter

import (
	"encoding/json"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/middleware"

	"github.com/groundwork-dev/groundwork/internal/awscalls"
	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/inquiry/porttest"
)

// TestContractSuitesCallOnlyOperationsTheIAMMapKnows runs the three contract suites again,
// the adapters' clients carrying awscalls' recorder (the emulator set-up and the suites'
// own reads use clients without it), so that every operation any adapter method calls is
// one whose IAM action internal/awscalls knows, on the resource the adapter was given.
// cmd/api and cmd/worker record which of them each function's code calls.
func TestContractSuitesCallOnlyOperationsTheIAMMapKnows(t *testing.T) {
	rec := &awscalls.Recorder{}
	var mu sync.Mutex
	given := map[string]bool{} // the tables, buckets and queue URLs the adapters were given
	give := func(r string) {
		mu.Lock()
		given[r] = true
		mu.Unlock()
	}
	withRecorder := func(opts *[]func(*middleware.Stack) error) { *opts = append(*opts, rec.APIOption) }

	t.Run("RecordStore", func(t *testing.T) {
		porttest.RecordStore(t, func(t *testing.T) inquiry.RecordStore {
			c, table, _ := newDynamo(t)
			give(table)
			return NewRecordStore(dynamodb.New(c.Options(), func(o *dynamodb.Options) { withRecorder(&o.APIOptions) }), table)
		})
	})
	t.Run("ArchiveStore", func(t *testing.T) {
		porttest.ArchiveStore(t, func(t *testing.T) inquiry.ArchiveStore {
			c, bucket, _ := newS3(t)
			give(bucket)
			return NewArchiveStore(s3.New(c.Options(), func(o *s3.Options) { withRecorder(&o.APIOptions) }), bucket)
		})
	})
	t.Run("Publisher", func(t *testing.T) {
		c := newSQSClient()
		recorded := sqs.New(c.Options(), func(o *sqs.Options) { withRecorder(&o.APIOptions) })
		porttest.Publisher(t, func(t *testing.T) (inquiry.Publisher, porttest.Receive) {
			queue := newQueue(t.Context(), t, c, nil)
			give(queue)
			return NewPublisher(recorded, queue), func(t *testing.T, n int) []inquiry.Event {
				t.Helper()
				var events []inquiry.Event
				for _, m := range receive(t, c, queue, n) {
					var e inquiry.Event
					if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &e); err != nil {
						t.Fatalf("message body is not an event: %v", err)
					}
					events = append(events, e)
					deleteMessage(t, c, queue, m)
				}
				return events
			}
		})
	})

	calls := awscalls.Distinct(rec.Calls())
	var ops []string
	for _, c := range calls {
		if _, err := awscalls.Needs(c); err != nil {
			t.Errorf("an adapter calls an operation the IAM map does not know: %v", err)
		}
		if !given[c.Resource] {
			t.Errorf("%s names a resource the adapter was not given", c)
		}
		op := c.Service + " " + c.Operation + " " + c.Item
		if !slices.Contains(ops, op) {
			ops = append(ops, op)
		}
	}
	// The suites exercise every adapter method, so each operation below is one some method
	// calls; this is the list a reader compares with the map.
	for _, want := range []string{"DynamoDB GetItem ", "DynamoDB PutItem ", "DynamoDB TransactWriteItems Put", "DynamoDB UpdateItem ",
		"S3 GetObject ", "S3 ListObjectsV2 ", "S3 PutObject ", "SQS SendMessage "} {
		if !slices.Contains(ops, want) {
			t.Errorf("the suites never called %q through an adapter: is the recorder on their clients? (called: %q)", want, ops)
		}
	}
}
