package queue_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/grant"
	"github.com/groundwork-dev/groundwork/components/policy"
	"github.com/groundwork-dev/groundwork/components/queue"
)

const hello = "./components/function/testdata/hello"

const (
	tComponent   = "groundwork:queue:Queue"
	tQueue       = "aws:sqs/queue:Queue"
	tQueuePolicy = "aws:sqs/queuePolicy:QueuePolicy"
	tRedrive     = "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy"
	tMapping     = "aws:lambda/eventSourceMapping:EventSourceMapping"
	tAlarm       = "aws:cloudwatch/metricAlarm:MetricAlarm"
	tRolePolicy  = "aws:iam/rolePolicy:RolePolicy"
	tFunction    = "aws:lambda/function:Function"

	topic  = "arn:aws:sns:us-east-1:123456789012:alarms"
	keyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

// run makes a queue "events" with args; the program must succeed.
func run(t *testing.T, args *queue.Args, opts ...componenttest.Option) *componenttest.Recorder {
	t.Helper()
	return componenttest.MustRun(t, componenttest.Component(queue.New, "events", args), opts...)
}

func flag(r componenttest.Resource, path string) any {
	v, _ := r.Input(path)
	return v
}

// assertTLSOnly checks a queue policy: one statement denying everyone every SQS action on the
// queue when the request is not made over TLS.
func assertTLSOnly(t *testing.T, pol, q componenttest.Resource) {
	t.Helper()
	assert.Equal(t, q.ID, pol.InputString("queueUrl"), "%s is on queue %s", pol.Name, q.Name)
	doc := pol.MustPolicy(t, "policy")
	require.Len(t, doc.Statement, 1, "%s has one statement", pol.Name)
	st := doc.Statement[0]
	assert.Equal(t, "Deny", st.Effect, "%s denies", pol.Name)
	assert.Equal(t, map[string]any{"AWS": "*"}, st.Principal, "%s applies to everyone", pol.Name)
	assert.Equal(t, []string{"sqs:*"}, st.Action, "%s covers every SQS action", pol.Name)
	assert.Equal(t, []any{q.Outputs["arn"].StringValue()}, st.Resource, "%s names its own queue's ARN", pol.Name)
	assert.Equal(t, map[string]map[string]any{"Bool": {"aws:SecureTransport": "false"}}, st.Condition, "%s matches requests without TLS", pol.Name)
}

func indexOf(rec *componenttest.Recorder, urn string) int {
	return slices.IndexFunc(rec.Resources(), func(r componenttest.Resource) bool { return r.URN == urn })
}

func TestQueueDefaults(t *testing.T) {
	// Given a queue with every Args field at its zero value
	var q *queue.Queue
	var url, arn, name, dlqURL, dlqArn, dlqName string
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		var err error
		q, err = queue.New(ctx, "events", nil)
		if err != nil {
			return err
		}
		capture := func(o pulumi.StringOutput, into *string) { o.ApplyT(func(v string) string { *into = v; return v }) }
		capture(q.URL, &url)
		capture(q.ARN, &arn)
		capture(q.Name, &name)
		capture(q.DeadLetterURL, &dlqURL)
		capture(q.DeadLetterARN, &dlqArn)
		capture(q.DeadLetterName, &dlqName)
		return nil
	})

	// Then the component owns both queues, their two policies, the redrive-allow policy and
	// two alarms, and nothing else
	comp := rec.Must(t, tComponent, "events")
	main := rec.Must(t, tQueue, "events")
	dlq := rec.Must(t, tQueue, "events-dlq")
	for _, c := range rec.Descendants(comp.URN) {
		assert.Equal(t, comp.URN, c.Parent, "%s parented to the component", c.Name)
	}
	assert.Len(t, rec.Descendants(comp.URN), 7, "main queue, DLQ, two queue policies, redrive-allow policy, two alarms")
	assert.Empty(t, rec.ByType(tMapping), "no event source mapping without a consumer")
	assert.Empty(t, rec.ByType(tFunction), "no function without a consumer")

	// And both queues are auto-named, standard, and encrypted with SSE-SQS
	for _, r := range []componenttest.Resource{main, dlq} {
		_, named := r.Input("name")
		assert.False(t, named, "%s is auto-named", r.Name)
		assert.Equal(t, true, flag(r, "sqsManagedSseEnabled"), "%s uses SSE-SQS", r.Name)
		_, kms := r.Input("kmsMasterKeyId")
		assert.False(t, kms, "%s has no KMS key", r.Name)
		_, fifo := r.Input("fifoQueue")
		assert.False(t, fifo, "%s is a standard queue", r.Name)
		_, policy := r.Input("policy")
		assert.False(t, policy, "%s leaves its policy to the QueuePolicy resource", r.Name)
		assert.Equal(t, float64(20), r.MustNumber(t, "receiveWaitTimeSeconds"), "%s long-polls 20 s by default", r.Name)
	}
	assert.Equal(t, float64(0), main.MustNumber(t, "delaySeconds"), "no delivery delay by default, set explicitly")
	_, dlqDelay := dlq.Input("delaySeconds")
	assert.False(t, dlqDelay, "the DLQ never delays: a redriven message is already late")

	// And the main queue keeps messages 4 days, hides them 30 s, and redrives to the DLQ
	// after 5 receives
	assert.Equal(t, float64(4*24*3600), main.MustNumber(t, "messageRetentionSeconds"), "main retention default (4 days)")
	assert.Equal(t, float64(30), main.MustNumber(t, "visibilityTimeoutSeconds"), "visibility timeout without a consumer")
	var redrive map[string]any
	main.MustJSON(t, "redrivePolicy", &redrive)
	assert.Equal(t, map[string]any{"deadLetterTargetArn": dlq.Outputs["arn"].StringValue(), "maxReceiveCount": float64(5)}, redrive,
		"redrive policy names the DLQ's ARN with maxReceiveCount 5")
	assert.Contains(t, main.PropertyDependencies["redrivePolicy"], dlq.URN, "the main queue waits for the DLQ")
	_, cbd := main.Input("contentBasedDeduplication")
	assert.False(t, cbd, "no content-based deduplication on a standard queue")

	// And the DLQ keeps messages 14 days and has no redrive policy of its own
	assert.Equal(t, float64(1209600), dlq.MustNumber(t, "messageRetentionSeconds"), "DLQ retention is 14 days")
	_, dlqRedrive := dlq.Input("redrivePolicy")
	assert.False(t, dlqRedrive, "the DLQ redrives nowhere")
	_, inlineAllow := dlq.Input("redriveAllowPolicy")
	assert.False(t, inlineAllow, "the redrive-allow policy is its own resource, not inline")

	// And each queue has a policy that refuses requests without TLS
	assertTLSOnly(t, rec.Must(t, tQueuePolicy, "events-policy"), main)
	assertTLSOnly(t, rec.Must(t, tQueuePolicy, "events-dlq-policy"), dlq)
	assert.NotNil(t, q.Policy, "Policy escape hatch")
	assert.NotNil(t, q.DeadLetterPolicy, "DeadLetterPolicy escape hatch")

	// And the DLQ admits redrives from this queue only, registered after the main queue
	allow := rec.Must(t, tRedrive, "events-dlq-redrive-allow")
	assert.Equal(t, dlq.ID, allow.InputString("queueUrl"), "redrive-allow policy is on the DLQ")
	var allowDoc map[string]any
	allow.MustJSON(t, "redriveAllowPolicy", &allowDoc)
	assert.Equal(t, map[string]any{"redrivePermission": "byQueue", "sourceQueueArns": []any{main.Outputs["arn"].StringValue()}}, allowDoc,
		"only this queue's ARN may redrive into the DLQ")
	assert.Greater(t, indexOf(rec, allow.URN), indexOf(rec, main.URN), "redrive-allow policy registered after the main queue")
	assert.Greater(t, indexOf(rec, main.URN), indexOf(rec, dlq.URN), "DLQ registered before the main queue")

	// And the outputs are the queues'
	assert.Equal(t, main.ID, url, "Url")
	assert.Equal(t, main.Outputs["arn"].StringValue(), arn, "Arn")
	assert.Equal(t, main.Outputs["name"].StringValue(), name, "Name")
	assert.True(t, strings.HasPrefix(name, "events-"), "auto-name derived from the component's: %s", name)
	assert.Equal(t, dlq.ID, dlqURL, "DeadLetterUrl")
	assert.Equal(t, dlq.Outputs["arn"].StringValue(), dlqArn, "DeadLetterArn")
	assert.Equal(t, dlq.Outputs["name"].StringValue(), dlqName, "DeadLetterName")
	assert.Equal(t, 30*time.Second, q.VisibilityTimeout, "effective visibility timeout")
	assert.Nil(t, q.Consumer, "no Consumer")
	assert.Nil(t, q.EventSourceMapping, "no EventSourceMapping")
	assert.NotNil(t, q.RedriveAllowPolicy, "RedriveAllowPolicy escape hatch")
}

func TestQueueAlarms(t *testing.T) {
	tests := []struct {
		name    string
		args    queue.Args
		wantAge float64
	}{
		{"default threshold", queue.Args{AlarmTopic: pulumi.String(topic)}, 900},
		{"explicit MaxMessageAge", queue.Args{AlarmTopic: pulumi.String(topic), MaxMessageAge: time.Hour}, 3600},
		{"default capped at a short retention", queue.Args{AlarmTopic: pulumi.String(topic), Retention: 10 * time.Minute}, 600},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Given an alarm topic
			rec := run(t, &tc.args)
			main := rec.Must(t, tQueue, "events")
			dlq := rec.Must(t, tQueue, "events-dlq")
			assert.Len(t, rec.ByType(tAlarm), 2, "two queue alarms")

			// Then one alarm fires on any visible message in the DLQ, the other on an old
			// message in the main queue, both notifying the topic
			for _, a := range []struct {
				alarm, metric string
				queue         componenttest.Resource
				threshold     float64
			}{
				{"events-dlq-messages", "ApproximateNumberOfMessagesVisible", dlq, 1},
				{"events-message-age", "ApproximateAgeOfOldestMessage", main, tc.wantAge},
			} {
				al := rec.Must(t, tAlarm, a.alarm)
				assert.Equal(t, "AWS/SQS", al.InputString("namespace"), "%s namespace", a.alarm)
				assert.Equal(t, a.metric, al.InputString("metricName"), "%s metric", a.alarm)
				assert.Equal(t, a.queue.Outputs["name"].StringValue(), al.InputString("dimensions.QueueName"), "%s watches queue %s", a.alarm, a.queue.Name)
				assert.Equal(t, "Maximum", al.InputString("statistic"), "%s statistic", a.alarm)
				assert.Equal(t, "GreaterThanOrEqualToThreshold", al.InputString("comparisonOperator"), "%s comparison", a.alarm)
				assert.Equal(t, a.threshold, al.MustNumber(t, "threshold"), "%s threshold", a.alarm)
				actions, _ := al.Input("alarmActions")
				assert.Equal(t, []any{topic}, actions, "%s notifies the topic", a.alarm)
				ok, _ := al.Input("okActions")
				assert.Equal(t, []any{topic}, ok, "%s notifies recovery", a.alarm)
			}
		})
	}
}

func TestQueueAlarmsWithoutTopic(t *testing.T) {
	rec := run(t, nil)
	for _, al := range rec.ByType(tAlarm) {
		_, actions := al.Input("alarmActions")
		assert.False(t, actions, "%s has no actions without a topic", al.Name)
	}
	assert.Len(t, rec.ByType(tAlarm), 2)
}

func TestQueueConsumerDefaults(t *testing.T) {
	// Given a consumer with its default timeout (10 s) and an alarm topic on the queue
	var q *queue.Queue
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		var err error
		q, err = queue.New(ctx, "events", &queue.Args{Consumer: &function.Args{Package: hello}, AlarmTopic: pulumi.String(topic)})
		return err
	})
	comp := rec.Must(t, tComponent, "events")
	main := rec.Must(t, tQueue, "events")

	// Then the consumer is a function component named after the queue, parented to it
	fnComp := rec.Must(t, "groundwork:function:Function", "events-consumer")
	assert.Equal(t, comp.URN, fnComp.Parent, "consumer parented to the queue")
	fn := rec.Must(t, tFunction, "events-consumer")
	require.NotNil(t, q.Consumer, "Consumer escape hatch")
	assert.Equal(t, 10*time.Second, q.Consumer.Timeout, "consumer timeout default")

	// And the visibility timeout is 6x the consumer's timeout
	assert.Equal(t, float64(60), main.MustNumber(t, "visibilityTimeoutSeconds"), "visibility timeout = 6 x 10 s")
	assert.Equal(t, 60*time.Second, q.VisibilityTimeout)

	// And the consumer's role may consume exactly this queue, nothing more
	pol := rec.Must(t, tRolePolicy, "events-consumer-events-consume")
	role := rec.Must(t, "aws:iam/role:Role", "events-consumer-role")
	assert.Equal(t, role.ID, pol.InputString("role"), "consume policy is on the consumer's role")
	doc := pol.MustPolicy(t, "policy")
	require.Len(t, doc.Statement, 1, "no KMS statement without a key")
	assert.Equal(t, "Allow", doc.Statement[0].Effect)
	assert.Equal(t, []string{"sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"},
		doc.Statement[0].Action, "the event source mapping's actions, and not ChangeMessageVisibility")
	assert.Equal(t, []any{main.Outputs["arn"].StringValue()}, doc.Statement[0].Resource, "on this queue's ARN only")

	// And the mapping feeds the queue to the function with partial batch failures, batch
	// size 10, no batching window and no concurrency cap
	esm := rec.Must(t, tMapping, "events-consumer-mapping")
	assert.Equal(t, comp.URN, esm.Parent, "mapping parented to the queue")
	assert.Equal(t, main.Outputs["arn"].StringValue(), esm.InputString("eventSourceArn"), "event source is the main queue")
	assert.Equal(t, fn.Outputs["arn"].StringValue(), esm.InputString("functionName"), "target is the consumer")
	rt, _ := esm.Input("functionResponseTypes")
	assert.Equal(t, []any{"ReportBatchItemFailures"}, rt, "reports partial batch failures")
	assert.Equal(t, float64(10), esm.MustNumber(t, "batchSize"), "batch size default")
	assert.Equal(t, float64(0), esm.MustNumber(t, "maximumBatchingWindowInSeconds"), "no batching window by default, set explicitly")
	_, scaling := esm.Input("scalingConfig")
	assert.False(t, scaling, "no maximum concurrency by default")

	// And the mapping waits for the consume policy, so a first `pulumi up` does not race
	assert.True(t, esm.DependsOnURN(pol.URN), "mapping depends on the consumer's consume role policy")

	// And the consumer's own alarms notify the queue's topic
	for _, name := range []string{"events-consumer-errors", "events-consumer-throttles"} {
		al := rec.Must(t, tAlarm, name)
		actions, _ := al.Input("alarmActions")
		assert.Equal(t, []any{topic}, actions, "%s notifies the queue's topic", name)
	}
}

func TestQueueConsumerOptions(t *testing.T) {
	// Given a 30 s consumer with its own grant and topic, a larger batch, a window, a
	// concurrency cap and an explicit visibility timeout above 6x
	own := "arn:aws:sns:us-east-1:123456789012:team"
	args := &queue.Args{
		Consumer: &function.Args{Package: hello, Timeout: 30 * time.Second, AlarmTopic: pulumi.String(own),
			Grants: []grant.Grant{{Name: "read-bucket", Statements: []grant.Statement{{Sid: "Read", Actions: []string{"s3:GetObject"},
				Resources: []pulumi.StringInput{pulumi.String("arn:aws:s3:::b/*")}}}}}},
		BatchSize: 100, MaxBatchingWindow: 5 * time.Second, MaxConcurrency: 50, VisibilityTimeout: 300 * time.Second,
		AlarmTopic: pulumi.String(topic),
	}
	rec := run(t, args)
	main := rec.Must(t, tQueue, "events")
	esm := rec.Must(t, tMapping, "events-consumer-mapping")

	// Then the mapping carries them
	assert.Equal(t, float64(100), esm.MustNumber(t, "batchSize"), "batch size")
	assert.Equal(t, float64(5), esm.MustNumber(t, "maximumBatchingWindowInSeconds"), "batching window")
	assert.Equal(t, float64(50), esm.MustNumber(t, "scalingConfig.maximumConcurrency"), "maximum concurrency")
	assert.Equal(t, float64(300), main.MustNumber(t, "visibilityTimeoutSeconds"), "explicit visibility timeout")

	// And the consumer keeps its own grant next to the queue's, and its own topic
	_, ok := rec.Get(tRolePolicy, "events-consumer-read-bucket")
	assert.True(t, ok, "the consumer's own grant")
	_, ok = rec.Get(tRolePolicy, "events-consumer-events-consume")
	assert.True(t, ok, "the queue's consume grant")
	assert.Len(t, args.Consumer.Grants, 1, "the caller's Args are not modified")
	al := rec.Must(t, tAlarm, "events-consumer-errors")
	actions, _ := al.Input("alarmActions")
	assert.Equal(t, []any{own}, actions, "a consumer topic wins over the queue's")
}

func TestQueueVisibilityFollowsConsumerTimeout(t *testing.T) {
	tests := []struct {
		timeout time.Duration
		want    float64
	}{
		{0, 60},
		{time.Second, 6},
		{30 * time.Second, 180},
		{900 * time.Second, 5400},
	}
	for _, tc := range tests {
		t.Run(tc.timeout.String(), func(t *testing.T) {
			rec := run(t, &queue.Args{Consumer: &function.Args{Package: hello, Timeout: tc.timeout}})
			main := rec.Must(t, tQueue, "events")
			assert.Equal(t, tc.want, main.MustNumber(t, "visibilityTimeoutSeconds"), "6x the consumer timeout")
		})
	}
}

func TestQueueExplicitRetentionAndVisibility(t *testing.T) {
	rec := run(t, &queue.Args{Retention: 7 * 24 * time.Hour, VisibilityTimeout: 2 * time.Minute, MaxReceiveCount: 3})
	main := rec.Must(t, tQueue, "events")
	dlq := rec.Must(t, tQueue, "events-dlq")
	assert.Equal(t, float64(604800), main.MustNumber(t, "messageRetentionSeconds"), "explicit retention")
	assert.Equal(t, float64(1209600), dlq.MustNumber(t, "messageRetentionSeconds"), "DLQ retention stays 14 days")
	assert.Equal(t, float64(120), main.MustNumber(t, "visibilityTimeoutSeconds"), "explicit visibility without a consumer")
	var redrive map[string]any
	main.MustJSON(t, "redrivePolicy", &redrive)
	assert.Equal(t, float64(3), redrive["maxReceiveCount"], "explicit maxReceiveCount")
}

func TestQueueNoDeadLetterQueue(t *testing.T) {
	// Given the explicit opt-out
	// The DLQ outputs are plain values the context does not track, so RunErr does not wait
	// for an apply on them: the channel is what orders the apply before the assertion.
	dlq := make(chan []string, 1)
	var q *queue.Queue
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		var err error
		q, err = queue.New(ctx, "events", &queue.Args{NoDeadLetterQueue: true})
		if err != nil {
			return err
		}
		pulumi.All(q.DeadLetterURL, q.DeadLetterARN, q.DeadLetterName).ApplyT(func(v []any) error {
			dlq <- []string{v[0].(string), v[1].(string), v[2].(string)}
			return nil
		})
		return nil
	})

	// Then there is one queue, without a redrive policy, still TLS-only and encrypted
	main := rec.One(t, tQueue) // no DLQ
	_, redrive := main.Input("redrivePolicy")
	assert.False(t, redrive, "no redrive policy")
	assert.Equal(t, true, flag(main, "sqsManagedSseEnabled"), "still encrypted")
	assert.Empty(t, rec.ByType(tRedrive), "no redrive-allow policy")
	assertTLSOnly(t, rec.One(t, tQueuePolicy), main) // one queue policy

	// And only the message-age alarm: no DLQ, no DLQ alarm
	assert.Equal(t, "events-message-age", rec.One(t, tAlarm).Name)

	// And the DLQ outputs are empty
	assert.Nil(t, q.DeadLetterQueue)
	assert.Nil(t, q.RedriveAllowPolicy)
	assert.Equal(t, []string{"", "", ""}, <-dlq, "DLQ outputs are empty strings")
}

func TestQueueKMS(t *testing.T) {
	// Given a customer managed key and a consumer
	var send, consume grant.Grant
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		q, err := queue.New(ctx, "events", &queue.Args{KMSKeyARN: pulumi.String(keyArn), Consumer: &function.Args{Package: hello}})
		if err != nil {
			return err
		}
		send, consume = q.Grant(queue.Send), q.Grant(queue.Consume)
		_, err = function.New(ctx, "api", &function.Args{Package: hello, Grants: []grant.Grant{send}})
		return err
	})

	// Then both queues use the key instead of SSE-SQS
	for _, name := range []string{"events", "events-dlq"} {
		r := rec.Must(t, tQueue, name)
		assert.Equal(t, keyArn, r.InputString("kmsMasterKeyId"), "%s uses the KMS key", name)
		assert.Equal(t, false, flag(r, "sqsManagedSseEnabled"), "%s has SSE-SQS off", name)
	}
	main := rec.Must(t, tQueue, "events")
	arn := main.Outputs["arn"].StringValue()

	// And the consumer may decrypt with the key, the producer encrypt
	for _, tc := range []struct {
		policy string
		want   []map[string]any
	}{
		{"events-consumer-events-consume", []map[string]any{
			{"Sid": "Queue", "Effect": "Allow", "Action": []any{"sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"}, "Resource": []any{arn}},
			{"Sid": "QueueKey", "Effect": "Allow", "Action": []any{"kms:Decrypt"}, "Resource": []any{keyArn}},
		}},
		{"api-events-send", []map[string]any{
			{"Sid": "Queue", "Effect": "Allow", "Action": []any{"sqs:SendMessage"}, "Resource": []any{arn}},
			{"Sid": "QueueKey", "Effect": "Allow", "Action": []any{"kms:Decrypt", "kms:GenerateDataKey"}, "Resource": []any{keyArn}},
		}},
	} {
		pol := rec.Must(t, tRolePolicy, tc.policy)
		var doc struct{ Statement []map[string]any }
		pol.MustJSON(t, "policy", &doc)
		assert.Equal(t, tc.want, doc.Statement, "%s statements", tc.policy)
	}
	assert.Equal(t, "events-send", send.Name, "send grant name")
	assert.Equal(t, "events-consume", consume.Name, "consume grant name")
}

func TestQueueGrantSendWithoutKMS(t *testing.T) {
	// Given a producer function given the queue's send grant
	rec := componenttest.MustRun(t, func(ctx *pulumi.Context) error {
		q, err := queue.New(ctx, "events", nil)
		if err != nil {
			return err
		}
		_, err = function.New(ctx, "api", &function.Args{Package: hello, Grants: []grant.Grant{q.Grant(queue.Send)}})
		return err
	})
	// Then its role may send to exactly this queue, and nothing about KMS
	main := rec.Must(t, tQueue, "events")
	pol := rec.Must(t, tRolePolicy, "api-events-send")
	var doc struct{ Statement []map[string]any }
	pol.MustJSON(t, "policy", &doc)
	assert.Equal(t, []map[string]any{{"Sid": "Queue", "Effect": "Allow",
		"Action": []any{"sqs:SendMessage"}, "Resource": []any{main.Outputs["arn"].StringValue()}}},
		doc.Statement, "SendMessage only: a producer never reads the queue's attributes")
}

func TestQueueFIFO(t *testing.T) {
	// Given a FIFO queue with content-based deduplication and a consumer
	rec := run(t, &queue.Args{FIFO: true, ContentBasedDeduplication: true, Consumer: &function.Args{Package: hello}})
	main := rec.Must(t, tQueue, "events")
	dlq := rec.Must(t, tQueue, "events-dlq")

	// Then both queues are FIFO, so both names end in .fifo
	for _, r := range []componenttest.Resource{main, dlq} {
		assert.Equal(t, true, flag(r, "fifoQueue"), "%s is FIFO", r.Name)
		assert.True(t, strings.HasSuffix(r.Outputs["name"].StringValue(), ".fifo"), "%s name ends in .fifo", r.Name)
		assert.Equal(t, true, flag(r, "sqsManagedSseEnabled"), "%s is still encrypted", r.Name)
	}
	assert.Equal(t, true, flag(main, "contentBasedDeduplication"), "content-based deduplication on the main queue")

	// And the mapping has no batching window (FIFO refuses one) and the FIFO batch default
	esm := rec.Must(t, tMapping, "events-consumer-mapping")
	_, window := esm.Input("maximumBatchingWindowInSeconds")
	assert.False(t, window, "no batching window on FIFO")
	assert.Equal(t, float64(10), esm.MustNumber(t, "batchSize"))
	rt, _ := esm.Input("functionResponseTypes")
	assert.Equal(t, []any{"ReportBatchItemFailures"}, rt)

	// And the redrive-allow policy names the FIFO queue
	allow := rec.Must(t, tRedrive, "events-dlq-redrive-allow")
	assert.Contains(t, allow.InputString("redriveAllowPolicy"), main.Outputs["arn"].StringValue())
}

func TestQueuePreview(t *testing.T) {
	// Given preview mode, where ARNs, URLs and names are unknown
	rec := run(t, &queue.Args{Consumer: &function.Args{Package: hello}}, componenttest.Preview())
	main := rec.Must(t, tQueue, "events")
	dlq := rec.Must(t, tQueue, "events-dlq")

	// Then the whole graph is planned, without ids
	assert.Empty(t, main.ID, "no id in preview")
	assert.Len(t, rec.ByType(tQueuePolicy), 2, "both queue policies planned")
	assert.Len(t, rec.ByType(tRedrive), 1, "redrive-allow policy planned")
	assert.Len(t, rec.ByType(tAlarm), 4, "two queue alarms, two consumer alarms")

	// And what is known is already right; what derives from ARNs is unknown
	assert.Equal(t, true, flag(main, "sqsManagedSseEnabled"))
	assert.Equal(t, float64(60), main.MustNumber(t, "visibilityTimeoutSeconds"), "visibility known in preview")
	assert.Equal(t, float64(1209600), dlq.MustNumber(t, "messageRetentionSeconds"))
	_, known := main.Input("redrivePolicy")
	assert.False(t, known, "redrive policy depends on the DLQ's unknown ARN")
	allow := rec.Must(t, tRedrive, "events-dlq-redrive-allow")
	_, known = allow.Input("redriveAllowPolicy")
	assert.False(t, known, "redrive-allow policy depends on the main queue's unknown ARN")

	// And the mapping still waits for the consume policy
	esm := rec.Must(t, tMapping, "events-consumer-mapping")
	pol := rec.Must(t, tRolePolicy, "events-consumer-events-consume")
	assert.True(t, esm.DependsOnURN(pol.URN), "mapping depends on the consume policy in preview too")
	assert.Equal(t, float64(10), esm.MustNumber(t, "batchSize"))
}

func TestQueueProtectIsInherited(t *testing.T) {
	rec := componenttest.MustRun(t, componenttest.Component(queue.New, "events", &queue.Args{Consumer: &function.Args{Package: hello}}, pulumi.Protect(true)))
	require.NotEmpty(t, rec.Resources())
	for _, r := range rec.Resources() {
		assert.True(t, r.Protect, "%s %s protected", r.Type, r.Name)
	}
}

func TestQueueDelayAndReceiveWait(t *testing.T) {
	tests := []struct {
		name        string
		args        queue.Args
		delay, wait float64
	}{
		{"defaults", queue.Args{}, 0, 20},
		{"defaults with a consumer", queue.Args{Consumer: &function.Args{Package: hello}}, 0, 20},
		{"a delay and a shorter wait", queue.Args{Delay: 90 * time.Second, ReceiveWait: 5 * time.Second}, 90, 5},
		{"the longest delay and wait", queue.Args{Delay: 15 * time.Minute, ReceiveWait: 20 * time.Second}, 900, 20},
		{"on FIFO queues too", queue.Args{FIFO: true, Delay: time.Minute, ReceiveWait: time.Second}, 60, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := run(t, &tc.args)
			main := rec.Must(t, tQueue, "events")
			dlq := rec.Must(t, tQueue, "events-dlq")
			assert.Equal(t, tc.delay, main.MustNumber(t, "delaySeconds"), "the queue's delaySeconds")
			assert.Equal(t, tc.wait, main.MustNumber(t, "receiveWaitTimeSeconds"), "the queue's receiveWaitTimeSeconds")
			assert.Equal(t, tc.wait, dlq.MustNumber(t, "receiveWaitTimeSeconds"), "the DLQ's receiveWaitTimeSeconds")
		})
	}
}

func TestQueueReportsEveryProblemBeforeRegistering(t *testing.T) {
	tests := []struct {
		name, queue string
		args        queue.Args
		want        []string
	}{
		{"several invalid fields", "events",
			queue.Args{Retention: 30 * time.Second, Delay: time.Hour, ReceiveWait: time.Minute, Consumer: &function.Args{Package: hello}, VisibilityTimeout: 10 * time.Second},
			[]string{`queue "events": 4 invalid fields:`,
				"\n  - Retention 30s must be whole seconds from 60s to 1209600s",
				"\n  - Delay 3600s must be whole seconds from 0s to 900s",
				"\n  - ReceiveWait 60s must be whole seconds from 1s to 20s",
				"\n  - VisibilityTimeout 10s is below 6x the consumer timeout (60s)"}},
		{"a name SQS refuses", "my.events", queue.Args{}, []string{`queue "my.events": name "my.events" has '.' at byte 2`}},
		{"a name too long for the dead-letter queue", strings.Repeat("q", 69), queue.Args{},
			[]string{`"` + strings.Repeat("q", 69) + `-dlq" (SQS queue)`, "at most 68 characters fit"}},
		{"a name too long for the consumer's role, reported once", strings.Repeat("q", 43), queue.Args{Consumer: &function.Args{Package: hello}},
			[]string{`queue "` + strings.Repeat("q", 43) + `": name "`, `-consumer-role" (IAM role)`, "at most 42 characters fit"}},
	}
	for _, tc := range tests {
		for _, mode := range componenttest.Modes {
			t.Run(tc.name+"/"+mode.Name, func(t *testing.T) {
				rec, err := componenttest.Run(componenttest.Component(queue.New, tc.queue, &tc.args), mode.Options...)
				require.Error(t, err)
				for _, w := range tc.want {
					assert.Contains(t, err.Error(), w)
				}
				assert.NotContains(t, err.Error(), "Consumer", "a name refused for the consumer's children is not reported again by the consumer's check")
				assert.Empty(t, rec.Resources(), "nothing registered before the error")
			})
		}
	}
}

func TestQueueConsumerErrorNamesTheQueue(t *testing.T) {
	for _, tc := range []struct {
		name string
		args function.Args
		want []string
	}{
		{"a field the function refuses", function.Args{Package: hello, MemoryMB: 64}, []string{`queue "events": Consumer`, "MemoryMB 64"}},
		{"a package that does not compile", function.Args{Package: "./components/function/testdata/broken"},
			[]string{`queue "events": Consumer`, `"./components/function/testdata/broken" does not build`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Given a consumer whose own Args the function component refuses
			rec, err := componenttest.Run(componenttest.Component(queue.New, "events", &queue.Args{Consumer: &tc.args}))
			// Then the error names the queue, the Consumer field and the function's field,
			// and comes before anything is registered
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Empty(t, rec.Resources(), "nothing registered")
		})
	}
}

func TestQueueGrantRefusesWrongOperations(t *testing.T) {
	tests := []struct {
		name string
		ops  []queue.Operation
		want string
	}{
		{"no operation", nil, `queue "events" Grant: no operations; name at least one of Send, Consume`},
		{"empty operation", []queue.Operation{queue.Send, ""}, `queue "events" Grant: operations[1] is empty`},
		{"unknown operation", []queue.Operation{"Purge"}, `queue "events" Grant: operations[0] "Purge" is not one of Send, Consume`},
		{"repeated operation", []queue.Operation{queue.Send, queue.Send}, `queue "events" Grant: operations[1] Send repeats operations[0]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Given a producer whose grant names a wrong operation
			rec, err := componenttest.Run(func(ctx *pulumi.Context) error {
				q, err := queue.New(ctx, "events", nil)
				if err != nil {
					return err
				}
				_, err = function.New(ctx, "api", &function.Args{Package: hello, Grants: []grant.Grant{q.Grant(tc.ops...)}})
				return err
			})
			// Then function.New refuses it, naming the grant and the operation, and registers
			// nothing of its own
			assert.ErrorContains(t, err, `function "api": Grants[0] `+tc.want)
			assert.Empty(t, rec.ByType("groundwork:function:Function"), "no function registered")
		})
	}
}

func TestQueueTransformsAreRecorded(t *testing.T) {
	// Given a transform for every child of a queue with a consumer, each changing its child
	// and noting the name it was given
	seen := map[string][]string{}
	note := func(field, name string) { seen[field] = append(seen[field], name) }
	args := &queue.Args{Consumer: &function.Args{Package: hello}, Transform: queue.Transform{
		Queue: func(name string, a *sqs.QueueArgs, opts *[]pulumi.ResourceOption) error {
			note("Queue", name)
			a.KmsDataKeyReusePeriodSeconds = pulumi.Int(600)
			a.Tags = pulumi.StringMap{"team": pulumi.String("payments")}
			*opts = append(*opts, pulumi.IgnoreChanges([]string{"tags"}))
			return nil
		},
		DeadLetterQueue: func(name string, a *sqs.QueueArgs, _ *[]pulumi.ResourceOption) error {
			note("DeadLetterQueue", name)
			a.DelaySeconds = pulumi.Int(30)
			return nil
		},
		Policy: func(name string, _ *sqs.QueuePolicyArgs, opts *[]pulumi.ResourceOption) error {
			note("Policy", name)
			*opts = append(*opts, pulumi.DeleteBeforeReplace(true))
			return nil
		},
		DeadLetterPolicy: func(name string, _ *sqs.QueuePolicyArgs, opts *[]pulumi.ResourceOption) error {
			note("DeadLetterPolicy", name)
			*opts = append(*opts, pulumi.RetainOnDelete(true))
			return nil
		},
		RedriveAllowPolicy: func(name string, _ *sqs.RedriveAllowPolicyArgs, opts *[]pulumi.ResourceOption) error {
			note("RedriveAllowPolicy", name)
			*opts = append(*opts, pulumi.IgnoreChanges([]string{"redriveAllowPolicy"}))
			return nil
		},
		EventSourceMapping: func(name string, a *lambda.EventSourceMappingArgs, _ *[]pulumi.ResourceOption) error {
			note("EventSourceMapping", name)
			a.Enabled = pulumi.Bool(false)
			return nil
		},
		Alarm: func(name string, a *cloudwatch.MetricAlarmArgs, _ *[]pulumi.ResourceOption) error {
			note("Alarm", name)
			a.EvaluationPeriods = pulumi.Int(3)
			return nil
		},
	}}

	// When the queue is registered
	rec := run(t, args)

	// Then each transform ran once per child, given the child's logical name
	assert.Equal(t, map[string][]string{
		"Queue": {"events"}, "DeadLetterQueue": {"events-dlq"}, "Policy": {"events-policy"},
		"DeadLetterPolicy": {"events-dlq-policy"}, "RedriveAllowPolicy": {"events-dlq-redrive-allow"},
		"EventSourceMapping": {"events-consumer-mapping"}, "Alarm": {"events-message-age", "events-dlq-messages"},
	}, seen, "the children each transform was given")

	// And what each changed is what the mocks recorded, inputs and options alike
	main := rec.Must(t, tQueue, "events")
	assert.Equal(t, float64(600), main.MustNumber(t, "kmsDataKeyReusePeriodSeconds"), "Queue transform: data key reuse period")
	assert.Equal(t, "payments", main.InputString("tags.team"), "Queue transform: tag")
	assert.Equal(t, []string{"tags"}, main.IgnoreChanges, "Queue transform: IgnoreChanges option")
	assert.Equal(t, true, flag(main, "sqsManagedSseEnabled"), "what the transform left alone stays as the queue built it")
	assert.Equal(t, float64(30), rec.Must(t, tQueue, "events-dlq").MustNumber(t, "delaySeconds"), "DeadLetterQueue transform: delaySeconds")
	assert.True(t, rec.Must(t, tQueuePolicy, "events-policy").DeleteBeforeReplace, "Policy transform: DeleteBeforeReplace option")
	assert.True(t, rec.Must(t, tQueuePolicy, "events-dlq-policy").RetainOnDelete, "DeadLetterPolicy transform: RetainOnDelete option")
	assert.Equal(t, []string{"redriveAllowPolicy"}, rec.Must(t, tRedrive, "events-dlq-redrive-allow").IgnoreChanges, "RedriveAllowPolicy transform: IgnoreChanges option")
	assert.Equal(t, false, flag(rec.Must(t, tMapping, "events-consumer-mapping"), "enabled"), "EventSourceMapping transform: disabled")
	for _, name := range []string{"events-message-age", "events-dlq-messages"} {
		assert.Equal(t, float64(3), rec.Must(t, tAlarm, name).MustNumber(t, "evaluationPeriods"), "Alarm transform on %s", name)
	}
	// And the queue's Alarm transform is the queue's own: the consumer's alarms are the
	// consumer's to customize
	assert.Equal(t, float64(1), rec.Must(t, tAlarm, "events-consumer-errors").MustNumber(t, "evaluationPeriods"), "consumer alarm untouched")
}

func TestQueueTransformThatWeakensTheQueueIsCaughtByTheBaseline(t *testing.T) {
	noEncryption := func(_ string, a *sqs.QueueArgs, _ *[]pulumi.ResourceOption) error {
		a.SqsManagedSseEnabled = pulumi.Bool(false)
		a.KmsMasterKeyId = nil
		return nil
	}
	tests := []struct {
		name    string
		args    queue.Args
		queue   string
		message string
	}{
		{"SSE-SQS turned off", queue.Args{Transform: queue.Transform{Queue: noEncryption}}, "events",
			"not encrypted at rest: sqsManagedSseEnabled is not true and there is no kmsMasterKeyId"},
		{"the KMS key removed from the dead-letter queue", queue.Args{KMSKeyARN: pulumi.String(keyArn), Transform: queue.Transform{DeadLetterQueue: noEncryption}}, "events-dlq",
			"not encrypted at rest: sqsManagedSseEnabled is not true and there is no kmsMasterKeyId"},
		{"the TLS-only policy replaced", queue.Args{Transform: queue.Transform{Policy: func(_ string, a *sqs.QueuePolicyArgs, _ *[]pulumi.ResourceOption) error {
			a.Policy = pulumi.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sqs:SendMessage","Resource":"*"}]}`)
			return nil
		}}}, "events", "no queue policy denies requests without TLS (aws:SecureTransport false)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Given a queue whose transform weakens a secure default
			rec := run(t, &tc.args)
			// Then the baseline reports exactly that, on that queue
			weakened := rec.Must(t, tQueue, tc.queue)
			assert.Equal(t, []policy.Violation{{Rule: "queue-baseline", Resource: weakened.URN, Message: tc.message}},
				policy.Check(rec.Resources(), policy.Options{}), "the one violation")
		})
	}
	// And the same queue without the transform passes
	assert.Empty(t, policy.Check(run(t, &queue.Args{KMSKeyARN: pulumi.String(keyArn)}).Resources(), policy.Options{}), "the queue as built is compliant")
}

func TestQueueTransformErrorStopsNewNamingTheChild(t *testing.T) {
	refuse := errors.New("refused by the team's rules")
	tests := []struct {
		child, typ string
		tf         queue.Transform
	}{
		{"events-dlq", tQueue, queue.Transform{DeadLetterQueue: func(string, *sqs.QueueArgs, *[]pulumi.ResourceOption) error { return refuse }}},
		{"events", tQueue, queue.Transform{Queue: func(string, *sqs.QueueArgs, *[]pulumi.ResourceOption) error { return refuse }}},
		{"events-policy", tQueuePolicy, queue.Transform{Policy: func(string, *sqs.QueuePolicyArgs, *[]pulumi.ResourceOption) error { return refuse }}},
		{"events-dlq-policy", tQueuePolicy, queue.Transform{DeadLetterPolicy: func(string, *sqs.QueuePolicyArgs, *[]pulumi.ResourceOption) error { return refuse }}},
		{"events-dlq-redrive-allow", tRedrive, queue.Transform{RedriveAllowPolicy: func(string, *sqs.RedriveAllowPolicyArgs, *[]pulumi.ResourceOption) error { return refuse }}},
		{"events-consumer-mapping", tMapping, queue.Transform{EventSourceMapping: func(string, *lambda.EventSourceMappingArgs, *[]pulumi.ResourceOption) error { return refuse }}},
		{"events-message-age", tAlarm, queue.Transform{Alarm: func(string, *cloudwatch.MetricAlarmArgs, *[]pulumi.ResourceOption) error { return refuse }}},
	}
	for _, tc := range tests {
		t.Run(tc.child, func(t *testing.T) {
			// Given a transform that refuses its child
			rec, err := componenttest.Run(componenttest.Component(queue.New, "events", &queue.Args{Consumer: &function.Args{Package: hello}, Transform: tc.tf}))
			// Then New fails naming the queue and the child, and the child is not registered
			assert.ErrorContains(t, err, `queue "events": transform of `+tc.child+`: refused by the team's rules`)
			_, registered := rec.Get(tc.typ, tc.child)
			assert.False(t, registered, "%s not registered", tc.child)
		})
	}
}

func TestConsumerTransformReachesTheFunction(t *testing.T) {
	// Given a consumer whose own Args carry a function transform adding a layer
	const layer = "arn:aws:lambda:us-east-1:123456789012:layer:otel:3"
	var named string
	args := &queue.Args{Consumer: &function.Args{Package: hello, Transform: function.Transform{
		Function: func(name string, a *lambda.FunctionArgs, _ *[]pulumi.ResourceOption) error {
			named = name
			a.Layers = pulumi.StringArray{pulumi.String(layer)}
			return nil
		},
	}}}
	// When the queue is created
	rec := componenttest.MustRun(t, componenttest.Component(queue.New, "events", args))
	// Then the consumer function is registered with the layer: the queue passed the
	// consumer's transform through to the function component, which ran it
	assert.Equal(t, "events-consumer", named, "the transform saw the consumer's name")
	fn := rec.Must(t, "aws:lambda/function:Function", "events-consumer")
	layers, _ := fn.Input("layers")
	assert.Equal(t, []any{layer}, layers, "the transform's layer is recorded")
}
