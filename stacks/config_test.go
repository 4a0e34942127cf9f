package stacks_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/stacks"
)

// Config values that components would only refuse after other resources exist are refused
// by the stack config, with the file and the key.
func TestConfigErrorsNameNestedKeys(t *testing.T) {
	tests := []struct {
		name     string
		platform string
		want     []string
	}{
		{"unknown nested key", `{"tier":"prod","auth":{"isuer":"https://id.example.com/","audiences":["a"]}}`,
			[]string{"stacks/Pulumi.prod.yaml", "groundwork:platform.auth.isuer", "unknown key", "issuer, audiences, publicReads, readScope"}},
		{"key in the wrong case", `{"Tier":"prod","auth":{"issuer":"https://id.example.com/","audiences":["a"]}}`,
			[]string{"groundwork:platform.Tier", "unknown key"}},
		{"issuer over http", `{"tier":"prod","auth":{"issuer":"http://id.example.com/","audiences":["a"]}}`,
			[]string{"stacks/Pulumi.prod.yaml", "groundwork:platform.auth.issuer", "not an https URL"}},
		{"empty audience", `{"tier":"prod","auth":{"issuer":"https://id.example.com/","audiences":[""]}}`,
			[]string{"groundwork:platform.auth.audiences[0]", "is empty"}},
		{"bad alarm email", `{"tier":"prod","auth":{"issuer":"https://id.example.com/","audiences":["a"],"readScope":"a/read"},"alarmEmail":"oncall"}`,
			[]string{"groundwork:platform.alarmEmail", `"oncall" is not an email address`}},
		{"wrong type in a nested key", `{"tier":"prod","auth":{"issuer":"https://id.example.com/","audiences":"a"}}`,
			[]string{"groundwork:platform.auth.audiences", "got a string"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			values := map[string]string{"aws:region": "eu-west-1", stacks.ConfigKey: tc.platform}
			rec, err := componenttest.Run(stacks.Program, componenttest.Stack("prod"), componenttest.Config(values))
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Empty(t, rec.Resources(), "nothing registered")
		})
	}
}

// Under the Pulumi CLI the program sees the whole config (PULUMI_CONFIG) and refuses a key
// of the project's namespace it does not know, which it could not otherwise notice.
func TestUnknownTopLevelKeyUnderTheCLI(t *testing.T) {
	sf, err := componenttest.LoadStackConfig(projectDir(t), "prod")
	require.NoError(t, err)
	t.Setenv(pulumi.EnvConfig, `{"groundwork:ownr":"platform-team","aws:region":"eu-west-1"}`)
	rec, err := componenttest.Run(stacks.Program, componenttest.FromStackFile(sf))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "stacks/Pulumi.prod.yaml: groundwork:ownr: unknown key")
	assert.Empty(t, rec.Resources(), "nothing registered")
}
