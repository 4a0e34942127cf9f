package plan

// ReplaceOnChange is the one list of input properties whose change makes `pulumi preview`
// replace the resource rather than update it in place, by Pulumi type token. pulumi-aws
// v6.83.4 bridges terraform-provider-aws (v5.x, through its upstream submodule), whose schema
// marks these fields ForceNew; the bridge turns a ForceNew diff into a replacement (the
// Pulumi schema itself marks none of them replaceOnChanges). Each entry cites the provider
// source it comes from (paths in github.com/hashicorp/terraform-provider-aws); the property
// names are checked against the pulumi-aws SDK's types (cmd/synth's replace_test.go).
//
// A property listed here forces replacement when it, or anything below it, changes.
var ReplaceOnChange = map[string]ReplaceRule{
	"aws:dynamodb/table:Table": {
		Properties: []string{"name", "hashKey", "rangeKey", "localSecondaryIndexes", "restoreDateTime", "restoreToLatestTime"},
		Source:     "internal/service/dynamodb/table.go: name, hash_key, range_key, local_secondary_index, restore_date_time, restore_to_latest_time are ForceNew (restore_source_name, restore_source_table_arn and import_table are not, in v5)",
	},
	"aws:sqs/queue:Queue": {
		Properties: []string{"name", "namePrefix", "fifoQueue"},
		Source:     "internal/service/sqs/queue.go: name, name_prefix, fifo_queue are ForceNew",
	},
	"aws:s3/bucketV2:BucketV2": {
		Properties: []string{"bucket", "bucketPrefix", "objectLockEnabled"},
		Source:     "internal/service/s3/bucket.go: bucket, bucket_prefix, object_lock_enabled are ForceNew",
	},
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": {
		Properties: []string{"bucket", "expectedBucketOwner"},
		Source:     "internal/service/s3/bucket_server_side_encryption_configuration.go: bucket, expected_bucket_owner are ForceNew",
	},
	"aws:s3/bucketVersioningV2:BucketVersioningV2": {
		Properties: []string{"bucket", "expectedBucketOwner", "mfa"},
		Source:     "internal/service/s3/bucket_versioning.go: bucket, expected_bucket_owner, mfa are ForceNew",
	},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
		Properties: []string{"bucket"},
		Source:     "internal/service/s3/bucket_public_access_block.go: bucket is ForceNew",
	},
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
		Properties: []string{"bucket"},
		Source:     "internal/service/s3/bucket_ownership_controls.go: bucket is ForceNew",
	},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": {
		Properties: []string{"bucket", "expectedBucketOwner"},
		Source:     "internal/service/s3/bucket_lifecycle_configuration.go: bucket, expected_bucket_owner are ForceNew",
	},
	"aws:s3/bucketPolicy:BucketPolicy": {
		Properties: []string{"bucket"},
		Source:     "internal/service/s3/bucket_policy.go: bucket is ForceNew",
	},
	"aws:s3/bucketLoggingV2:BucketLoggingV2": {
		Properties: []string{"bucket", "expectedBucketOwner"},
		Source:     "internal/service/s3/bucket_logging.go: bucket, expected_bucket_owner are ForceNew",
	},
	"aws:lambda/function:Function": {
		Properties: []string{"name", "packageType"},
		Source:     "internal/service/lambda/function.go: function_name, package_type are ForceNew",
	},
	"aws:lambda/permission:Permission": {
		Properties: []string{"action", "eventSourceToken", "function", "functionUrlAuthType", "principal", "principalOrgId", "qualifier", "sourceAccount", "sourceArn", "statementId", "statementIdPrefix"},
		Source:     "internal/service/lambda/permission.go: every argument is ForceNew (a permission has no update)",
	},
	"aws:lambda/eventSourceMapping:EventSourceMapping": {
		Properties: []string{"eventSourceArn", "startingPosition", "startingPositionTimestamp", "selfManagedEventSource", "topics", "queues", "amazonManagedKafkaEventSourceConfig", "selfManagedKafkaEventSourceConfig"},
		Source:     "internal/service/lambda/event_source_mapping.go: event_source_arn, starting_position, starting_position_timestamp, self_managed_event_source, topics, queues, amazon_managed_kafka_event_source_config, self_managed_kafka_event_source_config are ForceNew",
	},
	"aws:cloudwatch/logGroup:LogGroup": {
		Properties: []string{"name", "namePrefix", "logGroupClass"},
		Source:     "internal/service/logs/group.go: name, name_prefix, log_group_class are ForceNew",
	},
	"aws:cloudwatch/metricAlarm:MetricAlarm": {
		Properties: []string{"name"},
		Source:     "internal/service/cloudwatch/metric_alarm.go: alarm_name is ForceNew",
	},
	"aws:apigatewayv2/api:Api": {
		Properties: []string{"protocolType", "credentialsArn", "routeKey", "target"},
		Source:     "internal/service/apigatewayv2/api.go: protocol_type, credentials_arn, route_key, target are ForceNew",
	},
	"aws:apigatewayv2/stage:Stage": {
		Properties: []string{"apiId", "name"},
		Source:     "internal/service/apigatewayv2/stage.go: api_id, name are ForceNew",
	},
	"aws:apigatewayv2/integration:Integration": {
		Properties: []string{"apiId", "integrationType"},
		Source:     "internal/service/apigatewayv2/integration.go: api_id, integration_type are ForceNew",
	},
	"aws:apigatewayv2/route:Route": {
		Properties: []string{"apiId"},
		Source:     "internal/service/apigatewayv2/route.go: api_id is ForceNew",
	},
	"aws:apigatewayv2/authorizer:Authorizer": {
		Properties: []string{"apiId", "authorizerType"},
		Source:     "internal/service/apigatewayv2/authorizer.go: api_id, authorizer_type are ForceNew",
	},
	"aws:iam/role:Role": {
		Properties: []string{"name", "namePrefix", "path"},
		Source:     "internal/service/iam/role.go: name, name_prefix, path are ForceNew",
	},
	"aws:iam/rolePolicy:RolePolicy": {
		Properties: []string{"name", "namePrefix", "role"},
		Source:     "internal/service/iam/role_policy.go: name, name_prefix, role are ForceNew",
	},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
		Properties: []string{"policyArn", "role"},
		Source:     "internal/service/iam/role_policy_attachment.go: policy_arn, role are ForceNew",
	},
	"aws:sqs/queuePolicy:QueuePolicy": {
		Properties: []string{"queueUrl"},
		Source:     "internal/service/sqs/queue_policy.go: queue_url is ForceNew",
	},
	"aws:sns/topic:Topic": {
		Properties: []string{"name", "namePrefix", "fifoTopic"},
		Source:     "internal/service/sns/topic.go: name, name_prefix, fifo_topic are ForceNew",
	},
	"aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": {
		Properties: []string{"queueUrl"},
		Source:     "internal/service/sqs/queue_redrive_allow_policy.go: queue_url is ForceNew",
	},
	"aws:sns/topicPolicy:TopicPolicy": {
		Properties: []string{"arn"},
		Source:     "internal/service/sns/topic_policy.go: arn is ForceNew",
	},
	"aws:sns/topicSubscription:TopicSubscription": {
		Properties: []string{"endpoint", "protocol", "topic"},
		Source:     "internal/service/sns/topic_subscription.go: endpoint, protocol, topic_arn are ForceNew",
	},
	"aws:kms/key:Key": {
		Properties: []string{"customerMasterKeySpec", "keyUsage", "multiRegion", "customKeyStoreId", "xksKeyId"},
		Source:     "internal/service/kms/key.go: customer_master_key_spec, key_usage, multi_region, custom_key_store_id, xks_key_id are ForceNew",
	},
	"pulumi:providers:aws": {
		Properties: []string{"region"},
		Source:     "pulumi/pulumi-aws#4000 (merged 2024-05, before v6.83.4): DiffConfig replaces the provider when its region changes, and the engine then replaces every resource it provisions",
	},
	"aws:kms/alias:Alias": {
		Properties: []string{"name", "namePrefix"},
		Source:     "internal/service/kms/alias.go: name, name_prefix are ForceNew",
	},
}

// ReplaceRule is the replace-on-change properties of one resource type, and where they come
// from.
type ReplaceRule struct {
	// Properties are top-level input property names, as Pulumi spells them.
	Properties []string
	// Source names the provider source that marks them ForceNew.
	Source string
}

// Stateful are the resource types whose replacement loses data: a table's items, a bucket's
// objects, a queue's messages, a key's ciphertexts (what it encrypted cannot be decrypted
// once the old key is deleted), a log group's events. A replacement of one of them is
// flagged loudly.
var Stateful = map[string]string{
	"aws:dynamodb/table:Table":         "its items are lost",
	"aws:s3/bucketV2:BucketV2":         "its objects are lost",
	"aws:s3/bucket:Bucket":             "its objects are lost",
	"aws:sqs/queue:Queue":              "messages in it are lost",
	"aws:kms/key:Key":                  "data encrypted with it cannot be decrypted once it is deleted",
	"aws:cloudwatch/logGroup:LogGroup": "its log events are lost",
}
