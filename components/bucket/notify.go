package bucket

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/internal/naming"
	"github.com/groundwork-dev/groundwork/components/queue"
	"github.com/groundwork-dev/groundwork/components/transform"
)

// notify registers what each notification needs (a function's permission, a queue) and then
// the bucket's one notification configuration, which S3 validates against them: S3 sends a
// test event when the configuration is written and refuses it unless every target already
// lets S3 deliver.
func (b *Bucket) notify(ctx *pulumi.Context, s settings) error {
	if len(s.Notifications) == 0 {
		return nil
	}
	name, tf, parent := b.name, s.Transform, pulumi.Parent(b)
	// An S3 bucket's ARN names no account, so every grant to S3 also names the account that
	// owns the bucket: no other account's bucket of the same name can use it.
	caller, err := aws.GetCallerIdentity(ctx, &aws.GetCallerIdentityArgs{}, parent)
	if err != nil {
		return err
	}
	account := pulumi.String(caller.AccountId)
	events := pulumi.StringArray{pulumi.String(objectCreatedEvents)}
	b.Permissions, b.Queues = map[string]*lambda.Permission{}, map[string]*queue.Queue{}

	var targets []pulumi.Resource
	var functions s3.BucketNotificationLambdaFunctionArray
	var queues s3.BucketNotificationQueueArray
	for i, n := range s.Notifications {
		role := naming.Child(name, n.Name)
		if n.Function != nil {
			p, err := transform.Register(ctx, lambda.NewPermission, tf.Permission, role+"-invoke", &lambda.PermissionArgs{
				Action:        pulumi.String("lambda:InvokeFunction"),
				Function:      n.Function,
				Principal:     pulumi.String(notificationPrincipal),
				SourceArn:     b.Bucket.Arn,
				SourceAccount: account,
			}, parent)
			if err != nil {
				return err
			}
			b.Permissions[n.Name], targets = p, append(targets, p)
			functions = append(functions, s3.BucketNotificationLambdaFunctionArgs{
				Id: pulumi.String(n.Name), Events: events, LambdaFunctionArn: n.Function,
				FilterPrefix: optional(n.Prefix), FilterSuffix: optional(n.Suffix),
			})
			continue
		}
		qargs := *n.Queue
		qargs.Senders = append(slices.Clone(qargs.Senders), queue.Sender{
			Service: notificationPrincipal, SourceARN: b.Bucket.Arn, SourceAccount: account,
		})
		q, err := queue.New(ctx, role, &qargs, parent)
		if err != nil {
			return fmt.Errorf("Notifications[%d].Queue: %w", i, err)
		}
		// S3 checks it may deliver when the configuration is saved: wait for the queue's
		// policy itself. A DependsOn on the queue component would wait only for the children
		// the SDK has seen registered by then, which need not include the policy yet.
		b.Queues[n.Name], targets = q, append(targets, q.Queue, q.Policy)
		queues = append(queues, s3.BucketNotificationQueueArgs{
			Id: pulumi.String(n.Name), Events: events, QueueArn: q.ARN,
			FilterPrefix: optional(n.Prefix), FilterSuffix: optional(n.Suffix),
		})
	}
	nargs := &s3.BucketNotificationArgs{Bucket: b.Bucket.ID()}
	if len(functions) > 0 {
		nargs.LambdaFunctions = functions
	}
	if len(queues) > 0 {
		nargs.Queues = queues
	}
	b.Notification, err = transform.Register(ctx, s3.NewBucketNotification, tf.Notification, name+"-notifications", nargs, parent, pulumi.DependsOn(targets))
	return err
}

// optional is a string input that is left out when empty.
func optional(v string) pulumi.StringPtrInput {
	if v == "" {
		return nil
	}
	return pulumi.String(v)
}
