package alarm

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/internal/check"
)

// The checks New makes, without the engine.
func TestResolve(t *testing.T) {
	tests := []struct {
		name, topic string
		args        Args
		want        []string // the invalid fields, "<Field> <message>"; none means valid
	}{
		{"no Args", "alarms", Args{}, nil},
		{"an email", "alarms", Args{Email: "oncall@example.com"}, nil},
		{"the longest name", strings.Repeat("a", 256-8), Args{}, nil},
		{"not an email", "alarms", Args{Email: "oncall"}, []string{`Email "oncall" is not an email address`}},
		{"two addresses", "alarms", Args{Email: "a@example.com, b@example.com"}, []string{`Email "a@example.com, b@example.com" is not an email address`}},
		{"a name one character too long", strings.Repeat("a", 256-8+1), Args{},
			[]string{`name "` + strings.Repeat("a", 249) + `" is 249 characters: its child "` + strings.Repeat("a", 249) +
				`" (SNS topic) would be named up to 257 characters, over the 256 AWS allows; at most 248 characters fit`}},
		{"an empty name and a bad email", "", Args{Email: "@"}, []string{"name is empty", `Email "@" is not an email address`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := resolve(tc.topic, tc.args)
			if tc.want == nil {
				require.NoError(t, err)
				assert.Equal(t, tc.args, a, "the Args as given: the topic has no defaults to apply")
				return
			}
			var e *check.Error
			require.True(t, errors.As(err, &e), "a *check.Error: %v", err)
			assert.Equal(t, "alarm topic", e.Kind)
			assert.Equal(t, tc.topic, e.Name)
			var got []string
			for _, p := range e.Problems {
				got = append(got, p.String())
			}
			assert.Equal(t, tc.want, got, "every invalid field, in order")
		})
	}
}
