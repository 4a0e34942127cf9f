package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/groundwork-dev/groundwork/internal/plan"
)

// shown are the input properties the tree prints for a resource type, in order: the ones a
// reviewer decides on (names, sizes, authorization, encryption, retention). Paths use "." for
// objects and "[i]" for lists.
var shown = map[string][]string{
	"pulumi:providers:aws":                         {"region", "allowedAccountIds"},
	"aws:lambda/function:Function":                 {"runtime", "architectures", "memorySize", "timeout", "tracingConfig.mode", "reservedConcurrentExecutions", "code"},
	"aws:cloudwatch/logGroup:LogGroup":             {"retentionInDays", "kmsKeyId"},
	"aws:dynamodb/table:Table":                     {"hashKey", "rangeKey", "billingMode", "pointInTimeRecovery.enabled", "serverSideEncryption.enabled", "deletionProtectionEnabled", "ttl.attributeName"},
	"aws:s3/bucketV2:BucketV2":                     {"forceDestroy"},
	"aws:s3/bucketVersioningV2:BucketVersioningV2": {"versioningConfiguration.status"},
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": {"rules[0].applyServerSideEncryptionByDefault.sseAlgorithm", "rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId"},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":                                     {"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"},
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":                                     {"rule.objectOwnership"},
	"aws:sqs/queue:Queue":                              {"fifoQueue", "visibilityTimeoutSeconds", "messageRetentionSeconds", "sqsManagedSseEnabled", "kmsMasterKeyId", "redrivePolicy"},
	"aws:apigatewayv2/api:Api":                         {"protocolType"},
	"aws:apigatewayv2/stage:Stage":                     {"autoDeploy", "defaultRouteSettings.throttlingBurstLimit", "defaultRouteSettings.throttlingRateLimit"},
	"aws:apigatewayv2/integration:Integration":         {"integrationType", "payloadFormatVersion"},
	"aws:apigatewayv2/route:Route":                     {"routeKey", "authorizationType", "authorizationScopes"},
	"aws:apigatewayv2/authorizer:Authorizer":           {"authorizerType", "jwtConfiguration.issuer", "jwtConfiguration.audiences"},
	"aws:lambda/permission:Permission":                 {"principal", "sourceArn"},
	"aws:lambda/eventSourceMapping:EventSourceMapping": {"batchSize", "functionResponseTypes", "scalingConfig.maximumConcurrency"},
	"aws:sns/topic:Topic":                              {"kmsMasterKeyId"},
	"aws:sns/topicSubscription:TopicSubscription":      {"protocol", "endpoint"},
	"aws:kms/key:Key":                                  {"enableKeyRotation", "deletionWindowInDays"},
	"aws:cloudwatch/metricAlarm:MetricAlarm":           {"namespace", "metricName", "threshold"},
}

// writeTree prints each stack's resources as a tree (children under their parents, sorted by
// name and type), then its baseline result.
func writeTree(out *bytes.Buffer, p *plan.Plan) {
	for i, s := range p.Stacks {
		if i > 0 {
			out.WriteByte('\n')
		}
		fmt.Fprintf(out, "stack %s (project %s, tier %s): %d resources\n", s.Stack, s.Project, s.Tier, len(s.Resources))
		writeChildren(out, &s, children(&s), "", 1)
		writeBaselineText(out, s.Baseline)
	}
}

// children indexes a stack's resources by parent URN ("" for the top), each list sorted by
// name, then type.
func children(s *plan.Stack) map[string][]*plan.Resource {
	m := map[string][]*plan.Resource{}
	for i := range s.Resources {
		r := &s.Resources[i]
		m[r.Parent] = append(m[r.Parent], r)
	}
	for _, list := range m {
		slices.SortFunc(list, func(a, b *plan.Resource) int {
			if c := strings.Compare(a.Name, b.Name); c != 0 {
				return c
			}
			return strings.Compare(a.Type, b.Type)
		})
	}
	return m
}

func writeChildren(out *bytes.Buffer, s *plan.Stack, kids map[string][]*plan.Resource, parent string, depth int) {
	for _, r := range kids[parent] {
		out.WriteString(strings.Repeat("  ", depth))
		out.WriteString(r.Type)
		out.WriteByte(' ')
		out.WriteString(r.Name)
		if props := describe(r); props != "" {
			out.WriteString("  ")
			out.WriteString(props)
		}
		out.WriteByte('\n')
		writeChildren(out, s, kids, r.URN, depth+1)
	}
}

// describe is the one-line summary of a resource: its physical name, the properties shown
// for its type, and its options.
func describe(r *plan.Resource) string {
	var parts []string
	if r.PhysicalName != "" && r.PhysicalName != r.Name {
		parts = append(parts, "name="+r.PhysicalName)
	}
	for _, path := range shown[r.Type] {
		v, ok := lookup(r.Inputs, path)
		if !ok {
			continue
		}
		parts = append(parts, path+"="+short(v))
	}
	if r.Type == "aws:iam/rolePolicy:RolePolicy" {
		if a := policyActions(r.InputString("policy")); a != "" {
			parts = append(parts, "allows="+a)
		}
	}
	if r.Protect {
		parts = append(parts, "protected")
	}
	if r.RetainOnDelete {
		parts = append(parts, "retained on delete")
	}
	return strings.Join(parts, " ")
}

// lookup follows a path of object keys and list indexes ("rules[0].x").
func lookup(inputs map[string]any, path string) (any, bool) {
	var v any = inputs
	for _, seg := range strings.Split(path, ".") {
		name, idx, hasIdx := strings.Cut(seg, "[")
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[name]; !ok || v == nil {
			return nil, false
		}
		if hasIdx {
			i, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			list, ok := v.([]any)
			if err != nil || !ok || i >= len(list) {
				return nil, false
			}
			v = list[i]
		}
	}
	return v, true
}

// short renders a value for the tree: strings bare, code by its hash, JSON documents compact.
func short(v any) string {
	switch x := v.(type) {
	case string:
		if strings.HasPrefix(x, "{") {
			var doc any
			if json.Unmarshal([]byte(x), &doc) == nil {
				return plan.Show(doc)
			}
		}
		return x
	case map[string]any:
		if a, ok := x["archive"].(map[string]any); ok {
			if sum, ok := a["sha256"].(string); ok && len(sum) >= 12 {
				return fmt.Sprint(a["file"]) + "(sha256:" + sum[:12] + ")"
			}
		}
	}
	return plan.Show(v)
}

// policyActions lists the actions an IAM policy document allows.
func policyActions(doc string) string {
	var d struct {
		Statement []struct {
			Effect string
			Action any
		}
	}
	if json.Unmarshal([]byte(doc), &d) != nil {
		return ""
	}
	var actions []string
	for _, st := range d.Statement {
		if st.Effect != "Allow" {
			continue
		}
		switch a := st.Action.(type) {
		case string:
			actions = append(actions, a)
		case []any:
			for _, e := range a {
				if s, ok := e.(string); ok {
					actions = append(actions, s)
				}
			}
		}
	}
	slices.Sort(actions)
	return strings.Join(slices.Compact(actions), ",")
}

// shortURN names a resource by its type and logical name, for messages.
func shortURN(urn string) string {
	u, err := plan.ParseURN(urn)
	if err != nil {
		return urn
	}
	return u.Type + " " + u.Name
}

func writeBaselineText(out *bytes.Buffer, b plan.Baseline) {
	fmt.Fprintf(out, "baseline: %s\n", baselineSummary(b))
	for _, v := range b.Violations {
		fmt.Fprintf(out, "  VIOLATION %s [%s] %s: %s\n", v.Rule, v.Severity, shortURN(v.Resource), v.Message)
	}
	for _, v := range b.Suppressed {
		fmt.Fprintf(out, "  suppressed %s [%s] %s: %s (reason: %s)\n", v.Rule, v.Severity, shortURN(v.Resource), v.Message, v.Reason)
	}
	for _, s := range b.Unused {
		fmt.Fprintf(out, "  unused suppression %s on %s (reason: %s): it accepts nothing now; remove it\n", s.Rule, s.Resource, s.Reason)
	}
}

func baselineSummary(b plan.Baseline) string {
	return fmt.Sprintf("%s, %d suppressed, %d unused %s", plural(len(b.Violations), "violation"), len(b.Suppressed), len(b.Unused), pluralWord(len(b.Unused), "suppression"))
}

func plural(n int, word string) string { return strconv.Itoa(n) + " " + pluralWord(n, word) }

func pluralWord(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
