package plan

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestParseURN(t *testing.T) {
	tests := []struct {
		in          string
		parentTypes string
		typ, name   string
	}{
		{"urn:pulumi:prod::groundwork::aws:sqs/queue:Queue::events", "", "aws:sqs/queue:Queue", "events"},
		{"urn:pulumi:prod::groundwork::groundwork:api:API$aws:apigatewayv2/route:Route::http-GET /v1/x", "groundwork:api:API", "aws:apigatewayv2/route:Route", "http-GET /v1/x"},
		{"urn:pulumi:prod::groundwork::a:b:C$d:e:F$g:h:I::odd::name", "a:b:C$d:e:F", "g:h:I", "odd::name"},
	}
	for _, tc := range tests {
		u, err := ParseURN(tc.in)
		if err != nil {
			t.Fatalf("ParseURN(%q): %v", tc.in, err)
		}
		if got := strings.Join(u.ParentTypes, "$"); got != tc.parentTypes || u.Type != tc.typ || u.Name != tc.name {
			t.Errorf("ParseURN(%q) = parents %q, type %q, name %q", tc.in, got, u.Type, u.Name)
		}
		if u.String() != tc.in {
			t.Errorf("String() = %q, want the URN back", u.String())
		}
	}
	for _, bad := range []string{"", "urn:pulumi:prod::groundwork", "arn:aws:sqs:x"} {
		if _, err := ParseURN(bad); err == nil {
			t.Errorf("ParseURN(%q): no error", bad)
		}
	}
}

func TestReadRefusesWhatIsNoPlanOfThisFormat(t *testing.T) {
	tests := []struct{ doc, want string }{
		{`{"format":"groundwork.plan/v2","stacks":[]}`, `its format is "groundwork.plan/v2"`},
		{`{"stacks":[]}`, `no "format"`},
		{`[1,2]`, "not a JSON object"},
		{`plan`, "not a JSON object"},
		{`{"format":"groundwork.plan/v1","stacks":[{"stack":"dev","resources":[]`, "not a JSON object (unexpected end of JSON input)"},
		{`{"format":"groundwork.plan/v1","stacks":[{"stack":"dev","stack":"prod","resources":[]}]}`, `key "stacks[0].stack" appears twice`},
		{`{"format":"groundwork.plan/v1","stacks":[{"stack":"dev","resources":[{"urn":"u","inputs":{"a":1,"a":2}}]}]}`, `key "stacks[0].resources[0].inputs.a" appears twice`},
		{"{\"format\":\"groundwork.plan/v1\",\"stacks\":[{\"stack\":\"d\xffv\"}]}", "not valid UTF-8 (at byte 52)"},
	}
	for _, tc := range tests {
		_, err := Read(strings.NewReader(tc.doc))
		if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Read(%s) = %v, want ErrFormat saying %q", tc.doc, err, tc.want)
		}
	}
}

func TestDiffComparesJSONDocumentsInside(t *testing.T) {
	// Given a role policy whose document gained an action
	const urn = "urn:pulumi:prod::groundwork::aws:iam/rolePolicy:RolePolicy::p"
	base := &Stack{Stack: "prod", Resources: []Resource{{URN: urn, Type: "aws:iam/rolePolicy:RolePolicy", Name: "p",
		Inputs: map[string]any{"policy": `{"Statement":[{"Action":["sqs:SendMessage"]}]}`, "role": "r"}}}}
	next := &Stack{Stack: "prod", Resources: []Resource{{URN: urn, Type: "aws:iam/rolePolicy:RolePolicy", Name: "p",
		Inputs: map[string]any{"policy": `{"Statement":[{"Action":["sqs:SendMessage","sqs:DeleteMessage"]}]}`, "role": "r"}}}}

	// When they are compared
	d := Diff(base, next)

	// Then the change is an update naming the path inside the document
	if len(d.Changes) != 1 || d.Changes[0].Op != Update {
		t.Fatalf("changes = %+v, want one update", d.Changes)
	}
	got := d.Changes[0].Properties
	if len(got) != 1 || got[0].Path != "policy{Statement[0].Action}" || got[0].New != `["sqs:SendMessage","sqs:DeleteMessage"]` {
		t.Errorf("property changes = %+v", got)
	}
}

func TestEveryReplaceRuleCitesItsSource(t *testing.T) {
	for typ, r := range ReplaceOnChange {
		if len(r.Properties) == 0 || !strings.HasPrefix(r.Source, "internal/service/") && !strings.HasPrefix(r.Source, "pulumi/pulumi-aws#") {
			t.Errorf("%s: properties %v, source %q: each rule lists properties and the provider file (or the pulumi-aws change) it comes from", typ, r.Properties, r.Source)
		}
	}
	for _, typ := range []string{"aws:dynamodb/table:Table", "aws:sqs/queue:Queue", "aws:s3/bucketV2:BucketV2", "aws:lambda/function:Function", "aws:cloudwatch/logGroup:LogGroup", "aws:apigatewayv2/api:Api"} {
		if _, ok := ReplaceOnChange[typ]; !ok {
			t.Errorf("no replace-on-change rule for %s", typ)
		}
	}
}

// renamePlan is a base and a new stack in which a queue and its dead-letter queue were renamed
// with an alias (events -> jobs), and what refers to them: a mapping whose eventSourceArn
// (replace-on-change) is the queue's ARN, and a function whose environment holds its URL.
// The recording mocks derive an auto-name's random part and an id from the URN, so the new
// plan's values name the queue differently; Pulumi keeps a renamed resource's name and id.
func renamePlan(explicitName bool) (base, next *Stack) {
	const pre = "urn:pulumi:dev::groundwork::"
	queue := func(name, phys, id string, aliases ...string) Resource {
		r := Resource{URN: pre + "aws:sqs/queue:Queue::" + name, Type: "aws:sqs/queue:Queue", Name: name, Custom: true,
			PhysicalName: phys, ID: id, Aliases: aliases, Inputs: map[string]any{"visibilityTimeoutSeconds": 180.0}}
		if explicitName {
			r.Inputs["name"] = phys
		}
		return r
	}
	mapping := func(queueARN string) Resource {
		return Resource{URN: pre + "aws:lambda/eventSourceMapping:EventSourceMapping::consumer", Type: "aws:lambda/eventSourceMapping:EventSourceMapping",
			Name: "consumer", Custom: true, ID: "consumer-1234abcd", Inputs: map[string]any{"eventSourceArn": queueARN, "batchSize": 10.0}}
	}
	fn := func(url string) Resource {
		return Resource{URN: pre + "aws:lambda/function:Function::api", Type: "aws:lambda/function:Function", Name: "api", Custom: true,
			PhysicalName: "api-a548b85", ID: "api-a548b85", Inputs: map[string]any{"environment": map[string]any{"variables": map[string]any{"QUEUE_URL": url}}}}
	}
	const arn, url = "arn:aws:sqs:eu-west-1:123456789012:", "https://sqs.eu-west-1.amazonaws.com/123456789012/"
	base = &Stack{Stack: "dev", Resources: []Resource{
		queue("events", "events-26f13a9", url+"events-26f13a9"), mapping(arn + "events-26f13a9"), fn(url + "events-26f13a9")}}
	next = &Stack{Stack: "dev", Resources: []Resource{
		queue("jobs", "jobs-77db085", url+"jobs-77db085", pre+"aws:sqs/queue:Queue::events"), mapping(arn + "jobs-77db085"), fn(url + "jobs-77db085")}}
	return base, next
}

func TestAliasedRenameKeepsItsNameAndID(t *testing.T) {
	// Given a queue renamed with an alias, auto-named, whose ARN and URL other resources use
	base, next := renamePlan(false)

	// When the plans are compared
	d := Diff(base, next)

	// Then the queue is renamed in place and nothing that refers to it changes: Pulumi keeps
	// the renamed queue's auto-name and id, so its ARN and URL are what they were
	if got := d.Count(Replace); got != 0 {
		t.Errorf("replacements = %d, want 0 (the mapping's eventSourceArn is the same queue's): %+v", got, d.Changes)
	}
	if len(d.Changes) != 1 || d.Changes[0].Op != Update || !strings.HasSuffix(d.Changes[0].URN, "::jobs") || len(d.Changes[0].Properties) != 0 {
		t.Errorf("changes = %+v, want the one in-place rename of the queue, with no property changes", d.Changes)
	}
	if d.Unchanged != 2 {
		t.Errorf("unchanged = %d, want 2 (the mapping and the function)", d.Unchanged)
	}
}

func TestRenameThatChangesAnExplicitNameStillShows(t *testing.T) {
	// Given the same rename, where the queue's name is explicit and changes with it
	base, next := renamePlan(true)

	// When the plans are compared
	d := Diff(base, next)

	// Then the queue is replaced (name forces it), and the mapping that names its ARN is
	// replaced too, because the new queue really has a new ARN
	var replaced []string
	for _, c := range d.Changes {
		if c.Op == Replace {
			replaced = append(replaced, c.Type)
		}
	}
	want := []string{"aws:lambda/eventSourceMapping:EventSourceMapping", "aws:sqs/queue:Queue"}
	if strings.Join(replaced, ",") != strings.Join(want, ",") {
		t.Errorf("replaced %v, want %v", replaced, want)
	}
}

func TestReplaceOnChangeProperties(t *testing.T) {
	tests := []struct {
		typ, prop   string
		old, new    any
		wantReplace bool
	}{
		{"aws:dynamodb/table:Table", "rangeKey", "sk", "sort", true},
		{"aws:dynamodb/table:Table", "restoreDateTime", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", true},
		{"aws:dynamodb/table:Table", "billingMode", "PROVISIONED", "PAY_PER_REQUEST", false},
		{"aws:sqs/queue:Queue", "fifoQueue", false, true, true},
		{"aws:sqs/queue:Queue", "visibilityTimeoutSeconds", 30.0, 60.0, false},
		{"aws:lambda/eventSourceMapping:EventSourceMapping", "eventSourceArn", "arn:a", "arn:b", true},
		{"aws:lambda/eventSourceMapping:EventSourceMapping", "selfManagedKafkaEventSourceConfig", map[string]any{"consumerGroupId": "a"}, map[string]any{"consumerGroupId": "b"}, true},
		{"aws:lambda/eventSourceMapping:EventSourceMapping", "batchSize", 10.0, 5.0, false},
		{"aws:apigatewayv2/stage:Stage", "apiId", "a1", "b2", true},
		{"aws:apigatewayv2/route:Route", "apiId", "a1", "b2", true},
		{"aws:apigatewayv2/route:Route", "routeKey", "GET /a", "GET /b", false},
		{"aws:apigatewayv2/api:Api", "protocolType", "HTTP", "WEBSOCKET", true},
		{"aws:apigatewayv2/api:Api", "name", "a", "b", false},
		{"aws:cloudwatch/logGroup:LogGroup", "namePrefix", "a-", "b-", true},
		{"aws:kms/key:Key", "keyUsage", "ENCRYPT_DECRYPT", "SIGN_VERIFY", true},
		{"aws:kms/key:Key", "customerMasterKeySpec", "SYMMETRIC_DEFAULT", "RSA_2048", true},
		{"aws:kms/key:Key", "enableKeyRotation", false, true, false},
		{"aws:lambda/function:Function", "name", "a", "b", true},
		{"aws:lambda/function:Function", "memorySize", 128.0, 256.0, false},
		{"aws:s3/bucketV2:BucketV2", "bucketPrefix", "a-", "b-", true},
		{"aws:sns/topicPolicy:TopicPolicy", "arn", "arn:a", "arn:b", true},
		{"aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", "queueUrl", "https://a", "https://b", true},
	}
	for _, tc := range tests {
		t.Run(tc.typ+" "+tc.prop, func(t *testing.T) {
			// Given a resource whose one input changed
			res := func(v any) *Stack {
				return &Stack{Stack: "s", Resources: []Resource{{URN: "urn:pulumi:s::p::" + tc.typ + "::r", Type: tc.typ, Name: "r", Custom: true, Inputs: map[string]any{tc.prop: v}}}}
			}

			// When the plans are compared
			d := Diff(res(tc.old), res(tc.new))

			// Then it is replaced exactly when the provider marks the input ForceNew
			if len(d.Changes) != 1 || (d.Changes[0].Op == Replace) != tc.wantReplace {
				t.Errorf("changes = %+v, want one, replace %v", d.Changes, tc.wantReplace)
			}
		})
	}
}

func TestReadRefusesAPlanLargerThanMaxSize(t *testing.T) {
	// Given a document of MaxSize bytes and one more (a runaway file, or /dev/zero)
	r := io.LimitReader(zeros{}, MaxSize+1)

	// When it is read, then it is refused without being read whole
	_, err := Read(r)
	if err == nil || !strings.Contains(err.Error(), "larger than 64 MiB") {
		t.Errorf("Read of %d bytes = %v, want an error saying it is larger than 64 MiB", MaxSize+1, err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestStackGoneDeletesNothing(t *testing.T) {
	// Given a base plan's stack that the new plan no longer has (its stack file was removed)
	base := &Stack{Stack: "qa", Resources: []Resource{
		{URN: "urn:pulumi:qa::p::aws:sqs/queue:Queue::events", Type: "aws:sqs/queue:Queue", Name: "events", Custom: true},
		{URN: "urn:pulumi:qa::p::aws:iam/role:Role::r", Type: "aws:iam/role:Role", Name: "r", Custom: true},
	}}

	// When it is compared with nothing
	d := Diff(base, nil)

	// Then nothing is deleted: pulumi deletes a stack's resources on destroy, not when its
	// file goes; the diff says how many are left behind and how many of them hold data
	if !d.Gone || len(d.Changes) != 0 || d.Count(Delete) != 0 {
		t.Errorf("diff = %+v, want a gone stack with no changes", d)
	}
	if d.LeftBehind != 2 || d.StatefulLeftBehind != 1 {
		t.Errorf("left behind = %d (%d stateful), want 2 (1 stateful)", d.LeftBehind, d.StatefulLeftBehind)
	}
}

func TestProviderChangeReplaces(t *testing.T) {
	const pre = "urn:pulumi:dev::p::"
	provider := func(name string, aliases ...string) Resource {
		return Resource{URN: pre + "pulumi:providers:aws::" + name, Type: "pulumi:providers:aws", Name: name, Custom: true, ID: name + "-id", Aliases: aliases,
			Inputs: map[string]any{"region": "eu-west-1"}}
	}
	queue := func(prov string) Resource {
		return Resource{URN: pre + "aws:sqs/queue:Queue::q", Type: "aws:sqs/queue:Queue", Name: "q", Custom: true, Provider: pre + "pulumi:providers:aws::" + prov}
	}
	tests := []struct {
		name        string
		base, next  []Resource
		wantReplace bool
	}{
		{"another provider", []Resource{provider("aws"), provider("aws-eu"), queue("aws")}, []Resource{provider("aws"), provider("aws-eu"), queue("aws-eu")}, true},
		{"the same provider renamed with an alias", []Resource{provider("aws"), queue("aws")}, []Resource{provider("aws-main", pre+"pulumi:providers:aws::aws"), queue("aws-main")}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Given a queue whose provider reference differs between the plans
			d := Diff(&Stack{Stack: "dev", Resources: tc.base}, &Stack{Stack: "dev", Resources: tc.next})

			// Then it is replaced exactly when the provider is another one, as the engine does
			var got *Change
			for i := range d.Changes {
				if d.Changes[i].Type == "aws:sqs/queue:Queue" {
					got = &d.Changes[i]
				}
			}
			if replaced := got != nil && got.Op == Replace; replaced != tc.wantReplace {
				t.Errorf("queue change = %+v, want replace %v", got, tc.wantReplace)
			}
		})
	}
}

func TestProviderRegionChangeReplacesItsResources(t *testing.T) {
	// Given an explicit AWS provider whose region changes, a queue that uses it, and a
	// queue on another provider
	const pre = "urn:pulumi:dev::p::"
	stack := func(region string) *Stack {
		return &Stack{Stack: "dev", Resources: []Resource{
			{URN: pre + "pulumi:providers:aws::aws", Type: "pulumi:providers:aws", Name: "aws", Custom: true, Inputs: map[string]any{"region": region}},
			{URN: pre + "pulumi:providers:aws::other", Type: "pulumi:providers:aws", Name: "other", Custom: true, Inputs: map[string]any{"region": "us-east-1"}},
			{URN: pre + "aws:sqs/queue:Queue::q", Type: "aws:sqs/queue:Queue", Name: "q", Custom: true, Provider: pre + "pulumi:providers:aws::aws"},
			{URN: pre + "aws:sqs/queue:Queue::r", Type: "aws:sqs/queue:Queue", Name: "r", Custom: true, Provider: pre + "pulumi:providers:aws::other"},
		}}
	}

	// When the plans are compared
	d := Diff(stack("eu-west-1"), stack("eu-central-1"))

	// Then the provider and every resource it provisions are replaced (pulumi-aws replaces
	// them in the new region), and the other provider's are not
	var replaced []string
	for _, c := range d.Changes {
		if c.Op == Replace {
			replaced = append(replaced, nameOfURN(c.URN))
		}
	}
	if strings.Join(replaced, ",") != "q,aws" || d.Unchanged != 2 {
		t.Errorf("replaced %v (unchanged %d), want q and aws replaced and 2 unchanged", replaced, d.Unchanged)
	}
}

func nameOfURN(urn string) string { return urn[strings.LastIndex(urn, "::")+2:] }
