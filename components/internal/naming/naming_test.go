package naming

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChild(t *testing.T) {
	assert.Equal(t, "events", Child("events", ""), "the main resource takes the component's name")
	assert.Equal(t, "events-dlq", Child("events", "dlq"), "other children append their role")
}

func TestMaxNameIsTheLongestNameThatFits(t *testing.T) {
	// Given a queue's children: the queue and its DLQ, FIFO (".fifo"), and a consumer's role
	children := []Physical{
		{Role: "", Kind: SQSQueue, Suffix: ".fifo"},
		{Role: "dlq", Kind: SQSQueue, Suffix: ".fifo"},
		{Role: "consumer-role", Kind: IAMRole},
	}
	// When the longest allowed name is computed
	most := MaxName(children)
	// Then it is the role's limit: 64 - len("-consumer-role") - 8
	assert.Equal(t, 64-len("-consumer-role")-AutoSuffixLen, most)
	// And a name of that length passes, one character more fails naming the child and limit
	require.NoError(t, Check(strings.Repeat("a", most), children))
	err := Check(strings.Repeat("a", most+1), children)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-consumer-role")
	assert.Contains(t, err.Error(), "IAM role")
	assert.Contains(t, err.Error(), "over the 64 AWS allows")
}

func TestCheckRefusesCharactersAKindDoesNotAllow(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		ok   bool
	}{
		{"Orders", S3Bucket, false},
		{"orders", S3Bucket, true},
		{"orders.v2", S3Bucket, false},
		{"orders.v2", DynamoDBTable, true},
		{"orders.v2", LambdaFunction, false},
		{"a+b", IAMRole, true},
		{"a+b", SQSQueue, false},
	}
	for _, tc := range tests {
		err := Check(tc.name, []Physical{{Kind: tc.kind}})
		if tc.ok {
			assert.NoError(t, err, "%q as a %s", tc.name, tc.kind.Resource)
		} else if assert.Error(t, err, "%q as a %s", tc.name, tc.kind.Resource) {
			assert.Contains(t, err.Error(), tc.kind.Chars)
		}
	}
	assert.Error(t, Check("", []Physical{{Kind: SQSQueue}}), "an empty name")
}

func TestAllowsChecksEveryByte(t *testing.T) {
	assert.True(t, Authorizer.Allows("users_v2-a"), "letters, digits, '-' and '_'")
	assert.False(t, Authorizer.Allows("a b"), "a space")
	assert.False(t, LambdaPermission.Allows("users.v2"), "a dot")
	assert.True(t, DynamoDBTable.Allows("users.v2"), "a dot where the kind allows it")
}
