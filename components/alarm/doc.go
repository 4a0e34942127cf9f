// Package alarm is the platform's alerting: an SNS topic per stack that the components'
// CloudWatch alarms notify (give Topic.ARN to their Args.AlarmTopic), encrypted with a KMS
// key of its own, with an optional email subscription.
//
// The key is the topic's own because CloudWatch cannot publish to a topic encrypted with the
// AWS managed aws/sns key: its policy cannot be changed to admit cloudwatch.amazonaws.com.
// The key rotates yearly and, once scheduled for deletion, waits 30 days (see
// DefaultKeyRotationPeriod and DefaultKeyDeletionWindow).
//
// # Children
//
// A topic named "alarms" registers, under the component "alarms" (type
// groundwork:alarm:Topic), these children, each customized by the Transform field of the
// same name:
//
//	alarms-key     aws:kms/key:Key                          Transform.Key
//	alarms         aws:sns/topic:Topic                      Transform.Topic
//	alarms-policy  aws:sns/topicPolicy:TopicPolicy          Transform.Policy
//	alarms-email   aws:sns/topicSubscription:...            Transform.Subscription (with Email)
//
// How they refer to each other: the topic is encrypted with the key's ARN; the key's policy
// lets the account manage the key and CloudWatch of this account encrypt with it; the topic
// policy is on the topic's ARN and lets CloudWatch of this account publish to it; the
// subscription is on the topic's ARN. There is no key alias: the key's description names the
// topic.
//
// The topic's physical name is Pulumi's auto-name (the logical name and 8 characters), so New
// refuses a name longer than 248 characters, or with characters SNS refuses.
package alarm
