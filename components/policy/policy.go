// Package policy is the platform's security and reliability baseline, checked against the
// resources any program registered (as componenttest records them): a service team's program
// and the platform's own stacks answer to the same rules, in their tests.
//
// Check reads update-mode recordings: in preview, values built from other resources' outputs
// are unknown and the checks that need them cannot decide.
package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/internal/iampolicy"
)

// Severity says how bad a violation of a rule is.
type Severity string

// The severities, from the worst.
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
)

// Rule is one rule of the baseline, as data.
type Rule struct {
	// ID names the rule in violations and suppressions, such as "s3-tls-only". It never
	// changes once released.
	ID string
	// Title says in a line what the rule demands.
	Title string
	// Severity is how bad a violation is.
	Severity Severity
	// Types are the resource type tokens the rule looks at.
	Types []string
	// Reason says why the rule exists.
	Reason string
	// Controls are the public controls the rule answers to: AWS Security Hub FSBP ids
	// ("FSBP S3.5") and cdk-nag ids ("AwsSolutions-S10", "Serverless-LambdaTracing").
	Controls []string
	// Production is true for a rule that holds only where Options.Production is set.
	Production bool
}

// Violation is one broken rule on one resource.
type Violation struct {
	// Rule is the rule's ID, such as "iam-explicit-resources".
	Rule string
	// Severity is the rule's severity.
	Severity Severity
	// Resource is the offending resource's URN.
	Resource string
	// Message says what is wrong.
	Message string
	// Suppression is the reason a suppression gave for this violation; empty when the
	// violation is not suppressed.
	Suppression string
}

func (v Violation) String() string { return v.Rule + ": " + v.Resource + ": " + v.Message }

// Suppression accepts the violations of one rule on one resource, for a written reason.
type Suppression struct {
	// Rule is the rule's ID.
	Rule string
	// Resource names the resource: its URN, or its type and logical name as
	// "aws:s3/bucketV2:BucketV2::archive", which holds for every stack of the program.
	Resource string
	// Reason says why the violation is accepted. It is required.
	Reason string
}

// Options select the rules that depend on the environment, and the suppressions.
type Options struct {
	// Production applies the rules that hold only in production (Rule.Production), such as
	// protected stateful resources and a year of log retention.
	Production bool
	// Suppressions accept violations, each of one rule on one resource.
	Suppressions []Suppression
}

// Report is the outcome of Check.
type Report struct {
	// Violations are the violations no suppression accepts, sorted by rule and resource.
	Violations []Violation
	// Suppressed are the violations a suppression accepts, with its reason, sorted alike.
	Suppressed []Violation
	// Unused are the suppressions that accepted no violation: the resource complies now, and
	// the suppression can go.
	Unused []Suppression
}

// Rules returns the baseline's rules, sorted by ID.
func Rules() []Rule {
	out := slices.Clone(catalogue)
	slices.SortFunc(out, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// catalogue is every rule (the checks below report by these IDs).
var catalogue = []Rule{
	{ID: "alarms", Title: "every function, API and queue has its alarms", Severity: Medium},
	{ID: "api-route-authorization", Title: "every route is authorized or explicitly public", Severity: High},
	{ID: "api-route-integration", Title: "every route targets an integration", Severity: Medium},
	{ID: "bucket-baseline", Title: "buckets are private, encrypted, versioned and TLS-only", Severity: High},
	{ID: "iam-action-resource", Title: "each action on a resource it applies to", Severity: High},
	{ID: "iam-explicit-actions", Title: "no wildcard actions", Severity: High},
	{ID: "iam-explicit-resources", Title: "no wildcard resources", Severity: High},
	{ID: "iam-known-actions", Title: "only actions the grant vocabulary produces", Severity: Medium},
	{ID: "iam-no-managed-policies", Title: "no managed policies", Severity: Medium},
	{ID: "iam-policy-json", Title: "policies are JSON", Severity: High},
	{ID: "kms-key-rotation", Title: "KMS keys rotate", Severity: Medium},
	{ID: "lambda-permission-scoped", Title: "permissions are scoped to a source", Severity: Critical},
	{ID: "log-retention", Title: "log groups expire", Severity: Low},
	{ID: "protect-stateful", Title: "stateful resources are protected", Severity: High, Production: true},
	{ID: "queue-baseline", Title: "queues are encrypted and TLS-only", Severity: High},
	{ID: "queue-policy-scoped", Title: "queue policies scope services to a source", Severity: High},
	{ID: "table-baseline", Title: "tables are recoverable and encrypted", Severity: High},
	{ID: "topic-baseline", Title: "topics are encrypted", Severity: Medium},
}

// Check returns the violations Evaluate reports that no suppression accepts. When a
// suppression is invalid, it returns one violation of rule "suppression" for each mistake
// instead, so a test that expects no violation fails on it.
func Check(resources []componenttest.Resource, opts Options) []Violation {
	rep, err := Evaluate(resources, opts)
	if err != nil {
		var out []Violation
		for _, e := range unjoin(err) {
			out = append(out, Violation{Rule: "suppression", Severity: Critical, Message: e.Error()})
		}
		return out
	}
	return rep.Violations
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// Evaluate evaluates every rule over the recorded resources and applies the suppressions. A
// suppression that names no rule of the baseline, or no recorded resource, or gives no
// reason, is an error, and nothing is evaluated.
func Evaluate(resources []componenttest.Resource, opts Options) (Report, error) {
	rules := map[string]Rule{}
	for _, r := range catalogue {
		rules[r.ID] = r
	}
	var errs []error
	for i, s := range opts.Suppressions {
		switch {
		case rules[s.Rule].ID == "":
			errs = append(errs, fmt.Errorf("suppression %d: rule %q is no rule of the baseline", i, s.Rule))
		case strings.TrimSpace(s.Reason) == "":
			errs = append(errs, fmt.Errorf("suppression %d (%s on %s): no reason given", i, s.Rule, s.Resource))
		case !slices.ContainsFunc(resources, func(r componenttest.Resource) bool { return names(s, r.URN) }):
			errs = append(errs, fmt.Errorf("suppression %d (%s): resource %q is not in the program", i, s.Rule, s.Resource))
		}
	}
	if len(errs) > 0 {
		return Report{}, errors.Join(errs...)
	}
	c := checker{all: resources}
	c.iam()
	c.apis()
	c.alarms()
	c.storage()
	c.queues()
	c.topicsAndKeys()
	c.queuePolicies()
	if opts.Production {
		c.protect()
	}
	sort.SliceStable(c.out, func(i, j int) bool {
		if c.out[i].Rule != c.out[j].Rule {
			return c.out[i].Rule < c.out[j].Rule
		}
		return c.out[i].Resource < c.out[j].Resource
	})
	var rep Report
	used := make([]bool, len(opts.Suppressions))
	for _, v := range c.out {
		v.Severity = rules[v.Rule].Severity
		i := slices.IndexFunc(opts.Suppressions, func(s Suppression) bool { return s.Rule == v.Rule && names(s, v.Resource) })
		if i < 0 {
			rep.Violations = append(rep.Violations, v)
			continue
		}
		used[i] = true
		v.Suppression = opts.Suppressions[i].Reason
		rep.Suppressed = append(rep.Suppressed, v)
	}
	for i, s := range opts.Suppressions {
		if !used[i] {
			rep.Unused = append(rep.Unused, s)
		}
	}
	return rep, nil
}

// names reports whether a suppression names the resource with this URN: the URN itself, or
// its type and logical name (the URN's end after its last parent type).
func names(s Suppression, urn string) bool {
	return s.Resource == urn || strings.HasSuffix(urn, "::"+s.Resource) || strings.HasSuffix(urn, "$"+s.Resource)
}

// Resource type tokens the rules look at.
const (
	typeRolePolicy  = "aws:iam/rolePolicy:RolePolicy"
	typeAttachment  = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	typeFunction    = "aws:lambda/function:Function"
	typePermission  = "aws:lambda/permission:Permission"
	typeAPI         = "aws:apigatewayv2/api:Api"
	typeRoute       = "aws:apigatewayv2/route:Route"
	typeIntegration = "aws:apigatewayv2/integration:Integration"
	typeQueue       = "aws:sqs/queue:Queue"
	typeQueuePolicy = "aws:sqs/queuePolicy:QueuePolicy"
	typeTopic       = "aws:sns/topic:Topic"
	typeKey         = "aws:kms/key:Key"
	typeAlarm       = "aws:cloudwatch/metricAlarm:MetricAlarm"
	typeTable       = "aws:dynamodb/table:Table"
	typeBucket      = "aws:s3/bucketV2:BucketV2"
	typeLogGroup    = "aws:cloudwatch/logGroup:LogGroup"
)

type checker struct {
	all []componenttest.Resource
	out []Violation
}

func (c *checker) add(rule string, r componenttest.Resource, format string, args ...any) {
	c.out = append(c.out, Violation{Rule: rule, Resource: r.URN, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) byType(typ string) []componenttest.Resource {
	var out []componenttest.Resource
	for _, r := range c.all {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

func (c *checker) output(r componenttest.Resource, key string) string {
	v, _ := r.Output(key)
	s, _ := v.(string)
	return s
}

// iam: role policies name explicit actions on explicit ARNs, each on a resource it applies
// to; no managed policies.
func (c *checker) iam() {
	for _, r := range c.byType(typeAttachment) {
		c.add("iam-no-managed-policies", r, "attaches %s; grant explicit actions instead", r.InputString("policyArn"))
	}
	for _, r := range c.byType(typeRolePolicy) {
		var doc struct {
			Statement []struct {
				Effect   string
				Action   any
				Resource any
			}
		}
		if err := json.Unmarshal([]byte(r.InputString("policy")), &doc); err != nil {
			c.add("iam-policy-json", r, "policy is not JSON: %v", err)
			continue
		}
		for i, st := range doc.Statement {
			actions, resources := strs(st.Action), strs(st.Resource)
			if st.Effect == "Allow" {
				c.actionResources(r, i, actions, resources)
			}
			if len(actions) == 0 {
				c.add("iam-explicit-actions", r, "statement %d has no Action list", i)
			}
			for _, a := range actions {
				if strings.ContainsAny(a, "*?") {
					c.add("iam-explicit-actions", r, "statement %d allows %q", i, a)
				}
			}
			if len(resources) == 0 {
				c.add("iam-explicit-resources", r, "statement %d has no Resource", i)
			}
			for _, res := range resources {
				switch {
				case res == "*":
					for _, a := range actions {
						if !slices.Contains(iampolicy.WildcardOnlyActions, a) {
							c.add("iam-explicit-resources", r, "statement %d allows %q on \"*\"", i, a)
						}
					}
				case !strings.HasPrefix(res, "arn:"):
					c.add("iam-explicit-resources", r, "statement %d resource %q is not an ARN", i, res)
				}
			}
		}
	}
}

// actionResources: each allowed action of the services the grant vocabulary covers is one
// it produces (iam-known-actions), on a resource of a kind it applies to
// (iam-action-resource), so a grant wider than its operations shows even when every action
// and ARN is explicit.
func (c *checker) actionResources(r componenttest.Resource, i int, actions, resources []string) {
	for _, a := range actions {
		if strings.ContainsAny(a, "*?") {
			continue // iam-explicit-actions reports it
		}
		if _, known := iampolicy.ActionKinds[a]; !known {
			if msg := iampolicy.CheckActionResource(a, ""); msg != "" {
				c.add("iam-known-actions", r, "statement %d: %s", i, msg)
			}
			continue
		}
		for _, res := range resources {
			if !strings.HasPrefix(res, "arn:") {
				continue // "*" or no ARN: iam-explicit-resources decides
			}
			if msg := iampolicy.CheckActionResource(a, res); msg != "" {
				c.add("iam-action-resource", r, "statement %d: %s", i, msg)
			}
		}
	}
}

// apis: every route targets a registered integration and carries an authorization decision;
// every Lambda permission is scoped to an API's execution ARN.
func (c *checker) apis() {
	integrations := map[string]bool{}
	for _, r := range c.byType(typeIntegration) {
		integrations["integrations/"+r.ID] = true
	}
	for _, r := range c.byType(typeRoute) {
		if !integrations[r.InputString("target")] {
			c.add("api-route-integration", r, "route %q targets %q, which is no integration", r.InputString("routeKey"), r.InputString("target"))
		}
		switch auth := r.InputString("authorizationType"); auth {
		case "JWT", "AWS_IAM", "CUSTOM":
			if auth != "AWS_IAM" && r.InputString("authorizerId") == "" {
				c.add("api-route-authorization", r, "route %q is %s without an authorizer", r.InputString("routeKey"), auth)
			}
		case "NONE":
			// Public, explicitly: the api component only writes NONE for routes marked Public.
		default:
			c.add("api-route-authorization", r, "route %q has no authorization decision", r.InputString("routeKey"))
		}
	}
	var execArns []string
	for _, r := range c.byType(typeAPI) {
		if arn := c.output(r, "executionArn"); arn != "" {
			execArns = append(execArns, arn)
		}
	}
	buckets := map[string]bool{}
	for _, b := range c.byType(typeBucket) {
		buckets[c.output(b, "arn")] = true
	}
	for _, r := range c.byType(typePermission) {
		src := r.InputString("sourceArn")
		switch r.InputString("principal") {
		case "apigateway.amazonaws.com":
			if !slices.ContainsFunc(execArns, func(arn string) bool { return strings.HasPrefix(src, arn+"/") }) {
				c.add("lambda-permission-scoped", r, "source ARN %q is not below an API's execution ARN", src)
			}
		case "s3.amazonaws.com":
			// A bucket's ARN names no account: without the account, another account's
			// bucket of the same name could invoke the function.
			if !buckets[src] || r.InputString("sourceAccount") == "" {
				c.add("lambda-permission-scoped", r, "S3 may invoke it for source ARN %q and account %q: name one of the program's buckets and its account",
					src, r.InputString("sourceAccount"))
			}
		}
	}
}

// alarms: every function, API and queue has its alarms.
func (c *checker) alarms() {
	type key struct{ ns, metric, dim, value string }
	have := map[key]bool{}
	for _, a := range c.byType(typeAlarm) {
		dims, _ := a.Input("dimensions")
		m, _ := dims.(map[string]any)
		for d, v := range m {
			if s, ok := v.(string); ok {
				have[key{a.InputString("namespace"), a.InputString("metricName"), d, s}] = true
			}
		}
	}
	need := func(r componenttest.Resource, ns, metric, dim, value string) {
		if value != "" && !have[key{ns, metric, dim, value}] {
			c.add("alarms", r, "no %s %s alarm for %s=%s", ns, metric, dim, value)
		}
	}
	for _, f := range c.byType(typeFunction) {
		need(f, "AWS/Lambda", "Errors", "FunctionName", c.output(f, "name"))
		need(f, "AWS/Lambda", "Throttles", "FunctionName", c.output(f, "name"))
	}
	for _, a := range c.byType(typeAPI) {
		need(a, "AWS/ApiGateway", "5xx", "ApiId", a.ID)
		need(a, "AWS/ApiGateway", "Latency", "ApiId", a.ID)
	}
	dlqs := map[string]bool{}
	for _, q := range c.byType(typeQueue) {
		var rp struct{ DeadLetterTargetArn string }
		if json.Unmarshal([]byte(q.InputString("redrivePolicy")), &rp) == nil && rp.DeadLetterTargetArn != "" {
			dlqs[rp.DeadLetterTargetArn] = true
		}
	}
	for _, q := range c.byType(typeQueue) {
		if dlqs[c.output(q, "arn")] {
			need(q, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", c.output(q, "name"))
		} else {
			need(q, "AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", c.output(q, "name"))
		}
	}
}

// storage: buckets private, encrypted and TLS-only; tables recoverable and encrypted; log
// groups expire.
func (c *checker) storage() {
	bucketRule := map[string]func(componenttest.Resource) bool{
		"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": func(r componenttest.Resource) bool {
			for _, f := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
				if v, _ := r.Input(f); v != true {
					return false
				}
			}
			return true
		},
		"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": func(r componenttest.Resource) bool {
			return r.InputString("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm") != ""
		},
		"aws:s3/bucketOwnershipControls:BucketOwnershipControls": func(r componenttest.Resource) bool {
			return r.InputString("rule.objectOwnership") == "BucketOwnerEnforced"
		},
		"aws:s3/bucketVersioningV2:BucketVersioningV2": func(r componenttest.Resource) bool {
			return r.InputString("versioningConfiguration.status") == "Enabled"
		},
		"aws:s3/bucketPolicy:BucketPolicy": func(r componenttest.Resource) bool {
			return strings.Contains(r.InputString("policy"), `"aws:SecureTransport":"false"`)
		},
	}
	for _, b := range c.byType(typeBucket) {
		for _, typ := range slices.Sorted(maps.Keys(bucketRule)) {
			ok := slices.ContainsFunc(c.byType(typ), func(r componenttest.Resource) bool {
				return r.InputString("bucket") == b.ID && bucketRule[typ](r)
			})
			if !ok {
				c.add("bucket-baseline", b, "no compliant %s", typ[strings.LastIndex(typ, ":")+1:])
			}
		}
	}
	for _, t := range c.byType(typeTable) {
		for _, p := range []string{"pointInTimeRecovery.enabled", "serverSideEncryption.enabled"} {
			if v, _ := t.Input(p); v != true {
				c.add("table-baseline", t, "%s is not true", p)
			}
		}
	}
	for _, g := range c.byType(typeLogGroup) {
		if v, _ := g.Input("retentionInDays"); v == nil || v == float64(0) {
			c.add("log-retention", g, "log group keeps events forever")
		}
	}
}

// queues: every queue is encrypted at rest (SSE-SQS or a KMS key) and has a queue policy that
// refuses every request made without TLS.
func (c *checker) queues() {
	policies := c.byType(typeQueuePolicy)
	for _, q := range c.byType(typeQueue) {
		if v, _ := q.Input("sqsManagedSseEnabled"); v != true && q.InputString("kmsMasterKeyId") == "" {
			c.add("queue-baseline", q, "not encrypted at rest: sqsManagedSseEnabled is not true and there is no kmsMasterKeyId")
		}
		if !slices.ContainsFunc(policies, func(p componenttest.Resource) bool {
			return p.InputString("queueUrl") == q.ID && deniesInsecureTransport(p.InputString("policy"))
		}) {
			c.add("queue-baseline", q, "no queue policy denies requests without TLS (aws:SecureTransport false)")
		}
	}
}

// deniesInsecureTransport reports whether a resource policy has a Deny statement for
// requests whose aws:SecureTransport is false.
func deniesInsecureTransport(policy string) bool {
	var doc struct {
		Statement []struct {
			Effect    string
			Condition map[string]map[string]any
		}
	}
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return false
	}
	for _, st := range doc.Statement {
		if st.Effect == "Deny" && fmt.Sprint(st.Condition["Bool"]["aws:SecureTransport"]) == "false" {
			return true
		}
	}
	return false
}

// topicsAndKeys: every SNS topic is encrypted with a KMS key; every symmetric KMS key rotates
// (AWS Security Hub KMS.4).
func (c *checker) topicsAndKeys() {
	for _, t := range c.byType(typeTopic) {
		if t.InputString("kmsMasterKeyId") == "" {
			c.add("topic-baseline", t, "not encrypted at rest: no kmsMasterKeyId")
		}
	}
	for _, k := range c.byType(typeKey) {
		spec := k.InputString("customerMasterKeySpec")
		if v, _ := k.Input("enableKeyRotation"); v != true && (spec == "" || spec == "SYMMETRIC_DEFAULT") {
			c.add("kms-key-rotation", k, "enableKeyRotation is not true")
		}
	}
}

// queuePolicies: a queue policy lets an AWS service send only on behalf of one resource of
// one account (aws:SourceArn and aws:SourceAccount), so no one else can make the service
// deliver into the queue (the confused deputy).
func (c *checker) queuePolicies() {
	for _, r := range c.byType(typeQueuePolicy) {
		var doc struct {
			Statement []struct {
				Effect    string
				Principal any
				Condition map[string]map[string]any
			}
		}
		if err := json.Unmarshal([]byte(r.InputString("policy")), &doc); err != nil {
			c.add("queue-policy-scoped", r, "policy is not JSON: %v", err)
			continue
		}
		for i, st := range doc.Statement {
			p, _ := st.Principal.(map[string]any)
			if st.Effect != "Allow" || p["Service"] == nil {
				continue
			}
			var arn, account bool
			for op, kv := range st.Condition {
				arn = arn || strings.HasPrefix(op, "Arn") && kv["aws:SourceArn"] != nil
				account = account || strings.HasPrefix(op, "String") && kv["aws:SourceAccount"] != nil
			}
			if !arn || !account {
				c.add("queue-policy-scoped", r, "statement %d lets %v send without both an aws:SourceArn and an aws:SourceAccount condition", i, p["Service"])
			}
		}
	}
}

// protect: stateful resources, with their children, are protected.
func (c *checker) protect() {
	for _, r := range c.all {
		switch {
		case r.Type == typeTable, strings.HasPrefix(r.Type, "aws:s3/bucket"):
			if !r.Protect {
				c.add("protect-stateful", r, "stateful %s is not protected", r.Type)
			}
		}
	}
}

// strs reads an IAM Action or Resource, which is a string or a list of strings.
func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
