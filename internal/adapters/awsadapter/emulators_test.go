package awsadapter

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Admiral-Piett/goaws/app/gosqs"
	"github.com/Admiral-Piett/goaws/app/models"
	"github.com/Admiral-Piett/goaws/app/router"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/sirupsen/logrus"
	"github.com/truora/minidyn/server"
)

// The adapters run against in-process emulators on loopback (httptest binds 127.0.0.1):
// minidyn for DynamoDB, gofakes3 with s3mem for S3, goaws for SQS. The clients get static
// credentials, a fixed region and the emulator's URL as BaseEndpoint, so nothing reaches
// AWS, the environment or ~/.aws.

const testRegion = "eu-west-1"

var testCredentials = credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")

// sqsURL is the goaws endpoint of this test process. goaws keeps its queues in package-global
// state (models.SyncQueues) and its settings in models.CurrentEnvironment, so there is one
// instance per process, started by TestMain; tests use queue names of their own.
var sqsURL string

// sqsTick is how often gosqs.PeriodicTasks runs. goaws only makes a message visible again
// after its visibility timeout, and only moves it to a dead-letter queue, inside that task.
const sqsTick = 100 * time.Millisecond

func TestMain(m *testing.M) {
	logrus.SetLevel(logrus.ErrorLevel) // goaws logs every request at info level
	srv := httptest.NewServer(router.New())
	u, err := url.Parse(srv.URL)
	if err != nil {
		panic(err)
	}
	// Queue URLs are built from these; with Region empty they are http://host:port/account/name.
	models.CurrentEnvironment.Host = u.Hostname()
	models.CurrentEnvironment.Port = u.Port()
	models.CurrentEnvironment.Region = ""
	models.CurrentEnvironment.AccountID = "000000000000"
	sqsURL = srv.URL
	quit := make(chan bool)
	go gosqs.PeriodicTasks(sqsTick, quit)

	code := m.Run()

	quit <- true
	srv.Close()
	os.Exit(code)
}

// requestLog records the operations an emulator served, so tests can count round trips.
type requestLog struct {
	mu  sync.Mutex
	ops []string
}

// wrap returns h, recording the operation name op gives each request.
func (l *requestLog) wrap(h http.Handler, op func(*http.Request) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.ops = append(l.ops, op(r))
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// count returns how many requests for op were served, and resets the log.
func (l *requestLog) count(op string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, o := range l.ops {
		if o == op {
			n++
		}
	}
	l.ops = nil
	return n
}

// all returns the operations served since the last reset, and resets the log.
func (l *requestLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	ops := l.ops
	l.ops = nil
	return ops
}

// newDynamo starts a fresh minidyn server and creates an empty table with the stack's layout.
func newDynamo(t *testing.T) (*dynamodb.Client, string, *requestLog) {
	t.Helper()
	log := &requestLog{}
	srv := httptest.NewServer(log.wrap(server.NewServer(), func(r *http.Request) string {
		_, op, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
		return op
	}))
	t.Cleanup(srv.Close)
	c := dynamodb.New(dynamodb.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  testCredentials,
	})
	const table = "inquiries"
	_, err := c.CreateTable(t.Context(), &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("create table: %v", err)
	}
	// minidyn has no UpdateTimeToLive and never expires items, so the TTL attribute is not
	// declared here; the adapter's own expiry check is what the tests exercise.
	log.all()
	return c, table, log
}

// newS3 starts a fresh gofakes3 server and creates an empty bucket.
func newS3(t *testing.T) (*s3.Client, string, *requestLog) {
	t.Helper()
	log := &requestLog{}
	srv := httptest.NewServer(log.wrap(gofakes3.New(s3mem.New()).Server(), func(r *http.Request) string {
		if r.URL.Query().Get("list-type") == "2" {
			return "ListObjectsV2"
		}
		return r.Method
	}))
	t.Cleanup(srv.Close)
	c := s3.New(s3.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  testCredentials,
		UsePathStyle: true, // gofakes3 serves buckets as paths, not as host names
	})
	const bucket = "archive"
	if _, err := c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	log.all()
	return c, bucket, log
}

func newSQSClient() *sqs.Client {
	return sqs.New(sqs.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String(sqsURL),
		Credentials:  testCredentials,
	})
}

// queueSeq numbers the queues of this process; goaws queues are global.
var queueSeq atomic.Int64

// newQueue creates a standard queue with a name no other test uses and returns its URL.
// goaws gives a queue created without a VisibilityTimeout attribute a timeout of 0 (its
// defaults come from a config file this process does not load), not SQS's 30 s: a received
// message then turns visible again at the next tick of gosqs.PeriodicTasks, and the receipt
// handle a test is about to delete with goes stale (a flaky 404 on DeleteMessage). So a
// queue gets SQS's default of 30 s unless attrs sets one.
func newQueue(ctx context.Context, t *testing.T, c *sqs.Client, attrs map[string]string) string {
	t.Helper()
	if _, ok := attrs["VisibilityTimeout"]; !ok {
		attrs = maps.Clone(attrs)
		if attrs == nil {
			attrs = map[string]string{}
		}
		attrs["VisibilityTimeout"] = "30"
	}
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName:  aws.String(fmt.Sprintf("test-%d", queueSeq.Add(1))),
		Attributes: attrs,
	})
	if err != nil {
		t.Fatalf("create queue: %v", err)
	}
	return aws.ToString(out.QueueUrl)
}
