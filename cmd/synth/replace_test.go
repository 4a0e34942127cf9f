package main

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/stretchr/testify/assert"

	"github.com/groundwork-dev/groundwork/internal/plan"
)

// sdkTypes are the pulumi-aws (v6.83.4) resource structs of the types plan.ReplaceOnChange
// lists: their `pulumi:"..."` tags are the property names the provider takes.
var sdkTypes = map[string]any{
	"aws:dynamodb/table:Table":                                                                   dynamodb.Table{},
	"aws:sqs/queue:Queue":                                                                        sqs.Queue{},
	"aws:sqs/queuePolicy:QueuePolicy":                                                            sqs.QueuePolicy{},
	"aws:sqs/redriveAllowPolicy:RedriveAllowPolicy":                                              sqs.RedriveAllowPolicy{},
	"aws:s3/bucketV2:BucketV2":                                                                   s3.BucketV2{},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":                                     s3.BucketPublicAccessBlock{},
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":                                     s3.BucketOwnershipControls{},
	"aws:s3/bucketPolicy:BucketPolicy":                                                           s3.BucketPolicy{},
	"aws:s3/bucketLoggingV2:BucketLoggingV2":                                                     s3.BucketLoggingV2{},
	"aws:s3/bucketVersioningV2:BucketVersioningV2":                                               s3.BucketVersioningV2{},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":                       s3.BucketLifecycleConfigurationV2{},
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": s3.BucketServerSideEncryptionConfigurationV2{},
	"aws:lambda/function:Function":                                                               lambda.Function{},
	"aws:lambda/permission:Permission":                                                           lambda.Permission{},
	"aws:lambda/eventSourceMapping:EventSourceMapping":                                           lambda.EventSourceMapping{},
	"aws:cloudwatch/logGroup:LogGroup":                                                           cloudwatch.LogGroup{},
	"aws:cloudwatch/metricAlarm:MetricAlarm":                                                     cloudwatch.MetricAlarm{},
	"aws:apigatewayv2/api:Api":                                                                   apigatewayv2.Api{},
	"aws:apigatewayv2/stage:Stage":                                                               apigatewayv2.Stage{},
	"aws:apigatewayv2/integration:Integration":                                                   apigatewayv2.Integration{},
	"aws:apigatewayv2/route:Route":                                                               apigatewayv2.Route{},
	"aws:apigatewayv2/authorizer:Authorizer":                                                     apigatewayv2.Authorizer{},
	"aws:iam/role:Role":                                                                          iam.Role{},
	"aws:iam/rolePolicy:RolePolicy":                                                              iam.RolePolicy{},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment":                                          iam.RolePolicyAttachment{},
	"aws:sns/topic:Topic":                                                                        sns.Topic{},
	"aws:sns/topicPolicy:TopicPolicy":                                                            sns.TopicPolicy{},
	"aws:sns/topicSubscription:TopicSubscription":                                                sns.TopicSubscription{},
	"aws:kms/key:Key":                                                                            kms.Key{},
	"aws:kms/alias:Alias":                                                                        kms.Alias{},
	"pulumi:providers:aws":                                                                       aws.Provider{},
}

func TestReplaceRulesNameRealProperties(t *testing.T) {
	for typ, rule := range plan.ReplaceOnChange {
		sdk, ok := sdkTypes[typ]
		if !assert.True(t, ok, "%s: add its pulumi-aws struct to sdkTypes so its properties are checked", typ) {
			continue
		}
		var props []string
		st := reflect.TypeOf(sdk)
		for i := range st.NumField() {
			if tag := st.Field(i).Tag.Get("pulumi"); tag != "" {
				props = append(props, strings.Split(tag, ",")[0])
			}
		}
		for _, p := range rule.Properties {
			assert.Contains(t, props, p, "%s: %q is no property of the pulumi-aws type (a misspelt rule never fires)", typ, p)
		}
	}
}

func TestEveryTypeTheStacksRegisterHasAReplaceRule(t *testing.T) {
	// Given every stack's plan
	p := planOf(t, "all")

	// Then every provider-managed type in it has its replace-on-change properties listed: a
	// type without a rule would show a change that replaces it as an update
	var missing []string
	for _, s := range p.Stacks {
		for _, r := range s.Resources {
			if _, ok := plan.ReplaceOnChange[r.Type]; r.Custom && !ok && !strings.HasPrefix(r.Type, "pulumi:providers:") && !slices.Contains(missing, r.Type) {
				missing = append(missing, r.Type)
			}
		}
	}
	assert.Empty(t, missing, "types with no entry in plan.ReplaceOnChange")
}
