package alarm_test

import (
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/alarm"
	"github.com/groundwork-dev/groundwork/components/componenttest"
)

type policy struct {
	Statement []struct {
		Sid       string
		Effect    string
		Principal map[string]any
		Action    []string
		Resource  any
		Condition map[string]map[string]string
	}
}

func TestTopicDefaults(t *testing.T) {
	// Given an alarm topic with an email subscription
	rec, err := componenttest.Run(func(ctx *pulumi.Context) error {
		_, err := alarm.NewTopic(ctx, "alarms", &alarm.TopicArgs{Email: "oncall@example.com"})
		return err
	})
	require.NoError(t, err)
	comp, _ := rec.Get("groundwork:alarm:Topic", "alarms")
	key, ok := rec.Get("aws:kms/key:Key", "alarms-key")
	require.True(t, ok)
	topic, _ := rec.Get("aws:sns/topic:Topic", "alarms")
	pol, _ := rec.Get("aws:sns/topicPolicy:TopicPolicy", "alarms-policy")
	sub, _ := rec.Get("aws:sns/topicSubscription:TopicSubscription", "alarms-email")
	for _, r := range []componenttest.Resource{key, topic, pol, sub} {
		assert.Equal(t, comp.URN, r.Parent, "%s parented", r.Name)
	}

	// Then the topic is encrypted with its own rotating key
	assert.Equal(t, key.Outputs["arn"].StringValue(), topic.InputString("kmsMasterKeyId"), "encrypted with the alarm key")
	rot, _ := key.Input("enableKeyRotation")
	assert.Equal(t, true, rot, "key rotation")

	// And the key lets CloudWatch of this account use it, and the account manage it without kms:*
	var kp policy
	require.NoError(t, json.Unmarshal([]byte(key.InputString("policy")), &kp))
	require.Len(t, kp.Statement, 2)
	assert.Equal(t, map[string]any{"AWS": "arn:aws:iam::123456789012:root"}, kp.Statement[0].Principal)
	assert.NotContains(t, kp.Statement[0].Action, "kms:*", "no wildcard action")
	assert.NotContains(t, kp.Statement[0].Action, "kms:Decrypt", "the account manages, not uses, the key")
	assert.Equal(t, map[string]any{"Service": "cloudwatch.amazonaws.com"}, kp.Statement[1].Principal)
	assert.Equal(t, []string{"kms:Decrypt", "kms:GenerateDataKey"}, kp.Statement[1].Action)
	assert.Equal(t, "123456789012", kp.Statement[1].Condition["StringEquals"]["aws:SourceAccount"], "only this account's alarms")

	// And only CloudWatch of this account may publish
	var tp policy
	require.NoError(t, json.Unmarshal([]byte(pol.InputString("policy")), &tp))
	require.Len(t, tp.Statement, 1)
	assert.Equal(t, []string{"sns:Publish"}, tp.Statement[0].Action)
	assert.Equal(t, []any{topic.Outputs["arn"].StringValue()}, tp.Statement[0].Resource)
	assert.Equal(t, "123456789012", tp.Statement[0].Condition["StringEquals"]["aws:SourceAccount"])

	// And the email is subscribed
	assert.Equal(t, "email", sub.InputString("protocol"))
	assert.Equal(t, "oncall@example.com", sub.InputString("endpoint"))
}

func TestTopicWithoutEmailAndPreview(t *testing.T) {
	rec, err := componenttest.Run(func(ctx *pulumi.Context) error {
		_, err := alarm.NewTopic(ctx, "alarms", nil)
		return err
	}, componenttest.Preview())
	require.NoError(t, err)
	assert.Empty(t, rec.ByType("aws:sns/topicSubscription:TopicSubscription"), "no subscription without Email")
	assert.Len(t, rec.ByType("aws:sns/topic:Topic"), 1)
}

func TestTopicRejectsABadEmail(t *testing.T) {
	rec, err := componenttest.Run(func(ctx *pulumi.Context) error {
		_, err := alarm.NewTopic(ctx, "alarms", &alarm.TopicArgs{Email: "not-an-address"})
		return err
	})
	assert.ErrorContains(t, err, `alarm topic "alarms": Email "not-an-address"`)
	assert.Empty(t, rec.Resources())
}

func TestNewAlarm(t *testing.T) {
	rec, err := componenttest.Run(func(ctx *pulumi.Context) error {
		_, err := alarm.New(ctx, "api", alarm.Spec{Suffix: "latency", Namespace: "AWS/ApiGateway", Metric: "Latency",
			Dimensions: pulumi.StringMap{"ApiId": pulumi.String("a1")}, ExtendedStatistic: "p99", Threshold: 1000}, nil)
		if err != nil {
			return err
		}
		_, err = alarm.New(ctx, "api", alarm.Spec{Suffix: "bad", Statistic: "Sum", ExtendedStatistic: "p99"}, nil)
		return err
	})
	assert.ErrorContains(t, err, "alarm api-bad: set exactly one of Statistic and ExtendedStatistic")
	al, ok := rec.Get("aws:cloudwatch/metricAlarm:MetricAlarm", "api-latency")
	require.True(t, ok)
	assert.Equal(t, "p99", al.InputString("extendedStatistic"))
	assert.Equal(t, "notBreaching", al.InputString("treatMissingData"), "no traffic is no incident")
	p, _ := al.Input("period")
	assert.Equal(t, float64(300), p, "period default")
	_, hasActions := al.Input("alarmActions")
	assert.False(t, hasActions, "no topic, no actions")
}
