package bucket_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/groundwork-dev/groundwork/components/bucket"
	"github.com/groundwork-dev/groundwork/components/componenttest"
)

func TestBucketKeepsItsTypeFromBeforeTheStorageSplit(t *testing.T) {
	// Given a stack deployed when the bucket was groundwork:storage:Bucket
	// When the bucket component is registered now
	rec := componenttest.MustRun(t, componenttest.Component(bucket.New, "archive", nil), componenttest.Stack("prod"))

	// Then it aliases its old URN, so the engine finds the deployed bucket (and, through the
	// parent, its children) instead of replacing it
	c := rec.One(t, "groundwork:bucket:Bucket")
	assert.Equal(t, []string{"urn:pulumi:prod::groundwork::groundwork:storage:Bucket::archive"}, c.Aliases,
		"the component's aliases")
}
