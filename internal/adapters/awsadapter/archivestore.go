package awsadapter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/groundwork-dev/groundwork/internal/inquiry"
)

// ArchiveStore is an inquiry.ArchiveStore on one S3 bucket. Objects are JSON documents.
//
// S3 answers a GetObject for a missing key with NoSuchKey only when the caller may list the
// bucket (s3:ListBucket); without that permission it answers AccessDenied, which Get returns
// as an ordinary error, not inquiry.ErrNotFound.
type ArchiveStore struct {
	client *s3.Client
	bucket string
	// pageSize is the MaxKeys of each ListObjectsV2 call. Zero means the service default
	// (1,000); tests set it small to exercise pagination.
	pageSize int32
}

var _ inquiry.ArchiveStore = (*ArchiveStore)(nil)

// NewArchiveStore returns an ArchiveStore on bucket.
func NewArchiveStore(c *s3.Client, bucket string) *ArchiveStore {
	return &ArchiveStore{client: c, bucket: bucket}
}

// Put stores body at key with content type application/json. S3 writes whole objects, so
// putting the same body again leaves the same object.
func (a *ArchiveStore) Put(ctx context.Context, key string, body []byte) error {
	_, err := a.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        &a.bucket,
		Key:           &key,
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   aws.String("application/json"),
	})
	if err != nil {
		return fmt.Errorf("awsadapter: put s3://%s/%s: %w", a.bucket, key, err)
	}
	return nil
}

// Get returns the object at key, or inquiry.ErrNotFound.
func (a *ArchiveStore) Get(ctx context.Context, key string) ([]byte, error) {
	out, err := a.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &a.bucket, Key: &key})
	if _, ok := errors.AsType[*types.NoSuchKey](err); ok {
		return nil, fmt.Errorf("archive object %s: %w", key, inquiry.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("awsadapter: get s3://%s/%s: %w", a.bucket, key, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, fmt.Errorf("awsadapter: read s3://%s/%s: %w", a.bucket, key, err)
	}
	return body, nil
}

// List returns every key under prefix, sorted, following ListObjectsV2 pages to the end.
func (a *ArchiveStore) List(ctx context.Context, prefix string) ([]string, error) {
	in := &s3.ListObjectsV2Input{Bucket: &a.bucket, Prefix: &prefix}
	if a.pageSize > 0 {
		in.MaxKeys = &a.pageSize
	}
	var keys []string
	pages := s3.NewListObjectsV2Paginator(a.client, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("awsadapter: list s3://%s/%s: %w", a.bucket, prefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	// S3 already lists in UTF-8 byte order, which is Go's string order; sorting again costs
	// little and keeps the contract independent of the service.
	slices.Sort(keys)
	return keys, nil
}
