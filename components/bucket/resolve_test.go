package bucket

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/groundwork-dev/groundwork/components/internal/check"
	"github.com/groundwork-dev/groundwork/components/queue"
)

func TestResolveDefaults(t *testing.T) {
	tests := []struct {
		name       string
		args       Args
		noncurrent time.Duration
		logPrefix  string
	}{
		{"zero Args", Args{}, 30 * Day, "archive/"},
		{"explicit values are kept", Args{NoncurrentVersionExpiration: 90 * Day, AccessLogBucket: pulumi.String("logs"), AccessLogPrefix: "s3/"}, 90 * Day, "s3/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := resolve("archive", tc.args)
			require.NoError(t, err)
			assert.Equal(t, tc.noncurrent, s.NoncurrentVersionExpiration, "NoncurrentVersionExpiration")
			assert.Equal(t, tc.logPrefix, s.AccessLogPrefix, "AccessLogPrefix")
		})
	}
}

// fn is a function target for notifications.
var fn = pulumi.String("arn:aws:lambda:us-east-1:123456789012:function:thumbs")

func TestResolveRefusesEachInvalidField(t *testing.T) {
	rule := func(r LifecycleRule) Args { return Args{LifecycleRules: []LifecycleRule{r}} }
	expire := 400 * Day
	cors := func(c CORSRule) Args { return Args{CORS: []CORSRule{c}} }
	get := []string{"GET"}
	any := []string{"*"}
	notify := func(ns ...Notification) Args { return Args{Notifications: ns} }
	tests := []struct {
		name           string
		comp           string
		args           Args
		field, message string
	}{
		{"uppercase BucketName", "archive", Args{BucketName: "My-Bucket"}, "BucketName", `"My-Bucket" may hold only lowercase`},
		{"long BucketName", "archive", Args{BucketName: strings.Repeat("a", 64)}, "BucketName", "must be 3-63 characters"},
		{"IP address BucketName", "archive", Args{BucketName: "192.168.1.1"}, "BucketName", "IP address"},
		{"adjacent periods", "archive", Args{BucketName: "a..b"}, "BucketName", "two adjacent periods"},
		{"reserved prefix", "archive", Args{BucketName: "xn--abc"}, "BucketName", "reserved prefix"},
		{"reserved suffix", "archive", Args{BucketName: "abc-s3alias"}, "BucketName", "reserved suffix"},
		{"uppercase name", "Archive", Args{}, "name", `"Archive" has 'A' at byte 0: its child "Archive" (S3 bucket) allows only lower-case letters, digits and '-'`},
		{"name starting with '-'", "-archive", Args{}, "name", `"-archive" makes an invalid auto-named bucket`},
		{"name with a reserved prefix", "xn--archive", Args{}, "name", "reserved prefix"},
		{"log prefix without bucket", "archive", Args{AccessLogPrefix: "x/"}, "AccessLogPrefix", `"x/" is set without AccessLogBucket`},
		{"negative noncurrent expiry", "archive", Args{NoncurrentVersionExpiration: -Day}, "NoncurrentVersionExpiration", "-1 days must be whole days, at least 1"},
		{"noncurrent expiry in hours", "archive", Args{NoncurrentVersionExpiration: 36 * time.Hour}, "NoncurrentVersionExpiration", "36h0m0s must be whole days"},

		{"rule without an ID", "archive", rule(LifecycleRule{Expiration: expire}), "LifecycleRules[0].ID", "is required"},
		{"rule taking a built-in ID", "archive", rule(LifecycleRule{ID: "expire-noncurrent-versions", Expiration: expire}), "LifecycleRules[0].ID",
			`"expire-noncurrent-versions" is a built-in rule's: a rule may not replace the bucket's own`},
		{"two rules with one ID", "archive", Args{LifecycleRules: []LifecycleRule{{ID: "logs", Expiration: expire}, {ID: "logs", Expiration: expire}}},
			"LifecycleRules[1].ID", `"logs" is also LifecycleRules[0]'s`},
		{"rule without an action", "archive", rule(LifecycleRule{ID: "logs", Prefix: "logs/"}), "LifecycleRules[0]", "has no action: set Expiration or Transitions"},
		{"expiration in hours", "archive", rule(LifecycleRule{ID: "logs", Expiration: 12 * time.Hour}), "LifecycleRules[0].Expiration", "12h0m0s must be whole days, at least 1"},
		{"unknown storage class", "archive", rule(LifecycleRule{ID: "logs", Transitions: []Transition{{After: 30 * Day, StorageClass: "COLD"}}}),
			"LifecycleRules[0].Transitions[0].StorageClass", `"COLD" is not one of STANDARD_IA, INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE`},
		{"IA too early", "archive", rule(LifecycleRule{ID: "logs", Transitions: []Transition{{After: 7 * Day, StorageClass: StandardIA}}}),
			"LifecycleRules[0].Transitions[0].After", "7 days is too soon: S3 moves objects to STANDARD_IA after 30 days at the earliest"},
		{"transition up the waterfall", "archive", rule(LifecycleRule{ID: "logs", Transitions: []Transition{{After: 0, StorageClass: Glacier}, {After: 90 * Day, StorageClass: GlacierIR}}}),
			"LifecycleRules[0].Transitions[1].StorageClass", "GLACIER_IR does not come after GLACIER in S3's waterfall"},
		{"transitions out of order", "archive", rule(LifecycleRule{ID: "logs", Transitions: []Transition{{After: 90 * Day, StorageClass: GlacierIR}, {After: 60 * Day, StorageClass: Glacier}}}),
			"LifecycleRules[0].Transitions[1].After", "60 days is not after the previous transition's 90"},
		{"under 30 days in IA", "archive", rule(LifecycleRule{ID: "logs", Transitions: []Transition{{After: 30 * Day, StorageClass: StandardIA}, {After: 45 * Day, StorageClass: Glacier}}}),
			"LifecycleRules[0].Transitions[1].After", "45 days leaves objects under 30 days in STANDARD_IA, which S3 refuses"},
		{"expiration before the last transition", "archive", rule(LifecycleRule{ID: "logs", Expiration: 60 * Day, Transitions: []Transition{{After: 90 * Day, StorageClass: Glacier}}}),
			"LifecycleRules[0].Expiration", "60 days is not after the last transition's 90"},
		{"empty tag key", "archive", rule(LifecycleRule{ID: "logs", Expiration: expire, Tags: map[string]string{"": "x"}}),
			`LifecycleRules[0].Tags[""]`, "must have a key of 1-128 characters"},
		{"999 rules", "archive", Args{LifecycleRules: func() []LifecycleRule {
			rs := make([]LifecycleRule, 999)
			for i := range rs {
				rs[i] = LifecycleRule{ID: fmt.Sprint("r", i), Expiration: expire}
			}
			return rs
		}()}, "LifecycleRules", "has 999 rules: with the 2 built-in ones, over S3's 1000"},

		{"CORS without origins", "archive", cors(CORSRule{AllowedMethods: get}), "CORS[0].AllowedOrigins", `is empty: name the origins allowed, or "*"`},
		{"CORS origin with two wildcards", "archive", cors(CORSRule{AllowedOrigins: []string{"https://*.*.example.com"}, AllowedMethods: get}),
			"CORS[0].AllowedOrigins[0]", `"https://*.*.example.com" has more than one '*'`},
		{"CORS origin without a scheme", "archive", cors(CORSRule{AllowedOrigins: []string{"example.com"}, AllowedMethods: get}),
			"CORS[0].AllowedOrigins[0]", `"example.com" is not an origin (scheme://host[:port]) or "*"`},
		{"CORS without methods", "archive", cors(CORSRule{AllowedOrigins: any}), "CORS[0].AllowedMethods", "is empty: name at least one of GET, PUT, POST, DELETE, HEAD"},
		{"CORS bad method", "archive", cors(CORSRule{AllowedOrigins: any, AllowedMethods: []string{"PATCH"}}), "CORS[0].AllowedMethods[0]", `"PATCH" is not one of GET, PUT, POST, DELETE, HEAD`},
		{"CORS header with two wildcards", "archive", cors(CORSRule{AllowedOrigins: any, AllowedMethods: get, AllowedHeaders: []string{"x-*-*"}}),
			"CORS[0].AllowedHeaders[0]", `"x-*-*" has more than one '*'`},
		{"CORS max age in milliseconds", "archive", cors(CORSRule{AllowedOrigins: any, AllowedMethods: get, MaxAge: 1500 * time.Millisecond}),
			"CORS[0].MaxAge", "1.5s must be whole seconds"},
		{"101 CORS rules", "archive", Args{CORS: func() []CORSRule {
			cs := make([]CORSRule, 101)
			for i := range cs {
				cs[i] = CORSRule{AllowedOrigins: any, AllowedMethods: get}
			}
			return cs
		}()}, "CORS", "has 101 rules, over S3's 100"},

		{"notification without a name", "archive", notify(Notification{Function: fn}), "Notifications[0].Name", `"" must be 1-32 lower-case letters`},
		{"notification taking a child's role", "archive", notify(Notification{Name: "policy", Function: fn}), "Notifications[0].Name", `"policy" is the role of one of the bucket's own children`},
		{"notification without a target", "archive", notify(Notification{Name: "created"}), "Notifications[0]", "needs exactly one target: Function or Queue"},
		{"notification with two targets", "archive", notify(Notification{Name: "created", Function: fn, Queue: &queue.Args{}}), "Notifications[0]", "needs exactly one target"},
		{"notification to a FIFO queue", "archive", notify(Notification{Name: "created", Queue: &queue.Args{FIFO: true}}), "Notifications[0].Queue.FIFO",
			"is set: S3 cannot send event notifications to a FIFO queue"},
		{"notification prefix with a wildcard", "archive", notify(Notification{Name: "created", Prefix: "in/*", Function: fn}), "Notifications[0].Prefix", `"in/*" has a '*': S3 filters are literal`},
		{"two notifications with one name", "archive", notify(Notification{Name: "created", Prefix: "a/", Function: fn}, Notification{Name: "created", Prefix: "b/", Function: fn}),
			"Notifications[1].Name", `"created" is also Notifications[0]'s`},
		{"overlapping prefixes", "archive", notify(Notification{Name: "images", Prefix: "images/", Function: fn}, Notification{Name: "thumbs", Prefix: "images/thumbs/", Function: fn}),
			"Notifications[1]", `may match the same keys as Notifications[0] (prefixes "images/" and "images/thumbs/", suffixes "" and "")`},
		{"overlapping suffixes", "archive", notify(Notification{Name: "jpg", Suffix: "jpg", Function: fn}, Notification{Name: "dotjpg", Suffix: ".jpg", Function: fn}),
			"Notifications[1]", "may match the same keys as Notifications[0]"},
		{"names whose children clash", "archive", notify(Notification{Name: "in", Prefix: "a/", Queue: &queue.Args{}}, Notification{Name: "in-dlq", Prefix: "b/", Queue: &queue.Args{}}),
			"Notifications[1].Name", `"in-dlq" starts with "in-dlq", the dead-letter queue's name of Notifications[0]: their children would clash`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Given Args valid but for one field, when resolved
			_, err := resolve(tc.comp, tc.args)
			// Then exactly that field is reported, in the bucket's name
			var ce *check.Error
			require.True(t, errors.As(err, &ce), "a check.Error: %v", err)
			require.Len(t, ce.Problems, 1, "one problem: %v", err)
			assert.Equal(t, tc.field, ce.Problems[0].Field, "field")
			assert.Contains(t, ce.Problems[0].Message, tc.message, "message")
			assert.Contains(t, err.Error(), `bucket "`+tc.comp+`": `, "names the bucket")
		})
	}
}

func TestResolveAcceptsWhatS3Accepts(t *testing.T) {
	// Given rules at the edges of what S3 allows
	a := Args{
		LifecycleRules: []LifecycleRule{
			{ID: "logs", Prefix: "logs/", Expiration: 365 * Day, Transitions: []Transition{
				{After: 30 * Day, StorageClass: StandardIA}, {After: 60 * Day, StorageClass: GlacierIR}, {After: 180 * Day, StorageClass: DeepArchive},
			}},
			{ID: "tmp", Tags: map[string]string{"kind": "tmp"}, Transitions: []Transition{{After: 0, StorageClass: IntelligentTiering}}},
		},
		CORS: []CORSRule{{AllowedOrigins: []string{"https://*.example.com", "*"}, AllowedMethods: []string{"GET", "HEAD"}, AllowedHeaders: []string{"*"}, MaxAge: time.Hour}},
		Notifications: []Notification{
			{Name: "images", Prefix: "images/", Suffix: ".jpg", Function: fn},
			{Name: "images-png", Prefix: "images/", Suffix: ".png", Queue: &queue.Args{}},
			{Name: "docs", Prefix: "docs/", Queue: &queue.Args{}},
		},
	}
	// Then nothing is refused
	_, err := resolve("archive", a)
	assert.NoError(t, err)
}

func TestResolveReportsEveryInvalidFieldAtOnce(t *testing.T) {
	_, err := resolve("archive", Args{
		BucketName:                  "Bad",
		NoncurrentVersionExpiration: -Day,
		CORS:                        []CORSRule{{AllowedOrigins: []string{"*"}}},
		Notifications:               []Notification{{Name: "created"}},
	})
	var ce *check.Error
	require.True(t, errors.As(err, &ce))
	var fields []string
	for _, p := range ce.Problems {
		fields = append(fields, p.Field)
	}
	assert.Equal(t, []string{"BucketName", "NoncurrentVersionExpiration", "CORS[0].AllowedMethods", "Notifications[0]"}, fields)
}

func TestResolveNameFitsS3(t *testing.T) {
	// The auto-name is the name plus 8 characters, within S3's 63.
	most := 63 - 8
	_, err := resolve(strings.Repeat("a", most), Args{})
	require.NoError(t, err, "a name of %d characters fits", most)
	_, err = resolve(strings.Repeat("a", most+1), Args{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "S3 bucket", "names the limit's kind")
	assert.Contains(t, err.Error(), fmt.Sprintf("at most %d characters fit", most), "says how long a name may be")
	// An explicit BucketName does not derive from the component's name.
	_, err = resolve(strings.Repeat("A", most+1), Args{BucketName: "archive-prod"})
	assert.NoError(t, err, "BucketName set: the component's name is only logical")
}
