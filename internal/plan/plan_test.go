package plan

import (
	"errors"
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
		if len(r.Properties) == 0 || !strings.HasPrefix(r.Source, "internal/service/") {
			t.Errorf("%s: properties %v, source %q: each rule lists properties and the provider file", typ, r.Properties, r.Source)
		}
	}
	for _, typ := range []string{"aws:dynamodb/table:Table", "aws:sqs/queue:Queue", "aws:s3/bucketV2:BucketV2", "aws:lambda/function:Function", "aws:cloudwatch/logGroup:LogGroup", "aws:apigatewayv2/api:Api"} {
		if _, ok := ReplaceOnChange[typ]; !ok {
			t.Errorf("no replace-on-change rule for %s", typ)
		}
	}
}
