package platformconfig_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/internal/platformconfig"
)

const goodAuth = `"auth":{"issuer":"https://id.example.com/","audiences":["api"],"readScope":"api/read"}`

func check(t *testing.T, stack, platform string, extra map[string]string) (*platformconfig.Stack, *platformconfig.Error) {
	t.Helper()
	values := map[string]string{platformconfig.RegionKey: "eu-west-1"}
	if platform != "" {
		values[platformconfig.Key] = platform
	}
	for k, v := range extra {
		values[k] = v
	}
	st, err := platformconfig.Check(platformconfig.Input{Stack: stack, File: "stacks/Pulumi." + stack + ".yaml", Values: values})
	if err == nil {
		return st, nil
	}
	var perr *platformconfig.Error
	require.ErrorAs(t, err, &perr)
	return nil, perr
}

// One mistake gives exactly one message, naming the key, and a useful one.
func TestOneMistakeOneMessage(t *testing.T) {
	tests := []struct {
		name     string
		stack    string
		platform string
		extra    map[string]string
		key      string
		want     []string
	}{
		{"misspelt nested key", "prod", `{"tier":"prod","auth":{"isuer":"https://id.example.com/","audiences":["a"],"readScope":"a/r"}}`, nil,
			"groundwork:platform.auth.isuer", []string{"unknown key; did you mean issuer?", "known: issuer, audiences, publicReads, readScope"}},
		{"misspelt list key", "prod", `{"tier":"prod","auth":{"issuer":"https://id.example.com/","audience":["a"],"readScope":"a/r"}}`, nil,
			"groundwork:platform.auth.audience", []string{"did you mean audiences?"}},
		{"key in the wrong case", "prod", `{"Tier":"prod",` + goodAuth + `}`, nil,
			"groundwork:platform.Tier", []string{"did you mean tier?"}},
		{"misspelt top-level key", "prod", "", map[string]string{"groundwork:platfrom": `{"tier":"prod"}`},
			"groundwork:platfrom", []string{"did you mean groundwork:platform?"}},
		{"a setting at the top level", "prod", `{"tier":"prod",` + goodAuth + `}`, map[string]string{"groundwork:owner": "x"},
			"groundwork:owner", []string{"unknown key; the settings go under groundwork:platform, as groundwork:platform.owner"}},
		{"a string for a list", "prod", `{"tier":"prod","auth":{"issuer":"https://id.example.com/","audiences":"api","readScope":"a/r"}}`, nil,
			"groundwork:platform.auth.audiences", []string{`want a list, got a string; write it as a list, one "- api" line under the key, or [api]`}},
		{"an unquoted account id", "prod", `{"tier":"prod","accountId":12345678901,` + goodAuth + `}`, nil,
			"groundwork:platform.accountId", []string{"want a string, got a number", `quote the account id, as in accountId: "012345678901"`, "drops leading zeros (this one reads as 12345678901)"}},
		{"a quoted boolean", "staging", `{"auth":{"publicReads":"true"}}`, nil,
			"groundwork:platform.auth.publicReads", []string{"want true or false, got a string; write true or false without quotes"}},
		{"a word for a number", "prod", `{"tier":"prod","logRetentionDays":"long",` + goodAuth + `}`, nil,
			"groundwork:platform.logRetentionDays", []string{"want a number, got a string"}},
		{"a fraction for a number", "prod", `{"tier":"prod","logRetentionDays":7.5,` + goodAuth + `}`, nil,
			"groundwork:platform.logRetentionDays", []string{"want a whole number, got 7.5"}},
		{"not a mapping", "prod", `prod`, nil,
			"groundwork:platform", []string{"want a mapping (keys indented under it), got a string"}},
		{"unknown tier", "qa", `{"tier":"qa",` + goodAuth + `}`, nil,
			"groundwork:platform.tier", []string{`"qa" is not dev, staging or prod`}},
		{"no tier in a stack not named after one", "qa", `{` + goodAuth + `}`, nil,
			"groundwork:platform.tier", []string{`missing; the stack "qa" is not named after a tier`}},
		{"bad account id", "prod", `{"accountId":"12",` + goodAuth + `}`, nil,
			"groundwork:platform.accountId", []string{`"12" is not a 12-digit AWS account id`}},
		{"no issuer", "prod", `{"tier":"prod"}`, nil,
			"groundwork:platform.auth.issuer", []string{"missing; protected routes need a JWT issuer"}},
		{"no audiences", "prod", `{"tier":"prod","auth":{"issuer":"https://id.example.com/","readScope":"a/r"}}`, nil,
			"groundwork:platform.auth.audiences", []string{"missing"}},
		{"public reads in prod", "prod", `{"tier":"prod","auth":{"publicReads":true}}`, nil,
			"groundwork:platform.auth.publicReads", []string{"a prod stack may not make protected routes public"}},
		{"issuer and public reads", "staging", `{"tier":"staging","auth":{"publicReads":true,"issuer":"https://id.example.com/","audiences":["a"]}}`, nil,
			"groundwork:platform.auth", []string{"not both"}},
		{"issuer over http", "staging", `{"auth":{"issuer":"http://id.example.com/","audiences":["a"]}}`, nil,
			"groundwork:platform.auth.issuer", []string{"not an https URL"}},
		{"empty audience", "staging", `{"auth":{"issuer":"https://id.example.com/","audiences":[""]}}`, nil,
			"groundwork:platform.auth.audiences[0]", []string{"is empty"}},
		{"no read scope in prod", "prod", `{"tier":"prod","auth":{"issuer":"https://id.example.com/","audiences":["api"]}}`, nil,
			"groundwork:platform.auth.readScope", []string{"missing; a prod stack names the OAuth scope"}},
		{"read scope with public reads", "staging", `{"auth":{"publicReads":true,"readScope":"api/read"}}`, nil,
			"groundwork:platform.auth.readScope", []string{"publicReads"}},
		{"bad alarm email", "prod", `{"tier":"prod",` + goodAuth + `,"alarmEmail":"oncall"}`, nil,
			"groundwork:platform.alarmEmail", []string{`"oncall" is not an email address`}},
		{"no region", "prod", `{"tier":"prod",` + goodAuth + `}`, map[string]string{platformconfig.RegionKey: ""},
			"aws:region", []string{"missing; every stack names its region"}},
		{"no platform key", "prod", "", nil,
			"groundwork:platform", []string{"missing; it holds the stack's settings"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := check(t, tc.stack, tc.platform, tc.extra)
			require.NotNil(t, err, "the mistake is refused")
			require.Len(t, err.Problems, 1, "one mistake, one message; got:\n%v", err)
			p := err.Problems[0]
			assert.Equal(t, tc.key, p.Key, "the message names the key")
			for _, w := range tc.want {
				assert.Contains(t, p.Message, w)
			}
			assert.NotContains(t, err.Error(), "slice", "YAML has lists, not slices")
			assert.True(t, strings.HasPrefix(err.Error(), "stacks/Pulumi."+tc.stack+".yaml: "+tc.key+": "), "the line names file and key: %s", err)
		})
	}
}

// Every mistake is reported in one run, not only the first.
func TestEveryMistakeAtOnce(t *testing.T) {
	_, err := check(t, "qa", `{"tier":"qa","ownr":"x","accountId":12,"auth":{"issuer":"https://id.example.com/","audiences":"api"}}`, nil)
	require.NotNil(t, err)
	var keys []string
	for _, p := range err.Problems {
		keys = append(keys, p.Key)
	}
	assert.ElementsMatch(t, []string{
		"groundwork:platform.ownr", "groundwork:platform.accountId", "groundwork:platform.auth.audiences", "groundwork:platform.tier",
	}, keys, "four mistakes, four messages:\n%v", err)
}

func TestAValidConfig(t *testing.T) {
	// Given a valid staging config whose tier comes from the stack's name
	st, err := check(t, "staging", `{"owner":"team","accountId":"012345678901",`+goodAuth+`,"logRetentionDays":14}`, nil)
	require.Nil(t, err)
	assert.Equal(t, platformconfig.Staging, st.Platform.Tier, "the tier is the stack's name")
	assert.Equal(t, "012345678901", st.Platform.AccountID, "a quoted account id keeps its leading zero")
	assert.Equal(t, []string{"api"}, st.Platform.Auth.Audiences)
	assert.Equal(t, 14, st.Platform.LogRetentionDays)
	assert.Equal(t, "eu-west-1", st.Region)
}

// The rules the components own are applied when given, and their messages name the key.
func TestRulesFromElsewhere(t *testing.T) {
	values := map[string]string{platformconfig.RegionKey: "eu-west-1",
		platformconfig.Key: `{"tier":"prod","logRetentionDays":42,"auth":{"issuer":"https://id.example.com/","audiences":["a"],"readScope":"a b"}}`}
	in := platformconfig.Input{Stack: "prod", File: "f.yaml", Values: values}
	_, err := platformconfig.Check(in)
	require.NoError(t, err, "without rules, these values are not checked here")

	in.Rules = platformconfig.Rules{
		LogRetention: func(d int) error { return fmt.Errorf("%d days is not a retention", d) },
		Scope:        func(s string) error { return fmt.Errorf("scope %q holds a space", s) },
	}
	_, err = platformconfig.Check(in)
	require.Error(t, err)
	assert.Equal(t, "f.yaml: groundwork:platform.logRetentionDays: 42 days is not a retention\n"+
		`f.yaml: groundwork:platform.auth.readScope: scope "a b" holds a space`, err.Error())
}

func TestAuthScopes(t *testing.T) {
	a := platformconfig.Auth{ReadScope: "api/read"}
	assert.Equal(t, []string{"api/read"}, a.Scopes("GET"), "reads need the read scope")
	assert.Nil(t, a.Scopes("POST"), "other methods need a token, no scope")
	assert.Nil(t, platformconfig.Auth{}.Scopes("GET"), "no read scope: any token of the issuer")
}

// qaFile has four mistakes, each on its own line.
const qaFile = `# QA: a new stack
config:
  aws:region: eu-west-1
  groundwork:platform:
    tier: qa
    owner: platform-team
    accountId: 012345678901
    auth:
      issuer: https://auth.groundwork.dev/
      audience:
        - groundwork-api
      readScope: [groundwork-api/inquiries.read]
`

// A stack file read from disk gives each message its line, in the order of the file.
func TestReadStackFileGivesLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Pulumi.qa.yaml")
	require.NoError(t, os.WriteFile(path, []byte(qaFile), 0o600))
	in, err := platformconfig.ReadStackFile(path)
	require.NoError(t, err)
	assert.Equal(t, "qa", in.Stack, "the stack's name is the file's")
	assert.JSONEq(t, `{"tier":"qa","owner":"platform-team","accountId":12345678901,"auth":{"issuer":"https://auth.groundwork.dev/","audience":["groundwork-api"],"readScope":["groundwork-api/inquiries.read"]}}`,
		in.Values[platformconfig.Key], "flattened as Pulumi flattens it: the unquoted account id is a number")

	_, err = platformconfig.Check(in)
	require.Error(t, err)
	want := []string{
		path + `:5: groundwork:platform.tier: "qa" is not dev, staging or prod`,
		path + `:7: groundwork:platform.accountId: want a string, got a number; quote the account id, as in accountId: "012345678901": YAML reads unquoted digits as a number and drops leading zeros (this one reads as 12345678901)`,
		path + `:10: groundwork:platform.auth.audience: unknown key; did you mean audiences? (known: issuer, audiences, publicReads, readScope)`,
		path + `:12: groundwork:platform.auth.readScope: want a string, got a list`,
	}
	assert.Equal(t, strings.Join(want, "\n"), err.Error(), "four mistakes, four lines, each with its line number")
}

// Lines are given only when the file holds the config that was checked.
func TestNoLinesFromAnotherFile(t *testing.T) {
	in := platformconfig.Input{Stack: "qa", File: "f.yaml", YAML: []byte(qaFile), Values: map[string]string{
		platformconfig.RegionKey: "eu-west-1", platformconfig.Key: `{"tier":"qa","auth":{"publicReads":true}}`}}
	_, err := platformconfig.Check(in)
	var perr *platformconfig.Error
	require.ErrorAs(t, err, &perr)
	require.Len(t, perr.Problems, 1)
	assert.Zero(t, perr.Problems[0].Line, "the file's tier line is not this config's")
}

func TestReadStackFileRefusesWhatIsNoStackFile(t *testing.T) {
	for name, text := range map[string]string{
		"not YAML":         "config: [",
		"a list":           "- a\n- b\n",
		"config is a list": "config:\n  - a\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "Pulumi.x.yaml")
			require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
			_, err := platformconfig.ReadStackFile(path)
			require.Error(t, err)
			assert.True(t, errors.Is(err, platformconfig.ErrNotStackFile), "%v", err)
			assert.Contains(t, err.Error(), path, "the error names the file")
		})
	}
}
