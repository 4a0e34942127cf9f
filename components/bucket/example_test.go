package bucket_test

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/groundwork-dev/groundwork/components/bucket"
	"github.com/groundwork-dev/groundwork/components/componenttest"
	"github.com/groundwork-dev/groundwork/components/function"
	"github.com/groundwork-dev/groundwork/components/policy"
	"github.com/groundwork-dev/groundwork/components/queue"
)

// A bucket of uploads: browsers on the app's origin may PUT to it, old exports move to
// Glacier, and every upload is queued for a worker. A transform tags the bucket, and the test
// checks what would deploy. In a Pulumi program, program is the function given to pulumi.Run;
// the test half is what a team's own _test.go file does.
func Example() {
	program := func(ctx *pulumi.Context) error {
		_, err := bucket.New(ctx, "uploads", &bucket.Args{
			AccessLogBucket: pulumi.String("example-access-logs"),
			CORS: []bucket.CORSRule{{
				AllowedOrigins: []string{"https://app.example.com"},
				AllowedMethods: []string{"PUT"},
			}},
			LifecycleRules: []bucket.LifecycleRule{{
				ID: "old-exports", Prefix: "exports/",
				Transitions: []bucket.Transition{{After: 90 * bucket.Day, StorageClass: bucket.Glacier}},
			}},
			Notifications: []bucket.Notification{{
				Name: "received", Prefix: "incoming/",
				Queue: &queue.Args{Consumer: &function.Args{Package: "./components/function/testdata/hello"}},
			}},
			Transform: bucket.Transform{
				Bucket: func(_ string, a *s3.BucketV2Args, _ *[]pulumi.ResourceOption) error {
					a.Tags = pulumi.StringMap{"data-class": pulumi.String("customer")}
					return nil
				},
			},
		})
		return err
	}

	rec, err := componenttest.Run(program)
	if err != nil {
		panic(err)
	}
	b, _ := rec.Get("aws:s3/bucketV2:BucketV2", "uploads")
	fmt.Println("tag from the transform:", b.InputString("tags.data-class"))
	n, _ := rec.Get("aws:s3/bucketNotification:BucketNotification", "uploads-notifications")
	fmt.Println("queued:", n.InputString("queues[0].filterPrefix"))
	_, consumer := rec.Get("aws:lambda/function:Function", "uploads-received-consumer")
	fmt.Println("consumer:", consumer)
	fmt.Println("baseline violations:", len(policy.Check(rec.Resources(), policy.Options{})))
	// Output:
	// tag from the transform: customer
	// queued: incoming/
	// consumer: true
	// baseline violations: 0
}
