// Package lambdamaintest helps test Lambda entry points without AWS.
package lambdamaintest

import "testing"

// OfflineAWS points the AWS SDK's config loading at fixed test credentials and a region, away
// from any shared config, credentials file or instance metadata, for the rest of the test.
func OfflineAWS(t testing.TB) {
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}
