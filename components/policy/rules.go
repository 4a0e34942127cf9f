package policy

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/internal/iampolicy"
)

// Resource type tokens the rules look at.
const (
	typeRole             = "aws:iam/role:Role"
	typeRolePolicy       = "aws:iam/rolePolicy:RolePolicy"
	typePolicy           = "aws:iam/policy:Policy"
	typeUserPolicy       = "aws:iam/userPolicy:UserPolicy"
	typeGroupPolicy      = "aws:iam/groupPolicy:GroupPolicy"
	typeRoleAttachment   = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	typeUserAttachment   = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
	typeGroupAttachment  = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
	typePolicyAttachment = "aws:iam/policyAttachment:PolicyAttachment"
	typeFunction         = "aws:lambda/function:Function"
	typePermission       = "aws:lambda/permission:Permission"
	typeEventSource      = "aws:lambda/eventSourceMapping:EventSourceMapping"
	typeInvokeConfig     = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
	typeAPI              = "aws:apigatewayv2/api:Api"
	typeStage            = "aws:apigatewayv2/stage:Stage"
	typeRoute            = "aws:apigatewayv2/route:Route"
	typeIntegration      = "aws:apigatewayv2/integration:Integration"
	typeQueue            = "aws:sqs/queue:Queue"
	typeQueuePolicy      = "aws:sqs/queuePolicy:QueuePolicy"
	typeRedrivePolicy    = "aws:sqs/redrivePolicy:RedrivePolicy"
	typeTopic            = "aws:sns/topic:Topic"
	typeKey              = "aws:kms/key:Key"
	typeAlarm            = "aws:cloudwatch/metricAlarm:MetricAlarm"
	typeLogGroup         = "aws:cloudwatch/logGroup:LogGroup"
	typeTable            = "aws:dynamodb/table:Table"
	typeBucket           = "aws:s3/bucketV2:BucketV2"
	typeBucketPolicy     = "aws:s3/bucketPolicy:BucketPolicy"
	typeBucketPAB        = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	typeBucketSSE        = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	typeBucketVersioning = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	typeBucketOwnership  = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	typeBucketLogging    = "aws:s3/bucketLoggingV2:BucketLoggingV2"
	typeBucketLifecycle  = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	typeBucketCORS       = "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2"
	typeBucketNotify     = "aws:s3/bucketNotification:BucketNotification"
)

// ProductionRetentionDays is the shortest log retention rule logs-retention-year accepts in
// production: a year, as AWS Security Hub CloudWatch.16 asks by default, so that an incident
// found late (an audit, a breach disclosed months on) still has its logs.
const ProductionRetentionDays = 365

// catalogue is the baseline: every rule, as data. Evaluate runs exactly these checks.
var catalogue = []Rule{
	// S3
	{ID: "s3-encryption", Title: "buckets encrypt objects by default", Severity: High,
		Types:  []string{typeBucket, typeBucketSSE},
		Reason: "Default encryption (SSE-S3 or SSE-KMS) configured on the bucket keeps every object encrypted at rest whatever the writer asks, and SSE-KMS adds key policy and CloudTrail for each use.",
		check: bucketSatellite(typeBucketSSE, "server-side encryption configuration with an sseAlgorithm", func(r componenttest.Resource) bool {
			return r.InputString("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm") != ""
		})},
	{ID: "s3-public-access-block", Title: "buckets block every form of public access", Severity: Critical,
		Types: []string{typeBucket, typeBucketPAB}, Controls: []string{"FSBP S3.8", "AwsSolutions-S2"},
		Reason: "The bucket-level public access block refuses public ACLs and public bucket policies, so a later mistake in either cannot expose the objects.",
		check: bucketSatellite(typeBucketPAB, "public access block with all four settings true", func(r componenttest.Resource) bool {
			for _, f := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
				if v, _ := r.Input(f); v != true {
					return false
				}
			}
			return true
		})},
	{ID: "s3-tls-only", Title: "bucket policies deny every request made without TLS", Severity: High,
		Types: []string{typeBucket, typeBucketPolicy}, Controls: []string{"FSBP S3.5", "AwsSolutions-S10"},
		Reason: "Only a Deny statement for aws:SecureTransport false, for everyone and every s3 action on the bucket and its objects, keeps plain-HTTP requests out; an Allow that mentions the key does not.",
		check:  checkBucketTLS},
	{ID: "s3-versioning", Title: "buckets are versioned", Severity: Medium,
		Types: []string{typeBucket, typeBucketVersioning}, Controls: []string{"FSBP S3.14"},
		Reason: "Versioning keeps overwritten and deleted objects recoverable, from a bug as from an attacker.",
		check: bucketSatellite(typeBucketVersioning, "versioning configuration with status Enabled", func(r componenttest.Resource) bool {
			return r.InputString("versioningConfiguration.status") == "Enabled"
		})},
	{ID: "s3-ownership", Title: "buckets disable ACLs (BucketOwnerEnforced)", Severity: Medium,
		Types: []string{typeBucket, typeBucketOwnership}, Controls: []string{"FSBP S3.12"},
		Reason: "With ACLs disabled the bucket owner owns every object and only policies decide access, so no ACL can grant what the policies do not.",
		check: bucketSatellite(typeBucketOwnership, "ownership controls with BucketOwnerEnforced", func(r componenttest.Resource) bool {
			return r.InputString("rule.objectOwnership") == "BucketOwnerEnforced"
		})},
	{ID: "s3-access-logging", Title: "buckets log access, or say why not", Severity: Low,
		Types: []string{typeBucket, typeBucketLogging}, Controls: []string{"FSBP S3.9", "AwsSolutions-S1"},
		Reason: "Server access logs record who did what to which object, for audits and incidents; a bucket without them carries the reason, as the tag " + AccessLoggingOffTag + ", where the plan and the console show it.",
		check:  checkBucketLogging},
	{ID: "s3-public-policy", Title: "bucket policies allow no one without a narrowing condition", Severity: Critical,
		Types: []string{typeBucketPolicy}, Controls: []string{"FSBP S3.2", "FSBP S3.3"},
		Reason: "An Allow for principal \"*\" without a source, account or organization condition opens the bucket to anyone on the internet.",
		check:  checkPublicPolicies(typeBucketPolicy)},

	// SQS
	{ID: "sqs-encryption", Title: "queues are encrypted at rest", Severity: High,
		Types: []string{typeQueue}, Controls: []string{"FSBP SQS.1", "AwsSolutions-SQS2"},
		Reason: "SSE-SQS or a KMS key keeps messages, which often carry personal data, encrypted at rest.",
		check: func(s *scope) {
			for _, q := range s.of(typeQueue) {
				if v, _ := q.Input("sqsManagedSseEnabled"); v != true && q.InputString("kmsMasterKeyId") == "" {
					s.report(q, "not encrypted at rest: sqsManagedSseEnabled is not true and there is no kmsMasterKeyId")
				}
			}
		}},
	{ID: "sqs-tls-only", Title: "queue policies deny every request made without TLS", Severity: High,
		Types: []string{typeQueue, typeQueuePolicy}, Controls: []string{"AwsSolutions-SQS4"},
		Reason: "Only a Deny statement for aws:SecureTransport false, for everyone and every sqs action on the queue, keeps plain-HTTP requests out.",
		check:  checkQueueTLS},
	{ID: "sqs-dead-letter-queue", Title: "queues redrive to a dead-letter queue, or are one", Severity: Medium,
		Types: []string{typeQueue, typeRedrivePolicy}, Controls: []string{"AwsSolutions-SQS3", "Serverless-SQSRedrivePolicy"},
		Reason: "Without a redrive policy a message that always fails is retried until it expires, blocking its consumer's batches and then vanishing unseen.",
		check:  checkQueueDLQ},
	{ID: "sqs-public-policy", Title: "queue policies allow no one without a narrowing condition", Severity: Critical,
		Types: []string{typeQueuePolicy}, Controls: []string{"FSBP SQS.3"},
		Reason: "An Allow for principal \"*\" without a source, account or organization condition lets anyone send, receive or delete messages.",
		check:  checkPublicPolicies(typeQueuePolicy)},
	{ID: "sqs-policy-scoped", Title: "queue policies let a service send for one source of one account", Severity: High,
		Types:  []string{typeQueuePolicy},
		Reason: "A service principal allowed without both aws:SourceArn and aws:SourceAccount can be made to deliver another account's events into the queue (the confused deputy).",
		check:  checkQueuePolicyScoped},

	// Lambda
	{ID: "lambda-supported-runtime", Title: "functions use a runtime AWS still supports", Severity: High,
		Types: []string{typeFunction}, Controls: []string{"FSBP Lambda.2", "AwsSolutions-L1", "Serverless-LambdaLatestVersion"},
		Reason: "A deprecated runtime gets no security patches, and Lambda stops letting it be created and then updated.",
		check:  checkRuntime},
	{ID: "lambda-tracing", Title: "functions trace with X-Ray (Active)", Severity: Low,
		Types: []string{typeFunction}, Controls: []string{"FSBP Lambda.7", "Serverless-LambdaTracing"},
		Reason: "Active tracing shows where a slow or failing request spent its time across API Gateway, the function and the AWS calls it made.",
		check: func(s *scope) {
			for _, f := range s.of(typeFunction) {
				if f.InputString("tracingConfig.mode") != "Active" {
					s.report(f, "tracingConfig.mode is %q, not Active", f.InputString("tracingConfig.mode"))
				}
			}
		}},
	{ID: "lambda-explicit-memory", Title: "functions set their memory size", Severity: Low,
		Types: []string{typeFunction}, Controls: []string{"Serverless-LambdaDefaultMemorySize"},
		Reason: "Memory also sets CPU and cost; Lambda's default of 128 MB is a guess nobody made for this function.",
		check: func(s *scope) {
			for _, f := range s.of(typeFunction) {
				if v, ok := f.Input("memorySize"); !ok || v == float64(0) {
					s.report(f, "memorySize is not set (Lambda's default is 128 MB)")
				}
			}
		}},
	{ID: "lambda-explicit-timeout", Title: "functions set their timeout", Severity: Low,
		Types: []string{typeFunction}, Controls: []string{"Serverless-LambdaDefaultTimeout"},
		Reason: "The timeout bounds a stuck invocation's cost and must fit its callers (API Gateway's 30 s, a queue's visibility timeout); Lambda's default of 3 s is a guess.",
		check: func(s *scope) {
			for _, f := range s.of(typeFunction) {
				if v, ok := f.Input("timeout"); !ok || v == float64(0) {
					s.report(f, "timeout is not set (Lambda's default is 3 s)")
				}
			}
		}},
	{ID: "lambda-failure-destination", Title: "failed events go to a dead-letter queue or failure destination", Severity: Medium,
		Types:    []string{typeEventSource, typeQueue, typeRedrivePolicy, typePermission, typeFunction, typeInvokeConfig},
		Controls: []string{"Serverless-LambdaDLQ", "Serverless-LambdaEventSourceMappingDestination", "Serverless-LambdaAsyncFailureDestination"},
		Reason:   "An event that keeps failing must land where someone can see and replay it: the source queue's DLQ, the mapping's on-failure destination for streams, or the function's DLQ or on-failure destination for asynchronous invokers (S3, SNS, EventBridge).",
		check:    checkFailureDestinations},
	{ID: "lambda-permission-scoped", Title: "every Lambda permission names the one source that may invoke", Severity: Critical,
		Types:  []string{typePermission, typeAPI, typeBucket},
		Reason: "A permission without aws:SourceArn lets any resource of the principal's kind, in any account, invoke the function; for API Gateway the source is one of the program's APIs, for S3 one of its buckets with the account.",
		check:  checkPermissionScoped},
	{ID: "lambda-public-access", Title: "no Lambda permission is open to everyone", Severity: Critical,
		Types: []string{typePermission}, Controls: []string{"FSBP Lambda.1"},
		Reason: "A permission for principal \"*\" without a source ARN, source account or organization lets anyone invoke the function and run up its cost.",
		check: func(s *scope) {
			for _, p := range s.of(typePermission) {
				if p.InputString("principal") == "*" && p.InputString("sourceArn") == "" && p.InputString("sourceAccount") == "" && p.InputString("principalOrgId") == "" {
					s.report(p, "principal \"*\" may invoke %s with no sourceArn, sourceAccount or principalOrgId", p.InputString("function"))
				}
			}
		}},

	// API Gateway
	{ID: "api-access-logging", Title: "API stages write access logs", Severity: Medium,
		Types: []string{typeStage}, Controls: []string{"FSBP APIGateway.9", "AwsSolutions-APIG1", "Serverless-APIGWAccessLogging"},
		Reason: "Access logs are the only record of who called which route, with what answer and latency.",
		check: func(s *scope) {
			for _, st := range s.of(typeStage) {
				if st.InputString("accessLogSettings.destinationArn") == "" || st.InputString("accessLogSettings.format") == "" {
					s.report(st, "no accessLogSettings with a destinationArn and a format")
				}
			}
		}},
	{ID: "api-throttling", Title: "API stages throttle by default", Severity: Medium,
		Types: []string{typeStage}, Controls: []string{"Serverless-APIGWDefaultThrottling"},
		Reason: "Without stage throttling one client can use the account's whole regional API Gateway quota, and the functions' concurrency and cost behind it.",
		check: func(s *scope) {
			for _, st := range s.of(typeStage) {
				burst, _ := st.Input("defaultRouteSettings.throttlingBurstLimit")
				rate, _ := st.Input("defaultRouteSettings.throttlingRateLimit")
				if b, _ := burst.(float64); b <= 0 {
					s.report(st, "defaultRouteSettings.throttlingBurstLimit is not set")
				}
				if r, _ := rate.(float64); r <= 0 {
					s.report(st, "defaultRouteSettings.throttlingRateLimit is not set")
				}
			}
		}},
	{ID: "api-route-authorization", Title: "every route is authorized; a public route is suppressed with its reason", Severity: High,
		Types: []string{typeRoute}, Controls: []string{"FSBP APIGateway.8", "AwsSolutions-APIG4"},
		Reason: "A route with authorization NONE serves anyone; each public route must be accepted by a suppression that says why, so the plan lists every public route with its reason.",
		check:  checkRouteAuthorization},
	{ID: "api-route-integration", Title: "every route targets an integration of the program", Severity: Medium,
		Types:  []string{typeRoute, typeIntegration},
		Reason: "A route whose target is no integration answers 500 to every request.",
		check: func(s *scope) {
			integrations := map[string]bool{}
			for _, r := range s.of(typeIntegration) {
				integrations["integrations/"+r.ID] = true
			}
			for _, r := range s.of(typeRoute) {
				if !integrations[r.InputString("target")] {
					s.report(r, "route %q targets %q, which is no integration", r.InputString("routeKey"), r.InputString("target"))
				}
			}
		}},

	// DynamoDB
	{ID: "dynamodb-pitr", Title: "tables have point-in-time recovery", Severity: High,
		Types: []string{typeTable}, Controls: []string{"FSBP DynamoDB.2", "AwsSolutions-DDB3"},
		Reason: "Point-in-time recovery restores the table to any second of the last 35 days after a bad write or delete.",
		check:  tableFlag("pointInTimeRecovery.enabled")},
	{ID: "dynamodb-encryption", Title: "tables are encrypted with a KMS key", Severity: Medium,
		Types:  []string{typeTable},
		Reason: "serverSideEncryption.enabled puts the table under a KMS key (AWS managed or the customer's), whose use CloudTrail records.",
		check:  tableFlag("serverSideEncryption.enabled")},
	{ID: "dynamodb-deletion-protection", Title: "tables have deletion protection in production", Severity: High, Production: true,
		Types: []string{typeTable}, Controls: []string{"FSBP DynamoDB.6"},
		Reason: "Deletion protection refuses a DeleteTable from any tool, not only from Pulumi.",
		check:  tableFlag("deletionProtectionEnabled")},

	// IAM
	{ID: "iam-policy-json", Title: "identity policies are JSON documents", Severity: High,
		Types:  identityDocTypes,
		Reason: "A policy the rules cannot read cannot be checked.",
		check: func(s *scope) {
			for _, d := range identityDocs(s) {
				if _, err := s.parse(d.text); err != nil {
					s.report(d.owner, "%s is not a JSON policy document: %v", d.where, err)
				}
			}
		}},
	{ID: "iam-no-admin", Title: "no policy allows every action on every resource", Severity: Critical,
		Types: identityDocTypes, Controls: []string{"FSBP IAM.1", "AwsSolutions-IAM5"},
		Reason: "\"*\" on \"*\" is administrator access: whoever holds it can do anything, including grant themselves more.",
		check: func(s *scope) {
			eachStatement(s, func(d policyDoc, i int, st statement) {
				if st.Effect != "Allow" || !slices.Contains(strs(st.Resource), "*") {
					return
				}
				for _, a := range strs(st.Action) {
					if a == "*" || a == "*:*" {
						s.report(d.owner, "%s statement %d allows %q on \"*\"", d.where, i, a)
					}
				}
			})
		}},
	{ID: "iam-explicit-actions", Title: "no wildcard actions: not *, not service:*, not service:Get*", Severity: High,
		Types: identityDocTypes, Controls: []string{"FSBP IAM.21", "AwsSolutions-IAM5"},
		Reason: "A wildcard action grants every present and future action it matches; name each action the code calls.",
		check: func(s *scope) {
			eachStatement(s, func(d policyDoc, i int, st statement) {
				if st.Effect != "Allow" {
					return
				}
				if st.NotAction != nil {
					s.report(d.owner, "%s statement %d allows NotAction: every action but those", d.where, i)
				}
				actions := strs(st.Action)
				if len(actions) == 0 && st.NotAction == nil {
					s.report(d.owner, "%s statement %d has no Action", d.where, i)
				}
				for _, a := range actions {
					if strings.ContainsAny(a, "*?") {
						s.report(d.owner, "%s statement %d allows %q", d.where, i, a)
					}
				}
			})
		}},
	{ID: "iam-explicit-resources", Title: "no wildcard resources, except for actions AWS scopes to none", Severity: High,
		Types: identityDocTypes, Controls: []string{"AwsSolutions-IAM5"},
		Reason: "An action on \"*\" reaches every resource of its kind in the account; only the few actions AWS cannot scope (X-Ray PutTraceSegments) may use it.",
		check: func(s *scope) {
			eachStatement(s, func(d policyDoc, i int, st statement) {
				if st.Effect != "Allow" {
					return
				}
				resources := strs(st.Resource)
				if len(resources) == 0 {
					s.report(d.owner, "%s statement %d has no Resource", d.where, i)
				}
				for _, res := range resources {
					switch {
					case res == "*":
						for _, a := range strs(st.Action) {
							if !slices.Contains(iampolicy.WildcardOnlyActions, a) {
								s.report(d.owner, "%s statement %d allows %q on \"*\"", d.where, i, a)
							}
						}
					case !strings.HasPrefix(res, "arn:"):
						s.report(d.owner, "%s statement %d resource %q is not an ARN", d.where, i, res)
					}
				}
			})
		}},
	{ID: "iam-action-resource", Title: "each action on a resource of the kind it applies to", Severity: High,
		Types:  identityDocTypes,
		Reason: "An action on a resource it does not apply to (s3:GetObject on a bucket ARN) is a grant wider or other than its operation meant, even when every name is explicit.",
		check: func(s *scope) {
			eachStatement(s, func(d policyDoc, i int, st statement) {
				if st.Effect != "Allow" {
					return
				}
				for _, a := range strs(st.Action) {
					if _, known := iampolicy.ActionKinds[a]; !known {
						continue
					}
					for _, res := range strs(st.Resource) {
						if !strings.HasPrefix(res, "arn:") {
							continue // "*" or no ARN: iam-explicit-resources decides
						}
						if msg := iampolicy.CheckActionResource(a, res); msg != "" {
							s.report(d.owner, "statement %d: %s", i, msg)
						}
					}
				}
			})
		}},
	{ID: "iam-known-actions", Title: "only actions the grant vocabulary produces, for the services it covers", Severity: Medium,
		Types:  identityDocTypes,
		Reason: "The components grant operations, not actions; an action of a covered service that no operation produces is a hand-written grant that escaped review.",
		check: func(s *scope) {
			eachStatement(s, func(d policyDoc, i int, st statement) {
				if st.Effect != "Allow" {
					return
				}
				for _, a := range strs(st.Action) {
					if strings.ContainsAny(a, "*?") {
						continue // iam-explicit-actions reports it
					}
					if _, known := iampolicy.ActionKinds[a]; known {
						continue
					}
					if msg := iampolicy.CheckActionResource(a, ""); msg != "" {
						s.report(d.owner, "statement %d: %s", i, msg)
					}
				}
			})
		}},
	{ID: "iam-no-managed-policies", Title: "no AWS managed policies", Severity: Medium,
		Types:    []string{typeRole, typeRoleAttachment, typeUserAttachment, typeGroupAttachment, typePolicyAttachment},
		Controls: []string{"AwsSolutions-IAM4"},
		Reason:   "AWS managed policies grant what AWS decides, usually far more than one function needs, and change without a diff in the program.",
		check:    checkManagedPolicies},

	// Logs, keys, topics
	{ID: "logs-retention", Title: "log groups set a retention", Severity: Low,
		Types: []string{typeLogGroup}, Controls: []string{"Serverless-CloudWatchLogGroupRetentionPeriod"},
		Reason: "A log group without retention keeps (and bills) every event forever.",
		check: func(s *scope) {
			for _, g := range s.of(typeLogGroup) {
				if v, _ := g.Input("retentionInDays"); v == nil || v == float64(0) {
					s.report(g, "retentionInDays is not set: events are kept forever")
				}
			}
		}},
	{ID: "logs-retention-year", Title: "log groups keep a year of events in production", Severity: Medium, Production: true,
		Types: []string{typeLogGroup}, Controls: []string{"FSBP CloudWatch.16"},
		Reason: "Incidents and audits reach back months; production logs are kept at least 365 days.",
		check: func(s *scope) {
			for _, g := range s.of(typeLogGroup) {
				// Zero or unset is logs-retention's to report; unknown (preview) cannot be judged.
				if d, ok := g.Input("retentionInDays"); ok && d != float64(0) && isBelow(d, ProductionRetentionDays) {
					s.report(g, "retentionInDays is %v, below %d", d, ProductionRetentionDays)
				}
			}
		}},
	{ID: "kms-key-rotation", Title: "symmetric KMS keys rotate", Severity: Medium,
		Types: []string{typeKey}, Controls: []string{"FSBP KMS.4", "AwsSolutions-KMS5"},
		Reason: "Yearly rotation limits how much data one key version protects; asymmetric keys cannot rotate and are exempt.",
		check: func(s *scope) {
			for _, k := range s.of(typeKey) {
				spec := k.InputString("customerMasterKeySpec")
				if v, _ := k.Input("enableKeyRotation"); v != true && (spec == "" || spec == "SYMMETRIC_DEFAULT") {
					s.report(k, "enableKeyRotation is not true")
				}
			}
		}},
	{ID: "sns-encryption", Title: "topics are encrypted with a KMS key", Severity: Medium,
		Types: []string{typeTopic}, Controls: []string{"NIST.800.53.R5-SNSEncryptedKMS"},
		Reason: "Alarm notifications name resources and errors; a KMS key keeps them encrypted at rest.",
		check: func(s *scope) {
			for _, t := range s.of(typeTopic) {
				if t.InputString("kmsMasterKeyId") == "" {
					s.report(t, "not encrypted at rest: no kmsMasterKeyId")
				}
			}
		}},

	// Operations
	{ID: "alarms", Title: "every function, API and queue has its alarms", Severity: Medium,
		Types:  []string{typeFunction, typeAPI, typeQueue, typeAlarm},
		Reason: "Errors, throttles, 5xx, latency and stuck messages must page someone; a resource without its alarms fails silently.",
		check:  checkAlarms},
	{ID: "protect-stateful", Title: "stateful resources are protected in production", Severity: High, Production: true,
		Types:  statefulTypes,
		Reason: "protect makes `pulumi destroy` and a replacing change stop before they delete a table or a bucket (or the configuration that secures it).",
		check: func(s *scope) {
			for _, typ := range statefulTypes {
				for _, r := range s.of(typ) {
					if !r.Protect {
						s.report(r, "stateful %s is not protected", r.Type)
					}
				}
			}
		}},
}

// statefulTypes are the resources protect-stateful looks at: tables, buckets and the
// buckets' configuration, whose loss would expose or lose data.
var statefulTypes = []string{typeTable, typeBucket, typeBucketPolicy, typeBucketPAB, typeBucketSSE, typeBucketVersioning,
	typeBucketOwnership, typeBucketLogging, typeBucketLifecycle, typeBucketCORS, typeBucketNotify}

// bucketSatellite is the check that every bucket has a resource of typ, applied to it
// (its bucket input is the bucket's name), that ok accepts.
func bucketSatellite(typ, what string, ok func(componenttest.Resource) bool) func(*scope) {
	return func(s *scope) {
		good := map[string]bool{}
		for _, r := range s.of(typ) {
			if ok(r) {
				good[r.InputString("bucket")] = true
			}
		}
		for _, b := range s.of(typeBucket) {
			if !good[b.ID] {
				s.report(b, "no %s", what)
			}
		}
	}
}

func bucketARN(b componenttest.Resource) string {
	if arn := output(b, "arn"); arn != "" {
		return arn
	}
	return "arn:aws:s3:::" + b.ID
}

func checkBucketTLS(s *scope) {
	policies := docsBy(s, s.of(typeBucketPolicy), "bucket")
	for _, b := range s.of(typeBucket) {
		arn := bucketARN(b)
		if !slices.ContainsFunc(policies[b.ID], func(doc document) bool { return deniesInsecureTransport(doc, "s3", arn, arn+"/*") }) {
			s.report(b, "no bucket policy denies every s3 action on %s and %s/* to requests without TLS (a Deny for aws:SecureTransport false)", arn, arn)
		}
	}
}

// docsBy parses the policy of each resource policy once and groups the documents by the
// input that names their resource (a bucket policy's "bucket", a queue policy's
// "queueUrl"). A policy that does not parse protects nothing and is left out.
func docsBy(s *scope, policies []componenttest.Resource, key string) map[string][]document {
	out := map[string][]document{}
	for _, p := range policies {
		if doc, err := s.parse(p.InputString("policy")); err == nil {
			out[p.InputString(key)] = append(out[p.InputString(key)], doc)
		}
	}
	return out
}

func checkBucketLogging(s *scope) {
	logged := map[string]bool{}
	for _, r := range s.of(typeBucketLogging) {
		if r.InputString("targetBucket") != "" {
			logged[r.InputString("bucket")] = true
		}
	}
	for _, b := range s.of(typeBucket) {
		if strings.TrimSpace(b.InputString("tags."+AccessLoggingOffTag)) != "" {
			continue
		}
		if !logged[b.ID] {
			s.report(b, "no access logging (BucketLoggingV2 with a targetBucket), and no %s tag giving the reason", AccessLoggingOffTag)
		}
	}
}

// checkPublicPolicies is the check that no resource policy of typ allows everyone without a
// narrowing condition.
func checkPublicPolicies(typ string) func(*scope) {
	return func(s *scope) {
		for _, p := range s.of(typ) {
			doc, err := s.parse(p.InputString("policy"))
			if err != nil {
				s.report(p, "policy is not a JSON policy document: %v", err)
				continue
			}
			for _, i := range publicAllows(doc) {
				s.report(p, "statement %d allows principal \"*\" with no source, account or organization condition", i)
			}
		}
	}
}

func checkQueueTLS(s *scope) {
	policies := docsBy(s, s.of(typeQueuePolicy), "queueUrl")
	for _, q := range s.of(typeQueue) {
		arn := output(q, "arn")
		docs := policies[q.ID]
		if url := output(q, "url"); url != "" && url != q.ID {
			docs = append(slices.Clone(docs), policies[url]...)
		}
		if !slices.ContainsFunc(docs, func(doc document) bool { return deniesInsecureTransport(doc, "sqs", arn) }) {
			s.report(q, "no queue policy denies every sqs action on %s to requests without TLS (a Deny for aws:SecureTransport false)", arn)
		}
	}
}

// redriveTarget returns the dead-letter queue ARN of a redrive policy JSON, or "".
func redriveTarget(policy string) string {
	var rp struct{ DeadLetterTargetArn string }
	if json.Unmarshal([]byte(policy), &rp) != nil {
		return ""
	}
	return rp.DeadLetterTargetArn
}

// redrives returns, for each queue (by its id, url and ARN), whether it redrives, and the
// ARNs of the queues that are some queue's dead-letter queue.
func redrives(s *scope) (redriven map[string]bool, dlqs map[string]bool) {
	redriven, dlqs = map[string]bool{}, map[string]bool{}
	for _, q := range s.of(typeQueue) {
		if t := redriveTarget(q.InputString("redrivePolicy")); t != "" {
			redriven[q.ID], redriven[output(q, "arn")] = true, true
			dlqs[t] = true
		}
	}
	for _, r := range s.of(typeRedrivePolicy) {
		if t := redriveTarget(r.InputString("redrivePolicy")); t != "" {
			redriven[r.InputString("queueUrl")] = true
			dlqs[t] = true
		}
	}
	return redriven, dlqs
}

func checkQueueDLQ(s *scope) {
	redriven, dlqs := redrives(s)
	for _, q := range s.of(typeQueue) {
		if !redriven[q.ID] && !redriven[output(q, "url")] && !dlqs[output(q, "arn")] {
			s.report(q, "no redrive policy to a dead-letter queue, and no queue redrives to it")
		}
	}
}

func checkQueuePolicyScoped(s *scope) {
	for _, r := range s.of(typeQueuePolicy) {
		doc, err := s.parse(r.InputString("policy"))
		if err != nil {
			s.report(r, "policy is not a JSON policy document: %v", err)
			continue
		}
		for i, st := range doc.Statement {
			p, _ := st.Principal.(map[string]any)
			if st.Effect != "Allow" || p["Service"] == nil {
				continue
			}
			var arn, account bool
			for op, kv := range st.Condition {
				for k := range kv {
					arn = arn || strings.HasPrefix(op, "Arn") && strings.EqualFold(k, "aws:SourceArn")
					account = account || strings.HasPrefix(op, "String") && strings.EqualFold(k, "aws:SourceAccount")
				}
			}
			if !arn || !account {
				s.report(r, "statement %d lets %v send without both an aws:SourceArn and an aws:SourceAccount condition", i, p["Service"])
			}
		}
	}
}

// deprecatedRuntimes are the Lambda runtimes past their deprecation date (AWS Lambda
// "Runtime deprecation policy"), as of December 2025.
var deprecatedRuntimes = []string{
	"nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x", "nodejs18.x",
	"python2.7", "python3.6", "python3.7", "python3.8", "python3.9",
	"ruby2.5", "ruby2.7", "java8", "go1.x", "provided",
	"dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "dotnet5.0", "dotnet6",
}

func checkRuntime(s *scope) {
	for _, f := range s.of(typeFunction) {
		if f.InputString("packageType") == "Image" {
			continue // the image brings its own runtime
		}
		switch rt := f.InputString("runtime"); {
		case rt == "":
			s.report(f, "no runtime")
		case slices.Contains(deprecatedRuntimes, rt):
			s.report(f, "runtime %s is deprecated", rt)
		}
	}
}

// asyncPrincipals invoke a function asynchronously: their failed events are lost unless the
// function has a DLQ or an on-failure destination.
var asyncPrincipals = []string{"s3.amazonaws.com", "sns.amazonaws.com", "events.amazonaws.com", "iot.amazonaws.com", "ses.amazonaws.com"}

// functionNamed reports whether a function name or ARN input names the recorded function.
func functionNamed(ref string, f componenttest.Resource) bool {
	return ref != "" && (ref == f.ID || ref == output(f, "name") || ref == output(f, "arn") || strings.HasPrefix(ref, output(f, "arn")+":"))
}

func checkFailureDestinations(s *scope) {
	redriven, _ := redrives(s)
	queues := map[string]componenttest.Resource{}
	for _, q := range s.of(typeQueue) {
		queues[output(q, "arn")] = q
	}
	for _, m := range s.of(typeEventSource) {
		src := m.InputString("eventSourceArn")
		if strings.HasPrefix(src, "arn:aws:sqs:") || strings.Contains(src, ":sqs:") {
			q, known := queues[src]
			switch {
			case !known:
				s.report(m, "source queue %s is not in the program: its redrive policy cannot be checked", src)
			case !redriven[q.ID] && !redriven[output(q, "url")]:
				s.report(m, "source queue %s has no redrive policy: a message that always fails is retried until it expires", src)
			}
			continue
		}
		if m.InputString("destinationConfig.onFailure.destinationArn") == "" {
			s.report(m, "no destinationConfig.onFailure for records that fail from %s", src)
		}
	}
	configs := s.of(typeInvokeConfig)
	functions := s.of(typeFunction)
	for _, p := range s.of(typePermission) {
		if !slices.Contains(asyncPrincipals, p.InputString("principal")) {
			continue
		}
		for _, f := range functions {
			if !functionNamed(p.InputString("function"), f) {
				continue
			}
			if f.InputString("deadLetterConfig.targetArn") != "" || slices.ContainsFunc(configs, func(c componenttest.Resource) bool {
				return functionNamed(c.InputString("functionName"), f) && c.InputString("destinationConfig.onFailure.destination") != ""
			}) {
				continue
			}
			s.report(f, "%s invokes it asynchronously, and it has no deadLetterConfig and no on-failure destination", p.InputString("principal"))
		}
	}
}

func checkPermissionScoped(s *scope) {
	var execArns []string
	for _, r := range s.of(typeAPI) {
		if arn := output(r, "executionArn"); arn != "" {
			execArns = append(execArns, arn)
		}
	}
	buckets := map[string]bool{}
	for _, b := range s.of(typeBucket) {
		buckets[bucketARN(b)] = true
	}
	for _, r := range s.of(typePermission) {
		src, principal := r.InputString("sourceArn"), r.InputString("principal")
		switch {
		case src == "":
			s.report(r, "principal %q may invoke it with no sourceArn", principal)
		case principal == "apigateway.amazonaws.com":
			if !slices.ContainsFunc(execArns, func(arn string) bool { return strings.HasPrefix(src, arn+"/") }) {
				s.report(r, "source ARN %q is not below an API's execution ARN", src)
			}
		case principal == "s3.amazonaws.com":
			// A bucket's ARN names no account: without the account, another account's
			// bucket of the same name could invoke the function.
			if !buckets[src] || r.InputString("sourceAccount") == "" {
				s.report(r, "S3 may invoke it for source ARN %q and account %q: name one of the program's buckets and its account", src, r.InputString("sourceAccount"))
			}
		}
	}
}

func checkRouteAuthorization(s *scope) {
	for _, r := range s.of(typeRoute) {
		key := r.InputString("routeKey")
		switch auth := r.InputString("authorizationType"); auth {
		case "JWT", "CUSTOM":
			if r.InputString("authorizerId") == "" {
				s.report(r, "route %q is %s without an authorizer", key, auth)
			}
		case "AWS_IAM":
		case "NONE":
			s.report(r, "route %q is public (authorization NONE): suppress this with the reason it is public, or name an authorizer", key)
		default:
			s.report(r, "route %q has no authorizationType (API Gateway's default is NONE)", key)
		}
	}
}

func tableFlag(path string) func(*scope) {
	return func(s *scope) {
		for _, t := range s.of(typeTable) {
			if v, _ := t.Input(path); v != true {
				s.report(t, "%s is not true", path)
			}
		}
	}
}

// awsManaged reports whether a policy ARN is an AWS managed policy's
// (arn:<partition>:iam::aws:policy/...).
func awsManaged(arn string) bool {
	return strings.HasPrefix(arn, "arn:") && strings.Contains(arn, ":iam::aws:policy/")
}

func checkManagedPolicies(s *scope) {
	for _, typ := range []string{typeRoleAttachment, typeUserAttachment, typeGroupAttachment, typePolicyAttachment} {
		for _, r := range s.of(typ) {
			if arn := r.InputString("policyArn"); awsManaged(arn) {
				s.report(r, "attaches the AWS managed policy %s; grant explicit actions instead", arn)
			}
		}
	}
	for _, r := range s.of(typeRole) {
		for _, arn := range strs(func() any { v, _ := r.Input("managedPolicyArns"); return v }()) {
			if awsManaged(arn) {
				s.report(r, "managedPolicyArns holds the AWS managed policy %s; grant explicit actions instead", arn)
			}
		}
	}
}

func checkAlarms(s *scope) {
	type key struct{ ns, metric, dim, value string }
	have := map[key]bool{}
	for _, a := range s.of(typeAlarm) {
		dims, _ := a.Input("dimensions")
		m, _ := dims.(map[string]any)
		for d, v := range m {
			if str, ok := v.(string); ok {
				have[key{a.InputString("namespace"), a.InputString("metricName"), d, str}] = true
			}
		}
	}
	need := func(r componenttest.Resource, ns, metric, dim, value string) {
		if value != "" && !have[key{ns, metric, dim, value}] {
			s.report(r, "no %s %s alarm for %s=%s", ns, metric, dim, value)
		}
	}
	for _, f := range s.of(typeFunction) {
		need(f, "AWS/Lambda", "Errors", "FunctionName", output(f, "name"))
		need(f, "AWS/Lambda", "Throttles", "FunctionName", output(f, "name"))
	}
	for _, a := range s.of(typeAPI) {
		need(a, "AWS/ApiGateway", "5xx", "ApiId", a.ID)
		need(a, "AWS/ApiGateway", "Latency", "ApiId", a.ID)
	}
	queues := s.of(typeQueue)
	dlqs := map[string]bool{}
	for _, q := range queues {
		if t := redriveTarget(q.InputString("redrivePolicy")); t != "" {
			dlqs[t] = true
		}
	}
	for _, q := range queues {
		if dlqs[output(q, "arn")] {
			need(q, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", output(q, "name"))
		} else {
			need(q, "AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", output(q, "name"))
		}
	}
}

// isBelow reports whether v is a number below limit; an unknown value (preview) is not.
func isBelow(v any, limit float64) bool {
	f, ok := v.(float64)
	return ok && f < limit
}
