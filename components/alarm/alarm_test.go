package alarm_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/alarm"
	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/policy"
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
	assert.Equal(t, float64(365), key.MustNumber(t, "rotationPeriodInDays"), "rotated yearly (DefaultKeyRotationPeriod)")
	assert.Equal(t, float64(30), key.MustNumber(t, "deletionWindowInDays"), "30 days to cancel a deletion (DefaultKeyDeletionWindow)")

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

func TestTopicReportsEveryProblemBeforeRegistering(t *testing.T) {
	long := strings.Repeat("a", 249)
	tests := []struct {
		name, topic string
		args        alarm.Args
		want        string
	}{
		{"a bad email", "alarms", alarm.Args{Email: "not-an-address"}, `alarm topic "alarms": Email "not-an-address" is not an email address`},
		{"an email with a display name", "alarms", alarm.Args{Email: "On call <oncall@example.com>"},
			`alarm topic "alarms": Email "On call <oncall@example.com>" is not an email address`},
		{"a name SNS refuses", "my.alarms", alarm.Args{}, `alarm topic "my.alarms": name "my.alarms" has '.' at byte 2: its child "my.alarms" (SNS topic) allows only letters, digits, '-' and '_'`},
		{"a name too long for the topic", long, alarm.Args{}, `alarm topic "` + long + `": name "` + long + `" is 249 characters`},
		{"both at once", "my.alarms", alarm.Args{Email: "x"}, `alarm topic "my.alarms": 2 invalid fields:
  - name "my.alarms" has '.' at byte 2: its child "my.alarms" (SNS topic) allows only letters, digits, '-' and '_'
  - Email "x" is not an email address`},
	}
	for _, tc := range tests {
		for _, mode := range componenttest.Modes {
			t.Run(tc.name+"/"+mode.Name, func(t *testing.T) {
				// Given invalid Args or name, in update and preview mode
				rec, err := componenttest.Run(componenttest.Component(alarm.New, tc.topic, &tc.args), mode.Options...)
				// Then New reports each problem, naming the topic and the field, and
				// registers nothing
				assert.ErrorContains(t, err, tc.want)
				assert.Empty(t, rec.Resources(), "nothing registered")
			})
		}
	}
	// And the longest name that fits is accepted
	componenttest.MustRun(t, componenttest.Component(alarm.New, long[1:], nil))
}

func TestTopicTransformsAreRecorded(t *testing.T) {
	// Given a transform for every child, each changing its child and noting its name
	var seen []string
	args := &alarm.Args{Email: "oncall@example.com", Transform: alarm.Transform{
		Key: func(name string, a *kms.KeyArgs, _ *[]pulumi.ResourceOption) error {
			seen = append(seen, name)
			a.DeletionWindowInDays = pulumi.Int(7)
			return nil
		},
		Topic: func(name string, a *sns.TopicArgs, _ *[]pulumi.ResourceOption) error {
			seen = append(seen, name)
			a.DisplayName = pulumi.String("Payments alarms")
			return nil
		},
		Policy: func(name string, _ *sns.TopicPolicyArgs, opts *[]pulumi.ResourceOption) error {
			seen = append(seen, name)
			*opts = append(*opts, pulumi.DeleteBeforeReplace(true))
			return nil
		},
		Subscription: func(name string, a *sns.TopicSubscriptionArgs, _ *[]pulumi.ResourceOption) error {
			seen = append(seen, name)
			a.ConfirmationTimeoutInMinutes = pulumi.Int(5)
			return nil
		},
	}}
	// When the topic is registered
	rec := componenttest.MustRun(t, componenttest.Component(alarm.New, "alarms", args))
	// Then each transform ran once, given its child's logical name, and what it changed is
	// what the mocks recorded
	assert.Equal(t, []string{"alarms-key", "alarms", "alarms-policy", "alarms-email"}, seen, "the children the transforms were given")
	assert.Equal(t, float64(7), rec.Must(t, "aws:kms/key:Key", "alarms-key").MustNumber(t, "deletionWindowInDays"), "Key transform")
	assert.Equal(t, "Payments alarms", rec.Must(t, "aws:sns/topic:Topic", "alarms").InputString("displayName"), "Topic transform")
	assert.True(t, rec.Must(t, "aws:sns/topicPolicy:TopicPolicy", "alarms-policy").DeleteBeforeReplace, "Policy transform: option")
	assert.Equal(t, float64(5), rec.Must(t, "aws:sns/topicSubscription:TopicSubscription", "alarms-email").MustNumber(t, "confirmationTimeoutInMinutes"), "Subscription transform")
	assert.Equal(t, true, rec.Must(t, "aws:kms/key:Key", "alarms-key").Inputs["enableKeyRotation"].BoolValue(), "what a transform leaves alone stays")
}

func TestTopicTransformThatWeakensItIsCaughtByTheBaseline(t *testing.T) {
	tests := []struct {
		name, rule, typ, child string
		tf                     alarm.Transform
	}{
		{"encryption removed", "sns-encryption", "aws:sns/topic:Topic", "alarms", alarm.Transform{Topic: func(_ string, a *sns.TopicArgs, _ *[]pulumi.ResourceOption) error {
			a.KmsMasterKeyId = nil
			return nil
		}}},
		{"key rotation turned off", "kms-key-rotation", "aws:kms/key:Key", "alarms-key", alarm.Transform{Key: func(_ string, a *kms.KeyArgs, _ *[]pulumi.ResourceOption) error {
			a.EnableKeyRotation = pulumi.Bool(false)
			a.RotationPeriodInDays = nil
			return nil
		}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := componenttest.MustRun(t, componenttest.Component(alarm.New, "alarms", &alarm.Args{Transform: tc.tf}))
			vs := policy.Check(rec.Resources(), policy.Options{})
			require.Len(t, vs, 1, "one violation: %v", vs)
			assert.Equal(t, tc.rule, vs[0].Rule)
			assert.Equal(t, rec.Must(t, tc.typ, tc.child).URN, vs[0].Resource, "on the weakened child")
		})
	}
	// And the topic as built passes
	assert.Empty(t, policy.Check(componenttest.MustRun(t, componenttest.Component(alarm.New, "alarms", nil)).Resources(), policy.Options{}))
}

func TestTopicTransformErrorStopsNewNamingTheChild(t *testing.T) {
	refuse := errors.New("refused")
	for _, tc := range []struct {
		child, typ string
		tf         alarm.Transform
	}{
		{"alarms-key", "aws:kms/key:Key", alarm.Transform{Key: func(string, *kms.KeyArgs, *[]pulumi.ResourceOption) error { return refuse }}},
		{"alarms", "aws:sns/topic:Topic", alarm.Transform{Topic: func(string, *sns.TopicArgs, *[]pulumi.ResourceOption) error { return refuse }}},
		{"alarms-policy", "aws:sns/topicPolicy:TopicPolicy", alarm.Transform{Policy: func(string, *sns.TopicPolicyArgs, *[]pulumi.ResourceOption) error { return refuse }}},
		{"alarms-email", "aws:sns/topicSubscription:TopicSubscription", alarm.Transform{Subscription: func(string, *sns.TopicSubscriptionArgs, *[]pulumi.ResourceOption) error { return refuse }}},
	} {
		t.Run(tc.child, func(t *testing.T) {
			rec, err := componenttest.Run(componenttest.Component(alarm.New, "alarms", &alarm.Args{Email: "oncall@example.com", Transform: tc.tf}))
			assert.ErrorContains(t, err, `alarm topic "alarms": transform of `+tc.child+`: refused`)
			_, registered := rec.Get(tc.typ, tc.child)
			assert.False(t, registered, "%s not registered", tc.child)
		})
	}
}
