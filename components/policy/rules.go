package policy

import (
	"encoding/json"
	"fmt"
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
	typeFunctionURL      = "aws:lambda/functionUrl:FunctionUrl"
	typeKeyPolicy        = "aws:kms/keyPolicy:KeyPolicy"
	typeTopicPolicy      = "aws:sns/topicPolicy:TopicPolicy"
	typeLegacyBucket     = "aws:s3/bucket:Bucket"
	typeRestAPI          = "aws:apigateway/restApi:RestApi"
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
		check: bucketSatellite(typeBucketSSE, "server-side encryption configuration with an sseAlgorithm", func(r componenttest.Resource) verdict {
			return nonEmpty(r, "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm")
		})},
	{ID: "s3-public-access-block", Title: "buckets block every form of public access", Severity: Critical,
		Types: []string{typeBucket, typeBucketPAB}, Controls: []string{"FSBP S3.8", "AwsSolutions-S2"},
		Reason: "The bucket-level public access block refuses public ACLs and public bucket policies, so a later mistake in either cannot expose the objects.",
		check: bucketSatellite(typeBucketPAB, "public access block with all four settings true", func(r componenttest.Resource) verdict {
			out := holds
			for _, f := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
				out = min(out, equals(r, f, true))
			}
			return out
		})},
	{ID: "s3-tls-only", Title: "bucket policies deny every request made without TLS", Severity: High,
		Types: []string{typeBucket, typeBucketPolicy}, Controls: []string{"FSBP S3.5", "AwsSolutions-S10"},
		Reason: "Only a Deny statement for aws:SecureTransport false, for everyone and every s3 action on the bucket and its objects, keeps plain-HTTP requests out; an Allow that mentions the key does not.",
		check:  checkBucketTLS},
	{ID: "s3-versioning", Title: "buckets are versioned", Severity: Medium,
		Types: []string{typeBucket, typeBucketVersioning}, Controls: []string{"FSBP S3.14"},
		Reason: "Versioning keeps overwritten and deleted objects recoverable, from a bug as from an attacker.",
		check: bucketSatellite(typeBucketVersioning, "versioning configuration with status Enabled", func(r componenttest.Resource) verdict {
			return equals(r, "versioningConfiguration.status", "Enabled")
		})},
	{ID: "s3-ownership", Title: "buckets disable ACLs (BucketOwnerEnforced)", Severity: Medium,
		Types: []string{typeBucket, typeBucketOwnership}, Controls: []string{"FSBP S3.12"},
		Reason: "With ACLs disabled the bucket owner owns every object and only policies decide access, so no ACL can grant what the policies do not.",
		check: bucketSatellite(typeBucketOwnership, "ownership controls with BucketOwnerEnforced", func(r componenttest.Resource) verdict {
			return equals(r, "rule.objectOwnership", "BucketOwnerEnforced")
		})},
	{ID: "s3-access-logging", Title: "buckets log access, or say why not", Severity: Low,
		Types: []string{typeBucket, typeBucketLogging}, Controls: []string{"FSBP S3.9", "AwsSolutions-S1"},
		Reason: "Server access logs record who did what to which object, for audits and incidents; a bucket without them carries the reason, as the tag " + AccessLoggingOffTag + ", where the plan and the console show it.",
		check:  checkBucketLogging},
	{ID: "s3-public-policy", Title: "bucket policies allow no one without a narrowing condition", Severity: Critical,
		Types: []string{typeBucketPolicy, typeBucket}, Controls: []string{"FSBP S3.2", "FSBP S3.3"},
		Reason: "An Allow for principal \"*\" without a source, account or organization condition opens the bucket to anyone on the internet.",
		check:  checkPublicPolicies(typeBucketPolicy, typeBucket)},

	// SQS
	{ID: "sqs-encryption", Title: "queues are encrypted at rest", Severity: High,
		Types: []string{typeQueue}, Controls: []string{"FSBP SQS.1", "AwsSolutions-SQS2"},
		Reason: "SSE-SQS or a KMS key keeps messages, which often carry personal data, encrypted at rest.",
		check: func(s *scope) {
			for _, q := range s.of(typeQueue) {
				s.decide(q, max(equals(q, "sqsManagedSseEnabled", true), nonEmpty(q, "kmsMasterKeyId")), unknownOf(q, "sqsManagedSseEnabled", "kmsMasterKeyId"),
					"not encrypted at rest: sqsManagedSseEnabled is not true and there is no kmsMasterKeyId")
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
		Types: []string{typeQueuePolicy, typeQueue}, Controls: []string{"FSBP SQS.3"},
		Reason: "An Allow for principal \"*\" without a source, account or organization condition lets anyone send, receive or delete messages.",
		check:  checkPublicPolicies(typeQueuePolicy, typeQueue)},
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
				s.decide(f, equals(f, "tracingConfig.mode", "Active"), unknownOf(f, "tracingConfig.mode"),
					"tracingConfig.mode is %q, not Active", f.InputString("tracingConfig.mode"))
			}
		}},
	{ID: "lambda-explicit-memory", Title: "functions set their memory size", Severity: Low,
		Types: []string{typeFunction}, Controls: []string{"Serverless-LambdaDefaultMemorySize"},
		Reason: "Memory also sets CPU and cost; Lambda's default of 128 MB is a guess nobody made for this function.",
		check: func(s *scope) {
			for _, f := range s.of(typeFunction) {
				s.decide(f, positive(f, "memorySize"), unknownOf(f, "memorySize"), "memorySize is not set (Lambda's default is 128 MB)")
			}
		}},
	{ID: "lambda-explicit-timeout", Title: "functions set their timeout", Severity: Low,
		Types: []string{typeFunction}, Controls: []string{"Serverless-LambdaDefaultTimeout"},
		Reason: "The timeout bounds a stuck invocation's cost and must fit its callers (API Gateway's 30 s, a queue's visibility timeout); Lambda's default of 3 s is a guess.",
		check: func(s *scope) {
			for _, f := range s.of(typeFunction) {
				s.decide(f, positive(f, "timeout"), unknownOf(f, "timeout"), "timeout is not set (Lambda's default is 3 s)")
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
				narrow := []string{"sourceAccount", "principalOrgId"}
				// A source ARN such as "*" or "arn:aws:s3:::*" names no one source.
				v := max(not(equals(p, "principal", "*")), namesOneSource(p, "sourceArn"))
				for _, n := range narrow {
					v = max(v, nonEmpty(p, n))
				}
				s.decide(p, v, unknownOf(p, append([]string{"principal", "sourceArn"}, narrow...)...),
					"principal \"*\" may invoke %s with no sourceArn naming one source, no sourceAccount and no principalOrgId", p.InputString("function"))
			}
		}},
	{ID: "lambda-url-authorization", Title: "function URLs use IAM; a public one is suppressed with its reason", Severity: High,
		Types:  []string{typeFunctionURL},
		Reason: "A function URL with authorization NONE is an HTTPS endpoint anyone can call, beside the API and its authorizer, throttling and access logs; each must be accepted by a suppression that says why, as a public route is.",
		check: func(s *scope) {
			for _, u := range s.of(typeFunctionURL) {
				auth, ok := known(u, "authorizationType")
				s.decide(u, equals(u, "authorizationType", "AWS_IAM"), unknownOf(u, "authorizationType"),
					"the URL of %s is public (authorizationType %q): suppress this with the reason it is public, or use AWS_IAM", shown(u.InputString("functionName"), !u.Unknown("functionName")), shown(auth, ok))
			}
		}},

	// API Gateway
	{ID: "api-access-logging", Title: "API stages write access logs", Severity: Medium,
		Types: []string{typeStage}, Controls: []string{"FSBP APIGateway.9", "AwsSolutions-APIG1", "Serverless-APIGWAccessLogging"},
		Reason: "Access logs are the only record of who called which route, with what answer and latency.",
		check: func(s *scope) {
			for _, st := range s.of(typeStage) {
				s.decide(st, min(nonEmpty(st, "accessLogSettings.destinationArn"), nonEmpty(st, "accessLogSettings.format")),
					unknownOf(st, "accessLogSettings.destinationArn", "accessLogSettings.format"), "no accessLogSettings with a destinationArn and a format")
			}
		}},
	{ID: "api-throttling", Title: "API stages throttle by default", Severity: Medium,
		Types: []string{typeStage}, Controls: []string{"Serverless-APIGWDefaultThrottling"},
		Reason: "Without stage throttling one client can use the account's whole regional API Gateway quota, and the functions' concurrency and cost behind it.",
		check: func(s *scope) {
			for _, st := range s.of(typeStage) {
				for _, path := range []string{"defaultRouteSettings.throttlingBurstLimit", "defaultRouteSettings.throttlingRateLimit"} {
					s.decide(st, positive(st, path), unknownOf(st, path), "%s is not set", path)
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
			integrations, unknownIDs := map[string]bool{}, false
			for _, r := range s.of(typeIntegration) {
				integrations["integrations/"+r.ID] = !r.IDUnknown
				unknownIDs = unknownIDs || r.IDUnknown
			}
			for _, r := range s.of(typeRoute) {
				target := refAt(r, "target")
				v := boolVerdict(integrations[target.value])
				if target.unknown || v == fails && unknownIDs && strings.HasPrefix(target.value, "integrations/") {
					v = unsure
				}
				s.decide(r, v, "the target or an integration's id is unknown",
					"route %q targets %q, which is no integration", r.InputString("routeKey"), shown(target.value, !target.unknown))
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
				if d.unknown {
					s.undecided(d.owner, "%s of %s is unknown", d.where, d.owner.Name)
				} else if _, err := s.parse(d.text); err != nil {
					s.report(d.owner, "%s is not a JSON policy document: %v", d.where, err)
				}
			}
		}},
	{ID: "iam-no-admin", Title: "no policy allows every action on every resource", Severity: Critical,
		Types: identityDocTypes, Controls: []string{"FSBP IAM.1", "AwsSolutions-IAM5"},
		Reason: "\"*\" on \"*\" is administrator access: whoever holds it can do anything, including grant themselves more.",
		check: func(s *scope) {
			eachStatement(s, func(d policyDoc, i int, st statement) {
				// NotResource is every resource but those; a pattern such as "arn:*" is every
				// resource as much as "*" is.
				if st.Effect != "Allow" || st.NotResource == nil && !slices.ContainsFunc(strs(st.Resource), everyResource) {
					return
				}
				if st.NotAction != nil {
					s.report(d.owner, "%s statement %d allows every action but %v (NotAction) on every resource", d.where, i, strs(st.NotAction))
				}
				for _, a := range strs(st.Action) {
					if everyAction(a) {
						s.report(d.owner, "%s statement %d allows %q on every resource", d.where, i, a)
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
							if !slices.Contains(iampolicy.WildcardOnlyActions, canonicalAction(a)) {
								s.report(d.owner, "%s statement %d allows %q on \"*\"", d.where, i, a)
							}
						}
					case !strings.HasPrefix(res, "arn:"):
						s.report(d.owner, "%s statement %d resource %q is not an ARN", d.where, i, res)
					case wideResource(res) && !namedByAWS(strs(st.Action), res):
						s.report(d.owner, "%s statement %d resource %q names no one resource (a wildcard in its region, account or name)", d.where, i, res)
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
					a = canonicalAction(a)
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
					a = canonicalAction(a)
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
	{ID: "iam-role-trust", Title: "no role may be assumed by everyone", Severity: Critical,
		Types:  []string{typeRole},
		Reason: "A trust policy that lets principal \"*\" (or every account) assume the role without an account or organization condition, or GitHub Actions' OIDC provider without a repository in token.actions.githubusercontent.com:sub, hands the role's permissions to whoever asks STS.",
		check:  checkRoleTrust},

	// Logs, keys, topics
	{ID: "logs-retention", Title: "log groups set a retention", Severity: Low,
		Types: []string{typeLogGroup}, Controls: []string{"Serverless-CloudWatchLogGroupRetentionPeriod"},
		Reason: "A log group without retention keeps (and bills) every event forever.",
		check: func(s *scope) {
			for _, g := range s.of(typeLogGroup) {
				s.decide(g, positive(g, "retentionInDays"), unknownOf(g, "retentionInDays"), "retentionInDays is not set: events are kept forever")
			}
		}},
	{ID: "logs-retention-year", Title: "log groups keep a year of events in production", Severity: Medium, Production: true,
		Types: []string{typeLogGroup}, Controls: []string{"FSBP CloudWatch.16"},
		Reason: "Incidents and audits reach back months; production logs are kept at least 365 days.",
		check: func(s *scope) {
			for _, g := range s.of(typeLogGroup) {
				if g.Unknown("retentionInDays") {
					s.undecided(g, "retentionInDays of %s is unknown", g.Name)
					continue
				}
				// Zero or unset is logs-retention's to report.
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
				spec, specKnown := known(k, "customerMasterKeySpec")
				v := max(equals(k, "enableKeyRotation", true), boolVerdict(spec != "" && spec != "SYMMETRIC_DEFAULT"))
				if v == fails && !specKnown {
					v = unsure
				}
				s.decide(k, v, unknownOf(k, "enableKeyRotation", "customerMasterKeySpec"), "enableKeyRotation is not true")
			}
		}},
	{ID: "kms-public-policy", Title: "key policies allow no one without a narrowing condition", Severity: Critical,
		Types:  []string{typeKeyPolicy, typeKey},
		Reason: "An Allow for principal \"*\" in a key policy, without an account or organization condition, lets anyone use (or manage) the key, whatever their own IAM policies say.",
		check:  checkPublicPolicies(typeKeyPolicy, typeKey)},
	{ID: "sns-public-policy", Title: "topic policies allow no one without a narrowing condition", Severity: Critical,
		Types:  []string{typeTopicPolicy, typeTopic},
		Reason: "An Allow for principal \"*\" in a topic policy, without a source, account or organization condition, lets anyone publish to the topic or subscribe to it and read every message.",
		check:  checkPublicPolicies(typeTopicPolicy, typeTopic)},
	{ID: "sns-encryption", Title: "topics are encrypted with a KMS key", Severity: Medium,
		Types: []string{typeTopic}, Controls: []string{"NIST.800.53.R5-SNSEncryptedKMS"},
		Reason: "Alarm notifications name resources and errors; a KMS key keeps them encrypted at rest.",
		check: func(s *scope) {
			for _, t := range s.of(typeTopic) {
				s.decide(t, nonEmpty(t, "kmsMasterKeyId"), unknownOf(t, "kmsMasterKeyId"), "not encrypted at rest: no kmsMasterKeyId")
			}
		}},

	// Coverage
	{ID: "unchecked-type", Title: "no resource of a type the rules do not read where they read another", Severity: High,
		Types:  []string{typeLegacyBucket, typeRestAPI},
		Reason: "The S3 rules read s3.BucketV2 and its configuration resources, the API rules API Gateway v2; a legacy s3.Bucket or a REST API (v1) would pass every one of them unread.",
		check: func(s *scope) {
			for _, typ := range []string{typeLegacyBucket, typeRestAPI} {
				for _, r := range s.of(typ) {
					s.report(r, "the baseline does not check a %s: use %s, or suppress this with the reason it is reviewed elsewhere", typ, map[string]string{
						typeLegacyBucket: "s3.BucketV2 and its configuration resources", typeRestAPI: "an API Gateway v2 HTTP API"}[typ])
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
// (its bucket input is the bucket's name), that ok accepts. In a preview a satellite whose
// bucket input is unknown may be the bucket's only when it was built from the bucket.
func bucketSatellite(typ, what string, ok func(componenttest.Resource) verdict) func(*scope) {
	return func(s *scope) {
		type sat struct {
			r  componenttest.Resource
			ok verdict
		}
		var sats linked[sat]
		for _, r := range s.of(typ) {
			if v := ok(r); v != fails {
				sats.add(refAt(r, "bucket"), sat{r, v})
			}
		}
		for _, b := range s.of(typeBucket) {
			best, why := fails, ""
			sats.each(b, idKey, func(st sat, named verdict) {
				if v := min(st.ok, named); v > best {
					best, why = v, "the bucket or the settings of "+st.r.Name+" are unknown"
				}
			})
			s.decide(b, best, why, "no %s", what)
		}
	}
}

// bucketARN returns a bucket's ARN, and whether it is known.
func bucketARN(b componenttest.Resource) (string, bool) {
	if b.Unknown("arn") {
		return "", false
	}
	if arn := output(b, "arn"); arn != "" {
		return arn, true
	}
	return "arn:aws:s3:::" + b.ID, !b.IDUnknown
}

// resourcePolicy is a resource policy (a bucket or queue policy): what it applies to, and
// its document unless that is unknown or does not parse.
type resourcePolicy struct {
	r       componenttest.Resource
	target  ref
	doc     document
	unknown bool
	// invalid is true for a document that does not parse: it protects nothing, but it is
	// still a policy of its resource, which may replace another.
	invalid bool
}

// resourcePolicies returns the policies of typ, by the input that names their resource (a
// bucket policy's "bucket", a queue policy's "queueUrl").
func resourcePolicies(s *scope, typ, key string) *linked[resourcePolicy] {
	out := &linked[resourcePolicy]{}
	for _, p := range s.of(typ) {
		rp := resourcePolicy{r: p, target: refAt(p, key), unknown: p.Unknown("policy")}
		if !rp.unknown {
			doc, err := s.parse(p.InputString("policy"))
			rp.doc, rp.invalid = doc, err != nil
		}
		out.add(rp.target, rp)
	}
	return out
}

// onePolicy is what a TLS check found among the policies that may name its subject: the
// best verdict that one of them denies requests without TLS, why it is unsure, and how many
// policies surely and possibly (their reference unknown) name the subject.
type onePolicy struct {
	best        verdict
	why         string
	sure, maybe int
}

// count counts a policy that names the subject (named holds) or may (unsure).
func (o *onePolicy) count(named verdict) {
	if named == holds {
		o.sure++
	} else {
		o.maybe++
	}
}

// verdict is the verdict that the subject's policy denies requests without TLS. S3 and SQS
// keep one policy per bucket or queue, the last one applied, so when several name it the
// TLS Deny of one of them may not hold: that fails when several surely name it, and is
// unsure when several may.
func (o onePolicy) verdict() (verdict, string) {
	if o.sure+o.maybe > 1 && o.best != fails {
		return min(o.best, unsure), fmt.Sprintf("%d policies may name it (their reference is unknown), and only the last applied holds", o.sure+o.maybe)
	}
	return o.best, o.why
}

// inlinePolicy returns the inline policy of a bucket or queue (its "policy" input), and
// whether it has one (or may: unknown). The inline policy and a BucketPolicy or QueuePolicy
// set the same attribute, so only one of them holds.
func inlinePolicy(s *scope, r componenttest.Resource) (resourcePolicy, bool) {
	p := resourcePolicy{r: r, unknown: r.Unknown("policy")}
	if p.unknown {
		return p, true
	}
	text := r.InputString("policy")
	if text == "" {
		return p, false
	}
	doc, err := s.parse(text)
	p.doc, p.invalid = doc, err != nil
	return p, true
}

// Output keys a reference may name a resource by.
var (
	idKey       = []string{"id"}
	queueKeys   = []string{"id", "url"}
	arnKey      = []string{"arn"}
	functionKey = []string{"id", "name", "arn"}
)

// deniesInsecure is the verdict that a policy denies requests without TLS to every action of
// service on arns (the subject's, when known).
func (p resourcePolicy) deniesInsecure(service string, arnsKnown bool, arns ...string) verdict {
	switch {
	case p.unknown:
		return unsure
	case p.invalid:
		return fails
	case !arnsKnown:
		// With no ARN to cover, only a Deny of the right form could turn out to cover it.
		return min(unsure, boolVerdict(deniesInsecureTransport(p.doc, service)))
	}
	return boolVerdict(deniesInsecureTransport(p.doc, service, arns...))
}

func checkBucketTLS(s *scope) {
	policies := resourcePolicies(s, typeBucketPolicy, "bucket")
	for _, b := range s.of(typeBucket) {
		arn, arnKnown := bucketARN(b)
		var found onePolicy
		if p, ok := inlinePolicy(s, b); ok {
			found.count(max(unsure, boolVerdict(!p.unknown))) // an unknown inline policy may be ""
			if v := p.deniesInsecure("s3", arnKnown, arn, arn+"/*"); v > found.best {
				found.best, found.why = v, "the bucket's ARN or its inline policy is unknown"
			}
		}
		policies.each(b, idKey, func(p resourcePolicy, named verdict) {
			found.count(named)
			if v := min(named, p.deniesInsecure("s3", arnKnown, arn, arn+"/*")); v > found.best {
				found.best, found.why = v, "the bucket's ARN, or the bucket or document of "+p.r.Name+", is unknown"
			}
		})
		if found.sure > 1 {
			s.report(b, "%d bucket policies (inline or BucketPolicy) name it: S3 keeps one policy per bucket, the last one applied, so the TLS Deny of one of them may not hold", found.sure)
			continue
		}
		if !arnKnown {
			arn = b.Name + "'s ARN"
		}
		best, why := found.verdict()
		s.decide(b, best, why, "no bucket policy denies every s3 action on %s and %s/* to requests without TLS (a Deny for aws:SecureTransport false)", arn, arn)
	}
}

func checkBucketLogging(s *scope) {
	type logging struct {
		r      componenttest.Resource
		target verdict
	}
	var logs linked[logging]
	for _, r := range s.of(typeBucketLogging) {
		if v := nonEmpty(r, "targetBucket"); v != fails {
			logs.add(refAt(r, "bucket"), logging{r, v})
		}
	}
	for _, b := range s.of(typeBucket) {
		tag := "tags." + AccessLoggingOffTag
		best, why := fails, ""
		if b.Unknown(tag) {
			best, why = unsure, unknownOf(b, tag)
		} else if strings.TrimSpace(b.InputString(tag)) != "" {
			continue
		}
		logs.each(b, idKey, func(l logging, named verdict) {
			if v := min(named, l.target); v > best {
				best, why = v, "the bucket or target of "+l.r.Name+" is unknown"
			}
		})
		s.decide(b, best, why, "no access logging (BucketLoggingV2 with a targetBucket), and no %s tag giving the reason", AccessLoggingOffTag)
	}
}

// checkPublicPolicies is the check that no resource policy of typ, and no inline policy
// (the "policy" input) of the resources of type inline, allows everyone without a narrowing
// condition.
func checkPublicPolicies(typ, inline string) func(*scope) {
	return func(s *scope) {
		for _, p := range append(slices.Clone(s.of(typ)), s.of(inline)...) {
			if p.Unknown("policy") {
				s.undecided(p, "policy of %s is unknown", p.Name)
				continue
			}
			if p.Type == inline && p.InputString("policy") == "" {
				continue // no inline policy
			}
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
	policies := resourcePolicies(s, typeQueuePolicy, "queueUrl")
	for _, q := range s.of(typeQueue) {
		arn, arnKnown := knownOutput(q, "arn")
		var found onePolicy
		if p, ok := inlinePolicy(s, q); ok {
			found.count(max(unsure, boolVerdict(!p.unknown))) // an unknown inline policy may be ""
			if v := p.deniesInsecure("sqs", arnKnown, arn); v > found.best {
				found.best, found.why = v, "the queue's ARN or its inline policy is unknown"
			}
		}
		policies.each(q, queueKeys, func(p resourcePolicy, named verdict) {
			found.count(named)
			if v := min(named, p.deniesInsecure("sqs", arnKnown, arn)); v > found.best {
				found.best, found.why = v, "the queue's ARN, or the queue or document of "+p.r.Name+", is unknown"
			}
		})
		if found.sure > 1 {
			s.report(q, "%d queue policies (inline or QueuePolicy) name it: SQS keeps one policy per queue, the last one applied, so the TLS Deny of one of them may not hold", found.sure)
			continue
		}
		if !arnKnown {
			arn = q.Name + "'s ARN"
		}
		best, why := found.verdict()
		s.decide(q, best, why, "no queue policy denies every sqs action on %s to requests without TLS (a Deny for aws:SecureTransport false)", arn)
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

// redriveIndex holds the program's redrive policies: the queues' own (redrivePolicy inputs)
// and, with resources, those of RedrivePolicy resources.
type redriveIndex struct {
	own       map[string]verdict // queue URN -> the verdict that its own policy redrives
	resources linked[verdict]    // RedrivePolicy resources by queueUrl: the verdict that they redrive
	targets   linked[struct{}]   // every redrive policy by the dead-letter queue it names
}

// redrives indexes the queues' redrive policies, and with resources those of the
// RedrivePolicy resources too.
func redrives(s *scope, resources bool) *redriveIndex {
	idx := &redriveIndex{own: map[string]verdict{}}
	// target is a redrive policy's dead-letter queue: the ARN when the policy is known, and
	// unknown when it is.
	target := func(owner componenttest.Resource) (ref, bool) {
		t := refAt(owner, "redrivePolicy")
		if !t.unknown {
			if t.value = redriveTarget(t.value); t.value == "" {
				return t, false
			}
		}
		return t, true
	}
	for _, q := range s.of(typeQueue) {
		if t, ok := target(q); ok {
			idx.own[q.URN] = t.set()
			idx.targets.add(t, struct{}{})
		}
	}
	if !resources {
		return idx
	}
	for _, r := range s.of(typeRedrivePolicy) {
		if t, ok := target(r); ok {
			idx.resources.add(refAt(r, "queueUrl"), t.set())
			idx.targets.add(t, struct{}{})
		}
	}
	return idx
}

// redriven is the verdict that q redrives to a dead-letter queue.
func (idx *redriveIndex) redriven(q componenttest.Resource) verdict {
	best := idx.own[q.URN]
	idx.resources.each(q, queueKeys, func(set verdict, named verdict) { best = max(best, min(set, named)) })
	return best
}

// isDLQ is the verdict that some redrive policy names q as its dead-letter queue.
func (idx *redriveIndex) isDLQ(q componenttest.Resource) verdict {
	best := fails
	idx.targets.each(q, arnKey, func(_ struct{}, named verdict) { best = max(best, named) })
	return best
}

func checkQueueDLQ(s *scope) {
	rds := redrives(s, true)
	for _, q := range s.of(typeQueue) {
		s.decide(q, max(rds.redriven(q), rds.isDLQ(q)), "a redrive policy or a queue's ARN is unknown", "no redrive policy to a dead-letter queue, and no queue redrives to it")
	}
}

func checkQueuePolicyScoped(s *scope) {
	for _, r := range s.of(typeQueuePolicy) {
		if r.Unknown("policy") {
			s.undecided(r, "policy of %s is unknown", r.Name)
			continue
		}
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
				// Only an operator that holds when the key matches, over values without
				// wildcards, names a source (narrowingOperators says why the others don't).
				if !slices.Contains(narrowingOperators, op) {
					continue
				}
				for k, v := range kv {
					if vals := strs(v); len(vals) > 0 && !containsWildcard(vals) {
						arn = arn || strings.HasPrefix(op, "Arn") && strings.EqualFold(k, "aws:SourceArn")
						account = account || strings.HasPrefix(op, "String") && strings.EqualFold(k, "aws:SourceAccount")
					}
				}
			}
			if !arn || !account {
				s.report(r, "statement %d lets %v send without both an aws:SourceArn and an aws:SourceAccount condition", i, p["Service"])
			}
		}
	}
}

// deprecatedRuntimes are the Lambda runtimes past their deprecation date (AWS Lambda
// "Runtime deprecation policy"), as of December 2026: since December 2025 nodejs20.x
// (April 30, 2026), ruby3.2 (March 31, 2026), python3.10 (June 30, 2026) and dotnet8
// (November 10, 2026). Check the Lambda runtimes table when a date passes.
var deprecatedRuntimes = []string{
	"nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x", "nodejs18.x",
	"python2.7", "python3.6", "python3.7", "python3.8", "python3.9",
	"ruby2.5", "ruby2.7", "java8", "go1.x", "provided",
	"dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "dotnet5.0", "dotnet6",
	"nodejs20.x", "ruby3.2", "python3.10", "dotnet8",
}

func checkRuntime(s *scope) {
	for _, f := range s.of(typeFunction) {
		if f.Unknown("packageType") || f.Unknown("runtime") {
			s.undecided(f, "%s", unknownOf(f, "packageType", "runtime"))
			continue
		}
		if f.InputString("packageType") == "Image" {
			continue // the image brings its own runtime
		}
		switch rt := f.InputString("runtime"); {
		case rt == "":
			s.report(f, "no runtime")
		case slices.ContainsFunc(deprecatedRuntimes, func(d string) bool { return strings.EqualFold(d, rt) }):
			s.report(f, "runtime %s is deprecated", rt)
		}
	}
}

// asyncPrincipals invoke a function asynchronously: their failed events are lost unless the
// function has a DLQ or an on-failure destination.
var asyncPrincipals = []string{"s3.amazonaws.com", "sns.amazonaws.com", "events.amazonaws.com", "iot.amazonaws.com", "ses.amazonaws.com"}

// addFunctionRef indexes item by a function name or ARN input (at path of r), and a
// qualified function ARN (with a version or alias) also by the function's ARN.
func addFunctionRef[T any](l *linked[T], r componenttest.Resource, path string, item T) {
	x := refAt(r, path)
	l.add(x, item)
	if !x.unknown && strings.HasPrefix(x.value, "arn:") && strings.Count(x.value, ":") == 7 {
		l.alias(x.value[:strings.LastIndex(x.value, ":")])
	}
}

func checkFailureDestinations(s *scope) {
	rds := redrives(s, true)
	var queues linked[componenttest.Resource] // by ARN, a mapping's source
	for _, q := range s.of(typeQueue) {
		arn, ok := knownOutput(q, "arn")
		queues.add(ref{value: arn, unknown: !ok}, q)
	}
	for _, m := range s.of(typeEventSource) {
		src := refAt(m, "eventSourceArn")
		if src.unknown {
			s.undecided(m, "eventSourceArn of %s is unknown: whether it is a queue with a redrive policy or needs an on-failure destination", m.Name)
			continue
		}
		if strings.HasPrefix(src.value, "arn:aws:sqs:") || strings.Contains(src.value, ":sqs:") {
			// The source queue: found and redriven, not found, or unsure.
			found, redriven := fails, fails
			for _, i := range queues.byValue[src.value] {
				found, redriven = holds, max(redriven, rds.redriven(queues.items[i]))
			}
			if found == fails {
				for _, i := range queues.unknown { // a queue whose ARN is unknown may be it
					found, redriven = unsure, max(redriven, min(unsure, rds.redriven(queues.items[i])))
				}
			}
			switch {
			case found == fails:
				s.report(m, "source queue %s is not in the program: its redrive policy cannot be checked", src.value)
			default:
				s.decide(m, redriven, "a queue's ARN or redrive policy is unknown",
					"source queue %s has no redrive policy: a message that always fails is retried until it expires", src.value)
			}
			continue
		}
		s.decide(m, nonEmpty(m, "destinationConfig.onFailure.destinationArn"), unknownOf(m, "destinationConfig.onFailure.destinationArn"),
			"no destinationConfig.onFailure for records that fail from %s", src.value)
	}
	type invoker struct {
		r         componenttest.Resource
		principal string
	}
	var invokers linked[invoker] // asynchronous invokers by the function they name
	for _, p := range s.of(typePermission) {
		principal, ok := known(p, "principal")
		switch {
		case !ok:
			s.undecided(p, "principal of %s is unknown: whether it invokes asynchronously", p.Name)
		case slices.Contains(asyncPrincipals, principal):
			addFunctionRef(&invokers, p, "function", invoker{p, principal})
		}
	}
	var destinations linked[verdict] // invoke configs by function: the verdict of an on-failure destination
	for _, c := range s.of(typeInvokeConfig) {
		if v := nonEmpty(c, "destinationConfig.onFailure.destination"); v != fails {
			addFunctionRef(&destinations, c, "functionName", v)
		}
	}
	for _, f := range s.of(typeFunction) {
		var covered verdict = -1 // computed once, for the first invoker
		invokers.each(f, functionKey, func(p invoker, named verdict) {
			if covered < 0 {
				covered = nonEmpty(f, "deadLetterConfig.targetArn")
				destinations.each(f, functionKey, func(dest verdict, named verdict) { covered = max(covered, min(dest, named)) })
			}
			switch {
			case covered == holds:
			case named == holds && covered == fails:
				s.report(f, "%s invokes it asynchronously, and it has no deadLetterConfig and no on-failure destination", p.principal)
			default:
				s.undecided(f, "%s may invoke it asynchronously, and whether it has a deadLetterConfig or on-failure destination is unknown (the function or destinations of %s are unknown)", p.principal, p.r.Name)
			}
		})
	}
}

func checkPermissionScoped(s *scope) {
	// The execution ARNs of the APIs and the ARNs of the buckets, known, and whether any is
	// unknown.
	execArns, execUnknown := map[string]bool{}, false
	for _, a := range s.of(typeAPI) {
		arn, ok := knownOutput(a, "executionArn")
		execArns[arn], execUnknown = arn != "", execUnknown || !ok
	}
	bucketArns, bucketUnknown := map[string]bool{}, false
	for _, b := range s.of(typeBucket) {
		arn, ok := bucketARN(b)
		bucketArns[arn], bucketUnknown = ok, bucketUnknown || !ok
	}
	for _, r := range s.of(typePermission) {
		src, srcKnown := known(r, "sourceArn")
		principal, principalKnown := known(r, "principal")
		switch {
		case srcKnown && src == "":
			s.report(r, "principal %q may invoke it with no sourceArn", principal)
		case srcKnown && wideARN(src):
			s.report(r, "principal %q may invoke it from source ARN %q, which names no one source", shown(principal, principalKnown), src)
		case !principalKnown:
			s.undecided(r, "%s", unknownOf(r, "principal", "sourceArn"))
		case principal == "apigateway.amazonaws.com":
			// An execution ARN has no "/": the source ARN is below one when it is its prefix
			// up to the first "/".
			api, _, below := strings.Cut(src, "/")
			v := boolVerdict(below && execArns[api])
			if v == fails && (!srcKnown || execUnknown) {
				v = unsure
			}
			s.decide(r, v, "the source ARN or an API's execution ARN is unknown", "source ARN %q is not below an API's execution ARN", shown(src, srcKnown))
		case principal == "s3.amazonaws.com":
			// A bucket's ARN names no account: without the account, another account's
			// bucket of the same name could invoke the function.
			v := boolVerdict(bucketArns[src])
			if v == fails && (!srcKnown || bucketUnknown) {
				v = unsure
			}
			v = min(v, nonEmpty(r, "sourceAccount"))
			s.decide(r, v, unknownOf(r, "sourceArn", "sourceAccount")+", or a bucket's ARN is", "S3 may invoke it for source ARN %q and account %q: name one of the program's buckets and its account", shown(src, srcKnown), shown(known(r, "sourceAccount")))
		case !srcKnown:
			s.undecided(r, "%s", unknownOf(r, "sourceArn"))
		}
	}
}

func checkRouteAuthorization(s *scope) {
	for _, r := range s.of(typeRoute) {
		key := r.InputString("routeKey")
		if r.Unknown("authorizationType") {
			s.undecided(r, "route %q: %s", key, unknownOf(r, "authorizationType"))
			continue
		}
		switch auth := r.InputString("authorizationType"); auth {
		case "JWT", "CUSTOM":
			s.decide(r, nonEmpty(r, "authorizerId"), unknownOf(r, "authorizerId"), "route %q is %s without an authorizer", key, auth)
		case "AWS_IAM":
		case "NONE":
			s.report(r, "route %q is public (authorization NONE): suppress this with the reason it is public, or name an authorizer", key)
		case "":
			s.report(r, "route %q has no authorizationType (API Gateway's default is NONE)", key)
		default:
			s.report(r, "route %q has authorizationType %q, which is none of NONE, JWT, CUSTOM, AWS_IAM (they are upper case)", key, auth)
		}
	}
}

func tableFlag(path string) func(*scope) {
	return func(s *scope) {
		for _, t := range s.of(typeTable) {
			s.decide(t, equals(t, path, true), unknownOf(t, path), "%s is not true", path)
		}
	}
}

// namedByAWS reports whether every action is one on resources whose names AWS chooses
// (iampolicy.AnyNameActions), of res's kind, and res names them within one partition,
// region and account: the network interfaces Lambda makes for a function in a VPC.
func namedByAWS(actions []string, res string) bool {
	kind := iampolicy.ResourceKind(res)
	return !wideARN(res) && kind != "" && len(actions) > 0 &&
		!slices.ContainsFunc(actions, func(a string) bool { return iampolicy.AnyNameActions[canonicalAction(a)] != kind })
}

// canonicalAction spells an action as the grant vocabulary does ("S3:getobject" is
// "s3:GetObject"), or with its service prefix in lower case: "The prefix and the action name
// are case insensitive" (IAM User Guide, "IAM JSON policy elements: Action"), so a lookup by
// spelling would let "SQS:DeleteQueue" past the vocabulary.
func canonicalAction(a string) string {
	for k := range iampolicy.ActionKinds {
		if strings.EqualFold(k, a) {
			return k
		}
	}
	if svc, name, ok := strings.Cut(a, ":"); ok {
		return strings.ToLower(svc) + ":" + name
	}
	return a
}

// awsManaged reports whether a policy ARN is an AWS managed policy's
// (arn:<partition>:iam::aws:policy/...).
func awsManaged(arn string) bool {
	return strings.HasPrefix(arn, "arn:") && strings.Contains(arn, ":iam::aws:policy/")
}

func checkManagedPolicies(s *scope) {
	for _, typ := range []string{typeRoleAttachment, typeUserAttachment, typeGroupAttachment, typePolicyAttachment} {
		for _, r := range s.of(typ) {
			if r.Unknown("policyArn") {
				s.undecided(r, "%s: whether it attaches an AWS managed policy", unknownOf(r, "policyArn"))
			} else if arn := r.InputString("policyArn"); awsManaged(arn) {
				s.report(r, "attaches the AWS managed policy %s; grant explicit actions instead", arn)
			}
		}
	}
	for _, r := range s.of(typeRole) {
		if r.Unknown("managedPolicyArns") {
			s.undecided(r, "%s: whether it holds an AWS managed policy", unknownOf(r, "managedPolicyArns"))
			continue
		}
		v, _ := r.Input("managedPolicyArns")
		list, _ := v.([]any)
		for i, e := range list {
			if _, unknown := e.(componenttest.Unknown); unknown {
				s.undecided(r, "managedPolicyArns[%d] of %s unknown: whether it is an AWS managed policy", i, r.Name)
			} else if arn, _ := e.(string); awsManaged(arn) {
				s.report(r, "managedPolicyArns holds the AWS managed policy %s; grant explicit actions instead", arn)
			}
		}
	}
}

// githubOIDC is GitHub Actions' OIDC provider, whose tokens any repository on GitHub can get.
const githubOIDC = "token.actions.githubusercontent.com"

func checkRoleTrust(s *scope) {
	for _, r := range s.of(typeRole) {
		if r.Unknown("assumeRolePolicy") {
			s.undecided(r, "%s: whom it trusts", unknownOf(r, "assumeRolePolicy"))
			continue
		}
		doc, err := s.parse(r.InputString("assumeRolePolicy"))
		if err != nil {
			s.report(r, "assumeRolePolicy is not a JSON policy document: %v", err)
			continue
		}
		for _, i := range publicAllows(doc) {
			s.report(r, "assumeRolePolicy statement %d lets everyone assume it, with no account or organization condition", i)
		}
		for i, st := range doc.Statement {
			p, _ := st.Principal.(map[string]any)
			if st.Effect != "Allow" || !slices.ContainsFunc(strs(p["Federated"]), func(f string) bool { return strings.HasSuffix(f, "/"+githubOIDC) }) {
				continue
			}
			if !namesRepository(st.Condition) {
				s.report(r, "assumeRolePolicy statement %d trusts %s with no %s:sub condition naming one repository: any repository on GitHub may assume it", i, githubOIDC, githubOIDC)
			}
		}
	}
}

// namesRepository reports whether a condition limits GitHub's OIDC subject to repositories
// named without a wildcard ("repo:owner/name:..."; what follows the name may be a pattern).
func namesRepository(cond map[string]map[string]any) bool {
	for op, kv := range cond {
		if !slices.Contains(narrowingOperators, strings.TrimPrefix(op, "ForAnyValue:")) {
			continue
		}
		for k, v := range kv {
			vals := strs(v)
			if !strings.EqualFold(k, githubOIDC+":sub") || len(vals) == 0 {
				continue
			}
			if !slices.ContainsFunc(vals, func(sub string) bool {
				repo, _, _ := strings.Cut(strings.TrimPrefix(sub, "repo:"), ":")
				return !strings.HasPrefix(sub, "repo:") || strings.ContainsAny(repo, "*?") || !strings.Contains(repo, "/")
			}) {
				return true
			}
		}
	}
	return false
}

func checkAlarms(s *scope) {
	type key struct{ ns, metric, dim, value string }
	have := map[key]bool{}
	// fuzzy are the alarms with an unknown namespace, metric, dimensions or dimension value:
	// they may be any alarm that fits what is known of them.
	type alarm struct {
		ns, metric ref
		dims       map[string]any // nil when unknown
	}
	var fuzzy []alarm
	for _, a := range s.of(typeAlarm) {
		al := alarm{ns: refAt(a, "namespace"), metric: refAt(a, "metricName")}
		unknown := al.ns.unknown || al.metric.unknown || a.Unknown("dimensions")
		if !a.Unknown("dimensions") {
			dims, _ := a.Input("dimensions")
			al.dims, _ = dims.(map[string]any)
			for d, v := range al.dims {
				switch v := v.(type) {
				case string:
					have[key{al.ns.value, al.metric.value, d, v}] = true
				case componenttest.Unknown:
					unknown = true
				}
			}
		}
		if unknown {
			fuzzy = append(fuzzy, al)
		}
	}
	is := func(x ref, want string) verdict {
		if x.unknown {
			return unsure
		}
		return boolVerdict(x.value == want)
	}
	// need is the verdict that an alarm watches metric of ns for dimension dim = r's output
	// key.
	need := func(r componenttest.Resource, ns, metric, dim, name string) verdict {
		value, ok := knownOutput(r, name)
		switch {
		case ok && value == "":
			return holds // nothing to alarm on by name
		case ok && have[key{ns, metric, dim, value}]:
			return holds
		}
		out := fails
		for _, a := range fuzzy {
			v := min(is(a.ns, ns), is(a.metric, metric))
			if a.dims == nil {
				out = max(out, min(v, unsure))
				continue
			}
			d, set := a.dims[dim]
			str, isStr := d.(string)
			_, unknown := d.(componenttest.Unknown)
			if set && (unknown || isStr && (!ok || str == value)) {
				out = max(out, min(v, unsure))
			}
		}
		if !ok && out == fails {
			// r's value is unknown: a known alarm of the metric may be r's.
			for k := range have {
				if k.ns == ns && k.metric == metric && k.dim == dim {
					return unsure
				}
			}
		}
		return out
	}
	report := func(r componenttest.Resource, v verdict, ns, metric, dim, key string) {
		value, ok := knownOutput(r, key)
		if !ok {
			value = "(unknown)"
		}
		s.decide(r, v, "the "+key+" of "+r.Name+" or an alarm's dimensions are unknown", "no %s %s alarm for %s=%s", ns, metric, dim, value)
	}
	for _, f := range s.of(typeFunction) {
		for _, m := range []string{"Errors", "Throttles"} {
			report(f, need(f, "AWS/Lambda", m, "FunctionName", "name"), "AWS/Lambda", m, "FunctionName", "name")
		}
	}
	for _, a := range s.of(typeAPI) {
		for _, m := range []string{"5xx", "Latency"} {
			report(a, need(a, "AWS/ApiGateway", m, "ApiId", "id"), "AWS/ApiGateway", m, "ApiId", "id")
		}
	}
	rds := redrives(s, false)
	for _, q := range s.of(typeQueue) {
		visible := need(q, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "name")
		age := need(q, "AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", "name")
		switch rds.isDLQ(q) {
		case holds:
			report(q, visible, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "name")
		case fails:
			report(q, age, "AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", "name")
		default: // a dead-letter queue or not: either alarm may be the one it needs
			report(q, min(max(visible, age), max(unsure, min(visible, age))), "AWS/SQS", "ApproximateNumberOfMessagesVisible or ApproximateAgeOfOldestMessage", "QueueName", "name")
		}
	}
}

// namesOneSource is the verdict that the ARN input at path is set and names one resource
// (see wideARN).
func namesOneSource(r componenttest.Resource, path string) verdict {
	v, ok := known(r, path)
	if !ok {
		return unsure
	}
	return boolVerdict(!wideARN(v))
}

// positive is the verdict that the input at path is a number above zero.
func positive(r componenttest.Resource, path string) verdict {
	if r.Unknown(path) {
		return unsure
	}
	v, _ := r.Input(path)
	f, _ := v.(float64)
	return boolVerdict(f > 0)
}

// isBelow reports whether v is a number below limit; an unknown value (preview) is not.
func isBelow(v any, limit float64) bool {
	f, ok := v.(float64)
	return ok && f < limit
}
