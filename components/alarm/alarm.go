package alarm

import (
	"fmt"
	"net/mail"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/internal/check"
	"github.com/groundwork-dev/groundwork/components/internal/iampolicy"
	"github.com/groundwork-dev/groundwork/components/internal/naming"
	"github.com/groundwork-dev/groundwork/components/transform"
)

// Defaults of the topic's KMS key, each with its reason. A transform of the Key changes
// them.
const (
	// DefaultKeyDeletionWindow is how long KMS waits before it deletes the key once deletion
	// is scheduled (for instance by `pulumi destroy`): 30 days, the longest KMS allows and its
	// default. Until the window ends the deletion can be cancelled; after it, nothing
	// encrypted with the key can be read again, and alarms cannot publish to a topic whose key
	// is gone.
	DefaultKeyDeletionWindow = 30 * check.Day
	// DefaultKeyRotationPeriod is how often KMS rotates the key's material: every 365 days,
	// KMS's default period, with rotation always on (AWS Security Hub control KMS.4, "AWS KMS
	// key rotation should be enabled"; CIS AWS Foundations Benchmark 3.6). Rotation keeps the
	// old material for decryption, so nothing breaks when it happens.
	DefaultKeyRotationPeriod = 365 * check.Day
)

// keyAdminActions are what the account may do to the alarm key: manage it, not use it.
var keyAdminActions = []string{
	"kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus",
	"kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:EnableKey", "kms:DisableKey",
	"kms:UpdateKeyDescription", "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource",
	"kms:ListGrants", "kms:RevokeGrant", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
	"kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias",
}

// The roles of the topic's children in their logical names (see the package doc).
const (
	roleKey          = "key"
	rolePolicy       = "policy"
	roleSubscription = "email"
)

// Args configures a Topic. A nil *Args means every default.
type Args struct {
	// Email subscribes this address to the alarms (AWS sends a confirmation mail first).
	// Empty means no subscription.
	Email string

	// Transform customizes the topic's children before they are registered. The zero value
	// changes nothing.
	Transform Transform
}

// Transform holds one typed transform per child of a Topic (see package transform); each
// runs on the child's arguments, as the topic built them, just before the child is
// registered.
type Transform struct {
	// Key customizes the KMS key that encrypts the topic, "<name>-key".
	Key transform.Func[kms.KeyArgs]
	// Topic customizes the SNS topic, "<name>".
	Topic transform.Func[sns.TopicArgs]
	// Policy customizes the topic's policy, "<name>-policy".
	Policy transform.Func[sns.TopicPolicyArgs]
	// Subscription customizes the email subscription, "<name>-email".
	Subscription transform.Func[sns.TopicSubscriptionArgs]
}

// Topic is the SNS topic alarms notify, encrypted with its own KMS key: CloudWatch cannot
// publish to a topic encrypted with the AWS managed aws/sns key, whose policy cannot be
// changed to let it.
type Topic struct {
	pulumi.ResourceState

	// The children, for escape hatches. Subscription is nil without Email.
	Key          *kms.Key
	Topic        *sns.Topic
	Policy       *sns.TopicPolicy
	Subscription *sns.TopicSubscription

	// ARN is the topic's ARN: what alarms notify.
	ARN pulumi.StringOutput
}

// physical lists the topic's children whose physical names derive from its name. The key
// has none (KMS names a key by its id).
var physical = []naming.Physical{{Kind: naming.SNSTopic}}

// resolve checks a and reports every invalid field at once. It is pure: New's decisions are
// tested here without the engine.
func resolve(name string, a Args) (Args, error) {
	r := check.New("alarm topic", name)
	r.Name(physical)
	if a.Email != "" {
		if addr, err := mail.ParseAddress(a.Email); err != nil || addr.Address != a.Email {
			r.Addf("Email", "%q is not an email address", a.Email)
		}
	}
	return a, r.Err()
}

func days(d time.Duration) pulumi.Int { return pulumi.Int(int(d / check.Day)) }

// New validates args and registers the alarm topic: its KMS key, the topic, the topic's
// policy and, with Email, the subscription. Every invalid field is reported in one error
// before anything is registered.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Topic, error) {
	if args == nil {
		args = &Args{}
	}
	a, err := resolve(name, *args)
	if err != nil {
		return nil, err
	}
	t := &Topic{}
	if err := ctx.RegisterComponentResource("groundwork:alarm:Topic", name, t, opts...); err != nil {
		return nil, err
	}
	if err := t.children(ctx, name, a, pulumi.Parent(t)); err != nil {
		return nil, fmt.Errorf("alarm topic %q: %w", name, err)
	}
	t.ARN = t.Topic.Arn
	return t, ctx.RegisterResourceOutputs(t, pulumi.Map{"arn": t.ARN})
}

// children registers the topic's children, each after its transform.
func (t *Topic) children(ctx *pulumi.Context, name string, a Args, parent pulumi.ResourceOrInvokeOption) error {
	caller, err := aws.GetCallerIdentity(ctx, &aws.GetCallerIdentityArgs{}, parent)
	if err != nil {
		return err
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
		return err
	}
	tf := a.Transform
	t.Key, err = transform.Register(ctx, kms.NewKey, tf.Key, naming.Child(name, roleKey), &kms.KeyArgs{
		Description:          pulumi.Sprintf("Encrypts the %s alarm topic", name),
		EnableKeyRotation:    pulumi.Bool(true),
		RotationPeriodInDays: days(DefaultKeyRotationPeriod),
		DeletionWindowInDays: days(DefaultKeyDeletionWindow),
		Policy:               keyPolicy,
	}, parent)
	if err != nil {
		return err
	}
	t.Topic, err = transform.Register(ctx, sns.NewTopic, tf.Topic, name, &sns.TopicArgs{KmsMasterKeyId: t.Key.Arn}, parent)
	if err != nil {
		return err
	}
	topicPolicy, err := iampolicy.Document(iampolicy.Statement{
		Sid:       "CloudWatchPublishesAlarms",
		Principal: map[string]any{"Service": "cloudwatch.amazonaws.com"},
		Actions:   []string{"sns:Publish"},
		Resources: []pulumi.StringInput{t.Topic.Arn},
		Condition: map[string]map[string]any{"StringEquals": {"aws:SourceAccount": account}},
	})
	if err != nil {
		return err
	}
	t.Policy, err = transform.Register(ctx, sns.NewTopicPolicy, tf.Policy, naming.Child(name, rolePolicy),
		&sns.TopicPolicyArgs{Arn: t.Topic.Arn, Policy: topicPolicy}, parent)
	if err != nil || a.Email == "" {
		return err
	}
	t.Subscription, err = transform.Register(ctx, sns.NewTopicSubscription, tf.Subscription, naming.Child(name, roleSubscription), &sns.TopicSubscriptionArgs{
		Topic: t.Topic.Arn, Protocol: pulumi.String("email"), Endpoint: pulumi.String(a.Email),
	}, parent)
	return err
}
