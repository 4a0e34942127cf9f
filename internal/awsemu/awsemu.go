// Package awsemu runs the AWS emulators tests use in process, on 127.0.0.1 (minidyn for
// DynamoDB, gofakes3 for S3, goaws for SQS), and points the AWS SDK's default configuration
// at them, so code that builds its clients from the environment (the Lambda entry points,
// through internal/lambdamain) talks to them unchanged. Only tests import it.
package awsemu

import (
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

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

// Region is the region the emulated clients use.
const Region = "eu-west-1"

var creds = credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")

// Emulators are the endpoints of one test's emulators, as Start returns them; the zero
// value names none.
type Emulators struct {
	// DynamoDB, S3 and SQS are the emulators' base URLs.
	DynamoDB, S3, SQS string
}

// Start starts a fresh DynamoDB and S3 emulator for t (closed when t ends) and the process's
// SQS emulator, and sets the environment for the rest of the test so that the SDK's default
// configuration reaches them: AWS_ENDPOINT_URL_DYNAMODB, _S3 and _SQS, a region, static
// credentials, and no shared config files or instance metadata. It uses t.Setenv, so the
// test cannot be parallel.
func Start(t testing.TB) *Emulators {
	t.Helper()
	ddb := httptest.NewServer(server.NewServer())
	t.Cleanup(ddb.Close)
	objects := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(objects.Close)
	e := &Emulators{DynamoDB: ddb.URL, S3: objects.URL, SQS: sqsServer()}

	t.Setenv("AWS_REGION", Region)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", e.DynamoDB)
	// An IP address as the endpoint makes the SDK address buckets by path, which is how
	// gofakes3 serves them.
	t.Setenv("AWS_ENDPOINT_URL_S3", e.S3)
	t.Setenv("AWS_ENDPOINT_URL_SQS", e.SQS)
	return e
}

var (
	sqsOnce sync.Once
	sqsURL  string
)

// sqsServer starts goaws once per process: its queues and settings are package globals.
// It is never closed; the process's end closes it. The visibility timeout and redrive tasks
// (gosqs.PeriodicTasks) do not run: the tests that use this package only send.
func sqsServer() string {
	sqsOnce.Do(func() {
		logrus.SetLevel(logrus.ErrorLevel) // goaws logs every request at info level
		srv := httptest.NewServer(router.New())
		u, err := url.Parse(srv.URL)
		if err != nil {
			panic(err)
		}
		// Queue URLs are built from these: http://127.0.0.1:port/account/name.
		models.CurrentEnvironment.Host = u.Hostname()
		models.CurrentEnvironment.Port = u.Port()
		models.CurrentEnvironment.Region = ""
		models.CurrentEnvironment.AccountID = "000000000000"
		sqsURL = srv.URL
	})
	return sqsURL
}

// DynamoDBClient returns a client of the DynamoDB emulator for setting up and inspecting
// state; the code under test builds its own.
func (e *Emulators) DynamoDBClient() *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{Region: Region, BaseEndpoint: aws.String(e.DynamoDB), Credentials: creds})
}

// S3Client returns a client of the S3 emulator.
func (e *Emulators) S3Client() *s3.Client {
	return s3.New(s3.Options{Region: Region, BaseEndpoint: aws.String(e.S3), Credentials: creds, UsePathStyle: true})
}

// SQSClient returns a client of the SQS emulator.
func (e *Emulators) SQSClient() *sqs.Client {
	return sqs.New(sqs.Options{Region: Region, BaseEndpoint: aws.String(e.SQS), Credentials: creds})
}

// CreateTable creates an on-demand table keyed by the string attribute pk, the layout of
// internal/adapters/awsadapter, and fails t if it cannot.
func (e *Emulators) CreateTable(t testing.TB, name string) {
	t.Helper()
	_, err := e.DynamoDBClient().CreateTable(t.Context(), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("awsemu: create table %s: %v", name, err)
	}
}

// CreateBucket creates a bucket, and fails t if it cannot.
func (e *Emulators) CreateBucket(t testing.TB, name string) {
	t.Helper()
	if _, err := e.S3Client().CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("awsemu: create bucket %s: %v", name, err)
	}
}

// CreateQueue creates a standard queue and returns its URL; it fails t if it cannot. Queue
// names are process-wide: give each test its own.
func (e *Emulators) CreateQueue(t testing.TB, name string) string {
	t.Helper()
	out, err := e.SQSClient().CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("awsemu: create queue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}
