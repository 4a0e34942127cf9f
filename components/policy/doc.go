// Package policy is the platform's security and reliability baseline, checked against the
// resources any program registered (as componenttest records them): a service team's program
// and the platform's own stacks answer to the same rules, in their tests.
//
// Each rule is one entry of data (Rules): an ID, a title, a severity, the resource types it
// looks at, its reason, the public controls it answers to (AWS Security Hub Foundational
// Security Best Practices, cdk-nag's AwsSolutions and Serverless packs) and its check.
// Evaluate runs them all and applies Suppressions, each of one rule on one resource with a
// written reason; suppressed violations are reported (Report.Suppressed), never dropped.
//
// The rules are three-valued. In a preview (a componenttest preview recording, or what the
// engine sends a policy pack) the outputs of resources still to be created are unknown, and so
// are the inputs built from them; componenttest.Resource.Unknown tells such a value from one
// never set. A check that needs an unknown value, where a known one could make the rule hold
// or fail, records an undecided outcome (Report.Undecided) instead of a violation; a value
// known in the preview and wrong is a violation there as in the update. So a preview reports
// no violation its update would not, and leaves none of the update's unreported: each is a
// violation or undecided (TestPreviewRecordingsAreEvaluatedWithoutGuessing holds every rule
// case to that). An update-mode recording has no undecided outcome.
//
// # Rules
//
// The table is written from the catalogue (TestDocListsTheCatalogue fails when they differ;
// go test ./components/policy -run TestDocListsTheCatalogue -update rewrites it).
//
// RULES-BEGIN
//   - alarms (medium): every function, API and queue has its alarms. Controls: none.
//   - api-access-logging (medium): API stages write access logs. Controls: FSBP APIGateway.9, AwsSolutions-APIG1, Serverless-APIGWAccessLogging.
//   - api-route-authorization (high): every route is authorized; a public route is suppressed with its reason. Controls: FSBP APIGateway.8, AwsSolutions-APIG4.
//   - api-route-integration (medium): every route targets an integration of the program. Controls: none.
//   - api-throttling (medium): API stages throttle by default. Controls: Serverless-APIGWDefaultThrottling.
//   - dynamodb-deletion-protection (high, production only): tables have deletion protection in production. Controls: FSBP DynamoDB.6.
//   - dynamodb-encryption (medium): tables are encrypted with a KMS key. Controls: none.
//   - dynamodb-pitr (high): tables have point-in-time recovery. Controls: FSBP DynamoDB.2, AwsSolutions-DDB3.
//   - iam-action-resource (high): each action on a resource of the kind it applies to. Controls: none.
//   - iam-explicit-actions (high): no wildcard actions: not *, not service:*, not service:Get*. Controls: FSBP IAM.21, AwsSolutions-IAM5.
//   - iam-explicit-resources (high): no wildcard resources, except for actions AWS scopes to none. Controls: AwsSolutions-IAM5.
//   - iam-known-actions (medium): only actions the grant vocabulary produces, for the services it covers. Controls: none.
//   - iam-no-admin (critical): no policy allows every action on every resource. Controls: FSBP IAM.1, AwsSolutions-IAM5.
//   - iam-no-managed-policies (medium): no AWS managed policies. Controls: AwsSolutions-IAM4.
//   - iam-policy-json (high): identity policies are JSON documents. Controls: none.
//   - iam-role-trust (critical): no role may be assumed by everyone. Controls: none.
//   - kms-key-rotation (medium): symmetric KMS keys rotate. Controls: FSBP KMS.4, AwsSolutions-KMS5.
//   - kms-public-policy (critical): key policies allow no one without a narrowing condition. Controls: none.
//   - lambda-explicit-memory (low): functions set their memory size. Controls: Serverless-LambdaDefaultMemorySize.
//   - lambda-explicit-timeout (low): functions set their timeout. Controls: Serverless-LambdaDefaultTimeout.
//   - lambda-failure-destination (medium): failed events go to a dead-letter queue or failure destination. Controls: Serverless-LambdaDLQ, Serverless-LambdaEventSourceMappingDestination, Serverless-LambdaAsyncFailureDestination.
//   - lambda-permission-scoped (critical): every Lambda permission names the one source that may invoke. Controls: none.
//   - lambda-public-access (critical): no Lambda permission is open to everyone. Controls: FSBP Lambda.1.
//   - lambda-supported-runtime (high): functions use a runtime AWS still supports. Controls: FSBP Lambda.2, AwsSolutions-L1, Serverless-LambdaLatestVersion.
//   - lambda-tracing (low): functions trace with X-Ray (Active). Controls: FSBP Lambda.7, Serverless-LambdaTracing.
//   - lambda-url-authorization (high): function URLs use IAM; a public one is suppressed with its reason. Controls: none.
//   - logs-retention (low): log groups set a retention. Controls: Serverless-CloudWatchLogGroupRetentionPeriod.
//   - logs-retention-year (medium, production only): log groups keep a year of events in production. Controls: FSBP CloudWatch.16.
//   - protect-stateful (high, production only): stateful resources are protected in production. Controls: none.
//   - s3-access-logging (low): buckets log access, or say why not. Controls: FSBP S3.9, AwsSolutions-S1.
//   - s3-encryption (high): buckets encrypt objects by default. Controls: none.
//   - s3-ownership (medium): buckets disable ACLs (BucketOwnerEnforced). Controls: FSBP S3.12.
//   - s3-public-access-block (critical): buckets block every form of public access. Controls: FSBP S3.8, AwsSolutions-S2.
//   - s3-public-policy (critical): bucket policies allow no one without a narrowing condition. Controls: FSBP S3.2, FSBP S3.3.
//   - s3-tls-only (high): bucket policies deny every request made without TLS. Controls: FSBP S3.5, AwsSolutions-S10.
//   - s3-versioning (medium): buckets are versioned. Controls: FSBP S3.14.
//   - sns-encryption (medium): topics are encrypted with a KMS key. Controls: NIST.800.53.R5-SNSEncryptedKMS.
//   - sns-public-policy (critical): topic policies allow no one without a narrowing condition. Controls: none.
//   - sqs-dead-letter-queue (medium): queues redrive to a dead-letter queue, or are one. Controls: AwsSolutions-SQS3, Serverless-SQSRedrivePolicy.
//   - sqs-encryption (high): queues are encrypted at rest. Controls: FSBP SQS.1, AwsSolutions-SQS2.
//   - sqs-policy-scoped (high): queue policies let a service send for one source of one account. Controls: none.
//   - sqs-public-policy (critical): queue policies allow no one without a narrowing condition. Controls: FSBP SQS.3.
//   - sqs-tls-only (high): queue policies deny every request made without TLS. Controls: AwsSolutions-SQS4.
//   - unchecked-type (high): no resource of a type the rules do not read where they read another. Controls: none.
//
// RULES-END
package policy
