package naming

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEveryNamedTypeHasItsLimits(t *testing.T) {
	for typ, ty := range Types {
		if ty.Property == "" {
			assert.Equal(t, Type{}, ty, "%s: a type without a name has nothing else", typ)
			continue
		}
		assert.Positive(t, ty.Kind.Max, "%s: a limit", typ)
		assert.NotNil(t, ty.Kind.allowed, "%s: a character set", typ)
		assert.NotEmpty(t, ty.Kind.Resource, "%s: a kind name for errors", typ)
	}
}

func TestAutoName(t *testing.T) {
	assert.Equal(t, "events-abc1234", Types["aws:sqs/queue:Queue"].AutoName("events", "abc1234", false), "logical name, '-', random")
	assert.Equal(t, "events-abc1234.fifo", Types["aws:sqs/queue:Queue"].AutoName("events", "abc1234", true), "FIFO ending")
	assert.Equal(t, "archive-abc1234", Types["aws:s3/bucketV2:BucketV2"].AutoName("Archive", "abc1234", false), "S3 lower-cases")
	assert.Equal(t, "alias/key-abc1234", Types["aws:kms/alias:Alias"].AutoName("key", "abc1234", false), "KMS alias prefix")
	assert.Len(t, Types["aws:sqs/queue:Queue"].AutoName("e", "abc1234", false), 1+AutoSuffixLen, "AutoSuffixLen characters added")
}

func TestValidate(t *testing.T) {
	queue, fn, bucket := Types["aws:sqs/queue:Queue"], Types["aws:lambda/function:Function"], Types["aws:s3/bucketV2:BucketV2"]
	for _, tc := range []struct {
		name string
		typ  Type
		in   string
		want string // "" means valid
	}{
		{"fits", fn, strings.Repeat("a", 64), ""},
		{"one too long", fn, strings.Repeat("a", 65), `Lambda function name "` + strings.Repeat("a", 65) + `" is 65 characters; AWS allows 1 to 64`},
		{"empty", fn, "", `Lambda function name "" is 0 characters; AWS allows 1 to 64`},
		{"FIFO ending on a queue", queue, strings.Repeat("q", 75) + ".fifo", ""},
		{"FIFO ending counts in the length", queue, strings.Repeat("q", 76) + ".fifo", "is 81 characters; AWS allows 1 to 80"},
		{"a dot elsewhere in a queue", queue, "q.v2", `SQS queue name "q.v2" has '.' at byte 1; AWS allows only letters, digits, '-' and '_'`},
		{"FIFO ending on a type without FIFO", fn, "f.fifo", `has '.' at byte 1`},
		{"upper case in S3", bucket, "Archive-1", `S3 bucket name "Archive-1" has 'A' at byte 0; AWS allows only lower-case letters, digits and '-'`},
		{"too short for S3", bucket, "ab", "is 2 characters; AWS allows 3 to 63"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.typ.Validate(tc.in)
			if tc.want == "" {
				assert.NoError(t, err)
			} else {
				assert.ErrorContains(t, err, tc.want)
			}
		})
	}
}
