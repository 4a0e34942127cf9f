package awsadapter

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
	"github.com/groundwork-dev/groundwork/internal/inquiry/porttest"
)

// gofakes3 does not verify SigV4 signatures and sends no notifications; neither matters to
// the archive contract.
func TestArchiveStoreContract(t *testing.T) {
	porttest.ArchiveStore(t, func(t *testing.T) inquiry.ArchiveStore {
		c, bucket, _ := newS3(t)
		return NewArchiveStore(c, bucket)
	})
}

func TestArchiveStorePutsJSON(t *testing.T) {
	// Given an archive
	c, bucket, _ := newS3(t)
	a := NewArchiveStore(c, bucket)
	key := "inquiries/2026/11/26/01J.json"
	// When an object is put
	if err := a.Put(t.Context(), key, []byte(`{"id":"01J"}`)); err != nil {
		t.Fatalf("Put: %v", err)
	}
	// Then S3 serves it as application/json
	head, err := c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("HeadObject: %v", err)
	}
	if got := aws.ToString(head.ContentType); got != "application/json" {
		t.Errorf("content type = %q, want application/json", got)
	}
}

func TestArchiveStoreListFollowsPages(t *testing.T) {
	// gofakes3's s3mem reports IsTruncated when any key follows the page, even outside the
	// prefix, so a listing may end with an empty page: minPages allows for that.
	cases := []struct {
		name     string
		pageSize int32
		objects  int
		minPages int
	}{
		{"one key per page", 1, 4, 4},
		{"last page full", 2, 6, 3},
		{"last page partial", 3, 7, 3},
		{"one page", 1000, 5, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Given more objects under a prefix than fit in one page, and one outside it
			c, bucket, log := newS3(t)
			a := NewArchiveStore(c, bucket)
			a.pageSize = tc.pageSize
			var want []string
			for i := range tc.objects {
				key := fmt.Sprintf("inquiries/2026/11/%02d/x.json", tc.objects-i)
				want = append(want, key)
				if err := a.Put(t.Context(), key, []byte(`{}`)); err != nil {
					t.Fatalf("Put: %v", err)
				}
			}
			if err := a.Put(t.Context(), "other/x.json", []byte(`{}`)); err != nil {
				t.Fatalf("Put: %v", err)
			}
			log.all()
			// When the prefix is listed page by page
			got, err := a.List(t.Context(), "inquiries/")
			// Then it took at least the pages needed, and every key under it came back once, sorted
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if pages := log.count("ListObjectsV2"); pages < tc.minPages || pages > tc.minPages+1 {
				t.Errorf("List made %d ListObjectsV2 calls for %d keys in pages of %d, want %d (or one more, empty)",
					pages, tc.objects, tc.pageSize, tc.minPages)
			}
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("List with pages of %d = %q, want %q", tc.pageSize, got, want)
			}
		})
	}
}

func TestArchiveStoreServiceErrorsAreNotPortErrors(t *testing.T) {
	// Given an archive on a bucket that does not exist (NoSuchBucket)
	c, _, _ := newS3(t)
	a := NewArchiveStore(c, "no-such-bucket")
	ctx := t.Context()
	calls := map[string]func() error{
		"Put":  func() error { return a.Put(ctx, "k.json", []byte(`{}`)) },
		"Get":  func() error { _, err := a.Get(ctx, "k.json"); return err },
		"List": func() error { _, err := a.List(ctx, ""); return err },
	}
	for name, call := range calls {
		// When the call fails
		err := call()
		// Then the error is reported, and a missing bucket is not a missing object
		if err == nil || errors.Is(err, inquiry.ErrNotFound) {
			t.Errorf("%s on a missing bucket: error = %v, want a service error that is not ErrNotFound", name, err)
		}
	}
}
