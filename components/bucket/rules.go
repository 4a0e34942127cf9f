package bucket

import (
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// days counts a lifecycle age in days, as S3 does.
func days(d time.Duration) pulumi.Int { return pulumi.Int(int(d / Day)) }

// everyObject is the filter of a rule for the whole bucket.
func everyObject() *s3.BucketLifecycleConfigurationV2RuleFilterArgs {
	return &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")}
}

// lifecycleRules are the built-in rules, then LifecycleRules.
func (s settings) lifecycleRules() s3.BucketLifecycleConfigurationV2RuleArray {
	rules := s3.BucketLifecycleConfigurationV2RuleArray{
		s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String(abortUploadsRuleID),
			Status: pulumi.String("Enabled"),
			Filter: everyObject(),
			AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: days(DefaultAbortIncompleteMultipartUpload),
			},
		},
		s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String(noncurrentRuleID),
			Status: pulumi.String("Enabled"),
			Filter: everyObject(),
			NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
				NoncurrentDays: days(s.NoncurrentVersionExpiration),
			},
		},
	}
	for _, r := range s.LifecycleRules {
		rule := s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String(r.ID),
			Status: pulumi.String("Enabled"),
			Filter: r.filter(),
		}
		if r.Expiration > 0 {
			rule.Expiration = &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: days(r.Expiration)}
		}
		if len(r.Transitions) > 0 {
			var ts s3.BucketLifecycleConfigurationV2RuleTransitionArray
			for _, t := range r.Transitions {
				ts = append(ts, s3.BucketLifecycleConfigurationV2RuleTransitionArgs{
					Days: days(t.After), StorageClass: pulumi.String(string(t.StorageClass)),
				})
			}
			rule.Transitions = ts
		}
		rules = append(rules, rule)
	}
	return rules
}

// filter selects the rule's objects: a prefix and one tag each stand alone, anything more is
// an "and" of them, and nothing is the whole bucket.
func (r LifecycleRule) filter() *s3.BucketLifecycleConfigurationV2RuleFilterArgs {
	switch {
	case len(r.Tags) == 0:
		return &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String(r.Prefix)}
	case len(r.Tags) == 1 && r.Prefix == "":
		for k, v := range r.Tags {
			return &s3.BucketLifecycleConfigurationV2RuleFilterArgs{
				Tag: &s3.BucketLifecycleConfigurationV2RuleFilterTagArgs{Key: pulumi.String(k), Value: pulumi.String(v)},
			}
		}
	}
	and := &s3.BucketLifecycleConfigurationV2RuleFilterAndArgs{Tags: pulumi.ToStringMap(r.Tags)}
	if r.Prefix != "" {
		and.Prefix = pulumi.String(r.Prefix)
	}
	return &s3.BucketLifecycleConfigurationV2RuleFilterArgs{And: and}
}

// corsRules are the CORS rules as S3 takes them.
func (s settings) corsRules() s3.BucketCorsConfigurationV2CorsRuleArray {
	var rules s3.BucketCorsConfigurationV2CorsRuleArray
	for _, c := range s.CORS {
		rule := s3.BucketCorsConfigurationV2CorsRuleArgs{
			AllowedOrigins: pulumi.ToStringArray(c.AllowedOrigins),
			AllowedMethods: pulumi.ToStringArray(c.AllowedMethods),
		}
		if c.ID != "" {
			rule.Id = pulumi.String(c.ID)
		}
		if len(c.AllowedHeaders) > 0 {
			rule.AllowedHeaders = pulumi.ToStringArray(c.AllowedHeaders)
		}
		if len(c.ExposeHeaders) > 0 {
			rule.ExposeHeaders = pulumi.ToStringArray(c.ExposeHeaders)
		}
		if c.MaxAge > 0 {
			rule.MaxAgeSeconds = pulumi.Int(int(c.MaxAge / time.Second))
		}
		rules = append(rules, rule)
	}
	return rules
}
