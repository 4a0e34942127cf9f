package alarm_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/alarm"
	"github.com/groundwork-dev/groundwork/components/componenttest"
)

func TestTopicDefaults(t *testing.T) {
	// Given an alarm topic with an email subscription
	rec := componenttest.MustRun(t, componenttest.Component(alarm.New, "alarms", &alarm.Args{Email: "oncall@example.com"}))
	comp := rec.Must(t, "groundwork:alarm:Topic", "alarms")
	key := rec.Must(t, "aws:kms/key:Key", "alarms-key")
	topic := rec.Must(t, "aws:sns/topic:Topic", "alarms")
	pol := rec.Must(t, "aws:sns/topicPolicy:TopicPolicy", "alarms-policy")
	sub := rec.Must(t, "aws:sns/topicSubscription:TopicSubscription", "alarms-email")
	for _, r := range []componenttest.Resource{key, topic, pol, sub} {
		assert.Equal(t, comp.URN, r.Parent, "%s parented", r.Name)
	}

	// Then the topic is encrypted with its own rotating key
	assert.Equal(t, key.Outputs["arn"].StringValue(), topic.InputString("kmsMasterKeyId"), "encrypted with the alarm key")
	rot, _ := key.Input("enableKeyRotation")
	assert.Equal(t, true, rot, "key rotation")

	// And the key lets CloudWatch of this account use it, and the account manage it without kms:*
	kp := key.MustPolicy(t, "policy")
	require.Len(t, kp.Statement, 2)
	assert.Equal(t, map[string]any{"AWS": "arn:aws:iam::123456789012:root"}, kp.Statement[0].Principal)
	assert.NotContains(t, kp.Statement[0].Action, "kms:*", "no wildcard action")
	assert.NotContains(t, kp.Statement[0].Action, "kms:Decrypt", "the account manages, not uses, the key")
	assert.Equal(t, map[string]any{"Service": "cloudwatch.amazonaws.com"}, kp.Statement[1].Principal)
	assert.Equal(t, []string{"kms:Decrypt", "kms:GenerateDataKey"}, kp.Statement[1].Action)
	assert.Equal(t, "123456789012", kp.Statement[1].Condition["StringEquals"]["aws:SourceAccount"], "only this account's alarms")

	// And only CloudWatch of this account may publish
	tp := pol.MustPolicy(t, "policy")
	require.Len(t, tp.Statement, 1)
	assert.Equal(t, "Allow", tp.Statement[0].Effect)
	assert.Equal(t, map[string]any{"Service": "cloudwatch.amazonaws.com"}, tp.Statement[0].Principal, "only CloudWatch")
	assert.Equal(t, []string{"sns:Publish"}, tp.Statement[0].Action)
	assert.Equal(t, []any{topic.Outputs["arn"].StringValue()}, tp.Statement[0].Resource)
	assert.Equal(t, "123456789012", tp.Statement[0].Condition["StringEquals"]["aws:SourceAccount"])

	// And the email is subscribed
	assert.Equal(t, "email", sub.InputString("protocol"))
	assert.Equal(t, "oncall@example.com", sub.InputString("endpoint"))
}

func TestTopicWithoutEmailAndPreview(t *testing.T) {
	rec := componenttest.MustRun(t, componenttest.Component(alarm.New, "alarms", nil), componenttest.Preview())
	assert.Empty(t, rec.ByType("aws:sns/topicSubscription:TopicSubscription"), "no subscription without Email")
	assert.Len(t, rec.ByType("aws:sns/topic:Topic"), 1)
}

func TestTopicRejectsABadEmail(t *testing.T) {
	rec, err := componenttest.Run(componenttest.Component(alarm.New, "alarms", &alarm.Args{Email: "not-an-address"}))
	assert.ErrorContains(t, err, `alarm topic "alarms": Email "not-an-address"`)
	assert.Empty(t, rec.Resources())
}
