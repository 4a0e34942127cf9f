// Package alarm is the platform's alerting: an encrypted SNS topic per stack that the
// components' CloudWatch alarms notify (give its ARN to their Args.AlarmTopic), with an
// optional email subscription.
package alarm

import (
	"fmt"
	"net/mail"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/internal/iampolicy"
)

// keyAdminActions are what the account may do to the alarm key: manage it, not use it.
var keyAdminActions = []string{
	"kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus",
	"kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:EnableKey", "kms:DisableKey",
	"kms:UpdateKeyDescription", "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource",
	"kms:ListGrants", "kms:RevokeGrant", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
	"kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias",
}

// Args configures a Topic.
type Args struct {
	// Email subscribes this address to the alarms (AWS sends a confirmation mail first).
	// Empty means no subscription.
	Email string
}

// Topic is the SNS topic alarms notify, encrypted with its own KMS key: CloudWatch cannot
// publish to a topic encrypted with the AWS managed aws/sns key, whose policy cannot be
// changed to let it.
type Topic struct {
	pulumi.ResourceState

	Key          *kms.Key
	Topic        *sns.Topic
	Policy       *sns.TopicPolicy
	Subscription *sns.TopicSubscription // nil without Email

	// ARN is the topic's ARN: what alarms notify.
	ARN pulumi.StringOutput
}

// New registers the alarm topic.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Topic, error) {
	if args == nil {
		args = &Args{}
	}
	if args.Email != "" {
		if a, err := mail.ParseAddress(args.Email); err != nil || a.Address != args.Email {
			return nil, fmt.Errorf("alarm topic %q: Email %q is not an email address", name, args.Email)
		}
	}
	t := &Topic{}
	if err := ctx.RegisterComponentResource("groundwork:alarm:Topic", name, t, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(t)
	caller, err := aws.GetCallerIdentity(ctx, &aws.GetCallerIdentityArgs{}, parent)
	if err != nil {
		return nil, err
	}
	account := caller.AccountId
	keyPolicy, err := iampolicy.Document(
		iampolicy.Statement{
			// The account's IAM principals manage the key (named actions, not kms:*), so it
			// can never become unmanageable; using it is left to the services below.
			Sid:            "AccountManagesKey",
			Principal:      map[string]any{"AWS": "arn:aws:iam::" + account + ":root"},
			Actions:        keyAdminActions,
			AnyResource:    true,
			ResourcePolicy: true,
		},
		iampolicy.Statement{
			Sid:            "CloudWatchEncryptsAlarms",
			Principal:      map[string]any{"Service": "cloudwatch.amazonaws.com"},
			Actions:        []string{"kms:Decrypt", "kms:GenerateDataKey"},
			AnyResource:    true,
			ResourcePolicy: true,
			Condition:      map[string]map[string]any{"StringEquals": {"aws:SourceAccount": account}},
		},
	)
	if err != nil {
		return nil, err
	}
	t.Key, err = kms.NewKey(ctx, name+"-key", &kms.KeyArgs{
		Description:       pulumi.Sprintf("Encrypts the %s alarm topic", name),
		EnableKeyRotation: pulumi.Bool(true),
		Policy:            keyPolicy,
	}, parent)
	if err != nil {
		return nil, err
	}
	t.Topic, err = sns.NewTopic(ctx, name, &sns.TopicArgs{KmsMasterKeyId: t.Key.Arn}, parent)
	if err != nil {
		return nil, err
	}
	topicPolicy, err := iampolicy.Document(iampolicy.Statement{
		Sid:       "CloudWatchPublishesAlarms",
		Principal: map[string]any{"Service": "cloudwatch.amazonaws.com"},
		Actions:   []string{"sns:Publish"},
		Resources: []pulumi.StringInput{t.Topic.Arn},
		Condition: map[string]map[string]any{"StringEquals": {"aws:SourceAccount": account}},
	})
	if err != nil {
		return nil, err
	}
	t.Policy, err = sns.NewTopicPolicy(ctx, name+"-policy", &sns.TopicPolicyArgs{Arn: t.Topic.Arn, Policy: topicPolicy}, parent)
	if err != nil {
		return nil, err
	}
	if args.Email != "" {
		t.Subscription, err = sns.NewTopicSubscription(ctx, name+"-email", &sns.TopicSubscriptionArgs{
			Topic: t.Topic.Arn, Protocol: pulumi.String("email"), Endpoint: pulumi.String(args.Email),
		}, parent)
		if err != nil {
			return nil, err
		}
	}
	t.ARN = t.Topic.Arn
	return t, ctx.RegisterResourceOutputs(t, pulumi.Map{"arn": t.ARN})
}
