package awscalls_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/awscalls"
)

// unreachable is an HTTP client that never reaches a service: the recorder must have
// recorded the operation before the request is sent, and once however often it is retried.
type unreachable struct{ attempts int }

func (u *unreachable) Do(*http.Request) (*http.Response, error) {
	u.attempts++
	return nil, errors.New("no network in this test")
}

// config returns a client config with rec, and the HTTP client that counts attempts.
func config(rec *awscalls.Recorder) (aws.Config, *unreachable) {
	u := &unreachable{}
	return aws.Config{
		Region:      "eu-west-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
		HTTPClient:  u,
		APIOptions:  []func(*middleware.Stack) error{rec.APIOption},
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 3
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			})
		},
	}, u
}

func TestRecorderRecordsEachOperationOncePerResourceAndItem(t *testing.T) {
	s := aws.String
	read, write := []string{"kms:Decrypt"}, []string{"kms:Decrypt", "kms:GenerateDataKey"}
	// Inputs the SDK's validation accepts: an invalid one never leaves the client, so it
	// needs no permission and is not recorded.
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "k"}}
	tests := []struct {
		name  string
		call  func(context.Context, aws.Config) error
		want  []awscalls.Call
		needs []awscalls.Need
	}{
		{"get item", func(ctx context.Context, cfg aws.Config) error {
			_, err := dynamodb.NewFromConfig(cfg).GetItem(ctx, &dynamodb.GetItemInput{TableName: s("t1"), Key: map[string]types.AttributeValue{}})
			return err
		}, []awscalls.Call{{Service: "DynamoDB", Operation: "GetItem", Resource: "t1"}},
			[]awscalls.Need{{Action: "dynamodb:GetItem", On: awscalls.Table, Resource: "t1", KeyActions: read}}},
		{"a transaction is authorized item by item", func(ctx context.Context, cfg aws.Config) error {
			_, err := dynamodb.NewFromConfig(cfg).TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: s("t1"), Item: key}},
				{ConditionCheck: &types.ConditionCheck{TableName: s("t2"), Key: key, ConditionExpression: s("attribute_exists(pk)")}},
				{Update: &types.Update{TableName: s("t1"), Key: key, UpdateExpression: s("SET a = :a")}},
				{Delete: &types.Delete{TableName: s("t1"), Key: key}},
			}})
			return err
		}, []awscalls.Call{
			{Service: "DynamoDB", Operation: "TransactWriteItems", Item: "Put", Resource: "t1"},
			{Service: "DynamoDB", Operation: "TransactWriteItems", Item: "ConditionCheck", Resource: "t2"},
			{Service: "DynamoDB", Operation: "TransactWriteItems", Item: "Update", Resource: "t1"},
			{Service: "DynamoDB", Operation: "TransactWriteItems", Item: "Delete", Resource: "t1"},
		}, []awscalls.Need{
			{Action: "dynamodb:PutItem", On: awscalls.Table, Resource: "t1", KeyActions: write},
			{Action: "dynamodb:ConditionCheckItem", On: awscalls.Table, Resource: "t2", KeyActions: read},
			{Action: "dynamodb:UpdateItem", On: awscalls.Table, Resource: "t1", KeyActions: write},
			{Action: "dynamodb:DeleteItem", On: awscalls.Table, Resource: "t1", KeyActions: write},
		}},
		{"a query of an index is authorized on the index", func(ctx context.Context, cfg aws.Config) error {
			_, err := dynamodb.NewFromConfig(cfg).Query(ctx, &dynamodb.QueryInput{TableName: s("t1"), IndexName: s("byEmail")})
			return err
		}, []awscalls.Call{{Service: "DynamoDB", Operation: "Query", Resource: "t1", Index: "byEmail"}},
			[]awscalls.Need{{Action: "dynamodb:Query", On: awscalls.Index, Resource: "t1", KeyActions: read}}},
		{"a batch is recorded per table", func(ctx context.Context, cfg aws.Config) error {
			_, err := dynamodb.NewFromConfig(cfg).BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
				"t2": {{DeleteRequest: &types.DeleteRequest{Key: key}}}, "t1": {{PutRequest: &types.PutRequest{Item: key}}}}})
			return err
		}, []awscalls.Call{{Service: "DynamoDB", Operation: "BatchWriteItem", Resource: "t1"}, {Service: "DynamoDB", Operation: "BatchWriteItem", Resource: "t2"}},
			[]awscalls.Need{{Action: "dynamodb:BatchWriteItem", On: awscalls.Table, Resource: "t1", KeyActions: write}, {Action: "dynamodb:BatchWriteItem", On: awscalls.Table, Resource: "t2", KeyActions: write}}},
		{"listing objects is an action on the bucket", func(ctx context.Context, cfg aws.Config) error {
			_, err := s3.NewFromConfig(cfg).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: s("archive")})
			return err
		}, []awscalls.Call{{Service: "S3", Operation: "ListObjectsV2", Resource: "archive"}},
			[]awscalls.Need{{Action: "s3:ListBucket", On: awscalls.Bucket, Resource: "archive"}}},
		{"put object", func(ctx context.Context, cfg aws.Config) error {
			_, err := s3.NewFromConfig(cfg).PutObject(ctx, &s3.PutObjectInput{Bucket: s("archive"), Key: s("k")})
			return err
		}, []awscalls.Call{{Service: "S3", Operation: "PutObject", Resource: "archive"}},
			[]awscalls.Need{{Action: "s3:PutObject", On: awscalls.Object, Resource: "archive", KeyActions: write}}},
		{"send message names the queue URL", func(ctx context.Context, cfg aws.Config) error {
			_, err := sqs.NewFromConfig(cfg).SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: s("https://sqs.eu-west-1.amazonaws.com/1/q"), MessageBody: s("{}")})
			return err
		}, []awscalls.Call{{Service: "SQS", Operation: "SendMessage", Resource: "https://sqs.eu-west-1.amazonaws.com/1/q"}},
			[]awscalls.Need{{Action: "sqs:SendMessage", On: awscalls.Queue, Resource: "https://sqs.eu-west-1.amazonaws.com/1/q", KeyActions: write}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Given clients with the recorder, that cannot reach any service
			rec := &awscalls.Recorder{}
			cfg, net := config(rec)
			// When the code calls an operation (which fails after three attempts)
			require.Error(t, tc.call(t.Context(), cfg), "no service answers")
			assert.Equal(t, 3, net.attempts, "the SDK retried")
			// Then the operation is recorded once per resource and item, and each needs its action
			assert.Equal(t, tc.want, rec.Calls(), "calls recorded")
			var needs []awscalls.Need
			for _, c := range rec.Calls() {
				n, err := awscalls.Needs(c)
				require.NoError(t, err)
				needs = append(needs, n)
			}
			assert.Equal(t, tc.needs, needs, "IAM actions needed")
		})
	}
}

func TestNeedsRefusesAnOperationItDoesNotKnow(t *testing.T) {
	_, err := awscalls.Needs(awscalls.Call{Service: "DynamoDB", Operation: "DeleteTable", Resource: "t1"})
	assert.ErrorContains(t, err, "no IAM actions known for DynamoDB DeleteTable on t1", "unknown operation")
	_, err = awscalls.Needs(awscalls.Call{Service: "DynamoDB", Operation: "TransactWriteItems", Resource: "t1"})
	assert.ErrorContains(t, err, "no IAM actions known for DynamoDB TransactWriteItems on t1", "a transaction without its item action")
	_, err = awscalls.Needs(awscalls.Call{Service: "S3", Operation: "PutObject"})
	assert.ErrorContains(t, err, "named no table, bucket or queue", "no resource")
}

func TestByEnvironmentNamesWhereTheResourceCameFrom(t *testing.T) {
	got := awscalls.ByEnvironment([]awscalls.Call{
		{Service: "DynamoDB", Operation: "GetItem", Resource: "inquiries-test"},
		{Service: "S3", Operation: "PutObject", Resource: "hard-coded"},
	}, map[string]string{"TABLE_NAME": "inquiries-test", "EMPTY": ""})
	assert.Equal(t, []awscalls.Call{
		{Service: "DynamoDB", Operation: "GetItem", Resource: "$TABLE_NAME"},
		{Service: "S3", Operation: "PutObject", Resource: "hard-coded"},
	}, got)
}

func TestGoldenFileFailsWhenTheCallsDiffer(t *testing.T) {
	// Given a golden file written from two calls (in any order, with repeats)
	path := filepath.Join(t.TempDir(), awscalls.GoldenFile)
	get := awscalls.Call{Service: "DynamoDB", Operation: "GetItem", Resource: "$TABLE_NAME"}
	put := awscalls.Call{Service: "DynamoDB", Operation: "PutItem", Resource: "$TABLE_NAME"}
	require.NoError(t, awscalls.CheckGolden(path, []awscalls.Call{put, get, put}, true))
	got, err := awscalls.ReadGolden(path)
	require.NoError(t, err)
	assert.Equal(t, []awscalls.Call{get, put}, got, "distinct and sorted")

	// Then the same calls pass
	assert.NoError(t, awscalls.CheckGolden(path, []awscalls.Call{get, put}, false), "same calls")
	// And a planted extra call fails, naming it
	scan := awscalls.Call{Service: "DynamoDB", Operation: "Scan", Resource: "$TABLE_NAME"}
	assert.ErrorContains(t, awscalls.CheckGolden(path, []awscalls.Call{get, put, scan}, false),
		"called, not in the file: DynamoDB Scan on $TABLE_NAME", "extra call")
	// And a call the code no longer makes fails, naming it
	assert.ErrorContains(t, awscalls.CheckGolden(path, []awscalls.Call{get}, false),
		"in the file, not called: DynamoDB PutItem on $TABLE_NAME", "missing call")
	// And a call the map does not know is refused, even with -update
	assert.ErrorContains(t, awscalls.CheckGolden(path, []awscalls.Call{{Service: "SQS", Operation: "PurgeQueue", Resource: "$Q"}}, true),
		"no IAM actions known for SQS PurgeQueue")
}

func TestReadGoldenRefusesAFileThatIsNotOne(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"unknown field":     `{"note":"","calls":[{"service":"S3","operation":"PutObject","resource":"$B","bucket":"x"}]}`,
		"no calls":          `{"note":"","calls":[]}`,
		"unknown operation": `{"note":"","calls":[{"service":"S3","operation":"DeleteBucket","resource":"$B"}]}`,
	} {
		path := filepath.Join(dir, name+".json")
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		_, err := awscalls.ReadGolden(path)
		assert.ErrorContains(t, err, path, "%s: the error names the file", name)
	}
}
